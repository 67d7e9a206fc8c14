import pg from "pg";
import crypto from "node:crypto";

export const OWNER_ROLE = "mnetifi_owner";
export const APP_ROLE = "mnetifi_app";
/** The job queue's role: reads and locks graphile-worker's tables, sees no tenant table. */
export const WORKER_ROLE = "mnetifi_worker";

export type DbUrls = { ownerUrl: string; appUrl: string; workerUrl: string };

/** The same server URL with another role, password and database. */
export function withCredentials(base: string, user: string, password: string, database: string) {
  const url = new URL(base);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates (or updates) the owner and app roles and the database, as a superuser. Used for the
 * embedded database and the tests; for an external server, docs/operations.md shows the same
 * statements for a DBA to run once.
 */
export async function ensureRolesAndDatabase(
  superuserUrl: string,
  database: string,
  passwords: { owner: string; app: string; worker: string },
): Promise<DbUrls> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const ident = (s: string) => client.escapeIdentifier(s);
    const lit = (s: string) => client.escapeLiteral(s);
    for (const [role, password, extra] of [
      [OWNER_ROLE, passwords.owner, "NOSUPERUSER NOCREATEROLE NOCREATEDB"],
      [APP_ROLE, passwords.app, "NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT"],
      [WORKER_ROLE, passwords.worker, "NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT"],
    ] as const) {
      const exists = await client.query("select 1 from pg_roles where rolname = $1", [role]);
      const verb = exists.rowCount ? "ALTER" : "CREATE";
      await client.query(`${verb} ROLE ${ident(role)} LOGIN ${extra} PASSWORD ${lit(password)}`);
    }
    const db = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (!db.rowCount) {
      await client.query(`CREATE DATABASE ${ident(database)} OWNER ${ident(OWNER_ROLE)} ENCODING 'UTF8' TEMPLATE template0`);
    }
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(database)} TO ${ident(APP_ROLE)}, ${ident(WORKER_ROLE)}`);
  } finally {
    await client.end();
  }
  // The public schema belongs to pg_database_owner (PG15+): as the database owner,
  // mnetifi_owner owns it, so migrations can create tables there.
  return {
    ownerUrl: withCredentials(superuserUrl, OWNER_ROLE, passwords.owner, database),
    appUrl: withCredentials(superuserUrl, APP_ROLE, passwords.app, database),
    workerUrl: withCredentials(superuserUrl, WORKER_ROLE, passwords.worker, database),
  };
}

/** Stable local passwords for the embedded database, derived from a random secret kept in DATA_DIR. */
export function localPasswords(secret: string) {
  const derive = (label: string) => crypto.createHmac("sha256", secret).update(label).digest("hex").slice(0, 32);
  return { owner: derive("owner"), app: derive("app"), worker: derive("worker") };
}
