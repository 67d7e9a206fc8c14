import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { runOnce } from "graphile-worker";
import { and, desc, eq, inArray, like } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { appContext, createPlatformUser, createTenantFixture, noIntegrations, requestWithSession, testJobDeps, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { refusal } from "./helpers/trpc";
import { withPlatform } from "../db/client";
import { auditEvents, platformRecoveryCodes, platformSessions, platformUsers, platformUserTokens } from "../db/schema";
import { newTotpKey, platformRecoveryCodeStore, sealTotpKey } from "../server/services/two-factor";
import { login } from "../server/services/auth";
import { acceptAdminInvite, changeAdminRole, describeAdminInvite, DEAD_INVITE, PLATFORM_INVITE_TTL_MS } from "../server/services/platform-admins";
import { hashPassword } from "../server/services/passwords";
import { getCaller } from "../server/trpc/root";
import { buildTaskList } from "../jobs";
import { startSmtpSim, type SmtpSim } from "../sim/smtp";
import { createSmtpMailer } from "../server/integrations/email";
import { PLATFORM_MATRIX } from "../policies/permissions";
import type { Integrations } from "../server/integrations";

let t: TestDatabase;
let smtp: SmtpSim;
let integrations: Integrations;
let root: Awaited<ReturnType<typeof createPlatformUser>>;
let A: TenantFixture;

const meta = { ip: "197.248.7.7", userAgent: "vitest", requestId: "r-admins" };
const ADMIN = { kind: "admin" } as const;
const consoleAs = (token: string | null) => getCaller(appContext(t.db, ADMIN, integrations), requestWithSession("admin.mnetifi.test", token));
const drainJobs = () => runOnce({ pgPool: t.queue, taskList: buildTaskList(t.db, integrations, testJobDeps), logger: undefined });
const PASSWORD = "Ngong-Hills-Sunrise-44";

/** The invitation link mailed to `email` (jobs drained first), and its token. */
async function inviteLink(email: string) {
  await drainJobs();
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject === "You're invited to the mnetifi console");
  const link = mail.links.find((l) => l.includes("/accept-invite?token="))!;
  return { mail, link, token: new URL(link).searchParams.get("token")! };
}

/** A console admin who accepted an invitation and signed in: id and a live session token. */
async function invitedAndSignedIn(username: string, role: "super_admin" | "support" | "billing" | "read_only") {
  const { id } = await (await consoleAs(root.token)).platformAdmins.invite({ fullName: `${username} Person`, username, email: `${username}@mnetifi.test`, role });
  const { token } = await inviteLink(`${username}@mnetifi.test`);
  expect(await acceptAdminInvite(t.db, token, { password: PASSWORD, confirmPassword: PASSWORD }, meta)).toMatchObject({ ok: true });
  const s = await login(t.db, ADMIN, username, PASSWORD, meta);
  if (!s.ok || s.step !== "done") throw new Error(`sign-in failed: ${JSON.stringify(s)}`);
  return { id, token: s.token };
}

async function events(actions: string[]) {
  return withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(inArray(auditEvents.action, actions)).orderBy(desc(auditEvents.id)));
}

beforeAll(async () => {
  t = await createTestDatabase();
  smtp = await startSmtpSim({ smtpPort: 0, httpPort: 0 });
  integrations = { ...noIntegrations, mailer: createSmtpMailer({ url: smtp.url, from: "mnetifi <no-reply@mnetifi.test>" }) };
  root = await createPlatformUser(t.db, "super_admin", "root");
  // createPlatformUser stores a placeholder hash; root needs a real password to count as active.
  const hash = await hashPassword(PASSWORD);
  await withPlatform(t.db, null, (tx) => tx.update(platformUsers).set({ passwordHash: hash }).where(eq(platformUsers.id, root.id)));
  A = await createTenantFixture(t.db, "adm-isp");
});
afterAll(async () => {
  integrations.mailer.close();
  await smtp.stop();
});

