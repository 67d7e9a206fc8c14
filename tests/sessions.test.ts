import { describe, it, expect, beforeAll } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createTenantFixture, TEST_PASSWORD, type TenantFixture } from "./helpers/fixtures";
import { withTenant } from "../db/client";
import { userSessions, users } from "../db/schema";
import { createUserSession, validateUserSession, sessionIdFromToken, IDLE_TIMEOUT_MS } from "../server/services/sessions";
import { login } from "../server/services/auth";
import { hashPassword, verifyPassword } from "../server/services/passwords";

let t: TestDatabase;
let A: TenantFixture;
beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-sessions");
});

const inA = <T>(fn: Parameters<typeof withTenant<T>>[3]) => withTenant(t.db, A.tenant.id, null, fn);

describe("sessions", () => {
  it("stores only the token's hash", async () => {
    const s = await inA((tx) => createUserSession(tx, A.tenant.id, A.owner.id));
    const rows = await inA((tx) => tx.select().from(userSessions).where(eq(userSessions.userId, A.owner.id)));
    expect(rows.map((r) => r.id)).toContain(sessionIdFromToken(s.token));
    expect(rows.map((r) => r.id)).not.toContain(s.token);
    expect(s.token).toMatch(/^[a-z2-7]{32}$/);
  });

  it("ends after 20 minutes without activity and is deleted", async () => {
    const s = await inA((tx) => createUserSession(tx, A.tenant.id, A.owner.id));
    const id = sessionIdFromToken(s.token);
    expect(await inA((tx) => validateUserSession(tx, A.tenant.id, s.token))).not.toBeNull();
    const lastSeen = new Date(Date.now() - IDLE_TIMEOUT_MS - 1000);
    await inA((tx) => tx.update(userSessions).set({ lastSeenAt: lastSeen, idleExpiresAt: new Date(lastSeen.getTime() + IDLE_TIMEOUT_MS) }).where(eq(userSessions.id, id)));
    expect(await inA((tx) => validateUserSession(tx, A.tenant.id, s.token))).toBeNull();
    expect(await inA((tx) => tx.select().from(userSessions).where(eq(userSessions.id, id)))).toEqual([]);
  });

  it("activity pushes the idle deadline forward, never past the absolute cap", async () => {
    const s = await inA((tx) => createUserSession(tx, A.tenant.id, A.owner.id));
    const id = sessionIdFromToken(s.token);
    const cap = new Date(Date.now() + 5 * 60 * 1000);
    await inA((tx) => tx.update(userSessions).set({ lastSeenAt: new Date(Date.now() - 120_000), absoluteExpiresAt: cap }).where(eq(userSessions.id, id)));
    const v = await inA((tx) => validateUserSession(tx, A.tenant.id, s.token));
    expect(v!.session.idleExpiresAt.getTime()).toBe(cap.getTime());
  });

  it("a disabled user's sessions stop working", async () => {
    const s = await inA((tx) => createUserSession(tx, A.tenant.id, A.owner.id));
    await inA((tx) => tx.update(users).set({ disabledAt: new Date() }).where(and(eq(users.tenantId, A.tenant.id), eq(users.id, A.owner.id))));
    expect(await inA((tx) => validateUserSession(tx, A.tenant.id, s.token))).toBeNull();
    const res = await login(t.db, { kind: "tenant", tenant: A.tenant }, A.owner.username, TEST_PASSWORD, {});
    expect(res).toMatchObject({ ok: false, status: 401, error: expect.stringMatching(/^That username or password is not right\./) });
    await inA((tx) => tx.update(users).set({ disabledAt: null }).where(and(eq(users.tenantId, A.tenant.id), eq(users.id, A.owner.id))));
  });
});

describe("passwords", () => {
  it("are hashed with argon2id and verified", async () => {
    const h = await hashPassword("Kilimanjaro-5895m");
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, "Kilimanjaro-5895m")).toBe(true);
    expect(await verifyPassword(h, "kilimanjaro-5895m")).toBe(false);
    expect(await verifyPassword("garbage", "x")).toBe(false);
  });

  it("login gives the same answer for an unknown user and a wrong password", async () => {
    const F = await createTenantFixture(t.db, "isp-sessions-same");
    const site = { kind: "tenant" as const, tenant: F.tenant };
    const unknown = await login(t.db, site, "nobody-here", "whatever", {});
    const wrong = await login(t.db, site, F.owner.username, "whatever", {});
    expect(unknown).toEqual(wrong);
  });

  it("an ISP user cannot sign in on another ISP's host", async () => {
    const B = await createTenantFixture(t.db, "isp-sessions-b");
    const res = await login(t.db, { kind: "tenant", tenant: B.tenant }, A.owner.username, TEST_PASSWORD, {});
    expect(res.ok).toBe(false);
  });
});
