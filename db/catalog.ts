import type pg from "pg";

/** Global tables: no tenant_id, RLS forced, reachable only in the platform context (or its own row). */
export const GLOBAL_TABLES = ["public.tenants", "public.platform_users", "public.platform_sessions", "public.platform_settings"];
/** Tables whose row changes are audited as app events instead (they change on every request). */
export const AUDIT_EXEMPT = ["public.user_sessions", "public.platform_sessions"];
/** Schemas holding the product's own tables (graphile_worker and drizzle are libraries' own). */
const APP_SCHEMAS = ["public", "audit"];

/**
 * Reads the live catalog and lists every way the database breaks the isolation rules of
 * design §4. An empty list means the schema is sound. Used by tests/catalog.test.ts.
 */
export async function findIsolationProblems(client: pg.Client | pg.PoolClient, appRole = "mnetifi_app"): Promise<string[]> {
  const problems: string[] = [];
  const q = async <T extends pg.QueryResultRow>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows;

  const tables = await q<{ name: string; rls: boolean; forced: boolean; owner: string }>(
    `select n.nspname || '.' || c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced, pg_get_userbyid(c.relowner) as owner
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = any($1) order by 1`,
    [APP_SCHEMAS],
  );
  for (const t of tables) {
    if (t.name === "audit.events") continue; // checked below
    const [col] = await q<{ type: string; notnull: boolean }>(
      `select format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull
         from pg_attribute a where a.attrelid = $1::regclass and a.attname = 'tenant_id' and not a.attisdropped`,
      [t.name],
    );
    const policies = await q<{ name: string; roles: string[]; qual: string | null; check: string | null; cmd: string }>(
      `select polname as name, array(select rolname from pg_roles where oid = any(polroles)) as roles,
              pg_get_expr(polqual, polrelid) as qual, pg_get_expr(polwithcheck, polrelid) as check, polcmd::text as cmd
         from pg_policy where polrelid = $1::regclass`,
      [t.name],
    );
    if (!t.rls) problems.push(`${t.name}: row-level security is not enabled`);
    if (!t.forced) problems.push(`${t.name}: row-level security is not forced`);
    const appPolicies = policies.filter((p) => p.roles.includes(appRole) || p.roles.length === 0);
    if (appPolicies.length === 0) problems.push(`${t.name}: has no policy for ${appRole}`);

    if (!col) {
      if (!GLOBAL_TABLES.includes(t.name)) problems.push(`${t.name}: has no tenant_id column and is not a declared global table`);
    } else {
      if (col.type !== "uuid" || !col.notnull) problems.push(`${t.name}: tenant_id must be uuid not null (is ${col.type}${col.notnull ? "" : ", nullable"})`);
      const iso = policies.find((p) => p.name === "tenant_isolation");
      if (!iso) problems.push(`${t.name}: has no tenant_isolation policy`);
      else {
        if (iso.cmd !== "*") problems.push(`${t.name}: tenant_isolation must cover every command`);
        if (!iso.qual?.includes("current_tenant_id()") || !iso.check?.includes("current_tenant_id()"))
          problems.push(`${t.name}: tenant_isolation must check tenant_id against current_tenant_id() in USING and WITH CHECK`);
      }
      for (const p of appPolicies) {
        if (p.name !== "tenant_isolation") problems.push(`${t.name}: unexpected extra policy ${p.name} for ${appRole}`);
      }
      // Keys: composite, tenant_id first (unique constraints ignore RLS).
      const keys = await q<{ name: string; first: string | null; primary: boolean }>(
        `select i.indexrelid::regclass::text as name, a.attname as first, i.indisprimary as primary
           from pg_index i left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
          where i.indrelid = $1::regclass and i.indisunique`,
        [t.name],
      );
      if (!keys.some((k) => k.primary)) problems.push(`${t.name}: has no primary key`);
      for (const k of keys) if (k.first !== "tenant_id") problems.push(`${t.name}: unique key ${k.name} does not start with tenant_id`);
      const fks = await q<{ name: string; cols: string[]; target: string }>(
        `select conname as name, array(select attname from pg_attribute where attrelid = conrelid and attnum = any(conkey)) as cols,
                confrelid::regclass::text as target
           from pg_constraint where conrelid = $1::regclass and contype = 'f'`,
        [t.name],
      );
      for (const fk of fks) {
        if (fk.target !== "tenants" && !fk.cols.includes("tenant_id")) problems.push(`${t.name}: foreign key ${fk.name} is not composite with tenant_id`);
      }
    }
    if (!AUDIT_EXEMPT.includes(t.name)) {
      const [trg] = await q(`select 1 from pg_trigger where tgrelid = $1::regclass and tgname = '_900_audit' and tgenabled <> 'D'`, [t.name]);
      if (!trg) problems.push(`${t.name}: has no audit trigger`);
    }
  }

  // The audit trail: RLS forced, and append-only for the app role.
  const [audit] = await q<{ rls: boolean; forced: boolean }>(
    `select relrowsecurity as rls, relforcerowsecurity as forced from pg_class where oid = 'audit.events'::regclass`,
  );
  if (!audit?.rls || !audit.forced) problems.push("audit.events: row-level security must be enabled and forced");
  for (const priv of ["UPDATE", "DELETE", "TRUNCATE"]) {
    const [r] = await q<{ has: boolean }>(`select has_table_privilege($1, 'audit.events', $2) as has`, [appRole, priv]);
    if (r?.has) problems.push(`audit.events: ${appRole} must not have ${priv}`);
  }

  // The app role itself.
  const [role] = await q<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
    `select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = $1`,
    [appRole],
  );
  if (!role) problems.push(`role ${appRole} does not exist`);
  else {
    if (role.rolsuper) problems.push(`${appRole} is a superuser`);
    if (role.rolbypassrls) problems.push(`${appRole} can bypass row-level security`);
    if (role.rolcreaterole || role.rolcreatedb) problems.push(`${appRole} can create roles or databases`);
  }
  const owned = await q<{ name: string }>(
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where pg_get_userbyid(c.relowner) = $1
     union all select nspname from pg_namespace where pg_get_userbyid(nspowner) = $1
     union all select p.proname from pg_proc p where pg_get_userbyid(p.proowner) = $1`,
    [appRole],
  );
  for (const o of owned) problems.push(`${appRole} owns ${o.name}`);
  const memberships = await q<{ name: string }>(
    `select r.rolname as name from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member where u.rolname = $1`,
    [appRole],
  );
  for (const m of memberships) problems.push(`${appRole} is a member of ${m.name}`);

  // Views must not run with their owner's rights.
  const views = await q<{ name: string; options: string[] | null }>(
    `select n.nspname || '.' || c.relname as name, c.reloptions as options from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'v' and n.nspname = any($1)`,
    [APP_SCHEMAS],
  );
  for (const v of views) if (!v.options?.some((o) => o === "security_invoker=true" || o === "security_invoker=on")) problems.push(`${v.name}: view is not security_invoker`);

  // SECURITY DEFINER functions must pin search_path.
  const definers = await q<{ name: string; config: string[] | null }>(
    `select n.nspname || '.' || p.proname as name, p.proconfig as config from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname in ('public', 'app_public', 'app_private', 'audit')`,
  );
  for (const f of definers) if (!f.config?.some((c) => c.startsWith("search_path="))) problems.push(`${f.name}: security definer function without a fixed search_path`);

  return problems;
}
