import { describe, it, expect, beforeAll } from "vitest";
import type pg from "pg";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createPlatformUser, createTenantFixture, seedEveryTenantTable, type TenantFixture } from "./helpers/fixtures";
import { withPlatform } from "../db/client";
import { platformUserTokens } from "../db/schema";

// Tenant B attacks tenant A over a raw connection logged in as the app role, the way a SQL
// injection or a buggy query would. RLS must stop every attempt.
let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;
let sql: pg.Client;

async function asTenant<T>(tenantId: string | null, fn: () => Promise<T>): Promise<T> {
  await sql.query("begin");
  try {
    if (tenantId) await sql.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
    return await fn();
  } finally {
    await sql.query("rollback");
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-alpha");
  B = await createTenantFixture(t.db, "isp-bravo");
  await seedEveryTenantTable(t.db, A);
  await seedEveryTenantTable(t.db, B);
  sql = await t.appClient();
});

const TENANT_TABLES = ["users", "user_sessions", "zones", "user_tokens", "recovery_codes", "mpesa_settings", "payments", "mpesa_callbacks", "mpesa_exchanges", "routers", "regions", "areas", "router_samples", "router_status_changes", "router_items", "router_operations", "customers", "messaging_settings", "messaging_providers", "notification_settings", "message_templates", "messages", "broadcasts", "tickets", "early_delivery_reports", "hotspot_plans", "hotspot_settings", "voucher_batches", "vouchers", "voucher_devices", "hotspot_purchases", "hotspot_trials", "billing_invoices", "billing_payments", "billing_reminders", "impersonations", "support_messages", "support_threads"];

