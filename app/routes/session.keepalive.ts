import type { Route } from "./+types/session.keepalive";
import { optionalViewer } from "../lib/session.server";

/** "Stay signed in": pushes the idle deadline forward; null when the session has already ended. */
export async function action({ request, context }: Route.ActionArgs) {
  const viewer = await optionalViewer(context, request, true);
  return { idleExpiresAt: viewer ? viewer.idleExpiresAt.toISOString() : null };
}
