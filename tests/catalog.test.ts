import { describe, it, expect, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { findIsolationProblems } from "../db/catalog";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});

describe("catalog: isolation rules of design §4", () => {
  it("the migrated schema breaks none of them", async () => {
    const owner = await t.ownerClient();
    expect(await findIsolationProblems(owner)).toEqual([]);
  });

  it("covers every product table (none slips through unchecked)", async () => {
    const owner = await t.ownerClient();
    const { rows } = await owner.query(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r' and n.nspname = 'public' order by 1`,
    );
    expect(rows.map((r) => r.relname)).toEqual([
      "areas",
      "billing_invoices",
      "billing_payments",
      "billing_reminders",
      "billing_tiers",
      "broadcasts",
      "customers",
      "early_delivery_reports",
      "hotspot_plans",
      "hotspot_purchases",
      "hotspot_settings",
      "hotspot_trials",
      "impersonations",
      "message_templates",
      "messages",
      "messaging_providers",
      "messaging_settings",
      "mpesa_callbacks",
      "mpesa_exchanges",
      "mpesa_settings",
      "notification_settings",
      "payments",
      "platform_mpesa_callbacks",
      "platform_recovery_codes",
      "platform_sessions",
      "platform_settings",
      "platform_user_tokens",
      "platform_users",
      "recovery_codes",
      "regions",
      "router_items",
      "router_operations",
      "router_samples",
      "router_status_changes",
      "routers",
      "support_messages",
      "support_threads",
      "tenants",
      "tickets",
      "user_sessions",
      "user_tokens",
      "users",
      "voucher_batches",
      "voucher_devices",
      "vouchers",
      "zones",
    ]);
  });

  it("fails for a new tenant table added without RLS, and names what is missing", async () => {
    const owner = await t.ownerClient();
    await owner.query("begin");
    try {
      await owner.query(`create table public.rogue_notes (tenant_id uuid not null, id uuid not null, body text, primary key (tenant_id, id))`);
      const problems = await findIsolationProblems(owner);
      expect(problems).toEqual(
        expect.arrayContaining([
          "public.rogue_notes: row-level security is not enabled",
          "public.rogue_notes: row-level security is not forced",
          "public.rogue_notes: has no policy for mnetifi_app",
          "public.rogue_notes: has no tenant_isolation policy",
          "public.rogue_notes: has no audit trigger",
        ]),
      );
    } finally {
      await owner.query("rollback");
    }
  });

  it("fails when RLS is enabled but not forced, or a unique key ignores tenant_id", async () => {
    const owner = await t.ownerClient();
    await owner.query("begin");
    try {
      await owner.query(`create table public.half_done (tenant_id uuid not null, id uuid not null, code text, primary key (tenant_id, id))`);
      await owner.query(`select app_private.secure_tenant_table('public.half_done')`);
      await owner.query(`alter table public.half_done no force row level security`);
      await owner.query(`create unique index half_done_code on public.half_done (code)`);
      const problems = await findIsolationProblems(owner);
      expect(problems).toContain("public.half_done: row-level security is not forced");
      expect(problems).toContain("public.half_done: unique key half_done_code does not start with tenant_id");
    } finally {
      await owner.query("rollback");
    }
  });

  it("passes for a new table made with secure_tenant_table()", async () => {
    const owner = await t.ownerClient();
    await owner.query("begin");
    try {
      await owner.query(`create table public.good_notes (tenant_id uuid not null, id uuid not null, primary key (tenant_id, id))`);
      await owner.query(`select app_private.secure_tenant_table('public.good_notes')`);
      expect(await findIsolationProblems(owner)).toEqual([]);
    } finally {
      await owner.query("rollback");
    }
  });

  it("fails if the app role could bypass RLS or owned a table", async () => {
    const su = await (await import("pg")).default;
    const admin = new su.Client({ connectionString: t.superuserUrl.replace(/\/postgres$/, `/${t.name}`) });
    await admin.connect();
    await admin.query("begin");
    try {
      await admin.query("alter role mnetifi_app bypassrls");
      await admin.query("create table public.app_owned (id int)");
      await admin.query("alter table public.app_owned owner to mnetifi_app");
      const problems = await findIsolationProblems(admin);
      expect(problems).toContain("mnetifi_app can bypass row-level security");
      expect(problems).toContain("mnetifi_app owns public.app_owned");
    } finally {
      await admin.query("rollback");
      await admin.end();
    }
  });
});

