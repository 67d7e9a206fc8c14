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
    expect(rows.map((r) => r.relname)).toEqual(["platform_sessions", "platform_settings", "platform_users", "recovery_codes", "tenants", "user_sessions", "user_tokens", "users", "zones"]);
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
