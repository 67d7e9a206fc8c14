import { eq, sql } from "drizzle-orm";
import { platformUsers } from "./schema";
import { withPlatform, withTenant, type Db } from "./client";
import { createTenant, createUser, findTenantIdBySlugPlatform } from "../server/services/tenants";
import { hashPassword } from "../server/services/passwords";
import { createZone } from "../server/services/zones";

export const DEMO = {
  superAdmin: { username: "admin", email: "admin@mnetifi.local", password: "Platform-Demo-2026!" },
  isp: { slug: "demo", businessName: "Demo Networks Ltd" },
  owner: { username: "demo", email: "owner@demo-networks.local", password: "Demo-Owner-2026!" },
};

/**
 * Seeds the demo: a super admin and the demo ISP with its owner. Runs as the app role through
 * the same contexts the product uses (platform, then tenant). Safe to run on every start.
 */
export async function seedDemo(db: Db) {
  const tenantId = await withPlatform(db, { actorKind: "system", requestId: "seed" }, async (tx) => {
    const [admin] = await tx.select({ id: platformUsers.id }).from(platformUsers).where(eq(sql`lower(${platformUsers.username})`, DEMO.superAdmin.username));
    if (!admin) {
      await tx.insert(platformUsers).values({
        username: DEMO.superAdmin.username,
        email: DEMO.superAdmin.email,
        fullName: "Platform Admin",
        role: "super_admin",
        passwordHash: await hashPassword(DEMO.superAdmin.password),
      });
    }
    const existing = await findTenantIdBySlugPlatform(tx, DEMO.isp.slug);
    if (existing) return { id: existing, created: false };
    const tenant = await createTenant(tx, { ...DEMO.isp, status: "trial" });
    return { id: tenant.id, created: true };
  });
  if (tenantId.created) {
    await withTenant(db, tenantId.id, { actorKind: "system", requestId: "seed" }, async (tx) => {
      await createUser(tx, tenantId.id, { ...DEMO.owner, fullName: "Demo Owner", role: "owner", verified: true });
      for (const name of ["Kasarani", "Roysambu", "Githurai 45"]) await createZone(tx, tenantId.id, { name, description: "" });
    });
  }
}
