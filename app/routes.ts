import { type RouteConfig, index, route } from "@react-router/dev/routes";

// One app, told apart by host (server/services/hosts.ts): the public site, the platform
// console on admin.*, and each ISP on {slug}.*. Routes check the host they belong to.
export default [
  index("routes/home.tsx"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  route("dashboard", "routes/dashboard.tsx", [
    index("routes/dashboard._index.tsx"),
    route("zones", "routes/dashboard.zones.tsx"),
    route("activity", "routes/dashboard.activity.tsx"),
  ]),
  route("api/trpc/*", "routes/api.trpc.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
