import type { Route } from "./+types/session.keepalive";
import { optionalViewer } from "../lib/session.server";

/** "Stay signed in": pushes the idle deadline forward; null when the session has already ended. */
export async function action({ request, context }: Route.ActionArgs) {
  const viewer = await optionalViewer(context, request, true);
  return { secondsLeft: viewer ? Math.max(0, Math.floor((viewer.idleExpiresAt.getTime() - Date.now()) / 1000)) : null };
}
