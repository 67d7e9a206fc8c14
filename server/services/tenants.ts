import { eq } from "drizzle-orm";
import { z } from "zod";
import { tenants, users } from "../../db/schema";
import type { Tx } from "../../db/client";
import { hashPassword } from "./passwords";
import { slugProblem } from "./hosts";

/** An ISP's business name, as registered and as the console renames it (the portal's title, invoices, SMS). */
export const businessNameField = z.string().trim().min(2, "Enter the business name.").max(80, "Keep the business name under 80 characters.");

/** Creates an ISP (platform context). The slug's form and reservation are checked here too. */
export async function createTenant(tx: Tx, input: { slug: string; businessName: string; status?: "pending" | "trial" | "active" }) {
  const problem = slugProblem(input.slug);
  if (problem) throw new Error(`slug "${input.slug}": ${problem}`);
  const [tenant] = await tx.insert(tenants).values({ slug: input.slug, businessName: input.businessName, status: input.status ?? "pending" }).returning();
  return tenant!;
}

export async function findTenantIdBySlugPlatform(tx: Tx, slug: string) {
  const [row] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
  return row?.id ?? null;
}

/** Adds a staff account to an ISP (tenant context). */
export async function createUser(
  tx: Tx,
  tenantId: string,
  input: { username: string; email: string; fullName: string; role: "owner" | "admin" | "staff" | "technician" | "reseller"; password: string | null; verified?: boolean; invitedBy?: string },
) {
  const [user] = await tx
    .insert(users)
    .values({
      tenantId,
      username: input.username,
      email: input.email.toLowerCase(),
      fullName: input.fullName,
      role: input.role,
      passwordHash: input.password === null ? null : await hashPassword(input.password),
      passwordChangedAt: input.password === null ? null : new Date(),
      invitedBy: input.invitedBy ?? null,
      emailVerifiedAt: input.verified ? new Date() : null,
    })
    .returning();
  return user!;
}
