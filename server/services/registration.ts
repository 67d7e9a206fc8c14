import { z } from "zod";
import { and, eq, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import { withPlatform, withTenant, enterTenant, type Db, type Tx } from "../../db/client";
import { slugProblem, findTenantBySlug, type TenantInfo } from "./hosts";
import { checkPassword } from "./password-policy";
import { businessNameField, createTenant, createUser } from "./tenants";
import { issueToken, findToken, consumeToken } from "./tokens";
import { queueEmail, verificationEmail } from "./emails";
import { recordEvent } from "./audit";
import { LIMITS, take, waitInWords } from "./rate-limits";
import type { RequestMeta } from "./auth";
import { isUniqueViolation } from "../../db/errors";

export const registrationInput = z
  .object({
    businessName: businessNameField,
    slug: z.string().trim().toLowerCase(),
    username: z
      .string()
      .trim()
      .min(3, "Use at least 3 characters.")
      .max(40, "Use at most 40 characters.")
      .regex(/^[a-zA-Z0-9._-]+$/, "Use letters, digits, dots, hyphens and underscores only."),
    email: z.email("Enter a valid email address.").max(254).transform((e) => e.toLowerCase()),
    password: z.string().max(256, "Use at most 256 characters."),
    confirmPassword: z.string(),
  })
  .superRefine((v, ctx) => {
    const problem = slugProblem(v.slug);
    if (problem) ctx.addIssue({ code: "custom", path: ["slug"], message: problem });
    const verdict = checkPassword(v.password, { username: v.username, email: v.email, businessName: v.businessName });
    for (const p of verdict.problems) ctx.addIssue({ code: "custom", path: ["password"], message: p });
    if (v.password !== v.confirmPassword) ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "The two passwords are not the same." });
  });
export type RegistrationInput = z.input<typeof registrationInput>;

export type SlugAvailability = { available: boolean; reason: string | null };

export async function slugAvailability(db: Db, raw: string): Promise<SlugAvailability> {
  const slug = raw.trim().toLowerCase();
  const problem = slugProblem(slug);
  if (problem) return { available: false, reason: problem };
  return (await findTenantBySlug(db, slug)) ? { available: false, reason: "That address is already taken." } : { available: true, reason: null };
}

export type RegistrationResult =
  | { ok: true; tenantId: string; slug: string; email: string }
  | { ok: false; status: 400 | 409 | 429; fieldErrors?: Record<string, string[]>; error?: string };

/**
 * Registers an ISP in one transaction: the tenant (pending), its owner, the verification token
 * and the verification email job. Nothing is half-created if any step fails.
 */
