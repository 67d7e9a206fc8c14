import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { runOnce } from "graphile-worker";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { generateTOTP } from "@oslojs/otp";
import { freshTotp } from "./helpers/totp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { appContext, createPlatformUser, createTenantFixture, noIntegrations, requestWithSession, testJobDeps, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withPlatform, withTenant } from "../db/client";
import { auditEvents, impersonations, platformRecoveryCodes, platformSessions, platformUsers, platformUserTokens } from "../db/schema";
import { login, verifySecondFactor, requestPasswordReset, resetPassword, RESET_SENT, type LoginOutcome } from "../server/services/auth";
import { startImpersonation } from "../server/services/impersonation";
import { hashPassword } from "../server/services/passwords";
import { clearLimit } from "../server/services/rate-limits";
import { getCaller } from "../server/trpc/root";
import { buildTaskList } from "../jobs";
import { startSmtpSim, type SmtpSim } from "../sim/smtp";
import { createSmtpMailer } from "../server/integrations/email";
import type { Integrations } from "../server/integrations";

let t: TestDatabase;
let smtp: SmtpSim;
let integrations: Integrations;
let A: TenantFixture;

const ADMIN = { kind: "admin" } as const;
const PASSWORD = "Ngong-Hills-Sunrise-44";
const NEW_PASSWORD = "Karura-Forest-Morning-71";
const meta = { ip: "197.248.9.9", userAgent: "vitest", requestId: "r-console-account" };
const consoleAs = (token: string | null) => getCaller(appContext(t.db, ADMIN, integrations), requestWithSession("admin.mnetifi.test", token));
const drainJobs = () => runOnce({ pgPool: t.queue, taskList: buildTaskList(t.db, integrations, testJobDeps), logger: undefined });

/** A console admin with a real password (createPlatformUser stores a placeholder hash). */
async function admin(username: string, role: "super_admin" | "support" | "billing" | "read_only" = "support") {
  const u = await createPlatformUser(t.db, role, username);
  const hash = await hashPassword(PASSWORD);
  await withPlatform(t.db, null, (tx) => tx.update(platformUsers).set({ passwordHash: hash }).where(eq(platformUsers.id, u.id)));
  return u;
}

function done(r: LoginOutcome) {
  if (!r.ok || r.step !== "done") throw new Error(`expected a session: ${JSON.stringify(r)}`);
  return r.token;
}
function challenge(r: LoginOutcome) {
  if (!r.ok || r.step !== "2fa") throw new Error(`expected a 2FA challenge: ${JSON.stringify(r)}`);
  return r.challenge;
}

async function eventsOf(userId: string, actions?: string[]) {
  return withPlatform(t.db, null, (tx) =>
    tx
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, userId), isNull(auditEvents.tenantId), actions ? inArray(auditEvents.action, actions) : undefined))
      .orderBy(desc(auditEvents.id)),
  );
}

async function sessionsOf(userId: string) {
  return withPlatform(t.db, null, (tx) => tx.select().from(platformSessions).where(eq(platformSessions.userId, userId)));
}

beforeAll(async () => {
  t = await createTestDatabase();
  smtp = await startSmtpSim({ smtpPort: 0, httpPort: 0 });
  integrations = { ...noIntegrations, mailer: createSmtpMailer({ url: smtp.url, from: "mnetifi <no-reply@mnetifi.test>" }) };
  A = await createTenantFixture(t.db, "cacc-isp");
});
afterAll(async () => {
  integrations.mailer.close();
  await smtp.stop();
});