describe("catalog: subtle holes are caught too", () => {
  async function problemsAfter(...statements: string[]) {
    const su = (await import("pg")).default;
    const admin = new su.Client({ connectionString: t.superuserUrl.replace(/\/postgres$/, `/${t.name}`) });
    await admin.connect();
    await admin.query("begin");
    try {
      for (const s of statements) await admin.query(s);
      return await findIsolationProblems(admin);
    } finally {
      await admin.query("rollback");
      await admin.end();
    }
  }

  it("an extra policy for every role (no TO clause) that opens a tenant table", async () => {
    const p = await problemsAfter("create policy everyone on public.zones for select using (true)");
    expect(p.some((x) => x.startsWith("public.zones: unexpected or altered policy everyone|r||true|") && x.includes("applies to every role"))).toBe(true);
  });

  it("a tenant_isolation policy widened with OR true", async () => {
    const p = await problemsAfter(
      "drop policy tenant_isolation on public.zones",
      "create policy tenant_isolation on public.zones for all to mnetifi_app using (tenant_id = (select app_public.current_tenant_id()) or true) with check (true)",
    );
    expect(p).toContain("public.zones: missing policy tenant_isolation");
  });

  it("a platform table opened to everyone, and the audit trail opened for reading", async () => {
    const p = await problemsAfter(
      "drop policy platform_only on public.platform_users",
      "create policy platform_only on public.platform_users for all to mnetifi_app using (true) with check (true)",
      "create policy audit_everything on audit.events for select to mnetifi_app using (true)",
    );
    expect(p).toContain("public.platform_users: missing policy platform_only");
    expect(p.some((x) => x.startsWith("audit.events: unexpected or altered policy audit_everything"))).toBe(true);
  });

  it("TRUNCATE granted to the app role (it ignores RLS)", async () => {
    expect(await problemsAfter("grant truncate on public.zones to mnetifi_app")).toContain("public.zones: mnetifi_app must not have TRUNCATE");
  });

  it("a materialized view over a tenant table, and a tenant table in a new schema", async () => {
    const p = await problemsAfter(
      "create materialized view public.all_users as select * from public.users",
      "create schema reports",
      "create table reports.sales (tenant_id uuid not null, id uuid not null, primary key (tenant_id, id))",
      "grant usage on schema reports to mnetifi_app",
      "grant select on reports.sales to mnetifi_app",
    );
    expect(p).toContain("public.all_users: materialized views and foreign tables have no row-level security; use a security_invoker view");
    expect(p).toContain("reports.sales: mnetifi_app has privileges on a table outside public/audit");
  });

  it("an unreviewed SECURITY DEFINER function and an audit trigger that calls something else", async () => {
    const p = await problemsAfter(
      "create function app_public.peek() returns bigint language sql security definer set search_path = public as 'select count(*) from public.users'",
      "create function app_private.noop() returns trigger language plpgsql as 'begin return null; end'",
      "drop trigger _900_audit on public.zones",
      "create trigger _900_audit after insert or update or delete on public.zones for each row execute function app_private.noop()",
    );
    expect(p).toContain("app_public.peek: security definer function not in the reviewed list (db/catalog.ts)");
    expect(p).toContain("public.zones: has no audit trigger");
  });

  it("the app role able to read the job queue", async () => {
    expect(await problemsAfter("grant usage on schema graphile_worker to mnetifi_app")).toContain(
      "mnetifi_app can use the graphile_worker schema (job payloads of every tenant)",
    );
  });
});
