import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { runOnce } from "graphile-worker";
import { and, eq, sql } from "drizzle-orm";
import { generateHOTP, generateTOTP } from "@oslojs/otp";
import { freshTotp } from "./helpers/totp";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, noIntegrations, requestWithSession, silentLog, testJobDeps, testSecrets, TEST_PASSWORD, type TenantFixture } from "./helpers/fixtures";
import { withPlatform, withTenant } from "../db/client";
import { auditEvents, tenants, userSessions, users, platformSettings } from "../db/schema";
import { login, verifySecondFactor, requestPasswordReset, resetPassword, RESET_SENT } from "../server/services/auth";
import { registerIsp, verifyEmail } from "../server/services/registration";
import { createUserSession, validateUserSession, sessionIdFromToken } from "../server/services/sessions";
import { getCaller } from "../server/trpc/root";
import { buildTaskList } from "../jobs";
import { startSmtpSim, type SmtpSim } from "../sim/smtp";
import { startSmsSim, type SmsSim } from "../sim/sms";
import { createSmtpMailer } from "../server/integrations/email";
import { createAfricasTalkingSender } from "../server/integrations/sms/africastalking";
import type { Integrations } from "../server/integrations";
import { openTotpKey } from "../server/services/two-factor";
import type { Site } from "../server/services/hosts";

let t: TestDatabase;
let smtp: SmtpSim;
let sms: SmsSim;
let integrations: Integrations;
let A: TenantFixture;

const site = (f: TenantFixture) => ({ kind: "tenant", tenant: f.tenant }) satisfies Site;
const meta = { ip: "197.248.1.10", userAgent: "vitest", requestId: "r" };
const caller = (f: TenantFixture, token = f.token) => getCaller(appContext(t.db, site(f), integrations), requestWithSession(`${f.tenant.slug}.mnetifi.test`, token));
/** Runs every queued job once (emails, SMS) against the simulators. */
const drainJobs = () => runOnce({ pgPool: t.queue, taskList: buildTaskList(t.db, integrations, testJobDeps), logger: undefined });

beforeAll(async () => {
  t = await createTestDatabase();
  smtp = await startSmtpSim({ smtpPort: 0, httpPort: 0 });
  sms = await startSmsSim({ port: 0 });
  integrations = {
    mailer: createSmtpMailer({ url: smtp.url, from: "mnetifi <no-reply@mnetifi.test>" }),
    platformSms: createAfricasTalkingSender({ baseUrl: sms.baseUrl, apiKey: sms.apiKey, username: sms.username }),
    daraja: noIntegrations.daraja,
    messagingEndpoints: noIntegrations.messagingEndpoints,
    close: async () => {},
  };
  A = await createTenantFixture(t.db, "isp-acct");
  void silentLog;
});
afterAll(async () => {
  integrations.mailer.close();
  await smtp.stop();
  await sms.stop();
});

