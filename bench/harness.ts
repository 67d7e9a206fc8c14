import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fork } from "node:child_process";
import { run, Logger } from "graphile-worker";
import { pino } from "pino";
import { startEmbeddedPostgres } from "../db/embedded";
import { ensureRolesAndDatabase } from "../db/bootstrap";
import { migrateDatabase } from "../db/migrate";
import { createDb, createQueuePool, withPlatform, withTenant, type Db } from "../db/client";
import { createTenant } from "../server/services/tenants";
import { saveMpesaSettings, getMpesaSettingsRow } from "../server/services/mpesa-settings";
import { createSecretBox } from "../server/services/secrets";
import { createBaseApp } from "../server/http";
import { buildTaskList } from "../jobs";
import type { DarajaClient } from "../server/integrations/mpesa";
import { REAL_ENDPOINTS } from "../server/integrations/messaging";

/**
 * A throwaway product for a benchmark: embedded Postgres (migrated), one ISP with M-Pesa
 * settings, the web hooks on a random port and a worker. Everything on this machine.
 */
export async function startBench(opts: { daraja: DarajaClient; workerConcurrency: number; appPool?: number; workerProcess?: { darajaUrl: string } }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mnetifi-bench-"));
  fs.chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: 54000 + Math.floor(Math.random() * 900), persistent: false });
  const urls = await ensureRolesAndDatabase(pg.superuserUrl, "bench", { owner: "o", app: "a", worker: "w" });
  await migrateDatabase(urls.ownerUrl);
  const db = createDb(urls.appUrl, { max: opts.appPool ?? 20 });
  const queue = createQueuePool(urls.workerUrl, { max: opts.workerConcurrency + 4 });
  const secretKey = Buffer.alloc(32, 1);
  const secrets = createSecretBox(secretKey);
  const tenant = await withPlatform(db, null, (tx) => createTenant(tx, { slug: "bench-isp", businessName: "Bench ISP", status: "active" }));
  const token = await withTenant(db, tenant.id, null, async (tx) => {
    await saveMpesaSettings(tx, tenant.id, secrets, {
      environment: "sandbox",
      accountType: "paybill",
      shortcode: "174379",
      consumerKey: "sim-consumer-key",
      consumerSecret: "sim-consumer-secret",
      passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
    });
    return (await getMpesaSettingsRow(tx, tenant.id))!.callbackToken;
  });
  const app = createBaseApp({ db, log: pino({ level: "silent" }) });
  const server = await new Promise<http.Server>((r) => {
    const s = app.listen(0, "127.0.0.1", () => r(s));
  });
  const port = (server.address() as AddressInfo).port;
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const integrations = {
    mailer: { send: async () => ({ messageId: "" }), close() {} },
    platformSms: { send: async () => ({ providerMessageId: null, status: "sent" as const, cost: null, parts: 1 }) },
    daraja: opts.daraja,
    messagingEndpoints: REAL_ENDPOINTS,
    close: async () => {},
  };
  // In production the worker is a process of its own (server/worker-main.ts); a benchmark of the
  // whole path runs it that way too, so web and worker do not share one JavaScript thread.
  const worker: { stop(): Promise<void> } = opts.workerProcess
    ? await startWorkerProcess({
        BENCH_APP_URL: urls.appUrl,
        BENCH_WORKER_URL: urls.workerUrl,
        BENCH_SECRET_KEY: secretKey.toString("base64"),
        BENCH_PUBLIC_BASE_URL: publicBaseUrl,
        BENCH_DARAJA_URL: opts.workerProcess.darajaUrl,
        BENCH_WORKER_CONCURRENCY: String(opts.workerConcurrency),
      })
    : await run({
        pgPool: queue,
        taskList: buildTaskList(db, integrations, { secrets, publicBaseUrl }),
        concurrency: opts.workerConcurrency,
        noHandleSignals: true,
        pollInterval: 1000,
        logger: new Logger(() => () => {}),
      });
  return {
    db: db as Db,
    tenantId: tenant.id,
    token,
    port,
    secrets,
    publicBaseUrl,
    async stop() {
      await worker.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await queue.end();
      await db.$client.end();
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startWorkerProcess(env: Record<string, string>) {
  const child = fork(new URL("./worker-process.ts", import.meta.url).pathname, [], { env: { ...process.env, ...env }, execArgv: ["--import", "tsx"], stdio: "inherit" });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`bench worker exited (${code})`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send("stop");
      }),
  };
}

/** A simulator CLI (sim/…/cli.ts) in a process of its own, as the real router or M-Pesa would be. */
export async function startSimProcess(cli: string, env: Record<string, string>) {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["--import", "tsx", cli], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`${cli} exited (${code})`)));
  });
  child.stdout.resume();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** A free loopback port (for simulators started as their own processes). */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
