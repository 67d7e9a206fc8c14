import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { userTokens } from "../../db/schema";
import type { Tx } from "../../db/client";
import { generateSessionToken, sessionIdFromToken } from "./sessions";

export type TokenPurpose = (typeof userTokens.$inferSelect)["purpose"];

/** How long each kind of token lives. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  verify_email: 48 * 3600_000,
  reset_password: 60 * 60_000,
  invite: 7 * 24 * 3600_000,
  login_2fa: 10 * 60_000,
  setup_2fa: 15 * 60_000,
};

/**
 * Issues a single-use token for a user (tenant context). Earlier unused tokens of the same
 * purpose are voided, so only the newest link works. Returns the token; only its hash is kept.
 */
export async function issueToken(tx: Tx, tenantId: string, userId: string, purpose: TokenPurpose, data: Record<string, unknown> = {}, now = new Date()) {
  await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.tenantId, tenantId), eq(userTokens.userId, userId), eq(userTokens.purpose, purpose), isNull(userTokens.usedAt)));
  const token = generateSessionToken();
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS[purpose]);
  const [row] = await tx.insert(userTokens).values({ tenantId, userId, purpose, tokenHash: sessionIdFromToken(token), data, expiresAt }).returning();
  return { token, row: row! };
}

/** The live (unused, unexpired) token row, or null. Does not use it up. */
export async function findToken(tx: Tx, tenantId: string, purpose: TokenPurpose, token: string, now = new Date()) {
  if (!token || token.length > 100) return null;
  const [row] = await tx
    .select()
    .from(userTokens)
    .where(
      and(
        eq(userTokens.tenantId, tenantId),
        eq(userTokens.tokenHash, sessionIdFromToken(token)),
        eq(userTokens.purpose, purpose),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    );
  return row ?? null;
}

/** Uses a token up; false if it was already used (a concurrent request won). */
export async function consumeToken(tx: Tx, tenantId: string, id: string, now = new Date()) {
  const rows = await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.tenantId, tenantId), eq(userTokens.id, id), isNull(userTokens.usedAt)))
    .returning({ id: userTokens.id });
  return rows.length === 1;
}

export async function updateTokenData(tx: Tx, tenantId: string, id: string, data: Record<string, unknown>) {
  await tx.update(userTokens).set({ data: sql`${userTokens.data} || ${JSON.stringify(data)}::jsonb` }).where(and(eq(userTokens.tenantId, tenantId), eq(userTokens.id, id)));
}