describe("inviting a console admin", () => {
  it("invite → email with a 7-day link on the admin host → choose a password → sign in; the link works once", async () => {
    const c = await consoleAs(root.token);
    const { id, expiresAt } = await c.platformAdmins.invite({ fullName: "Wanjiku Kamau", username: "Wanjiku", email: " Wanjiku@Mnetifi.TEST ", role: "support" });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(PLATFORM_INVITE_TTL_MS - 60_000);

    // Invited: listed as such, no password, cannot sign in yet.
    const listed = (await c.platformAdmins.list()).admins.find((a) => a.id === id)!;
    expect(listed).toMatchObject({ username: "Wanjiku", email: "wanjiku@mnetifi.test", role: "support", status: "invited", invitePending: true, lastLoginAt: null, invitedByName: "root (console)" });
    expect(listed).not.toHaveProperty("passwordHash");
    expect(await login(t.db, ADMIN, "wanjiku", "", meta)).toMatchObject({ ok: false });

    const { mail, link, token } = await inviteLink("wanjiku@mnetifi.test");
    expect(link.startsWith("https://admin.mnetifi.test/accept-invite?token=")).toBe(true);
    expect(mail.text).toContain("Your username is Wanjiku");
    expect(mail.text).toContain("as Support");

    // Only the hash of the token is stored.
    const [stored] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUserTokens).where(eq(platformUserTokens.userId, id)));
    expect(stored!.tokenHash).not.toContain(token);
    expect(stored!.tokenHash).toHaveLength(64);

    expect(await describeAdminInvite(t.db, token)).toMatchObject({ fullName: "Wanjiku Kamau", username: "Wanjiku", roleName: "Support" });
    // The password policy applies, and the two must match.
    expect(await acceptAdminInvite(t.db, token, { password: "123456789012", confirmPassword: "123456789012" }, meta)).toMatchObject({ ok: false, fieldErrors: { password: expect.any(Array) } });
    expect(await acceptAdminInvite(t.db, token, { password: "Wanjiku-Rocks-2026", confirmPassword: "Wanjiku-Rocks-2026" }, meta)).toMatchObject({
      ok: false,
      fieldErrors: { password: ["Don't use your username, email or business name in the password."] },
    });
    expect(await acceptAdminInvite(t.db, token, { password: PASSWORD, confirmPassword: `${PASSWORD}x` }, meta)).toMatchObject({ ok: false, fieldErrors: { confirmPassword: ["The two passwords are not the same."] } });
    expect(await acceptAdminInvite(t.db, token, { password: PASSWORD, confirmPassword: PASSWORD }, meta)).toEqual({ ok: true, username: "Wanjiku" });
    // Used up.
    expect(await describeAdminInvite(t.db, token)).toBeNull();
    expect(await acceptAdminInvite(t.db, token, { password: `${PASSWORD}!`, confirmPassword: `${PASSWORD}!` }, meta)).toEqual({ ok: false, error: DEAD_INVITE });

    // Signs in (username or email, any case) and lands in the console with the support role.
    const s = await login(t.db, ADMIN, "WANJIKU@mnetifi.test", PASSWORD, meta);
    expect(s).toMatchObject({ ok: true, step: "done" });
    const me = await consoleAs(s.ok && s.step === "done" ? s.token : null);
    await expect(me.console.tenants()).resolves.toBeTruthy();
    expect((await refusal(me.platformAdmins.list())).code).toBe("FORBIDDEN");
    const after = (await c.platformAdmins.list()).admins.find((a) => a.id === id)!;
    expect(after.status).toBe("active");
    expect(after.lastLoginAt).toBeInstanceOf(Date);

    const [invited] = await events(["platform_admin.invited"]);
    expect(invited).toMatchObject({ actorKind: "platform_user", actorId: root.id, tenantId: null, ip: "127.0.0.1", details: { adminId: id, username: "Wanjiku", email: "wanjiku@mnetifi.test", role: "support" } });
    const [accepted] = await events(["platform_admin.invite_accepted"]);
    expect(accepted).toMatchObject({ actorKind: "platform_user", actorId: id, ip: meta.ip, details: { adminId: id, role: "support" } });
    // The console's Audit page, filtered to this admin, shows it.
    const trail = await c.console.audit({ adminId: id });
    expect(trail.events.map((e) => e.action)).toEqual(expect.arrayContaining(["platform_admin.invite_accepted", "auth.login"]));
  });

  it("refuses bad input and duplicates (any case) with field errors, and keeps nothing", async () => {
    const c = await consoleAs(root.token);
    const bad = await refusal(c.platformAdmins.invite({ fullName: "J", username: "no spaces", email: "not-an-email", role: "god" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.fieldErrors).toMatchObject({
      fullName: ["Enter the person's full name."],
      username: ["Use letters, digits, dots, hyphens and underscores only."],
      email: ["Enter a valid email address."],
      role: ["Choose a role."],
    });
    const dupUser = await refusal(c.platformAdmins.invite({ fullName: "Another Root", username: "ROOT", email: "another@mnetifi.test", role: "read_only" }));
    expect(dupUser).toMatchObject({ code: "CONFLICT", fieldErrors: { username: ["Another console admin already has this username."] } });
    const dupEmail = await refusal(c.platformAdmins.invite({ fullName: "Another Root", username: "root2", email: "Root@MNETIFI.test", role: "read_only" }));
    expect(dupEmail).toMatchObject({ code: "CONFLICT", fieldErrors: { email: ["Another console admin already uses this email address."] } });
    const both = await refusal(c.platformAdmins.invite({ fullName: "Another Root", username: "root", email: "root@mnetifi.test", role: "read_only" }));
    expect(Object.keys(both.fieldErrors).sort()).toEqual(["email", "username"]);
    const rows = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(like(platformUsers.fullName, "Another Root%")));
    expect(rows).toEqual([]);
  });

  it("a resent invitation voids the earlier link; links expire after 7 days", async () => {
    const c = await consoleAs(root.token);
    const { id } = await c.platformAdmins.invite({ fullName: "Otieno Ouma", username: "otieno", email: "otieno@mnetifi.test", role: "billing" });
    const first = await inviteLink("otieno@mnetifi.test");
    await c.platformAdmins.resendInvite({ adminId: id });
    await drainJobs();
    await smtp.waitFor((m) => m.to.includes("otieno@mnetifi.test") && !m.links.includes(first.link));
    const second = smtp.messages({ to: "otieno@mnetifi.test" })[0]!;
    const token2 = new URL(second.links.find((l) => l.includes("/accept-invite?token="))!).searchParams.get("token")!;
    expect(token2).not.toBe(first.token);
    expect(await describeAdminInvite(t.db, first.token)).toBeNull();
    expect(await describeAdminInvite(t.db, token2)).not.toBeNull();
    const later = new Date(Date.now() + PLATFORM_INVITE_TTL_MS + 60_000);
    expect(await describeAdminInvite(t.db, token2, later)).toBeNull();
    expect(await acceptAdminInvite(t.db, token2, { password: PASSWORD, confirmPassword: PASSWORD }, meta, later)).toEqual({ ok: false, error: DEAD_INVITE });
    const [resent] = await events(["platform_admin.invite_resent"]);
    expect(resent).toMatchObject({ actorId: root.id, details: { adminId: id, username: "otieno" } });
    // Nothing to resend once accepted.
    expect(await acceptAdminInvite(t.db, token2, { password: PASSWORD, confirmPassword: PASSWORD }, meta)).toMatchObject({ ok: true });
    expect(await refusal(c.platformAdmins.resendInvite({ adminId: id }))).toMatchObject({ code: "BAD_REQUEST", message: "Otieno Ouma has already accepted the invitation." });
  });
});

