import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { users, platformUsers } from "../../db/schema";
import { withTenant, withPlatform, type Db, type Tx, type Actor } from "../../db/client";
import { createUserSession, createPlatformSession, endUserSessions, endPlatformSessions } from "./sessions";
import { ispTokens, platformTokens, type TokenStore, type PlatformTokenPurpose } from "./tokens";
import { ispRecoveryCodes, platformRecoveryCodeStore, type RecoveryCodeStore } from "./two-factor";
import { endImpersonationsFromConsole } from "./impersonation";
import type { Site, TenantInfo } from "./hosts";

/**
 * One kind of account that signs in with a password: an ISP's users (tenant context, on
 * {isp}.APP_DOMAIN) or the console's users (platform context, on admin.APP_DOMAIN). The sign-in,
 * two-step, password and reset flows (auth.ts, account-security.ts) are written once against
 * this; each realm says where its users, sessions, tokens and recovery codes live, and how its
 * audit events and rate-limit keys are named.
 */
export type AccountUser = {
  id: string;
  username: string;
  email: string;
  fullName: string;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  disabledAt: Date | null;
  twoFactorMethod: "totp" | "sms" | null;
  totpKeyEnc: string | null;
  /** ISP users only: the phone SMS codes go to, and whether the email is confirmed. */
  phone: string | null;
  emailVerifiedAt: Date | null;
};

type UserChanges = Partial<{ passwordHash: string; passwordChangedAt: Date; lastLoginAt: Date; emailVerifiedAt: Date; twoFactorMethod: "totp" | "sms" | null; totpKeyEnc: string | null; totpLastStep: number | null; phone: string }>;