export async function registerIsp(db: Db, input: RegistrationInput, meta: RequestMeta, tenantUrl: (slug: string) => string): Promise<RegistrationResult> {
  const parsed = registrationInput.safeParse(input);
  // Report a taken subdomain together with every other problem, not one round trip later.
  const slug = String(input.slug ?? "").trim().toLowerCase();
  const taken = !slugProblem(slug) && (await findTenantBySlug(db, slug)) ? ["That address is already taken."] : null;
  if (!parsed.success || taken) {
    const fieldErrors = parsed.success ? {} : (z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
    if (taken) fieldErrors.slug = taken;
    return { ok: false, status: taken && parsed.success ? 409 : 400, fieldErrors };
  }
  const v = parsed.data;
  try {
    return await withPlatform(db, { actorKind: "anonymous", requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent }, async (tx) => {
      const limit = await take(tx, `register:ip:${meta.ip ?? "unknown"}`, LIMITS.registrationIp);
      if (!limit.allowed) return { ok: false as const, status: 429 as const, error: `Too many registrations from your network. Try again in ${waitInWords(limit.retryAfterSeconds)}.` };
      const tenant = await createTenant(tx, { slug: v.slug, businessName: v.businessName, status: "pending" });
      await enterTenant(tx, tenant.id);
      const owner = await createUser(tx, tenant.id, { username: v.username, email: v.email, fullName: "", role: "owner", password: v.password });
      const { token } = await issueToken(tx, tenant.id, owner.id, "verify_email");
      await queueEmail(tx, verificationEmail({ to: v.email, businessName: v.businessName, link: `${tenantUrl(v.slug)}/verify-email?token=${token}` }));
      await recordEvent(tx, { action: "tenant.registered", tenantId: tenant.id, actorKind: "anonymous", actorId: owner.id, details: { slug: v.slug }, ip: meta.ip, userAgent: meta.userAgent, requestId: meta.requestId });
      return { ok: true as const, tenantId: tenant.id, slug: tenant.slug, email: v.email };
    });
  } catch (err) {
    if (isUniqueViolation(err, "tenants_slug_key")) return { ok: false, status: 409, fieldErrors: { slug: ["That address is already taken."] } };
    throw err;
  }
}

export type VerifyResult = { ok: true; trialEndsAt: Date | null; alreadyVerified: boolean } | { ok: false; error: string };

/** Confirms an email address from the link; for the owner this starts the ISP's trial. */
export async function verifyEmail(db: Db, tenant: TenantInfo, token: string, meta: RequestMeta): Promise<VerifyResult> {
  return withTenant(db, tenant.id, { actorKind: "anonymous", requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent }, async (tx) => {
    const row = await findToken(tx, tenant.id, "verify_email", token);
    if (!row || !(await consumeToken(tx, tenant.id, row.id))) {
      return { ok: false, error: "This confirmation link has expired or was already used. Sign in to ask for a new one." };
    }
    const [user] = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
      .where(and(eq(users.tenantId, tenant.id), eq(users.id, row.userId)))
      .returning();
    let trialEndsAt: Date | null = null;
    if (user?.role === "owner") {
      const res = await tx.execute<{ ends: string | null }>(sql`select app_public.start_trial() as ends`);
      trialEndsAt = res.rows[0]?.ends ? new Date(res.rows[0].ends) : null;
      if (trialEndsAt) await recordEvent(tx, { action: "billing.trial_started", tenantId: tenant.id, actorKind: "user", actorId: row.userId, details: { trialEndsAt }, ...metaOf(meta) });
    }
    await recordEvent(tx, { action: "auth.email_verified", tenantId: tenant.id, actorKind: "user", actorId: row.userId, details: { trialEndsAt }, ...metaOf(meta) });
    return { ok: true, trialEndsAt, alreadyVerified: false };
  });
}

/** Sends the verification email again, at most 3 times an hour. */
export async function resendVerification(tx: Tx, tenant: TenantInfo, userId: string, meta: RequestMeta, tenantUrl: string): Promise<{ ok: boolean; message: string }> {
  const [user] = await tx.select().from(users).where(and(eq(users.tenantId, tenant.id), eq(users.id, userId)));
  if (!user) return { ok: false, message: "Unknown account." };
  if (user.emailVerifiedAt) return { ok: true, message: "Your email address is already confirmed." };
  const perIp = await take(tx, `verify-resend:ip:${meta.ip ?? "unknown"}`, LIMITS.verificationResendIp);
  const perUser = await take(tx, `verify-resend:${tenant.id}:${userId}`, LIMITS.verificationResend);
  const limit = perUser.allowed ? perIp : perUser;
  if (!perIp.allowed || !perUser.allowed) {
    await recordEvent(tx, { action: "auth.verification_resend_throttled", tenantId: tenant.id, actorKind: "user", actorId: userId, ...metaOf(meta) });
    return { ok: false, message: `You can ask for another email in ${waitInWords(limit.retryAfterSeconds)}.` };
  }
  const { token } = await issueToken(tx, tenant.id, userId, "verify_email");
  await queueEmail(tx, verificationEmail({ to: user.email, businessName: tenant.businessName, link: `${tenantUrl}/verify-email?token=${token}` }));
  await recordEvent(tx, { action: "auth.verification_resent", tenantId: tenant.id, actorKind: "user", actorId: userId, ...metaOf(meta) });
  return { ok: true, message: `We sent a new confirmation link to ${user.email}.` };
}

function metaOf(meta: RequestMeta) {
  return { ip: meta.ip ?? null, userAgent: meta.userAgent ?? null, requestId: meta.requestId ?? null };
}