describe("a console user's password", () => {
  it("changes only with the current password and under the policy; the other sessions end, this one stays; audited", async () => {
    const u = await admin("sec-pw");
    const here = done(await login(t.db, ADMIN, "sec-pw", PASSWORD, meta));
    const elsewhere = done(await login(t.db, ADMIN, "sec-pw", PASSWORD, { ...meta, userAgent: "other browser" }));
    const c = await consoleAs(here);

    expect(await c.consoleAccount.changePassword({ currentPassword: "wrong", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).toMatchObject({ ok: false, fieldErrors: { currentPassword: ["That is not your current password."] } });
    expect(await c.consoleAccount.changePassword({ currentPassword: PASSWORD, newPassword: "short", confirmPassword: "short" })).toMatchObject({ ok: false, fieldErrors: { newPassword: expect.any(Array) } });
    expect(await c.consoleAccount.changePassword({ currentPassword: PASSWORD, newPassword: "sec-pw-Kilimani-2026", confirmPassword: "sec-pw-Kilimani-2026" })).toMatchObject({ ok: false, fieldErrors: { newPassword: expect.any(Array) } });
    expect(await c.consoleAccount.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: "different" })).toMatchObject({ ok: false, fieldErrors: { confirmPassword: expect.any(Array) } });
    expect(await c.consoleAccount.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).toEqual({ ok: true });

    await expect((await consoleAs(elsewhere)).consoleAccount.security()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await c.consoleAccount.security()).passwordChangedAt).toBeInstanceOf(Date);
    expect(await sessionsOf(u.id)).toHaveLength(1); // this one: `elsewhere` and the fixture's session ended
    expect(await login(t.db, ADMIN, "sec-pw", PASSWORD, meta)).toMatchObject({ ok: false, status: 401 });
    done(await login(t.db, ADMIN, "sec-pw", NEW_PASSWORD, meta));

    const ev = await eventsOf(u.id, ["auth.password_change_failed", "auth.password_changed"]);
    expect(ev.map((e) => e.action).sort()).toEqual(["auth.password_change_failed", "auth.password_changed"]);
    expect(ev.find((e) => e.action === "auth.password_changed")).toMatchObject({ actorKind: "platform_user", tenantId: null, details: { otherSessionsEnded: 2 } });
  });

  it("sign out everywhere else ends the other sessions and the ISP dashboards entered from the console, not this session", async () => {
    const u = await admin("sec-else", "super_admin");
    const here = done(await login(t.db, ADMIN, "sec-else", PASSWORD, meta));
    const elsewhere = done(await login(t.db, ADMIN, "sec-else", PASSWORD, meta));
    const imp = await withPlatform(t.db, { userId: u.id, actorKind: "platform_user" }, (tx) => startImpersonation(tx, { id: u.id, name: u.fullName }, { tenantId: A.tenant.id, reason: "checking a router for the owner" }, meta));
    expect(imp.ok).toBe(true);

    const r = await (await consoleAs(here)).consoleAccount.signOutEverywhereElse();
    expect(r.ended).toBe(2); // `elsewhere` and the fixture's own session
    await expect((await consoleAs(elsewhere)).consoleAccount.security()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect((await consoleAs(here)).consoleAccount.security()).resolves.toMatchObject({ method: null });
    const [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(impersonations).where(eq(impersonations.adminId, u.id)));
    expect(row!.endedAt).not.toBeNull();
    expect(await eventsOf(u.id, ["auth.signed_out_everywhere"])).toEqual([expect.objectContaining({ details: { sessions: 2, keptThisSession: true } })]);
  });
});

