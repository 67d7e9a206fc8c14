import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` is used (it needs no database). Migrations are applied by
// db/migrate.ts, which also applies policies/*.sql and graphile-worker's schema.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  schemaFilter: ["public", "audit"],
});
