import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import type { Logger } from "pino";
import type { Env } from "./env";
import { startEmbeddedPostgres } from "../db/embedded";
import { ensureRolesAndDatabase, localPasswords } from "../db/bootstrap";
import { migrateDatabase } from "../db/migrate";

export type PreparedDatabase = { appUrl: string; workerUrl: string | undefined; embedded: boolean; localSecret: string | null; stop: () => Promise<void> };

/**
 * With DATABASE_URL: use that server (migrating first when DATABASE_OWNER_URL is given).
 * Without: boot the embedded PostgreSQL in DATA_DIR, create roles and database, migrate.
 */
export async function prepareDatabase(env: Env, log: Logger): Promise<PreparedDatabase> {
  if (env.DATABASE_URL) {
    if (env.DATABASE_OWNER_URL) await migrateDatabase(env.DATABASE_OWNER_URL, (m) => log.info(m));
    return { appUrl: env.DATABASE_URL, workerUrl: env.WORKER_DATABASE_URL, embedded: false, localSecret: null, stop: async () => {} };
  }
  const dataDir = path.resolve(env.DATA_DIR);
  fs.mkdirSync(dataDir, { recursive: true });
  const secretFile = path.join(dataDir, "local-secret");
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
  log.info({ dir: path.join(dataDir, "pg"), port: env.EMBEDDED_PG_PORT }, "starting embedded PostgreSQL");
  const pg = await startEmbeddedPostgres({ dir: path.join(dataDir, "pg"), port: env.EMBEDDED_PG_PORT, onLog: (m) => log.debug({ pg: m.trim() }), ownSignals: true });
  try {
    const localSecret = fs.readFileSync(secretFile, "utf8");
    const urls = await ensureRolesAndDatabase(pg.superuserUrl, "mnetifi", localPasswords(localSecret));
    await migrateDatabase(urls.ownerUrl, (m) => log.info(m));
    return { appUrl: urls.appUrl, workerUrl: urls.workerUrl, embedded: true, localSecret, stop: pg.stop };
  } catch (err) {
    await pg.stop();
    throw err;
  }
}
