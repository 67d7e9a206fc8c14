import pg from "pg";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as drizzleMigrate } from "drizzle-orm/node-postgres/migrator";
import { runMigrations as workerMigrations } from "graphile-worker";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const MIGRATIONS_DIR = path.join(root, "db", "migrations");
export const POLICIES_DIR = path.join(root, "policies");

/**
 * Brings a database up to date, as the owner role:
 * 1. drizzle-kit's SQL migrations (db/migrations), 2. graphile-worker's schema,
 * 3. every policies/*.sql file in order (idempotent: RLS, grants, triggers, definer functions).
 * An advisory lock keeps two processes from migrating at once.
 */
export async function migrateDatabase(ownerUrl: string, log: (msg: string) => void = () => {}) {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 2 });
  pool.on("error", () => {});
  pool.on("connect", (c) => c.on("error", () => {}));
  const lock = await pool.connect();
  try {
    await lock.query("select pg_advisory_lock(4242001)");
    await drizzleMigrate(drizzle(pool), { migrationsFolder: MIGRATIONS_DIR });
    log("schema migrations applied");
    await workerMigrations({ pgPool: pool, logger: undefined });
    log("job queue schema ready");
    for (const file of fs.readdirSync(POLICIES_DIR).filter((f) => f.endsWith(".sql")).sort()) {
      const sqlText = fs.readFileSync(path.join(POLICIES_DIR, file), "utf8");
      const client = await pool.connect();
      try {
        await client.query("begin");
        await client.query(sqlText);
        await client.query("commit");
      } catch (err) {
        await client.query("rollback");
        throw new Error(`policies/${file}: ${(err as Error).message}`);
      } finally {
        client.release();
      }
    }
    log("policies applied");
  } finally {
    await lock.query("select pg_advisory_unlock(4242001)").catch(() => {});
    lock.release();
    await pool.end();
  }
}
