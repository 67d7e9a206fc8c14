import { z } from "zod";
import { and, asc, eq, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import { withTenant, type Db, type Tx } from "../../db/client";
import { assignableRoles, ISP_ROLES } from "../../policies/permissions";
import { createUser } from "./tenants";
import { issueToken, findToken, consumeToken } from "./tokens";
import { queueEmail, invitationEmail } from "./emails";
import { recordEvent } from "./audit";
import type { RequestMeta } from "./auth";
import { checkPassword } from "./password-policy";
import { hashPassword } from "./passwords";
import { createUserSession, endUserSessions } from "./sessions";
import type { TenantInfo } from "./hosts";
import { checkTier } from "./billing/tiers";

export type StaffActor = { id: string; role: string; name: string };
export type StaffResult<T = unknown> = { ok: true; value: T } | { ok: false; status: 400 | 403 | 404 | 409; error?: string; fieldErrors?: Record<string, string[]> };

export const inviteInput = z.object({
  fullName: z.string().trim().min(2, "Enter the person's name.").max(80, "Keep the name under 80 characters."),
  email: z.email("Enter a valid email address.").max(254).transform((e) => e.toLowerCase()),
  role: z.enum(ISP_ROLES, "Choose a role."),
});

export function listStaff(tx: Tx, tenantId: string) {
  return tx
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      fullName: users.fullName,
      role: users.role,
      disabledAt: users.disabledAt,
      invited: sql<boolean>`${users.passwordHash} is null`,
      twoFactorMethod: users.twoFactorMethod,
      lastLoginAt: users.lastLoginAt,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.tenantId, tenantId))
    .orderBy(asc(users.createdAt));
}

/** Invites a person by email: an account without a password, and a link to choose one. */
export async function inviteStaff(tx: Tx, tenant: TenantInfo, by: StaffActor, input: z.input<typeof inviteInput>, tenantUrl: string, meta: RequestMeta): Promise<StaffResult<{ id: string }>> {
  const parsed = inviteInput.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const v = parsed.data;
  if (!assignableRoles(by.role).includes(v.role)) return { ok: false, status: 403, fieldErrors: { role: [`You cannot give the ${v.role} role.`] } };
  const [taken] = await tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenant.id), eq(sql`lower(${users.email})`, v.email)));
  if (taken) return { ok: false, status: 409, fieldErrors: { email: ["Someone on your team already uses this email address."] } };
  if (v.role === "technician") {
    const gate = await checkTier(tx, tenant.id, "technician_account");
    if (!gate.ok) return { ok: false, status: 403, fieldErrors: { role: [gate.reason] } };
  }
  const username = await freeUsername(tx, tenant.id, v.email.split("@")[0]!);
  const user = await createUser(tx, tenant.id, { username, email: v.email, fullName: v.fullName, role: v.role, password: null, invitedBy: by.id });
  await sendInvite(tx, tenant, by, user.id, v.email, v.role, tenantUrl);
  await recordEvent(tx, { action: "staff.invited", tenantId: tenant.id, actorKind: "user", actorId: by.id, details: { userId: user.id, email: v.email, role: v.role }, ...m(meta) });
  return { ok: true, value: { id: user.id } };
}

async function sendInvite(tx: Tx, tenant: TenantInfo, by: StaffActor, userId: string, email: string, role: string, tenantUrl: string) {
  const { token } = await issueToken(tx, tenant.id, userId, "invite");
  await queueEmail(tx, invitationEmail({ to: email, businessName: tenant.businessName, inviter: by.name, role, link: `${tenantUrl}/accept-invite?token=${token}` }));
}

async function freeUsername(tx: Tx, tenantId: string, base: string) {
  const clean = base.toLowerCase().replace(/[^a-z0-9._-]/g, "").slice(0, 30) || "user";
  for (let i = 0; i < 100; i++) {
    const candidate = i === 0 ? clean : `${clean}${i + 1}`;
    const [hit] = await tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenantId), eq(sql`lower(${users.username})`, candidate)));
    if (!hit) return candidate;
  }
  return `${clean}-${Date.now().toString(36)}`;
}

async function target(tx: Tx, tenantId: string, userId: string) {
  const [u] = await tx.select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  return u ?? null;
}

/** Owners manage everyone but themselves; admins manage staff, technicians and resellers. */
function mayManage(by: StaffActor, who: { id: string; role: string }): string | null {
  if (who.id === by.id) return "You cannot change your own account here.";
  if (who.role === "owner") return "The owner's account cannot be changed by others.";
  if (by.role !== "owner" && !assignableRoles(by.role).includes(who.role as never)) return "Only the owner can change an admin.";
  return null;
}

export async function resendInvite(tx: Tx, tenant: TenantInfo, by: StaffActor, userId: string, tenantUrl: string, meta: RequestMeta): Promise<StaffResult> {
  const who = await target(tx, tenant.id, userId);
  if (!who) return { ok: false, status: 404, error: "That person is not on your team." };
  if (who.passwordHash) return { ok: false, status: 400, error: "This person has already accepted the invitation." };
  const refusal = mayManage(by, who);
  if (refusal) return { ok: false, status: 403, error: refusal };
  await sendInvite(tx, tenant, by, who.id, who.email, who.role, tenantUrl);
  await recordEvent(tx, { action: "staff.invite_resent", tenantId: tenant.id, actorKind: "user", actorId: by.id, details: { userId }, ...m(meta) });
  return { ok: true, value: null };
}

