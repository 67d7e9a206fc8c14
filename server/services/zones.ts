import { and, asc, eq } from "drizzle-orm";
import { zones } from "../../db/schema";
import type { Tx } from "../../db/client";

// Zone queries filter on tenant_id as well as relying on RLS: defence in depth, and it lets
// Postgres use the (tenant_id, ...) keys.

export function listZones(tx: Tx, tenantId: string) {
  return tx.select().from(zones).where(eq(zones.tenantId, tenantId)).orderBy(asc(zones.name));
}

export async function getZone(tx: Tx, tenantId: string, id: string) {
  const [zone] = await tx.select().from(zones).where(and(eq(zones.tenantId, tenantId), eq(zones.id, id)));
  return zone ?? null;
}

export async function createZone(tx: Tx, tenantId: string, input: { name: string; description: string }) {
  const [zone] = await tx.insert(zones).values({ tenantId, ...input }).returning();
  return zone!;
}

export async function updateZone(tx: Tx, tenantId: string, id: string, input: { name: string; description: string }) {
  const [zone] = await tx.update(zones).set(input).where(and(eq(zones.tenantId, tenantId), eq(zones.id, id))).returning();
  return zone ?? null;
}

export async function deleteZone(tx: Tx, tenantId: string, id: string) {
  const rows = await tx.delete(zones).where(and(eq(zones.tenantId, tenantId), eq(zones.id, id))).returning({ id: zones.id });
  return rows.length > 0;
}