describe("raw SQL as mnetifi_app, tenant B against tenant A", () => {
  it("sees only its own rows in every tenant table", async () => {
    for (const table of TENANT_TABLES) {
      const rows = await asTenant(B.tenant.id, async () => (await sql.query(`select distinct tenant_id from ${table}`)).rows);
      expect(rows, table).toEqual([{ tenant_id: B.tenant.id }]);
    }
  });

  it("cannot select A's row even by its id", async () => {
    const r = await asTenant(B.tenant.id, () => sql.query("select * from zones where id = $1", [A.zone.id]));
    expect(r.rowCount).toBe(0);
    const u = await asTenant(B.tenant.id, () => sql.query("select * from users where tenant_id = $1", [A.tenant.id]));
    expect(u.rowCount).toBe(0);
  });

  it("cannot read, change or delete A's payments and M-Pesa secrets", async () => {
    expect((await asTenant(B.tenant.id, () => sql.query("select * from mpesa_settings where tenant_id = $1", [A.tenant.id]))).rowCount).toBe(0);
    expect((await asTenant(B.tenant.id, () => sql.query("update payments set status = 'paid' where tenant_id = $1", [A.tenant.id]))).rowCount).toBe(0);
    expect((await asTenant(B.tenant.id, () => sql.query("delete from mpesa_callbacks where tenant_id = $1", [A.tenant.id]))).rowCount).toBe(0);
    await expect(
      asTenant(B.tenant.id, () => sql.query("insert into payments (tenant_id, method, status, amount_cents) values ($1, 'manual', 'paid', 100)", [A.tenant.id])),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("cannot update or delete A's rows", async () => {
    const upd = await asTenant(B.tenant.id, () => sql.query("update zones set name = 'pwned' where id = $1", [A.zone.id]));
    expect(upd.rowCount).toBe(0);
    const del = await asTenant(B.tenant.id, () => sql.query("delete from users where tenant_id = $1", [A.tenant.id]));
    expect(del.rowCount).toBe(0);
    const still = await asTenant(A.tenant.id, () => sql.query("select name from zones where id = $1", [A.zone.id]));
    expect(still.rows[0].name).toBe(A.zone.name);
  });

  it("cannot insert a row into A, nor move its own row to A", async () => {
    await expect(
      asTenant(B.tenant.id, () => sql.query("insert into zones (tenant_id, name) values ($1, 'planted')", [A.tenant.id])),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asTenant(B.tenant.id, () => sql.query("update zones set tenant_id = $1 where id = $2", [A.tenant.id, B.zone.id])),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("sees only its own tenants row and none of the platform tables", async () => {
    const tenants = await asTenant(B.tenant.id, async () => (await sql.query("select id from tenants")).rows);
    expect(tenants).toEqual([{ id: B.tenant.id }]);
    for (const table of ["platform_users", "platform_user_tokens", "platform_recovery_codes", "platform_sessions", "platform_mpesa_callbacks"]) {
      const r = await asTenant(B.tenant.id, () => sql.query(`select * from ${table}`));
      expect(r.rowCount, table).toBe(0);
    }
  });

  it("cannot plant a console admin or an invitation link for one", async () => {
    // A console admin with an invitation exists (platform context), so there is something to find.
    const admin = await createPlatformUser(t.db, "super_admin", "sql-root");
    await withPlatform(t.db, null, (tx) => tx.insert(platformUserTokens).values({ userId: admin.id, purpose: "invite", tokenHash: "f".repeat(64), expiresAt: new Date(Date.now() + 3_600_000) }));
    for (const tenant of [B.tenant.id, null]) {
      expect((await asTenant(tenant, () => sql.query("select count(*)::int as n from platform_user_tokens"))).rows[0].n).toBe(0);
      await expect(asTenant(tenant, () => sql.query("insert into platform_users (username, email, role, password_hash) values ('evil', 'evil@x.test', 'super_admin', null)"))).rejects.toMatchObject({ code: "42501" });
      await expect(
        asTenant(tenant, () => sql.query("insert into platform_user_tokens (user_id, purpose, token_hash, expires_at) values ($1, 'invite', $2, now() + interval '1 day')", [admin.id, "e".repeat(64)])),
      ).rejects.toMatchObject({ code: "42501" });
      expect((await asTenant(tenant, () => sql.query("update platform_users set role = 'super_admin', disabled_at = null"))).rowCount).toBe(0);
      expect((await asTenant(tenant, () => sql.query("update platform_user_tokens set used_at = null, expires_at = now() + interval '1 year'"))).rowCount).toBe(0);
      // Nor a console admin's 2FA: no key of its own, no recovery code it knows.
      expect((await asTenant(tenant, () => sql.query("update platform_users set two_factor_method = null, totp_key_enc = null"))).rowCount).toBe(0);
      await expect(asTenant(tenant, () => sql.query("insert into platform_recovery_codes (user_id, code_hash) values ($1, $2)", [admin.id, "e".repeat(64)]))).rejects.toMatchObject({ code: "42501" });
      expect((await asTenant(tenant, () => sql.query("update platform_recovery_codes set used_at = null"))).rowCount).toBe(0);
    }
  });

  it("reads only its own audit trail and cannot change or delete any of it", async () => {
    const rows = await asTenant(B.tenant.id, async () => (await sql.query("select distinct tenant_id from audit.events")).rows);
    expect(rows).toEqual([{ tenant_id: B.tenant.id }]);
    await expect(asTenant(B.tenant.id, () => sql.query("update audit.events set action = 'x'"))).rejects.toMatchObject({ code: "42501" });
    await expect(asTenant(B.tenant.id, () => sql.query("delete from audit.events"))).rejects.toMatchObject({ code: "42501" });
    await expect(
      asTenant(B.tenant.id, () => sql.query("insert into audit.events (tenant_id, actor_kind, action) values ($1, 'user', 'forged')", [A.tenant.id])),
    ).rejects.toMatchObject({ code: "42501" });
    // Nor forge, in its own trail, a row change or an action by mnetifi support.
    await expect(
      asTenant(B.tenant.id, () => sql.query("insert into audit.events (tenant_id, actor_kind, action, table_name, row_id) values ($1, 'user', 'DELETE', 'zones', 'x')", [B.tenant.id])),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asTenant(B.tenant.id, () => sql.query("insert into audit.events (tenant_id, actor_kind, action) values ($1, 'platform_user', 'impersonation.start')", [B.tenant.id])),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("cannot switch off RLS, change role, or read the settings of another transaction", async () => {
    await expect(asTenant(B.tenant.id, () => sql.query("alter table zones disable row level security"))).rejects.toMatchObject({ code: "42501" });
    await expect(asTenant(B.tenant.id, () => sql.query("set role mnetifi_owner"))).rejects.toMatchObject({ code: "42501" });
    await expect(asTenant(B.tenant.id, () => sql.query("select app_private.secure_tenant_table('zones')"))).rejects.toMatchObject({ code: "42501" });
  });

  it("enqueues jobs only for itself, whatever tenant_id it puts in the payload", async () => {
    await sql.query("begin");
    await sql.query("select set_config('app.tenant_id', $1, true)", [B.tenant.id]);
    const { rows } = await sql.query("select app_public.enqueue_job('some_task', $1::jsonb) as id", [JSON.stringify({ tenant_id: A.tenant.id })]);
    await sql.query("commit");
    const job = await t.queue.query("select payload from graphile_worker._private_jobs where id = $1", [rows[0].id]);
    expect(job.rows[0].payload.tenant_id).toBe(B.tenant.id);
  });

  it("cannot read other tenants' jobs, nor add jobs around enqueue_job", async () => {
    await expect(asTenant(B.tenant.id, () => sql.query("select payload from graphile_worker._private_jobs"))).rejects.toMatchObject({ code: "42501" });
    await expect(
      asTenant(B.tenant.id, () => sql.query("select graphile_worker.add_job('send_email', $1::json)", [JSON.stringify({ tenant_id: A.tenant.id })])),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("gets nothing from the console's aggregate functions outside the platform context", async () => {
    for (const tenant of [B.tenant.id, null]) {
      const usage = await asTenant(tenant, () => sql.query("select * from app_public.platform_tenant_usage(now() - interval '30 days')"));
      expect(usage.rowCount).toBe(0);
      const one = await asTenant(tenant, () => sql.query("select * from app_public.platform_tenant_usage(now() - interval '30 days', $1)", [A.tenant.id]));
      expect(one.rowCount).toBe(0);
      const inbox = await asTenant(tenant, () => sql.query("select * from app_public.platform_support_inbox()"));
      expect(inbox.rowCount).toBe(0);
      // The Analytics page's history: money per month and tier, paying ISPs and churn per month.
      const money = await asTenant(tenant, () => sql.query("select * from app_public.platform_billing_monthly('2000-01-01', '2100-01-01')"));
      expect(money.rowCount).toBe(0);
      const paying = await asTenant(tenant, () => sql.query("select * from app_public.platform_paying_monthly(now() - interval '1 year', now())"));
      expect(paying.rowCount).toBe(0);
    }
    // Nor can it end another ISP's impersonations early (the sweeper is the platform's).
    const swept = await asTenant(B.tenant.id, async () => {
      await sql.query("update impersonations set expires_at = started_at + interval '1 second'");
      return (await sql.query("select app_public.end_expired_impersonations() as n")).rows[0].n;
    });
    expect(swept).toBe(0);
  });

  it("cannot read the rate-limit table, only use it through its functions", async () => {
    await expect(asTenant(B.tenant.id, () => sql.query("select * from app_private.rate_limits"))).rejects.toMatchObject({ code: "42501" });
  });
});

describe("raw SQL as mnetifi_app with no tenant set", () => {
  it("returns no rows at all, never all rows", async () => {
    for (const table of [...TENANT_TABLES, "tenants", "platform_users", "platform_user_tokens", "platform_recovery_codes", "platform_sessions", "platform_mpesa_callbacks", "audit.events"]) {
      const r = await asTenant(null, () => sql.query(`select count(*)::int as n from ${table}`));
      expect(r.rows[0].n, table).toBe(0);
    }
  });

  it("cannot insert tenant rows", async () => {
    await expect(asTenant(null, () => sql.query("insert into zones (tenant_id, name) values ($1, 'x')", [A.tenant.id]))).rejects.toMatchObject({
      code: "42501",
    });
  });

  it("a session-level setting does not survive into the next transaction", async () => {
    await sql.query("begin");
    await sql.query("select set_config('app.tenant_id', $1, true)", [A.tenant.id]);
    await sql.query("commit");
    const r = await sql.query("select count(*)::int as n from zones");
    expect(r.rows[0].n).toBe(0);
  });

  it("can only resolve a tenant's public identity through tenant_by_slug", async () => {
    const r = await sql.query("select * from app_public.tenant_by_slug($1)", [A.tenant.slug]);
    expect(r.rows).toEqual([{ id: A.tenant.id, slug: A.tenant.slug, business_name: A.tenant.businessName, status: "active", timezone: "Africa/Nairobi" }]);
  });

  it("cannot enqueue jobs without a tenant or platform context", async () => {
    await expect(asTenant(null, () => sql.query("select app_public.enqueue_job('some_task')"))).rejects.toMatchObject({ code: "42501" });
  });
});