export async function changeRole(tx: Tx, tenant: TenantInfo, by: StaffActor, userId: string, role: string, meta: RequestMeta): Promise<StaffResult> {
  const who = await target(tx, tenant.id, userId);
  if (!who) return { ok: false, status: 404, error: "That person is not on your team." };
  const refusal = mayManage(by, who);
  if (refusal) return { ok: false, status: 403, error: refusal };
  if (!assignableRoles(by.role).includes(role as never)) return { ok: false, status: 403, error: `You cannot give the ${role} role.` };
  if (role === "technician" && who.role !== "technician" && !who.disabledAt) {
    const gate = await checkTier(tx, tenant.id, "technician_account", { exceptUserId: who.id });
    if (!gate.ok) return { ok: false, status: 403, error: gate.reason };
  }
  await tx.update(users).set({ role: role as typeof who.role }).where(and(eq(users.tenantId, tenant.id), eq(users.id, userId)));
  await recordEvent(tx, { action: "staff.role_changed", tenantId: tenant.id, actorKind: "user", actorId: by.id, details: { userId, from: who.role, to: role }, ...m(meta) });
  return { ok: true, value: null };
}

/** Deactivates without deleting (history stays readable); every session of theirs ends at once. */
export async function setActive(tx: Tx, tenant: TenantInfo, by: StaffActor, userId: string, active: boolean, meta: RequestMeta): Promise<StaffResult> {
  const who = await target(tx, tenant.id, userId);
  if (!who) return { ok: false, status: 404, error: "That person is not on your team." };
  const refusal = mayManage(by, who);
  if (refusal) return { ok: false, status: 403, error: refusal };
  if (active && who.disabledAt && who.role === "technician") {
    const gate = await checkTier(tx, tenant.id, "technician_account", { exceptUserId: who.id });
    if (!gate.ok) return { ok: false, status: 403, error: gate.reason };
  }
  await tx.update(users).set({ disabledAt: active ? null : new Date() }).where(and(eq(users.tenantId, tenant.id), eq(users.id, userId)));
  const ended = active ? 0 : await endUserSessions(tx, tenant.id, userId);
  await recordEvent(tx, { action: active ? "staff.reactivated" : "staff.deactivated", tenantId: tenant.id, actorKind: "user", actorId: by.id, details: { userId, sessionsEnded: ended }, ...m(meta) });
  return { ok: true, value: null };
}

export const acceptInput = z
  .object({
    username: z.string().trim().min(3, "Use at least 3 characters.").max(40, "Use at most 40 characters.").regex(/^[a-zA-Z0-9._-]+$/, "Use letters, digits, dots, hyphens and underscores only."),
    password: z.string().max(256),
    confirmPassword: z.string(),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The two passwords are not the same." });

/** The invitation's details for the accept page, or null when the link is dead. */
export async function describeInvite(db: Db, tenant: TenantInfo, token: string) {
  return withTenant(db, tenant.id, { actorKind: "anonymous" }, async (tx) => {
    const row = await findToken(tx, tenant.id, "invite", token);
    if (!row) return null;
    const who = await target(tx, tenant.id, row.userId);
    return who && !who.passwordHash && !who.disabledAt ? { fullName: who.fullName, email: who.email, username: who.username, role: who.role } : null;
  });
}

/** Accepting: choose a username and password; the person is signed in straight away. */
export async function acceptInvite(db: Db, tenant: TenantInfo, token: string, input: z.input<typeof acceptInput>, meta: RequestMeta) {
  return withTenant(db, tenant.id, { actorKind: "anonymous", requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent }, async (tx) => {
    const row = await findToken(tx, tenant.id, "invite", token);
    const who = row ? await target(tx, tenant.id, row.userId) : null;
    if (!row || !who || who.passwordHash || who.disabledAt) return { ok: false as const, error: "This invitation has expired or was already used. Ask for a new one." };
    const parsed = acceptInput.safeParse(input);
    const fieldErrors: Record<string, string[]> = parsed.success ? {} : (z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
    const verdict = checkPassword(input.password, { username: input.username, email: who.email, businessName: tenant.businessName });
    if (!verdict.ok) fieldErrors.password = [...(fieldErrors.password ?? []), ...verdict.problems];
    if (parsed.success) {
      const [clash] = await tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenant.id), eq(sql`lower(${users.username})`, parsed.data.username.toLowerCase())));
      if (clash && clash.id !== who.id) fieldErrors.username = ["That username is taken on your team."];
    }
    if (!parsed.success || Object.keys(fieldErrors).length) return { ok: false as const, fieldErrors };
    await consumeToken(tx, tenant.id, row.id);
    await tx
      .update(users)
      .set({ username: parsed.data.username, passwordHash: await hashPassword(parsed.data.password), passwordChangedAt: new Date(), emailVerifiedAt: new Date() })
      .where(and(eq(users.tenantId, tenant.id), eq(users.id, who.id)));
    const session = await createUserSession(tx, tenant.id, who.id, meta);
    await recordEvent(tx, { action: "staff.invite_accepted", tenantId: tenant.id, actorKind: "user", actorId: who.id, ...m(meta) });
    return { ok: true as const, token: session.token };
  });
}

function m(meta: RequestMeta) {
  return { ip: meta.ip ?? null, userAgent: meta.userAgent ?? null, requestId: meta.requestId ?? null };
}
