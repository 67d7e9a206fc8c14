import type { Config } from "@react-router/dev/config";

export default {
  ssr: true,
  appDirectory: "app",
  // BUILD_DIR lets several checkouts' test runs build side by side (server/env.ts has the same default).
  buildDirectory: process.env.BUILD_DIR ?? "build",
  // Pinned to the v7 behaviour this app is written for; revisit when moving to v8.
  future: {
    v8_middleware: false,
    v8_splitRouteModules: false,
    v8_viteEnvironmentApi: false,
    v8_passThroughRequests: false,
    v8_trailingSlashAwareDataRequests: false,
  },
} satisfies Config;
