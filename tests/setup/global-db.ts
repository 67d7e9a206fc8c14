import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../db/embedded";
import { ensureRolesAndDatabase } from "../../db/bootstrap";
import { migrateDatabase } from "../../db/migrate";

export const TEMPLATE_DB = "mnetifi_template";
export const TEST_PASSWORDS = { owner: "test-owner-pw", app: "test-app-pw", worker: "test-worker-pw" };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * One real PostgreSQL (embedded) for the whole run, with a migrated template database that
 * every test file copies (CREATE DATABASE ... TEMPLATE), so files never share state.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mnetifi-test-pg-"));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const pgServer = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port, persistent: false });
  const urls = await ensureRolesAndDatabase(pgServer.superuserUrl, TEMPLATE_DB, TEST_PASSWORDS);
  await migrateDatabase(urls.ownerUrl);
  // No connection may stay open on a template.
  const admin = new pg.Client({ connectionString: pgServer.superuserUrl });
  await admin.connect();
  await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [TEMPLATE_DB]);
  await admin.end();
  project.provide("superuserUrl", pgServer.superuserUrl);
  return async () => {
    await pgServer.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    superuserUrl: string;
  }
}