describe("registration and email verification", () => {
  it("creates the ISP, its owner and the verification email in one go; the link starts the trial", async () => {
    await withPlatform(t.db, null, (tx) => tx.update(platformSettings).set({ trialHours: 48 }));
    const r = await registerIsp(
      t.db,
      { businessName: "Githurai Fibre", slug: "githurai-fibre", username: "gfibre", email: "Boss@GithuraiFibre.test", password: "Nyama-Choma-Friday-7", confirmPassword: "Nyama-Choma-Friday-7" },
      meta,
      (slug) => `http://${slug}.mnetifi.test`,
    );
    expect(r).toMatchObject({ ok: true, slug: "githurai-fibre", email: "boss@githuraifibre.test" });
    if (!r.ok) return;
    await drainJobs();
    const mail = await smtp.waitFor((m) => m.to.includes("boss@githuraifibre.test"));
    const link = mail.links.find((l) => l.startsWith("http://githurai-fibre.mnetifi.test/verify-email?token="))!;
    const token = new URL(link).searchParams.get("token")!;
    const tenant = { id: r.tenantId, slug: r.slug, businessName: "Githurai Fibre", status: "pending", timezone: "Africa/Nairobi" };

    const before = Date.now();
    const v = await verifyEmail(t.db, tenant, token, meta);
    expect(v.ok).toBe(true);
    const [row] = await withPlatform(t.db, null, (tx) => tx.select().from(tenants).where(eq(tenants.id, r.tenantId)));
    expect(row!.status).toBe("trial");
    const hours = (row!.trialEndsAt!.getTime() - before) / 3600_000;
    expect(hours).toBeGreaterThan(47.9);
    expect(hours).toBeLessThan(48.1);
    expect(await verifyEmail(t.db, tenant, token, meta)).toMatchObject({ ok: false }); // single use
  });

  it("refuses a taken subdomain, a weak password and a mismatch, all at once, creating nothing", async () => {
    const r = await registerIsp(t.db, { businessName: "X", slug: A.tenant.slug, username: "x", email: "nope", password: "password", confirmPassword: "other" }, meta, () => "");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.fieldErrors ?? {}).sort()).toEqual(["businessName", "confirmPassword", "email", "password", "slug", "username"]);
    expect(r.fieldErrors!.slug).toEqual(["That address is already taken."]);
  });

  it("an ISP user cannot change its own tenant's status or trial", async () => {
    await expect(withTenant(t.db, A.tenant.id, A.owner.id, (tx) => tx.update(tenants).set({ status: "active" }).where(eq(tenants.id, A.tenant.id)).returning())).resolves.toEqual([]);
  });
});

describe("lockout", () => {
  it("warns before locking, locks after 5 failures with the wait, audits the lock, and refuses even the right password", async () => {
    const F = await createTenantFixture(t.db, "isp-lock");
    const attempts = [];
    for (let i = 0; i < 5; i++) attempts.push(await login(t.db, site(F), F.owner.username, "wrong-password", { ...meta, ip: "10.9.9.9" }));
    expect(attempts[0]).toEqual({ ok: false, status: 401, error: "That username or password is not right." });
    expect(attempts[2]).toEqual({ ok: false, status: 401, error: "That username or password is not right. 2 attempts left before sign-in is locked for 15 minutes." });
    expect(attempts[3]).toMatchObject({ error: expect.stringContaining("1 attempt left") });
    expect(attempts[4]).toEqual({ ok: false, status: 429, error: "Too many failed sign-ins. Sign-in is locked for 15 minutes." });
    const right = await login(t.db, site(F), F.owner.username, TEST_PASSWORD, { ...meta, ip: "10.9.9.9" });
    expect(right).toEqual({ ok: false, status: 429, error: "Too many failed sign-ins. Try again in 15 minutes." });
    // Another IP does not get around an account lock.
    expect(await login(t.db, site(F), F.owner.username, TEST_PASSWORD, { ...meta, ip: "10.1.1.1" })).toMatchObject({ status: 429 });
    const locks = await withTenant(t.db, F.tenant.id, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "auth.locked")));
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ ip: "10.9.9.9", userAgent: "vitest", details: { scope: "account", minutes: 15, identifier: F.owner.username } });
  });
});

describe("inactivity (controlled clock)", () => {
  it("a session used within 20 minutes lives on; 20 minutes of silence end it", async () => {
    const t0 = new Date("2026-11-24T06:00:00Z");
    const min = (m: number) => new Date(t0.getTime() + m * 60_000);
    const s = await withTenant(t.db, A.tenant.id, null, (tx) => createUserSession(tx, A.tenant.id, A.owner.id, {}, t0));
    const at = (d: Date) => withTenant(t.db, A.tenant.id, null, (tx) => validateUserSession(tx, A.tenant.id, s.token, d));
    expect(await at(min(19))).not.toBeNull(); // activity at 06:19 moves the deadline to 06:39
    expect(await at(min(38))).not.toBeNull(); // 06:38: still inside, deadline 06:58
    expect(await at(min(58.1))).toBeNull(); // 06:58:06: 20 minutes of silence
    const rows = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(userSessions).where(eq(userSessions.id, sessionIdFromToken(s.token))));
    expect(rows).toEqual([]);
  });
});

