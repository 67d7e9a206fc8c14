import type pg from "pg";

/**
 * Reads the live catalog and lists every way the database breaks the isolation rules of
 * design §4. An empty list means the schema is sound. Used by tests/catalog.test.ts; a new
 * table, policy, view or SECURITY DEFINER function that does not fit the rules fails the build
 * until it is made to fit (or, for the few deliberate exceptions, listed here after review).
 */

/** Global tables: no tenant_id, forced RLS, platform-only (tenants: each ISP reads its own row). */
export const GLOBAL_TABLES = ["public.tenants", "public.platform_users", "public.platform_user_tokens", "public.platform_recovery_codes", "public.platform_sessions", "public.platform_settings", "public.billing_tiers", "public.platform_mpesa_callbacks"];
/** Tables whose row changes are audited as app events instead (they change on every request). */
export const AUDIT_EXEMPT = [
  "public.user_sessions",
  "public.platform_sessions",
  "public.user_tokens",
  // Console users' tokens and recovery codes: audited as platform_admin.* and auth.* events (policies/31-platform-admins.sql).
  "public.platform_user_tokens",
  "public.platform_recovery_codes",
  "public.recovery_codes",
  "public.mpesa_callbacks",
  "public.mpesa_exchanges",
  "public.router_samples",
  "public.router_status_changes",
  "public.router_operations",
  "public.messages",
  "public.early_delivery_reports",
  "public.voucher_devices",
  "public.platform_mpesa_callbacks",
  // Read marks of the support chat: a read is not an action (the messages themselves are audited).
  "public.support_threads",
];
/** Schemas the app role may read tables in (all others: no table privileges at all). */
const APP_TABLE_SCHEMAS = ["public", "audit"];
/** Libraries' own schemas, checked separately (graphile-worker) or holding no data (drizzle). */
const LIBRARY_SCHEMAS = ["graphile_worker", "drizzle"];

/** The reviewed SECURITY DEFINER functions: each crosses tenants on purpose, narrowly. */
export const REVIEWED_DEFINERS = [
  "app_public.tenant_by_slug",
  "app_public.enqueue_job",
  "app_public.sweep_expired_user_sessions",
  "app_public.start_trial",
  "app_public.tenant_by_mpesa_callback_token",
  "app_public.rate_limit_locked_until",
  "app_public.rate_limit_fail",
  "app_public.rate_limit_take",
  "app_public.rate_limit_clear",
  "app_public.rate_limit_sweep",
  "app_public.tenants_with_verified_routers",
  "app_public.tenant_by_messaging_token",
  "app_private.claim_voucher_code",
  // Console (policies/95-console.sql), each refusing outside the platform context:
  // counts and sums per ISP for the console's ISP list and detail (no rows of any ISP leave it);
  "app_public.platform_tenant_usage",
  // the support inbox: per-ISP unread counts and a 140-character preview of the latest message;
  "app_public.platform_support_inbox",
  // the sweeper that closes impersonations whose time is up, in every ISP, with their audit events.
  "app_public.end_expired_impersonations",
  "app_public.end_impersonations_from_console",
  // Analytics (policies/96-analytics.sql), platform context only, sums and counts per month:
  // money received per tier (billing payments by their invoice's tier);
  "app_public.platform_billing_monthly",
  // paying ISPs at each month's start and end, new, returning, churned, MRR at month end.
  "app_public.platform_paying_monthly",
  "audit.log_row_change",
];

const TENANT = "(tenant_id = ( SELECT app_public.current_tenant_id() AS current_tenant_id))";
const PLATFORM = "( SELECT app_public.is_platform() AS is_platform)";
const OWNER = "owner_access|*|mnetifi_owner|true|true";

type Policy = { name: string; cmd: string; roles: string[]; qual: string | null; check: string | null };
const fingerprint = (p: Policy) => [p.name, p.cmd, [...p.roles].sort().join(","), p.qual ?? "", p.check ?? ""].join("|");

/** Exactly the policies each kind of table must have, no more, no less. */
const EXPECTED_POLICIES: Record<string, string[]> = {
  tenant: [`tenant_isolation|*|mnetifi_app|${TENANT}|${TENANT}`, OWNER],
  platform: [`platform_only|*|mnetifi_app|${PLATFORM}|${PLATFORM}`, OWNER],
  "public.tenants": [
    `tenant_read_self|r|mnetifi_app|((id = ( SELECT app_public.current_tenant_id() AS current_tenant_id)) OR ${PLATFORM})|`,
    `platform_write|*|mnetifi_app|${PLATFORM}|${PLATFORM}`,
    OWNER,
  ],
  // The tier price list: public to every context, written by the platform only.
  "public.billing_tiers": [`tiers_read|r|mnetifi_app|true|`, `platform_write|*|mnetifi_app|${PLATFORM}|${PLATFORM}`, OWNER],
  "audit.events": [
    `audit_read|r|mnetifi_app|((tenant_id = ( SELECT app_public.current_tenant_id() AS current_tenant_id)) OR ${PLATFORM})|`,
    `audit_append|a|mnetifi_app||((table_name IS NULL) AND (row_id IS NULL) AND (action !~ '^(INSERT|UPDATE|DELETE)$'::text) AND ((NOT (tenant_id IS DISTINCT FROM ( SELECT app_public.current_tenant_id() AS current_tenant_id))) OR ${PLATFORM}) AND ((actor_kind <> 'platform_user'::text) OR ${PLATFORM}))`,
    OWNER,
  ],
};

