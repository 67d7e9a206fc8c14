import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Route } from "./+types/api.trpc";
import { appRouter, createTrpcContext } from "../../server/trpc/root";

// tRPC v11 mounted as a resource route; loaders call the same procedures through getCaller().
function handle({ request, context }: Route.LoaderArgs | Route.ActionArgs) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createTrpcContext(context.app, request),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") context.app.log.error({ err: error, path }, "tRPC procedure failed");
    },
  });
}

export const loader = handle;
export const action = handle;
