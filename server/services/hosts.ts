import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/** Slugs that name parts of the product or common infrastructure: never an ISP. */
export const RESERVED_SLUGS = new Set([
  "www", "admin", "api", "app", "apps", "mail", "email", "smtp", "imap", "pop", "ftp", "ns", "ns1", "ns2",
  "dns", "mx", "webmail", "portal", "hotspot", "hotspotportal", "dashboard", "console", "status", "static",
  "assets", "cdn", "img", "media", "files", "docs", "help", "support", "blog", "billing", "pay", "payments",
  "mpesa", "auth", "login", "signup", "register", "account", "accounts", "secure", "staging", "dev", "test",
  "demo-admin", "root", "system", "radius", "vpn", "router", "routers", "mnetifi", "localhost", "internal",
]);

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$/;

/** Why a slug cannot be used, or null if its form is acceptable (availability is separate). */
export function slugProblem(slug: string): string | null {
  if (!SLUG_PATTERN.test(slug)) return "Use 3–30 lowercase letters, digits and hyphens, starting and ending with a letter or digit.";
  if (slug.includes("--")) return "Hyphens cannot be doubled.";
  if (RESERVED_SLUGS.has(slug)) return "That name is reserved.";
  return null;
}

export type TenantInfo = { id: string; slug: string; businessName: string; status: string; timezone: string };

export type Site =
  | { kind: "public" }
  | { kind: "admin" }
  | { kind: "tenant"; tenant: TenantInfo }
  | { kind: "unknown"; slug: string };

/** Splits a Host header against APP_DOMAIN: "" for the apex, the subdomain label, or null if foreign. */
export function subdomainOf(host: string, appDomain: string): string | null {
  const h = host.trim().toLowerCase();
  const d = appDomain.toLowerCase();
  if (h === d || h === `www.${d}`) return "";
  if (h.endsWith(`.${d}`)) {
    const label = h.slice(0, -(d.length + 1));
    return label.includes(".") ? null : label;
  }
  return null;
}

/** Resolves which interface a request is for from its Host header (design §1). */
export async function resolveSite(db: Db, host: string | null | undefined, appDomain: string): Promise<Site> {
  const sub = subdomainOf(host ?? "", appDomain);
  if (sub === "") return { kind: "public" };
  if (sub === null) return { kind: "unknown", slug: host ?? "" };
  if (sub === "admin") return { kind: "admin" };
  if (!SLUG_PATTERN.test(sub) || RESERVED_SLUGS.has(sub)) return { kind: "unknown", slug: sub };
  const tenant = await findTenantBySlug(db, sub);
  return tenant ? { kind: "tenant", tenant } : { kind: "unknown", slug: sub };
}

export async function findTenantBySlug(db: Db, slug: string): Promise<TenantInfo | null> {
  const res = await db.execute<{ id: string; slug: string; business_name: string; status: string; timezone: string }>(
    sql`select * from app_public.tenant_by_slug(${slug})`,
  );
  const row = res.rows[0];
  return row ? { id: row.id, slug: row.slug, businessName: row.business_name, status: row.status, timezone: row.timezone } : null;
}
