import { describe, it, expect, beforeAll } from "vitest";
import { and, eq, desc } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createTenantFixture, TEST_PASSWORD, type TenantFixture } from "./helpers/fixtures";
import { withTenant, withPlatform } from "../db/client";
import { auditEvents, zones, users } from "../db/schema";
import { login } from "../server/services/auth";
import { recordEvent } from "../server/services/audit";
import { createUser } from "../server/services/tenants";

let t: TestDatabase;
let A: TenantFixture;

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-audit");
});

const eventsFor = (table: string, rowId: string) =>
  withTenant(t.db, A.tenant.id, null, (tx) =>
    tx.select().from(auditEvents).where(and(eq(auditEvents.tableName, table), eq(auditEvents.rowId, rowId))).orderBy(auditEvents.id),
  );

describe("row-change audit trigger", () => {
  it("records insert, update (changed fields only, with the actor) and delete", async () => {
    const zone = await withTenant(t.db, A.tenant.id, { userId: A.owner.id, requestId: "req-1", ip: "41.90.1.2" }, async (tx) => {
      const [z] = await tx.insert(zones).values({ tenantId: A.tenant.id, name: "Audit Zone" }).returning();
      await tx.update(zones).set({ description: "now described" }).where(and(eq(zones.tenantId, A.tenant.id), eq(zones.id, z!.id)));
      await tx.delete(zones).where(and(eq(zones.tenantId, A.tenant.id), eq(zones.id, z!.id)));
      return z!;
    });
    const events = await eventsFor("zones", zone.id);
    expect(events.map((e) => e.action)).toEqual(["INSERT", "UPDATE", "DELETE"]);
    expect(events[1]!.changes).toEqual({ description: { from: "", to: "now described" } });
    for (const e of events) expect(e).toMatchObject({ tenantId: A.tenant.id, actorKind: "user", actorId: A.owner.id, requestId: "req-1", ip: "41.90.1.2" });
  });

  it("never stores secrets: password hashes are redacted", async () => {
    const events = await eventsFor("users", A.owner.id);
    const insert = events.find((e) => e.action === "INSERT")!;
    expect((insert.changes as Record<string, unknown>).password_hash).toBe("[redacted]");
    expect(JSON.stringify(insert.changes)).not.toContain("$argon2id$");
    const other = await withTenant(t.db, A.tenant.id, A.owner.id, (tx) => createUser(tx, A.tenant.id, { username: "tech1", email: "t1@a.test", fullName: "Tech", role: "technician", password: TEST_PASSWORD }));
    await withTenant(t.db, A.tenant.id, A.owner.id, (tx) =>
      tx.update(users).set({ passwordHash: "$argon2id$v=19$fake" }).where(and(eq(users.tenantId, A.tenant.id), eq(users.id, other.id))),
    );
    const update = (await eventsFor("users", other.id)).at(-1)!;
    expect(update.changes).toEqual({ password_hash: { from: "[redacted]", to: "[redacted]" } });
  });

  it("records changes of the tenants row against that tenant", async () => {
    const rows = await withTenant(t.db, A.tenant.id, null, (tx) =>
      tx.select().from(auditEvents).where(and(eq(auditEvents.tableName, "tenants"), eq(auditEvents.rowId, A.tenant.id))),
    );
    expect(rows.map((r) => r.action)).toEqual(["INSERT"]);
  });
});

describe("app events", () => {
  it("logins, good and bad, are recorded with ip and request id", async () => {
    const site = { kind: "tenant" as const, tenant: A.tenant };
    const bad = await login(t.db, site, A.owner.username, "wrong-password", { ip: "10.0.0.9", requestId: "r-bad" });
    expect(bad.ok).toBe(false);
    const good = await login(t.db, site, A.owner.username.toUpperCase(), TEST_PASSWORD, { ip: "10.0.0.9", requestId: "r-good" });
    expect(good.ok).toBe(true);
    const events = await withTenant(t.db, A.tenant.id, null, (tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.tenantId, A.tenant.id)).orderBy(desc(auditEvents.id)).limit(10),
    );
    expect(events.find((e) => e.requestId === "r-bad")).toMatchObject({ action: "auth.login_failed", actorKind: "anonymous", ip: "10.0.0.9" });
    expect(events.find((e) => e.requestId === "r-good")).toMatchObject({ action: "auth.login", actorKind: "user", actorId: A.owner.id });
  });

  it("platform events have no tenant and are invisible to tenants", async () => {
    await withPlatform(t.db, null, (tx) => recordEvent(tx, { action: "platform.settings_changed", actorKind: "system", details: { trialHours: 24 } }));
    const seenByTenant = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "platform.settings_changed")));
    expect(seenByTenant).toEqual([]);
    const seenByPlatform = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "platform.settings_changed")));
    expect(seenByPlatform).toHaveLength(1);
  });
});