export async function findIsolationProblems(client: pg.Client | pg.PoolClient, appRole = "mnetifi_app", workerRole = "mnetifi_worker"): Promise<string[]> {
  const problems: string[] = [];
  const q = async <T extends pg.QueryResultRow>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows;

  const relations = await q<{ name: string; schema: string; kind: string; rls: boolean; forced: boolean; options: string[] | null }>(
    `select n.nspname || '.' || c.relname as name, n.nspname::text as schema, c.relkind::text as kind,
            c.relrowsecurity as rls, c.relforcerowsecurity as forced, c.reloptions::text[] as options
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f')
        and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname <> all($1::text[])
        and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'
      order by 1`,
    [LIBRARY_SCHEMAS],
  );

  for (const r of relations) {
    if (r.kind === "m" || r.kind === "f") {
      problems.push(`${r.name}: materialized views and foreign tables have no row-level security; use a security_invoker view`);
      continue;
    }
    if (r.kind === "v") {
      if (!r.options?.some((o) => o === "security_invoker=true" || o === "security_invoker=on")) problems.push(`${r.name}: view is not security_invoker`);
      continue;
    }
    if (!APP_TABLE_SCHEMAS.includes(r.schema)) {
      // Private tables (e.g. app_private.rate_limits) are reached only through definer functions.
      const [priv] = await q<{ any: boolean }>(
        `select has_table_privilege($1, $2, 'SELECT') or has_table_privilege($1, $2, 'INSERT') or has_table_privilege($1, $2, 'UPDATE')
             or has_table_privilege($1, $2, 'DELETE') or has_table_privilege($1, $2, 'TRUNCATE') as any`,
        [appRole, r.name],
      );
      if (priv?.any) problems.push(`${r.name}: ${appRole} has privileges on a table outside ${APP_TABLE_SCHEMAS.join("/")}`);
      continue;
    }

    const [col] = await q<{ type: string; notnull: boolean }>(
      `select format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull
         from pg_attribute a where a.attrelid = $1::regclass and a.attname = 'tenant_id' and not a.attisdropped`,
      [r.name],
    );
    const kind = r.name in EXPECTED_POLICIES ? r.name : GLOBAL_TABLES.includes(r.name) ? "platform" : col ? "tenant" : null;
    if (!kind) {
      problems.push(`${r.name}: has no tenant_id column and is not a declared global table`);
      continue;
    }
    if (!r.rls) problems.push(`${r.name}: row-level security is not enabled`);
    if (!r.forced) problems.push(`${r.name}: row-level security is not forced`);

    const policies = await q<Policy>(
      `select polname::text as name, polcmd::text as cmd,
              coalesce(array(select rolname::text from pg_roles where oid = any(polroles)), '{}')::text[] as roles,
              pg_get_expr(polqual, polrelid) as qual, pg_get_expr(polwithcheck, polrelid) as check
         from pg_policy where polrelid = $1::regclass`,
      [r.name],
    );
    const have = new Set(policies.map((p) => (p.roles.length === 0 ? `${fingerprint(p)} (applies to every role)` : fingerprint(p))));
    const want = new Set(EXPECTED_POLICIES[kind]!);
    if (kind === "tenant" && !policies.some((p) => p.name === "tenant_isolation")) problems.push(`${r.name}: has no tenant_isolation policy`);
    if (!policies.some((p) => p.roles.includes(appRole))) problems.push(`${r.name}: has no policy for ${appRole}`);
    for (const p of have) if (!want.has(p)) problems.push(`${r.name}: unexpected or altered policy ${p}`);
    for (const p of want) if (!have.has(p) && !(kind === "tenant" && p.startsWith("tenant_isolation") && !policies.some((x) => x.name === "tenant_isolation")))
      problems.push(`${r.name}: missing policy ${p.split("|")[0]}`);

    // Privileges: the app role gets exactly what its policies govern. TRUNCATE ignores RLS.
    for (const priv of ["TRUNCATE", "REFERENCES", "TRIGGER"]) {
      const [x] = await q<{ has: boolean }>(`select has_table_privilege($1, $2, $3) as has`, [appRole, r.name, priv]);
      if (x?.has) problems.push(`${r.name}: ${appRole} must not have ${priv}`);
    }
    if (r.name === "audit.events") {
      for (const priv of ["UPDATE", "DELETE"]) {
        const [x] = await q<{ has: boolean }>(`select has_table_privilege($1, 'audit.events', $2) as has`, [appRole, priv]);
        if (x?.has) problems.push(`audit.events: ${appRole} must not have ${priv}`);
      }
      continue;
    }

    if (col) {
      if (col.type !== "uuid" || !col.notnull) problems.push(`${r.name}: tenant_id must be uuid not null (is ${col.type}${col.notnull ? "" : ", nullable"})`);
      // Keys: composite, tenant_id first (unique constraints ignore RLS).
      const keys = await q<{ name: string; first: string | null; primary: boolean }>(
        `select i.indexrelid::regclass::text as name, a.attname::text as first, i.indisprimary as primary
           from pg_index i left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
          where i.indrelid = $1::regclass and i.indisunique`,
        [r.name],
      );
      if (!keys.some((k) => k.primary)) problems.push(`${r.name}: has no primary key`);
      for (const k of keys) if (k.first !== "tenant_id") problems.push(`${r.name}: unique key ${k.name} does not start with tenant_id`);
      const fks = await q<{ name: string; cols: string[]; target: string }>(
        `select conname::text as name, array(select attname::text from pg_attribute where attrelid = conrelid and attnum = any(conkey))::text[] as cols,
                confrelid::regclass::text as target
           from pg_constraint where conrelid = $1::regclass and contype = 'f'`,
        [r.name],
      );
      for (const fk of fks) if (fk.target !== "tenants" && !fk.cols.includes("tenant_id")) problems.push(`${r.name}: foreign key ${fk.name} is not composite with tenant_id`);
    }
    if (!AUDIT_EXEMPT.includes(r.name)) {
      const [trg] = await q(
        `select 1 from pg_trigger where tgrelid = $1::regclass and tgname = '_900_audit' and tgenabled <> 'D'
            and tgfoid = 'audit.log_row_change'::regproc and (tgtype & 1) = 1 and (tgtype & 28) = 28`,
        [r.name],
      );
      if (!trg) problems.push(`${r.name}: has no audit trigger`);
    }
  }

  // The roles: neither the app nor the worker role may be powerful or own anything.
  for (const role of [appRole, workerRole]) {
    const [info] = await q<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      `select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = $1`,
      [role],
    );
    if (!info) {
      problems.push(`role ${role} does not exist`);
      continue;
    }
    if (info.rolsuper) problems.push(`${role} is a superuser`);
    if (info.rolbypassrls) problems.push(`${role} can bypass row-level security`);
    if (info.rolcreaterole || info.rolcreatedb) problems.push(`${role} can create roles or databases`);
    const owned = await q<{ name: string }>(
      `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where pg_get_userbyid(c.relowner) = $1
       union all select nspname::text from pg_namespace where pg_get_userbyid(nspowner) = $1
       union all select p.proname::text from pg_proc p where pg_get_userbyid(p.proowner) = $1`,
      [role],
    );
    for (const o of owned) problems.push(`${role} owns ${o.name}`);
    const memberships = await q<{ name: string }>(
      `select r.rolname::text as name from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member where u.rolname = $1`,
      [role],
    );
    for (const m of memberships) problems.push(`${role} is a member of ${m.name}`);
  }
  // The job queue belongs to the worker role: the web role can only enqueue through enqueue_job.
  const [queue] = await q<{ usage: boolean }>(`select has_schema_privilege($1, 'graphile_worker', 'USAGE') as usage`, [appRole]);
  if (queue?.usage) problems.push(`${appRole} can use the graphile_worker schema (job payloads of every tenant)`);
  const workerTables = await q<{ name: string }>(
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname <> all($2::text[]) and n.nspname not in ('pg_catalog', 'information_schema')
        and (has_table_privilege($1, c.oid, 'SELECT') or has_table_privilege($1, c.oid, 'UPDATE') or has_table_privilege($1, c.oid, 'DELETE'))`,
    [workerRole, LIBRARY_SCHEMAS],
  );
  for (const w of workerTables) problems.push(`${workerRole} can read or change ${w.name}`);

  // SECURITY DEFINER functions: pinned search_path, and each one reviewed.
  const definers = await q<{ name: string; config: string[] | null }>(
    `select n.nspname || '.' || p.proname as name, p.proconfig::text[] as config from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname <> all($1::text[])`,
    [LIBRARY_SCHEMAS],
  );
  for (const f of definers) {
    if (!f.config?.some((c) => c.startsWith("search_path="))) problems.push(`${f.name}: security definer function without a fixed search_path`);
    if (!REVIEWED_DEFINERS.includes(f.name)) problems.push(`${f.name}: security definer function not in the reviewed list (db/catalog.ts)`);
  }
  return problems;
}