export type Realm = {
  kind: "isp" | "console";
  /** The tenant of the realm's audit events (null: the platform's). */
  tenantId: string | null;
  /** The audit actor kind of a signed-in member. */
  memberKind: "user" | "platform_user";
  /** Whom the account belongs to, for the authenticator app and emails. */
  totpIssuer: string;
  mailName: string;
  /** Second-step methods this realm offers. */
  methods: ReadonlyArray<"totp" | "sms">;
  /** Turning two-step sign-in off asks for a current code as well as the password. */
  codeToDisable: boolean;
  /** Namespace of the realm's rate-limit keys (2FA, setup, reset): the tenant id or "platform". */
  limitScope: string;
  /** The sign-in lock key of an account (by id, or by the typed name when there is none). */
  loginKey(idOrIdentifier: string): string;
  /** Extra details on anonymous sign-in audit events. */
  loginAuditDetails: Record<string, unknown>;
  /** Runs fn in one transaction in the realm's context. */
  run<T>(db: Db, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T>;
  findById(tx: Tx, id: string): Promise<AccountUser | undefined>;
  /** By username or email, case-insensitively. */
  findByIdentifier(tx: Tx, identifier: string): Promise<AccountUser | undefined>;
  findByEmail(tx: Tx, email: string): Promise<AccountUser | undefined>;
  update(tx: Tx, id: string, changes: UserChanges): Promise<void>;
  /** Takes an authenticator code's step for the account: false when that step (or a later one) was already used. */
  useTotpStep(tx: Tx, id: string, step: number): Promise<boolean>;
  /** What the password policy compares a new password with. */
  policyContext(user: AccountUser): { username: string; email: string; businessName?: string };
  createSession(tx: Tx, userId: string, meta: { ip?: string | null; userAgent?: string | null }): Promise<{ token: string; absoluteExpiresAt: Date }>;
  /** Ends every session of a user but `except` (a session token), returns how many ended. */
  endSessions(tx: Tx, userId: string, except?: string): Promise<number>;
  tokens: TokenStore<PlatformTokenPurpose>;
  recovery: RecoveryCodeStore;
};

/** The row's last accepted step is older than `step` (or there is none). */
const newerStep = (column: typeof users.totpLastStep | typeof platformUsers.totpLastStep, step: number) => or(isNull(column), lt(column, step));

function byIdentifier(username: Parameters<typeof eq>[0], email: Parameters<typeof eq>[0], identifier: string) {
  const ident = identifier.trim().toLowerCase();
  return or(eq(sql`lower(${username})`, ident), eq(sql`lower(${email})`, ident));
}

export function ispRealm(tenant: TenantInfo): Realm {
  const mine = (...conds: Parameters<typeof and>) => and(eq(users.tenantId, tenant.id), ...conds);
  const one = async (tx: Tx, where: ReturnType<typeof and>) => (await tx.select().from(users).where(where))[0];
  return {
    kind: "isp",
    tenantId: tenant.id,
    memberKind: "user",
    totpIssuer: `mnetifi ${tenant.businessName}`,
    mailName: tenant.businessName,
    methods: ["totp", "sms"],
    codeToDisable: false,
    limitScope: tenant.id,
    loginKey: (k) => `login:acct:${tenant.id}:${k}`,
    loginAuditDetails: {},
    run: (db, actor, fn) => withTenant(db, tenant.id, actor, fn),
    findById: (tx, id) => one(tx, mine(eq(users.id, id))),
    findByIdentifier: (tx, ident) => one(tx, mine(byIdentifier(users.username, users.email, ident))),
    findByEmail: (tx, email) => one(tx, mine(eq(sql`lower(${users.email})`, email.trim().toLowerCase()))),
    update: async (tx, id, changes) => {
      await tx.update(users).set(changes).where(mine(eq(users.id, id)));
    },
    useTotpStep: async (tx, id, step) =>
      (await tx.update(users).set({ totpLastStep: step }).where(mine(eq(users.id, id), newerStep(users.totpLastStep, step))).returning({ id: users.id })).length === 1,
    policyContext: (u) => ({ username: u.username, email: u.email, businessName: tenant.businessName }),
    createSession: (tx, userId, meta) => createUserSession(tx, tenant.id, userId, meta),
    endSessions: (tx, userId, except) => endUserSessions(tx, tenant.id, userId, except),
    tokens: ispTokens(tenant.id),
    recovery: ispRecoveryCodes(tenant.id),
  };
}

const one = async (tx: Tx, where: ReturnType<typeof and>) => {
  const [u] = await tx.select().from(platformUsers).where(where);
  // Console accounts are confirmed by the invitation's email link; they have no phone.
  return u ? { ...u, phone: null, emailVerifiedAt: u.createdAt } : undefined;
};

/** The console's people (platform context). Authenticator app only: no phone numbers are kept. */
export const consoleRealm: Realm = {
  kind: "console",
  tenantId: null,
  memberKind: "platform_user",
  totpIssuer: "mnetifi console",
  mailName: "mnetifi console",
  methods: ["totp"],
  codeToDisable: true,
  limitScope: "platform",
  loginKey: (k) => `login:platform:${k}`,
  loginAuditDetails: { console: true },
  run: (db, actor, fn) => withPlatform(db, actor, fn),
  findById: (tx, id) => one(tx, eq(platformUsers.id, id)),
  findByIdentifier: (tx, ident) => one(tx, byIdentifier(platformUsers.username, platformUsers.email, ident)),
  findByEmail: (tx, email) => one(tx, eq(sql`lower(${platformUsers.email})`, email.trim().toLowerCase())),
  update: async (tx, id, { phone: _phone, emailVerifiedAt: _verified, twoFactorMethod, ...changes }) => {
    if (twoFactorMethod === "sms") throw new Error("console users have no SMS codes");
    await tx
      .update(platformUsers)
      .set({ ...changes, ...(twoFactorMethod !== undefined ? { twoFactorMethod } : {}) })
      .where(eq(platformUsers.id, id));
  },
  useTotpStep: async (tx, id, step) =>
    (await tx.update(platformUsers).set({ totpLastStep: step }).where(and(eq(platformUsers.id, id), newerStep(platformUsers.totpLastStep, step))).returning({ id: platformUsers.id })).length === 1,
  policyContext: (u) => ({ username: u.username, email: u.email }),
  createSession: (tx, userId, meta) => createPlatformSession(tx, userId, meta),
  // The ISP dashboards entered from the console end with its sessions: which session opened
  // them is not recorded, so all of this admin's do.
  endSessions: async (tx, userId, except) => {
    const ended = await endPlatformSessions(tx, userId, except);
    await endImpersonationsFromConsole(tx, { adminId: userId }, "console_signed_out");
    return ended;
  },
  tokens: platformTokens,
  recovery: platformRecoveryCodeStore,
};

export type AccountSite = Extract<Site, { kind: "tenant" | "admin" }>;

/** The realm of the accounts that sign in on this host. */
export function realmOf(site: AccountSite): Realm {
  return site.kind === "tenant" ? ispRealm(site.tenant) : consoleRealm;
}