describe("a console user's two-step sign-in (TOTP)", () => {
  it("set up with a first code; then sign-in needs a code, wrong codes lock, a recovery code works once; off only with password and code; all audited", async () => {
    const u = await admin("sec-totp");
    const c = await consoleAs(done(await login(t.db, ADMIN, "sec-totp", PASSWORD, meta)));
    expect(await c.consoleAccount.security()).toMatchObject({ method: null, recoveryCodesLeft: 0, methods: ["totp"], codeToDisable: true });

    const begin = await c.consoleAccount.beginTotp();
    expect(begin.qrSvg).toContain("<svg");
    const key = decodeBase32IgnorePadding(begin.manualKey.replace(/\s+/g, ""));
    // The pending key is sealed in the token, never kept in the clear.
    const [pending] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUserTokens).where(and(eq(platformUserTokens.userId, u.id), eq(platformUserTokens.purpose, "setup_2fa"))));
    expect(JSON.stringify(pending!.data)).not.toContain(begin.manualKey.replace(/\s+/g, ""));
    expect(await c.consoleAccount.confirmTwoFactor({ setupToken: begin.setupToken, code: "000000" })).toMatchObject({ ok: false, error: expect.stringMatching(/not right/) });
    await expect(c.consoleAccount.confirmTwoFactor({ setupToken: "nonsense", code: generateTOTP(key, 30, 6) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const on = await c.consoleAccount.confirmTwoFactor({ setupToken: begin.setupToken, code: await freshTotp(key) });
    if (!on.ok) throw new Error("expected 2FA on");
    expect(on).toMatchObject({ method: "totp" });
    const codes = on.recoveryCodes;
    expect(codes).toHaveLength(10);
    // Stored as for ISP users: the key sealed, the recovery codes hashed.
    const [row] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(eq(platformUsers.id, u.id)));
    expect(row).toMatchObject({ twoFactorMethod: "totp", totpKeyEnc: expect.any(String) });
    const stored = await withPlatform(t.db, null, (tx) => tx.select().from(platformRecoveryCodes).where(eq(platformRecoveryCodes.userId, u.id)));
    expect(stored).toHaveLength(10);
    expect(stored.some((s) => codes.includes(s.codeHash))).toBe(false);
    // The setup link is used up.
    await expect(c.consoleAccount.confirmTwoFactor({ setupToken: begin.setupToken, code: generateTOTP(key, 30, 6) })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    // Sign-in now stops at the second step: no session until the code.
    const sessionsBefore = (await sessionsOf(u.id)).length;
    const first = challenge(await login(t.db, ADMIN, "sec-totp", PASSWORD, meta));
    expect((await sessionsOf(u.id)).length).toBe(sessionsBefore);
    expect(await verifySecondFactor(t.db, testSecrets, ADMIN, first, "000000", meta)).toEqual({ ok: false, status: 401, error: "That code is not right. 4 attempts left." });
    const token = done(await verifySecondFactor(t.db, testSecrets, ADMIN, first, await freshTotp(key), meta));
    expect(await (await consoleAs(token)).consoleAccount.security()).toMatchObject({ method: "totp", recoveryCodesLeft: 10 });
    // The challenge is used up; an ISP host does not know it.
    expect(await verifySecondFactor(t.db, testSecrets, ADMIN, first, generateTOTP(key, 30, 6), meta)).toMatchObject({ ok: false, status: 401 });
    const again = challenge(await login(t.db, ADMIN, "sec-totp", PASSWORD, meta));
    expect(await verifySecondFactor(t.db, testSecrets, { kind: "tenant", tenant: A.tenant }, again, generateTOTP(key, 30, 6), meta)).toMatchObject({ ok: false, status: 401 });

    // Wrong codes lock the second step (15 minutes), even with the right code afterwards.
    const lockMeta = { ...meta, ip: "197.248.9.10" };
    for (let i = 0; i < 4; i++) expect(await verifySecondFactor(t.db, testSecrets, ADMIN, again, "111111", lockMeta)).toMatchObject({ ok: false, status: 401 });
    expect(await verifySecondFactor(t.db, testSecrets, ADMIN, again, "111111", lockMeta)).toEqual({ ok: false, status: 429, error: "Too many wrong codes. Sign-in is locked for 15 minutes." });
    const afterLock = challenge(await login(t.db, ADMIN, "sec-totp", PASSWORD, lockMeta));
    expect(await verifySecondFactor(t.db, testSecrets, ADMIN, afterLock, generateTOTP(key, 30, 6), lockMeta)).toMatchObject({ ok: false, status: 429, error: expect.stringMatching(/^Too many wrong codes\. Try again in \d+ minutes?\.$/) });
    await withPlatform(t.db, null, (tx) => clearLimit(tx, `2fa:platform:${u.id}`));

    // A recovery code works once (in any spelling), and counts down.
    const viaRecovery = challenge(await login(t.db, ADMIN, "sec-totp", PASSWORD, meta));
    done(await verifySecondFactor(t.db, testSecrets, ADMIN, viaRecovery, ` ${codes[0]!.toUpperCase()} `, meta));
    const reuse = challenge(await login(t.db, ADMIN, "sec-totp", PASSWORD, meta));
    expect(await verifySecondFactor(t.db, testSecrets, ADMIN, reuse, codes[0]!, meta)).toMatchObject({ ok: false, status: 401 });
    expect(await c.consoleAccount.security()).toMatchObject({ recoveryCodesLeft: 9 });

    // New recovery codes need the password; the old ones stop working.
    expect(await c.consoleAccount.newRecoveryCodes({ password: "wrong" })).toMatchObject({ ok: false, fieldErrors: { password: expect.any(Array) } });
    const fresh = await c.consoleAccount.newRecoveryCodes({ password: PASSWORD });
    if (!fresh.ok) throw new Error("expected new codes");
    expect(await verifySecondFactor(t.db, testSecrets, ADMIN, challenge(await login(t.db, ADMIN, "sec-totp", PASSWORD, meta)), codes[1]!, meta)).toMatchObject({ ok: false });

    // Off only with the password and a current code.
    expect(await c.consoleAccount.disableTwoFactor({ password: PASSWORD, code: "" })).toMatchObject({ ok: false, fieldErrors: { code: expect.any(Array) } });
    expect(await c.consoleAccount.disableTwoFactor({ password: "wrong", code: generateTOTP(key, 30, 6) })).toMatchObject({ ok: false, fieldErrors: { password: expect.any(Array) } });
    expect(await c.consoleAccount.disableTwoFactor({ password: PASSWORD, code: "222222" })).toMatchObject({ ok: false, fieldErrors: { code: [expect.stringMatching(/^That code is not right\./)] } });
    expect(await c.consoleAccount.security()).toMatchObject({ method: "totp" });
    expect(await c.consoleAccount.disableTwoFactor({ password: PASSWORD, code: await freshTotp(key) })).toEqual({ ok: true });
    expect(await c.consoleAccount.security()).toMatchObject({ method: null, recoveryCodesLeft: 0 });
    expect(await withPlatform(t.db, null, (tx) => tx.select().from(platformRecoveryCodes).where(eq(platformRecoveryCodes.userId, u.id)))).toHaveLength(0);
    done(await login(t.db, ADMIN, "sec-totp", PASSWORD, meta));

    const actions = (await eventsOf(u.id)).map((e) => e.action);
    for (const a of ["auth.2fa_enabled", "auth.2fa_challenge", "auth.2fa_failed", "auth.locked", "auth.login", "auth.recovery_codes_regenerated", "auth.2fa_disable_failed", "auth.2fa_disabled"]) expect(actions, a).toContain(a);
    const logins = await eventsOf(u.id, ["auth.login"]);
    expect(logins.map((e) => (e.details as { secondFactor?: string } | null)?.secondFactor ?? null)).toEqual(expect.arrayContaining(["totp", "recovery_code", null]));
    expect(logins.every((e) => e.actorKind === "platform_user" && e.tenantId === null)).toBe(true);
  });
});

describe("the console's audit trail", () => {
  it("lists failed sign-ins on console accounts, named, in the trail and under that admin; not an ISP's", async () => {
    const u = await admin("sec-audit");
    const root = await admin("sec-audit-root", "super_admin");
    expect(await login(t.db, ADMIN, "sec-audit", "not-the-password", meta)).toMatchObject({ ok: false, status: 401 });
    expect(await login(t.db, { kind: "tenant", tenant: A.tenant }, A.owner.username, "not-the-password", meta)).toMatchObject({ ok: false });
    const c = await consoleAs(root.token);
    const all = await c.console.audit();
    const failed = all.events.find((e) => e.action === "auth.login_failed" && e.actorName === u.fullName);
    expect(failed).toMatchObject({ actorKind: "anonymous", tenantId: null, ip: meta.ip });
    expect(all.events.some((e) => e.action === "auth.login_failed" && e.tenantId === A.tenant.id)).toBe(false);
    const mine = await c.console.audit({ adminId: u.id });
    expect(mine.events.map((e) => e.action)).toContain("auth.login_failed");
    expect((await c.console.audit({ adminId: root.id })).events.some((e) => e.action === "auth.login_failed")).toBe(false);
  });
});

describe("a console user's forgotten password", () => {
  it("mails a single-use, 1-hour link on the admin host; unknown addresses get the same answer; the reset ends every session; audited", async () => {
    const u = await admin("sec-reset");
    const open = done(await login(t.db, ADMIN, "sec-reset", PASSWORD, meta));
    const base = "http://admin.mnetifi.test";

    expect(await requestPasswordReset(t.db, ADMIN, "nobody@nowhere.test", meta, base)).toEqual({ ok: true, message: RESET_SENT });
    // An ISP's owner's address is not a console account.
    expect(await requestPasswordReset(t.db, ADMIN, `owner@${A.tenant.slug}.test`, meta, base)).toEqual({ ok: true, message: RESET_SENT });
    expect(await requestPasswordReset(t.db, ADMIN, " SEC-RESET@mnetifi.test ", meta, base)).toEqual({ ok: true, message: RESET_SENT });
    await drainJobs();
    const mail = await smtp.waitFor((m) => m.to.includes("sec-reset@mnetifi.test") && m.subject === "Reset your mnetifi password");
    const link = mail.links.find((l) => l.includes("/reset-password?token="))!;
    expect(link.startsWith(`${base}/reset-password?token=`)).toBe(true);
    expect(mail.text).toContain("mnetifi console");
    const token = new URL(link).searchParams.get("token")!;
    const [row] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUserTokens).where(and(eq(platformUserTokens.userId, u.id), eq(platformUserTokens.purpose, "reset_password"))));
    expect(Math.abs(row!.expiresAt.getTime() - row!.createdAt.getTime() - 3600_000)).toBeLessThan(5_000);
    expect(row!.tokenHash).not.toBe(token);

    // The console's link means nothing on an ISP's host.
    expect(await resetPassword(t.db, { kind: "tenant", tenant: A.tenant }, token, NEW_PASSWORD, meta)).toMatchObject({ ok: false });
    expect(await resetPassword(t.db, ADMIN, token, "short", meta)).toMatchObject({ ok: false, fieldErrors: { password: expect.any(Array) } });
    expect(await resetPassword(t.db, ADMIN, token, NEW_PASSWORD, meta)).toEqual({ ok: true });
    expect(await resetPassword(t.db, ADMIN, token, "Another-Good-Password-55", meta)).toMatchObject({ ok: false, error: expect.stringMatching(/expired or was already used/) });
    await expect((await consoleAs(open)).consoleAccount.security()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await sessionsOf(u.id)).toHaveLength(0);
    expect(await login(t.db, ADMIN, "sec-reset", PASSWORD, meta)).toMatchObject({ ok: false });
    done(await login(t.db, ADMIN, "sec-reset", NEW_PASSWORD, meta));

    // An expired link is refused.
    await requestPasswordReset(t.db, ADMIN, "sec-reset@mnetifi.test", { ...meta, ip: "197.248.9.11" }, base);
    await drainJobs();
    const mail2 = await smtp.waitFor((m) => m.to.includes("sec-reset@mnetifi.test") && m.links.some((l) => l.includes(`/reset-password?token=`) && l !== link));
    const token2 = new URL(mail2.links.find((l) => l.includes("/reset-password?token="))!).searchParams.get("token")!;
    await withPlatform(t.db, null, (tx) => tx.update(platformUserTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(and(eq(platformUserTokens.userId, u.id), isNull(platformUserTokens.usedAt))));
    expect(await resetPassword(t.db, ADMIN, token2, PASSWORD, meta)).toMatchObject({ ok: false, error: expect.stringMatching(/expired/) });

    const requested = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.action, "auth.password_reset_requested"), isNull(auditEvents.tenantId))));
    expect(requested.map((e) => (e.details as { known: boolean }).known).sort()).toEqual([false, false, true, true]);
    expect(await eventsOf(u.id, ["auth.password_reset"])).toEqual([expect.objectContaining({ actorKind: "anonymous", details: { sessionsEnded: 2 } })]);
  });

  it("a disabled admin gets no link, and the answer is the same", async () => {
    const u = await admin("sec-reset-off");
    await withPlatform(t.db, null, (tx) => tx.update(platformUsers).set({ disabledAt: new Date() }).where(eq(platformUsers.id, u.id)));
    expect(await requestPasswordReset(t.db, ADMIN, "sec-reset-off@mnetifi.test", { ...meta, ip: "197.248.9.12" }, "http://admin.mnetifi.test")).toEqual({ ok: true, message: RESET_SENT });
    const live = await withPlatform(t.db, null, (tx) => tx.select().from(platformUserTokens).where(eq(platformUserTokens.userId, u.id)));
    expect(live).toHaveLength(0);
  });
});
