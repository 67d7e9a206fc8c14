import pg from "pg";
import crypto from "node:crypto";
import { inject, afterAll } from "vitest";
import { createDb, createQueuePool, type Db } from "../../db/client";
import { OWNER_ROLE, APP_ROLE, WORKER_ROLE, withCredentials as urlFor } from "../../db/bootstrap";

const TEMPLATE_DB = "mnetifi_template";
const PASSWORDS = { owner: "test-owner-pw", app: "test-app-pw", worker: "test-worker-pw" };

export type TestDatabase = {
  name: string;
  superuserUrl: string;
  ownerUrl: string;
  appUrl: string;
  workerUrl: string;
  /** Pool connected as mnetifi_app, like the web server and the worker's tenant work. */
  db: Db;
  /** Pool connected as mnetifi_worker: graphile-worker's queue. */
  queue: pg.Pool;
  /** A raw client as mnetifi_app, for the SQL attack tests. */
  appClient(): Promise<pg.Client>;
  ownerClient(): Promise<pg.Client>;
};

/** A fresh database for this test file, copied from the migrated template; dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const superuserUrl = inject("superuserUrl");
  const name = `t_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEMPLATE_DB} owner ${OWNER_ROLE}`);
  await admin.query(`grant connect, temporary on database ${name} to ${APP_ROLE}, ${WORKER_ROLE}`);
  await admin.end();
  const ownerUrl = urlFor(superuserUrl, OWNER_ROLE, PASSWORDS.owner, name);
  const appUrl = urlFor(superuserUrl, APP_ROLE, PASSWORDS.app, name);
  const workerUrl = urlFor(superuserUrl, WORKER_ROLE, PASSWORDS.worker, name);
  const db = createDb(appUrl, { max: 5 });
  const queue = createQueuePool(workerUrl, { max: 3 });
  const clients: pg.Client[] = [];
  const connect = async (url: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    clients.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await db.$client.end();
    await queue.end();
    const a = new pg.Client({ connectionString: superuserUrl });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  });
  return { name, superuserUrl, ownerUrl, appUrl, workerUrl, db, queue, appClient: () => connect(appUrl), ownerClient: () => connect(ownerUrl) };
}