describe("permissions", () => {
  it("staff and technicians are refused owner actions on the server, whatever the UI shows", async () => {
    const staff = await addUser(t.db, A, "staff", "mary-staff");
    const tech = await addUser(t.db, A, "technician", "otieno-tech");
    const asStaff = await caller(A, staff.token);
    await expect(asStaff.staff.invite({ fullName: "X Y", email: "x@y.test", role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asStaff.zones.create({ name: "Sneaky", description: "" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asStaff.activity.recent({ limit: 10 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asStaff.staff.setActive({ userId: A.owner.id, active: false })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const asTech = await caller(A, tech.token);
    await expect(asTech.staff.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asTech.zones.list()).resolves.toBeInstanceOf(Array);
  });

  it("an admin cannot make admins or touch another admin; nobody can change the owner", async () => {
    const admin = await addUser(t.db, A, "admin", "admin-one");
    const other = await addUser(t.db, A, "admin", "admin-two");
    const asAdmin = await caller(A, admin.token);
    await expect(asAdmin.staff.invite({ fullName: "New Admin", email: "na@a.test", role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asAdmin.staff.setActive({ userId: other.id, active: false })).rejects.toMatchObject({ code: "FORBIDDEN", message: "Only the owner can change an admin." });
    await expect(asAdmin.staff.changeRole({ userId: A.owner.id, role: "staff" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("deactivating someone ends their sessions at once; the owner can bring them back", async () => {
    const staff = await addUser(t.db, A, "staff", "to-deactivate");
    await (await caller(A)).staff.setActive({ userId: staff.id, active: false });
    await expect((await caller(A, staff.token)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await login(t.db, site(A), "to-deactivate", TEST_PASSWORD, meta)).toMatchObject({ ok: false });
    await (await caller(A)).staff.setActive({ userId: staff.id, active: true });
    expect(await login(t.db, site(A), "to-deactivate", TEST_PASSWORD, meta)).toMatchObject({ ok: true, step: "done" });
  });
});

describe("invitations", () => {
  it("invites by email; the link sets username and password and signs the person in", async () => {
    await (await caller(A)).staff.invite({ fullName: "Achieng Odhiambo", email: "Achieng@Example.test", role: "technician" });
    await drainJobs();
    const mail = await smtp.waitFor((m) => m.to.includes("achieng@example.test"));
    const token = new URL(mail.links.find((l) => l.includes("/accept-invite?token="))!).searchParams.get("token")!;
    const { acceptInvite } = await import("../server/services/staff");
    const weak = await acceptInvite(t.db, A.tenant, token, { username: "achieng", password: "123456789012", confirmPassword: "123456789012" }, meta);
    expect(weak).toMatchObject({ ok: false, fieldErrors: { password: expect.any(Array) } });
    const ok = await acceptInvite(t.db, A.tenant, token, { username: "achieng", password: "Kisumu-Lakeside-2026", confirmPassword: "Kisumu-Lakeside-2026" }, meta);
    expect(ok.ok).toBe(true);
    expect(await login(t.db, site(A), "achieng", "Kisumu-Lakeside-2026", meta)).toMatchObject({ ok: true });
    expect((await acceptInvite(t.db, A.tenant, token, { username: "x2", password: "Kisumu-Lakeside-2026", confirmPassword: "Kisumu-Lakeside-2026" }, meta)).ok).toBe(false);
  });
});

describe("password reset", () => {
  it("mails a single-use link that sets a new password and signs out every device; unknown emails get the same answer", async () => {
    const F = await createTenantFixture(t.db, "isp-reset");
    const base = `http://${F.tenant.slug}.mnetifi.test`;
    expect(await requestPasswordReset(t.db, site(F), "nobody@nowhere.test", meta, base)).toEqual({ ok: true, message: RESET_SENT });
    expect(await requestPasswordReset(t.db, site(F), `OWNER@${F.tenant.slug}.test`, meta, base)).toEqual({ ok: true, message: RESET_SENT });
    await drainJobs();
    const mail = await smtp.waitFor((m) => m.to.includes(`owner@${F.tenant.slug}.test`) && m.subject.includes("Reset"));
    const token = new URL(mail.links.find((l) => l.includes("/reset-password?token="))!).searchParams.get("token")!;
    expect(await resetPassword(t.db, site(F), token, "short", meta)).toMatchObject({ ok: false, fieldErrors: { password: expect.any(Array) } });
    expect(await resetPassword(t.db, site(F), token, "Mombasa-Road-Traffic-9", meta)).toEqual({ ok: true });
    expect(await resetPassword(t.db, site(F), token, "Mombasa-Road-Traffic-10", meta)).toMatchObject({ ok: false });
    await expect((await caller(F)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" }); // old session ended
    expect(await login(t.db, site(F), F.owner.username, "Mombasa-Road-Traffic-9", meta)).toMatchObject({ ok: true });
  });

  it("is throttled per account", async () => {
    const F = await createTenantFixture(t.db, "isp-reset-throttle");
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await requestPasswordReset(t.db, site(F), `owner@${F.tenant.slug}.test`, { ...meta, ip: `10.0.0.${i}` }, "http://x"));
    expect(answers.slice(0, 3).every((a) => a.ok)).toBe(true);
    expect(answers[3]).toMatchObject({ ok: false, message: expect.stringMatching(/^Too many reset requests\. Try again in \d+ minutes?\.$/) });
  });
});

describe("two-step verification", () => {
  it("TOTP: set up with a first code, then sign-in needs a code; a recovery code works once", async () => {
    const F = await createTenantFixture(t.db, "isp-totp");
    const me = await caller(F);
    const begin = await me.account.beginTotp();
    expect(begin.qrSvg).toContain("<svg");
    const sealed = await withTenant(t.db, F.tenant.id, null, (tx) => tx.execute<{ data: { keyEnc: string } }>(sql`select data from user_tokens where purpose = 'setup_2fa'`));
    const key = openTotpKey(testSecrets, sealed.rows[0]!.data.keyEnc);
    expect(await me.account.confirmTwoFactor({ setupToken: begin.setupToken, code: "000000" })).toMatchObject({ ok: false });
    const on = await me.account.confirmTwoFactor({ setupToken: begin.setupToken, code: await freshTotp(key) });
    expect(on).toMatchObject({ ok: true, method: "totp" });
    const codes = on.ok ? on.recoveryCodes : [];
    expect(codes).toHaveLength(10);

    const first = await login(t.db, site(F), F.owner.username, TEST_PASSWORD, meta);
    expect(first).toMatchObject({ ok: true, step: "2fa", method: "totp" });
    if (!first.ok || first.step !== "2fa") return;
    expect(await verifySecondFactor(t.db, testSecrets, site(F), first.challenge, "000000", meta)).toMatchObject({ ok: false, status: 401, error: "That code is not right. 4 attempts left." });
    const used = await freshTotp(key);
    expect(await verifySecondFactor(t.db, testSecrets, site(F), first.challenge, used, meta)).toMatchObject({ ok: true, step: "done" });
    // The challenge is used up.
    expect(await verifySecondFactor(t.db, testSecrets, site(F), first.challenge, generateTOTP(key, 30, 6), meta)).toMatchObject({ ok: false });
    // And the code itself: someone who saw it cannot sign in with it again (nor with an older one).
    const replay = await login(t.db, site(F), F.owner.username, TEST_PASSWORD, meta);
    if (!replay.ok || replay.step !== "2fa") throw new Error("expected a challenge");
    expect(await verifySecondFactor(t.db, testSecrets, site(F), replay.challenge, used, meta)).toMatchObject({ ok: false, status: 401 });
    const earlier = generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) - 1), 6);
    expect(await verifySecondFactor(t.db, testSecrets, site(F), replay.challenge, earlier, meta)).toMatchObject({ ok: false, status: 401 });

    const second = await login(t.db, site(F), F.owner.username, TEST_PASSWORD, meta);
    if (!second.ok || second.step !== "2fa") throw new Error("expected a challenge");
    expect(await verifySecondFactor(t.db, testSecrets, site(F), second.challenge, codes[0]!, meta)).toMatchObject({ ok: true, step: "done" });
    const third = await login(t.db, site(F), F.owner.username, TEST_PASSWORD, meta);
    if (!third.ok || third.step !== "2fa") throw new Error("expected a challenge");
    expect(await verifySecondFactor(t.db, testSecrets, site(F), third.challenge, codes[0]!, meta)).toMatchObject({ ok: false });

    // Off again only with the password.
    expect(await me.account.disableTwoFactor({ password: "wrong" })).toMatchObject({ ok: false });
    // (the session used by `me` is still valid: 2FA sign-ins above made new sessions)
    expect(await me.account.disableTwoFactor({ password: TEST_PASSWORD })).toEqual({ ok: true });
    expect(await login(t.db, site(F), F.owner.username, TEST_PASSWORD, meta)).toMatchObject({ ok: true, step: "done" });
  });

  it("SMS: the code travels through the platform SMS sender (simulator) and signs in", async () => {
    const F = await createTenantFixture(t.db, "isp-sms2fa");
    const me = await caller(F);
    await expect(me.account.beginSms({ phone: "12345" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const begin = await me.account.beginSms({ phone: "0712 345 678" });
    expect(begin.phone).toBe("+254712345678");
    await drainJobs();
    const setupSms = await sms.waitFor((m) => m.to === "+254712345678");
    const code = /\b(\d{6})\b/.exec(setupSms.message)![1]!;
    expect(await me.account.confirmTwoFactor({ setupToken: begin.setupToken, code })).toMatchObject({ ok: true, method: "sms" });

    sms.clear();
    const first = await login(t.db, site(F), F.owner.username, TEST_PASSWORD, meta);
    expect(first).toMatchObject({ ok: true, step: "2fa", method: "sms" });
    if (!first.ok || first.step !== "2fa") return;
    await drainJobs();
    const loginSms = await sms.waitFor((m) => m.to === "+254712345678");
    expect(loginSms.message).toContain(`sign-in code`);
    const loginCode = /\b(\d{6})\b/.exec(loginSms.message)![1]!;
    expect(await verifySecondFactor(t.db, testSecrets, site(F), first.challenge, loginCode, meta)).toMatchObject({ ok: true, step: "done" });
    const events = await withTenant(t.db, F.tenant.id, null, (tx) => tx.select({ action: auditEvents.action }).from(auditEvents).where(and(eq(auditEvents.actorId, F.owner.id))));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["auth.2fa_enabled", "auth.2fa_challenge", "auth.login"]));
  });
});

describe("sign out everywhere", () => {
  it("ends every session of the user", async () => {
    const F = await createTenantFixture(t.db, "isp-everywhere");
    const other = await withTenant(t.db, F.tenant.id, null, (tx) => createUserSession(tx, F.tenant.id, F.owner.id));
    expect(await (await caller(F)).account.signOutEverywhere()).toEqual({ ended: 2 });
    await expect((await caller(F, other.token)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const rows = await withTenant(t.db, F.tenant.id, null, (tx) => tx.select().from(users).where(eq(users.id, F.owner.id)));
    expect(rows).toHaveLength(1); // the account stays, only sessions end
  });
});
