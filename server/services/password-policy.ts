import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";

/**
 * Password policy: at least 12 characters, not one of the ~49,000 most common passwords shipped
 * offline with zxcvbn-ts, not containing the username, email or business name, and strong
 * enough by zxcvbn's estimate (score 3 of 4). The same check runs in the browser as you type.
 */
export const MIN_PASSWORD_LENGTH = 12;

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});
const commonPasswords = new Set<string>((common.dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));

export type PasswordContext = { username?: string; email?: string; businessName?: string };
export type PasswordVerdict = { ok: boolean; score: number; problems: string[]; suggestions: string[] };

function personalParts(ctx: PasswordContext): string[] {
  const parts = [ctx.username, ctx.email, ctx.email?.split("@")[0], ctx.businessName, ...(ctx.businessName?.split(/\s+/) ?? [])];
  return parts.map((p) => p?.trim().toLowerCase() ?? "").filter((p) => p.length >= 3);
}

export function checkPassword(password: string, ctx: PasswordContext = {}): PasswordVerdict {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`Use at least ${MIN_PASSWORD_LENGTH} characters (${password.length} so far).`);
  if (password.length > 256) problems.push("Use at most 256 characters.");
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) problems.push("This is one of the most common passwords; attackers try it first.");
  const personal = personalParts(ctx).find((p) => lower.includes(p));
  if (personal) problems.push("Don't use your username, email or business name in the password.");
  const result = zxcvbn.check(password.slice(0, 256), personalParts(ctx));
  if (problems.length === 0 && result.score < 3) {
    problems.push(result.feedback.warning ?? "This password would be easy to guess. Add more words or characters.");
  }
  return { ok: problems.length === 0, score: result.score, problems, suggestions: result.feedback.suggestions };
}