describe("roles, disabling and the guard rails", () => {
  it("a role change applies from the next request and is audited", async () => {
    const helper = await invitedAndSignedIn("helper", "read_only");
    const c = await consoleAs(root.token);
    expect((await refusal((await consoleAs(helper.token)).console.supportInbox())).code).toBe("FORBIDDEN");
    expect(await c.platformAdmins.changeRole({ adminId: helper.id, role: "support" })).toEqual({ changed: true });
    await expect((await consoleAs(helper.token)).console.supportInbox()).resolves.toBeTruthy();
    // The same role again changes nothing and records nothing.
    expect(await c.platformAdmins.changeRole({ adminId: helper.id, role: "support" })).toEqual({ changed: false });
    const changes = (await events(["platform_admin.role_changed"])).filter((e) => (e.details as { adminId: string }).adminId === helper.id);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ actorKind: "platform_user", actorId: root.id, details: { username: "helper", from: "read_only", to: "support" } });
    expect(await refusal(c.platformAdmins.changeRole({ adminId: helper.id, role: "owner" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { role: ["Choose a role."] } });
    expect(await refusal(c.platformAdmins.changeRole({ adminId: crypto.randomUUID(), role: "support" }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("disabling ends the admin's sessions at once and stops sign-in; enabling lets them back", async () => {
    const victim = await invitedAndSignedIn("leaver", "billing");
    const second = await login(t.db, ADMIN, "leaver", PASSWORD, { ...meta, ip: "197.248.7.8" });
    expect(second.ok).toBe(true);
    const c = await consoleAs(root.token);
    await expect((await consoleAs(victim.token)).console.tenants()).resolves.toBeTruthy();
    expect(await c.platformAdmins.setActive({ adminId: victim.id, active: false })).toEqual({ changed: true, sessionsEnded: 2 });
    const left = await withPlatform(t.db, null, (tx) => tx.select().from(platformSessions).where(eq(platformSessions.userId, victim.id)));
    expect(left).toEqual([]);
    expect((await refusal((await consoleAs(victim.token)).console.tenants())).code).toBe("UNAUTHORIZED");
    expect(await login(t.db, ADMIN, "leaver", PASSWORD, meta)).toMatchObject({ ok: false, status: 401 });
    expect((await c.platformAdmins.list()).admins.find((a) => a.id === victim.id)).toMatchObject({ status: "disabled" });
    const [disabled] = await events(["platform_admin.disabled"]);
    expect(disabled).toMatchObject({ actorId: root.id, details: { adminId: victim.id, username: "leaver", sessionsEnded: 2 } });

    expect(await c.platformAdmins.setActive({ adminId: victim.id, active: true })).toEqual({ changed: true, sessionsEnded: 0 });
    expect(await login(t.db, ADMIN, "leaver", PASSWORD, meta)).toMatchObject({ ok: true });
    const [enabled] = await events(["platform_admin.enabled"]);
    expect(enabled).toMatchObject({ actorId: root.id, details: { adminId: victim.id } });
  });

  it("a super admin turns off another admin's two-step sign-in (lost phone and codes): their sessions end, they sign in with the password; audited", async () => {
    const who = await invitedAndSignedIn("lost-phone", "support");
    const key = newTotpKey();
    await withPlatform(t.db, null, async (tx) => {
      await tx.update(platformUsers).set({ twoFactorMethod: "totp", totpKeyEnc: sealTotpKey(testSecrets, key) }).where(eq(platformUsers.id, who.id));
      await platformRecoveryCodeStore.regenerate(tx, who.id);
    });
    expect(await login(t.db, ADMIN, "lost-phone", PASSWORD, meta)).toMatchObject({ ok: true, step: "2fa" });
    const c = await consoleAs(root.token);
    expect((await c.platformAdmins.list()).admins.find((a) => a.id === who.id)).toMatchObject({ twoFactorOn: true });
    // Not by other roles, nor on oneself.
    expect((await refusal((await consoleAs(who.token)).platformAdmins.resetTwoFactor({ adminId: root.id }))).code).toBe("FORBIDDEN");
    expect(await refusal(c.platformAdmins.resetTwoFactor({ adminId: root.id }))).toMatchObject({ code: "FORBIDDEN", message: "Change your own two-step sign-in on My account." });

    expect(await c.platformAdmins.resetTwoFactor({ adminId: who.id })).toEqual({ changed: true, sessionsEnded: 1 });
    expect((await refusal((await consoleAs(who.token)).console.tenants())).code).toBe("UNAUTHORIZED");
    const [row] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(eq(platformUsers.id, who.id)));
    expect(row).toMatchObject({ twoFactorMethod: null, totpKeyEnc: null });
    const codes = await withPlatform(t.db, null, (tx) => tx.select().from(platformRecoveryCodes).where(eq(platformRecoveryCodes.userId, who.id)));
    expect(codes).toEqual([]);
    expect(await login(t.db, ADMIN, "lost-phone", PASSWORD, meta)).toMatchObject({ ok: true, step: "done" });
    const [ev] = await events(["platform_admin.two_factor_reset"]);
    expect(ev).toMatchObject({ actorId: root.id, details: { adminId: who.id, username: "lost-phone", sessionsEnded: 1 } });
    expect(await c.platformAdmins.resetTwoFactor({ adminId: who.id })).toEqual({ changed: false, sessionsEnded: 0 });
  });

  it("disabling an invited admin kills the invitation link", async () => {
    const c = await consoleAs(root.token);
    const { id } = await c.platformAdmins.invite({ fullName: "Never Mind", username: "nevermind", email: "nevermind@mnetifi.test", role: "read_only" });
    const { token } = await inviteLink("nevermind@mnetifi.test");
    await c.platformAdmins.setActive({ adminId: id, active: false });
    expect(await describeAdminInvite(t.db, token)).toBeNull();
    await c.platformAdmins.setActive({ adminId: id, active: true });
    // Enabled again, the old link stays dead: a new invitation is needed.
    expect(await describeAdminInvite(t.db, token)).toBeNull();
    expect((await c.platformAdmins.list()).admins.find((a) => a.id === id)).toMatchObject({ status: "invited", invitePending: false });
  });

  it("nobody changes their own role or disables themselves", async () => {
    const c = await consoleAs(root.token);
    expect(await refusal(c.platformAdmins.changeRole({ adminId: root.id, role: "support" }))).toMatchObject({ code: "FORBIDDEN", message: "You cannot change your own role. Ask another super admin." });
    expect(await refusal(c.platformAdmins.setActive({ adminId: root.id, active: false }))).toMatchObject({ code: "FORBIDDEN", message: "You cannot disable your own account. Ask another super admin." });
    const [me] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(eq(platformUsers.id, root.id)));
    expect(me).toMatchObject({ role: "super_admin", disabledAt: null });
  });

  it("the last active super admin can be neither demoted nor disabled, even by a role given admins.manage", async () => {
    // Invited (no password yet) super admins do not count.
    const c = await consoleAs(root.token);
    await c.platformAdmins.invite({ fullName: "Pending Boss", username: "pendingboss", email: "pendingboss@mnetifi.test", role: "super_admin" });
    const manager = await invitedAndSignedIn("manager", "support");
    const matrix = PLATFORM_MATRIX as Record<string, readonly string[]>;
    const original = matrix.support!;
    matrix.support = [...original, "admins.manage"];
    try {
      const m = await consoleAs(manager.token);
      expect(await refusal(m.platformAdmins.changeRole({ adminId: root.id, role: "support" }))).toMatchObject({
        code: "CONFLICT",
        message: "There must always be at least one active super admin. Make someone else a super admin first.",
      });
      expect(await refusal(m.platformAdmins.setActive({ adminId: root.id, active: false }))).toMatchObject({ code: "CONFLICT" });
      // With a second active super admin, the first may go.
      const boss2 = await invitedAndSignedIn("boss2", "super_admin");
      expect(await m.platformAdmins.changeRole({ adminId: boss2.id, role: "read_only" })).toEqual({ changed: true });
      expect(await refusal(m.platformAdmins.setActive({ adminId: root.id, active: false }))).toMatchObject({ code: "CONFLICT" });
    } finally {
      matrix.support = original;
    }
    const [me] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(eq(platformUsers.id, root.id)));
    expect(me).toMatchObject({ role: "super_admin", disabledAt: null });
  });

  it("two super admins demoting each other at the same moment: one wins, one super admin remains", async () => {
    const x = await invitedAndSignedIn("duelx", "super_admin");
    const y = await invitedAndSignedIn("duely", "super_admin");
    // X's change is made but not committed yet while Y's starts: Y must wait for it and then
    // see that X demoted Y (without the row locks both would succeed and neither be super admin).
    let commitX!: () => void;
    const xMayCommit = new Promise<void>((r) => (commitX = r));
    let xChanged!: () => void;
    const xHasChanged = new Promise<void>((r) => (xChanged = r));
    const first = withPlatform(t.db, { userId: x.id, actorKind: "platform_user" }, async (tx) => {
      const r = await changeAdminRole(tx, { id: x.id, name: "X" }, y.id, "support", meta);
      xChanged();
      await xMayCommit;
      return r;
    });
    await xHasChanged;
    let yDone = false;
    const second = withPlatform(t.db, { userId: y.id, actorKind: "platform_user" }, (tx) => changeAdminRole(tx, { id: y.id, name: "Y" }, x.id, "support", meta)).finally(() => (yDone = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(yDone).toBe(false); // waiting on X's locks
    commitX();
    expect(await first).toEqual({ ok: true, value: { changed: true } });
    expect(await second).toEqual({ ok: false, status: 403, error: "Your console role does not allow this." });
    const roles = await withPlatform(t.db, null, (tx) => tx.select({ id: platformUsers.id, role: platformUsers.role }).from(platformUsers).where(inArray(platformUsers.id, [x.id, y.id])));
    expect(Object.fromEntries(roles.map((r) => [r.id, r.role]))).toEqual({ [x.id]: "super_admin", [y.id]: "support" });
  });

  it("only admins.manage reaches the procedures; an ISP user reaches none", async () => {
    for (const role of ["support", "billing", "read_only"] as const) {
      const u = await createPlatformUser(t.db, role, `nope-${role}`);
      const c = await consoleAs(u.token);
      for (const call of [
        () => c.platformAdmins.list(),
        () => c.platformAdmins.invite({ fullName: "Sneaky Person", username: `sneaky-${role}`, email: `sneaky-${role}@mnetifi.test`, role: "super_admin" }),
        () => c.platformAdmins.changeRole({ adminId: u.id, role: "super_admin" }),
        () => c.platformAdmins.setActive({ adminId: root.id, active: false }),
        () => c.platformAdmins.resendInvite({ adminId: root.id }),
      ])
        expect((await refusal(call())).code, role).toBe("FORBIDDEN");
    }
    const isp = await getCaller(appContext(t.db, { kind: "tenant", tenant: A.tenant }), requestWithSession(`${A.tenant.slug}.mnetifi.test`, A.token));
    expect((await refusal(isp.platformAdmins.list())).code).toBe("NOT_FOUND");
    expect((await refusal(isp.platformAdmins.invite({ fullName: "Sneaky Person", username: "sneaky", email: "sneaky@mnetifi.test", role: "super_admin" }))).code).toBe("NOT_FOUND");
    const rows = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(like(platformUsers.username, "sneaky%")));
    expect(rows).toEqual([]);
    const [me] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(and(eq(platformUsers.id, root.id))));
    expect(me!.disabledAt).toBeNull();
  });
});
