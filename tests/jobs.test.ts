import { describe, it, expect, beforeAll } from "vitest";
import { runOnce } from "graphile-worker";
import { and, eq, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createTenantFixture, noIntegrations, testJobDeps, type TenantFixture } from "./helpers/fixtures";
import { withTenant, withPlatform } from "../db/client";
import { zones, platformSessions, platformUsers, userSessions } from "../db/schema";
import { enqueueJob } from "../server/services/jobs";
import { tenantTask } from "../jobs/tenant-task";
import { buildTaskList } from "../jobs";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-jobs-a");
  B = await createTenantFixture(t.db, "isp-jobs-b");
});

const pendingJobs = async () => (await t.queue.query<{ n: number }>(`select count(*)::int as n from graphile_worker._private_jobs`)).rows[0]!.n;

describe("transactional enqueue", () => {
  it("a job enqueued in a rolled-back transaction does not exist", async () => {
    const before = await pendingJobs();
    await expect(
      withTenant(t.db, A.tenant.id, null, async (tx) => {
        await enqueueJob(tx, "rename_zone", { zoneId: A.zone.id, name: "Never" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await pendingJobs()).toBe(before);
  });

  it("job keys are scoped per tenant, so two tenants never replace each other's job", async () => {
    const ids = [];
    for (const f of [A, B]) ids.push(await withTenant(t.db, f.tenant.id, null, (tx) => enqueueJob(tx, "noop", {}, { jobKey: "same-key", runAt: new Date(Date.now() + 3600_000) })));
    expect(ids[0]).not.toBe(ids[1]);
    const keys = await t.queue.query<{ key: string }>(`select key from graphile_worker._private_jobs where key like '%same-key' order by key`);
    expect(keys.rows.map((r) => r.key).sort()).toEqual([`${A.tenant.id}:same-key`, `${B.tenant.id}:same-key`].sort());
  });
});

describe("tenant task wrapper", () => {
  const taskList = {
    rename_zone: tenantTask<{ zoneId: string; name: string }>(t_db(), async ({ tx, tenantId, payload }) => {
      // No tenant_id filter on purpose: RLS alone must keep the job inside its tenant.
      await tx.update(zones).set({ name: payload.name }).where(eq(zones.id, payload.zoneId));
      void tenantId;
    }),
    noop: tenantTask(t_db(), async () => {}),
  };
  function t_db() {
    return new Proxy({} as typeof t.db, { get: (_o, p) => (t.db as never)[p] });
  }

  it("runs the job in the enqueuing tenant's context", async () => {
    await withTenant(t.db, A.tenant.id, null, (tx) => enqueueJob(tx, "rename_zone", { zoneId: A.zone.id, name: "Renamed by job" }));
    await runOnce({ pgPool: t.queue, taskList });
    const [zone] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(zones).where(and(eq(zones.tenantId, A.tenant.id), eq(zones.id, A.zone.id))));
    expect(zone!.name).toBe("Renamed by job");
  });

  it("cannot touch another tenant's rows even when the payload points at them", async () => {
    await withTenant(t.db, B.tenant.id, null, (tx) => enqueueJob(tx, "rename_zone", { zoneId: A.zone.id, name: "Hijacked" }));
    await runOnce({ pgPool: t.queue, taskList });
    const [zone] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(zones).where(eq(zones.id, A.zone.id)));
    expect(zone!.name).toBe("Renamed by job");
  });

  it("refuses a job that carries no tenant, and leaves it to be retried and seen", async () => {
    await t.queue.query(`select graphile_worker.add_job('rename_zone', '{"zoneId":"x","name":"y"}'::json, max_attempts => 1)`);
    await runOnce({ pgPool: t.queue, taskList });
    // The failure is written back asynchronously; wait for it (bounded).
    let failed = { rows: [] as Array<{ last_error: string }> };
    for (let i = 0; i < 50 && failed.rows.length === 0; i++) {
      failed = await t.queue.query<{ last_error: string }>(`select last_error from graphile_worker._private_jobs where last_error is not null`);
      if (failed.rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(failed.rows.map((r) => r.last_error)).toEqual([expect.stringContaining("has no tenant_id; refusing to run it without a tenant")]);
  });
});

describe("sessions sweep (cron task)", () => {
  it("removes expired ISP and platform sessions and keeps live ones", async () => {
    const past = new Date(Date.now() - 60_000);
    await withTenant(t.db, A.tenant.id, null, (tx) =>
      tx.insert(userSessions).values({ tenantId: A.tenant.id, id: "expired-session", userId: A.owner.id, idleExpiresAt: past, absoluteExpiresAt: past }),
    );
    await withPlatform(t.db, null, async (tx) => {
      const [u] = await tx.insert(platformUsers).values({ username: "sweeper", email: "s@p.test", role: "support", passwordHash: "x" }).returning();
      await tx.insert(platformSessions).values({ id: "expired-platform", userId: u!.id, idleExpiresAt: past, absoluteExpiresAt: past });
    });
    await withPlatform(t.db, null, (tx) => enqueueJob(tx, "sessions_sweep"));
    await runOnce({ pgPool: t.queue, taskList: buildTaskList(t.db, noIntegrations, testJobDeps) });
    const ids = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select({ id: userSessions.id }).from(userSessions));
    expect(ids.map((r) => r.id)).not.toContain("expired-session");
    expect(ids.length).toBe(1); // the fixture's live session
    const platform = await withPlatform(t.db, null, (tx) => tx.select().from(platformSessions));
    expect(platform).toEqual([]);
  });
});
