import { and, eq, gt, isNull, sql, type SQL } from "drizzle-orm";
import { userTokens, platformUserTokens } from "../../db/schema";
import type { Tx } from "../../db/client";
import { generateSessionToken, sessionIdFromToken } from "./sessions";

export type TokenPurpose = (typeof userTokens.$inferSelect)["purpose"];
export type PlatformTokenPurpose = (typeof platformUserTokens.$inferSelect)["purpose"];

/** How long each kind of token lives (ISP and console alike). */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  verify_email: 48 * 3600_000,
  reset_password: 60 * 60_000,
  invite: 7 * 24 * 3600_000,
  login_2fa: 10 * 60_000,
  setup_2fa: 15 * 60_000,
};

export type TokenRow = { id: string; userId: string; purpose: string; data: Record<string, unknown>; expiresAt: Date };

/**
 * Single-use tokens of one kind of account: ISP users (`user_tokens`, one tenant) or console
 * users (`platform_user_tokens`, platform context). Same rules for both: only the SHA-256 of
 * the token is kept, only the newest of a purpose works, a token is used up once.
 */
export type TokenStore<P extends string> = {
  /** Issues a token; earlier unused tokens of the same purpose are voided. Returns the token. */
  issue(tx: Tx, userId: string, purpose: P, data?: Record<string, unknown>, now?: Date): Promise<{ token: string; row: TokenRow }>;
  /** The live (unused, unexpired) token row, or null. Does not use it up. */
  find(tx: Tx, purpose: P, token: string, now?: Date): Promise<TokenRow | null>;
  /** Uses a token up; false if it was already used (a concurrent request won). */
  consume(tx: Tx, id: string, now?: Date): Promise<boolean>;
};

// Both tables have the same token columns; the ISP one adds tenant_id (in `scope` and `extra`).
// The queries are written once against the ISP table's column names.
function tokenStore<P extends string>(table: typeof userTokens | typeof platformUserTokens, scope: SQL | undefined, extra: Record<string, unknown>): TokenStore<P> {
  const t = table as typeof userTokens;
  return {
    async issue(tx, userId, purpose, data = {}, now = new Date()) {
      await tx
        .update(t)
        .set({ usedAt: now })
        .where(and(scope, eq(t.userId, userId), eq(t.purpose, purpose as TokenPurpose), isNull(t.usedAt)));
      const token = generateSessionToken();
      const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS[purpose as TokenPurpose]);
      const values = { ...extra, userId, purpose, tokenHash: sessionIdFromToken(token), data, expiresAt } as unknown as typeof userTokens.$inferInsert;
      const [row] = await tx.insert(t).values(values).returning();
      return { token, row: row! };
    },
    async find(tx, purpose, token, now = new Date()) {
      if (!token || token.length > 100) return null;
      const [row] = await tx
        .select()
        .from(t)
        .where(and(scope, eq(t.tokenHash, sessionIdFromToken(token)), eq(t.purpose, purpose as TokenPurpose), isNull(t.usedAt), gt(t.expiresAt, now)));
      return row ?? null;
    },
    async consume(tx, id, now = new Date()) {
      const rows = await tx
        .update(t)
        .set({ usedAt: now })
        .where(and(scope, eq(t.id, id), isNull(t.usedAt)))
        .returning({ id: t.id });
      return rows.length === 1;
    },
  };
}

/** The tokens of one ISP's users (tenant context). */
export function ispTokens(tenantId: string): TokenStore<TokenPurpose> {
  return tokenStore(userTokens, eq(userTokens.tenantId, tenantId), { tenantId });
}

/** The tokens of console users (platform context). */
export const platformTokens: TokenStore<PlatformTokenPurpose> = tokenStore(platformUserTokens, undefined, {});

export async function issueToken(tx: Tx, tenantId: string, userId: string, purpose: TokenPurpose, data: Record<string, unknown> = {}, now = new Date()) {
  return ispTokens(tenantId).issue(tx, userId, purpose, data, now);
}

export async function findToken(tx: Tx, tenantId: string, purpose: TokenPurpose, token: string, now = new Date()) {
  return ispTokens(tenantId).find(tx, purpose, token, now);
}

export async function consumeToken(tx: Tx, tenantId: string, id: string, now = new Date()) {
  return ispTokens(tenantId).consume(tx, id, now);
}

export async function updateTokenData(tx: Tx, tenantId: string, id: string, data: Record<string, unknown>) {
  await tx.update(userTokens).set({ data: sql`${userTokens.data} || ${JSON.stringify(data)}::jsonb` }).where(and(eq(userTokens.tenantId, tenantId), eq(userTokens.id, id)));
}
