import { and, asc, count, eq, isNotNull, ne, sql } from "drizzle-orm";
import { areas, regions, routers, zones } from "../../db/schema";
import type { Tx } from "../../db/client";
import { pgCode } from "../../db/errors";

// An ISP's geography: region → area → zone (e.g. Nairobi → Kasarani → Mwiki). Routers belong to
// a zone; zones may sit outside any area until the ISP places them.
//
// Every query filters on tenant_id as well as relying on RLS: defence in depth, and it lets
// Postgres use the (tenant_id, ...) keys. The composite foreign keys (tenant_id, area_id) and
// (tenant_id, region_id) stop a row pointing into another tenant; the checks here exist to give
// a clear message first instead of a database error.

export type Zone = typeof zones.$inferSelect;
export type Region = typeof regions.$inferSelect;
export type Area = typeof areas.$inferSelect;

/** What the checked operations answer: a value, or why not (mapped to a TRPCError by the router). */
export type ZoneResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error?: string; fieldErrors?: Record<string, string[]> };

const ok = <T>(value: T): ZoneResult<T> => ({ ok: true, value });
const notFound = (what: "region" | "area" | "zone"): ZoneResult<never> => ({ ok: false, status: 404, error: `That ${what} does not exist.` });
const fieldError = (status: 400 | 409, field: string, message: string): ZoneResult<never> => ({ ok: false, status, fieldErrors: { [field]: [message] } });

/** "the zone" / "the 2 zones": for the delete guards. */
function theN(n: number, word: string) {
  return n === 1 ? `the ${word}` : `the ${n} ${word}s`;
}

/**
 * Runs one write; a unique violation (23505) or a foreign-key violation (23503) that slipped past
 * the checks (two people at once) becomes the given answer instead of a 500. The transaction is
 * then aborted, which is fine: the caller fails the request with this answer.
 */
async function guarded<T>(write: () => Promise<T>, onConflict: Partial<Record<"23505" | "23503", ZoneResult<never>>>): Promise<ZoneResult<T>> {
  try {
    return ok(await write());
  } catch (err) {
    const code = pgCode(err);
    if (code === "23505" && onConflict["23505"]) return onConflict["23505"];
    if (code === "23503" && onConflict["23503"]) return onConflict["23503"];
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Zones

export function listZones(tx: Tx, tenantId: string) {
  return tx.select().from(zones).where(eq(zones.tenantId, tenantId)).orderBy(asc(zones.name));
}

export async function getZone(tx: Tx, tenantId: string, id: string) {
  const [zone] = await tx.select().from(zones).where(and(eq(zones.tenantId, tenantId), eq(zones.id, id)));
  return zone ?? null;
}

/** Inserts a zone without checks (seed and test fixtures); the API goes through addZone. */
export async function createZone(tx: Tx, tenantId: string, input: { name: string; description: string; areaId?: string | null }) {
  const [zone] = await tx.insert(zones).values({ tenantId, ...input }).returning();
  return zone!;
}

async function zoneNameTaken(tx: Tx, tenantId: string, name: string, exceptId?: string) {
  const [row] = await tx
    .select({ name: zones.name, areaName: areas.name })
    .from(zones)
    .leftJoin(areas, and(eq(areas.tenantId, zones.tenantId), eq(areas.id, zones.areaId)))
    .where(and(eq(zones.tenantId, tenantId), eq(sql`lower(${zones.name})`, name.toLowerCase()), exceptId ? ne(zones.id, exceptId) : undefined));
  if (!row) return null;
  return fieldError(409, "name", `You already have a zone called “${row.name}”${row.areaName ? ` (in ${row.areaName})` : ""}. Zone names must be different.`);
}

const zoneDuplicate = (name: string) => fieldError(409, "name", `You already have a zone called “${name}”. Zone names must be different.`);
const unknownArea = fieldError(400, "areaId", "That area does not exist. Choose one from the list.");

/** A zone, optionally inside one of this ISP's areas. */
export async function addZone(tx: Tx, tenantId: string, input: { name: string; description: string; areaId?: string | null }): Promise<ZoneResult<Zone>> {
  if (input.areaId && !(await getArea(tx, tenantId, input.areaId))) return unknownArea;
  const taken = await zoneNameTaken(tx, tenantId, input.name);
  if (taken) return taken;
  return guarded(() => createZone(tx, tenantId, { ...input, areaId: input.areaId || null }), { "23505": zoneDuplicate(input.name), "23503": unknownArea });
}

/**
 * Renames, describes or moves a zone. areaId: undefined keeps the zone where it is, null (or "")
 * takes it out of its area, an id moves it into that area.
 */
export async function updateZone(
  tx: Tx,
  tenantId: string,
  id: string,
  input: { name: string; description: string; areaId?: string | null },
): Promise<ZoneResult<Zone>> {
  if (!(await getZone(tx, tenantId, id))) return notFound("zone");
  if (input.areaId && !(await getArea(tx, tenantId, input.areaId))) return unknownArea;
  const taken = await zoneNameTaken(tx, tenantId, input.name, id);
  if (taken) return taken;
  const { areaId, ...rest } = input;
  const set = areaId === undefined ? rest : { ...rest, areaId: areaId || null };
  const r = await guarded(
    () => tx.update(zones).set(set).where(and(eq(zones.tenantId, tenantId), eq(zones.id, id))).returning(),
    { "23505": zoneDuplicate(input.name), "23503": unknownArea },
  );
  if (!r.ok) return r;
  return r.value[0] ? ok(r.value[0]) : notFound("zone");
}

/** Deletes a zone that has no routers left in it. */
export async function deleteZone(tx: Tx, tenantId: string, id: string): Promise<ZoneResult<{ id: string; name: string }>> {
  const zone = await getZone(tx, tenantId, id);
  if (!zone) return notFound("zone");
  const [c] = await tx.select({ n: count() }).from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.zoneId, id)));
  const inUse = (n: number): ZoneResult<never> => ({ ok: false, status: 409, error: `Move or remove ${theN(n, "router")} in ${zone.name} first.` });
  if (c!.n > 0) return inUse(c!.n);
  const r = await guarded(() => tx.delete(zones).where(and(eq(zones.tenantId, tenantId), eq(zones.id, id))).returning({ id: zones.id }), { "23503": inUse(1) });
  if (!r.ok) return r;
  return r.value.length ? ok({ id, name: zone.name }) : notFound("zone");
}

// ---------------------------------------------------------------------------------------------
// Regions

export async function getRegion(tx: Tx, tenantId: string, id: string) {
  const [row] = await tx.select().from(regions).where(and(eq(regions.tenantId, tenantId), eq(regions.id, id)));
  return row ?? null;
}

async function regionNameTaken(tx: Tx, tenantId: string, name: string, exceptId?: string) {
  const [row] = await tx
    .select({ name: regions.name })
    .from(regions)
    .where(and(eq(regions.tenantId, tenantId), eq(sql`lower(${regions.name})`, name.toLowerCase()), exceptId ? ne(regions.id, exceptId) : undefined));
  return row ? regionDuplicate(row.name) : null;
}

const regionDuplicate = (name: string) => fieldError(409, "name", `You already have a region called “${name}”.`);

export async function createRegion(tx: Tx, tenantId: string, input: { name: string }): Promise<ZoneResult<Region>> {
  const taken = await regionNameTaken(tx, tenantId, input.name);
  if (taken) return taken;
  const r = await guarded(() => tx.insert(regions).values({ tenantId, name: input.name }).returning(), { "23505": regionDuplicate(input.name) });
  return r.ok ? ok(r.value[0]!) : r;
}

export async function renameRegion(tx: Tx, tenantId: string, id: string, input: { name: string }): Promise<ZoneResult<Region>> {
  if (!(await getRegion(tx, tenantId, id))) return notFound("region");
  const taken = await regionNameTaken(tx, tenantId, input.name, id);
  if (taken) return taken;
  const r = await guarded(
    () => tx.update(regions).set({ name: input.name }).where(and(eq(regions.tenantId, tenantId), eq(regions.id, id))).returning(),
    { "23505": regionDuplicate(input.name) },
  );
  if (!r.ok) return r;
  return r.value[0] ? ok(r.value[0]) : notFound("region");
}

/** Deletes a region that has no areas left in it. */
export async function deleteRegion(tx: Tx, tenantId: string, id: string): Promise<ZoneResult<{ id: string; name: string }>> {
  const region = await getRegion(tx, tenantId, id);
  if (!region) return notFound("region");
  const [c] = await tx.select({ n: count() }).from(areas).where(and(eq(areas.tenantId, tenantId), eq(areas.regionId, id)));
  const inUse = (n: number): ZoneResult<never> => ({ ok: false, status: 409, error: `Move or delete ${theN(n, "area")} in ${region.name} first.` });
  if (c!.n > 0) return inUse(c!.n);
  const r = await guarded(() => tx.delete(regions).where(and(eq(regions.tenantId, tenantId), eq(regions.id, id))).returning({ id: regions.id }), { "23503": inUse(1) });
  if (!r.ok) return r;
  return r.value.length ? ok({ id, name: region.name }) : notFound("region");
}

// ---------------------------------------------------------------------------------------------
// Areas

export async function getArea(tx: Tx, tenantId: string, id: string) {
  const [row] = await tx.select().from(areas).where(and(eq(areas.tenantId, tenantId), eq(areas.id, id)));
  return row ?? null;
}

async function areaNameTaken(tx: Tx, tenantId: string, region: Region, name: string, exceptId?: string) {
  const [row] = await tx
    .select({ name: areas.name })
    .from(areas)
    .where(
      and(
        eq(areas.tenantId, tenantId),
        eq(areas.regionId, region.id),
        eq(sql`lower(${areas.name})`, name.toLowerCase()),
        exceptId ? ne(areas.id, exceptId) : undefined,
      ),
    );
  return row ? areaDuplicate(region.name, row.name) : null;
}

const areaDuplicate = (regionName: string, name: string) => fieldError(409, "name", `${regionName} already has an area called “${name}”.`);
const unknownRegion = fieldError(400, "regionId", "That region does not exist. Choose one from the list.");

export async function createArea(tx: Tx, tenantId: string, input: { regionId: string; name: string }): Promise<ZoneResult<Area & { regionName: string }>> {
  const region = await getRegion(tx, tenantId, input.regionId);
  if (!region) return unknownRegion;
  const taken = await areaNameTaken(tx, tenantId, region, input.name);
  if (taken) return taken;
  const r = await guarded(() => tx.insert(areas).values({ tenantId, regionId: region.id, name: input.name }).returning(), {
    "23505": areaDuplicate(region.name, input.name),
    "23503": unknownRegion,
  });
  return r.ok ? ok({ ...r.value[0]!, regionName: region.name }) : r;
}

/** Renames an area and/or moves it (with its zones) to another region: regionId undefined keeps it. */
export async function updateArea(tx: Tx, tenantId: string, id: string, input: { name: string; regionId?: string }): Promise<ZoneResult<Area>> {
  const area = await getArea(tx, tenantId, id);
  if (!area) return notFound("area");
  const region = await getRegion(tx, tenantId, input.regionId ?? area.regionId);
  if (!region) return unknownRegion;
  const taken = await areaNameTaken(tx, tenantId, region, input.name, id);
  if (taken) return taken;
  const r = await guarded(
    () => tx.update(areas).set({ name: input.name, regionId: region.id }).where(and(eq(areas.tenantId, tenantId), eq(areas.id, id))).returning(),
    { "23505": areaDuplicate(region.name, input.name), "23503": unknownRegion },
  );
  if (!r.ok) return r;
  return r.value[0] ? ok(r.value[0]) : notFound("area");
}

/** Deletes an area that has no zones left in it. */
export async function deleteArea(tx: Tx, tenantId: string, id: string): Promise<ZoneResult<{ id: string; name: string }>> {
  const area = await getArea(tx, tenantId, id);
  if (!area) return notFound("area");
  const [c] = await tx.select({ n: count() }).from(zones).where(and(eq(zones.tenantId, tenantId), eq(zones.areaId, id)));
  const inUse = (n: number): ZoneResult<never> => ({ ok: false, status: 409, error: `Move or delete ${theN(n, "zone")} in ${area.name} first.` });
  if (c!.n > 0) return inUse(c!.n);
  const r = await guarded(() => tx.delete(areas).where(and(eq(areas.tenantId, tenantId), eq(areas.id, id))).returning({ id: areas.id }), { "23503": inUse(1) });
  if (!r.ok) return r;
  return r.value.length ? ok({ id, name: area.name }) : notFound("area");
}

// ---------------------------------------------------------------------------------------------
// The tree

export type TreeZone = { id: string; name: string; description: string; areaId: string | null; routerCount: number };
export type TreeArea = { id: string; name: string; regionId: string; zones: TreeZone[]; routerCount: number };
export type TreeRegion = { id: string; name: string; areas: TreeArea[]; zoneCount: number; routerCount: number };
export type ZoneTree = { regions: TreeRegion[]; unplaced: TreeZone[]; totals: { regions: number; areas: number; zones: number; routers: number } };

const byName = sql`lower(name)`;

/** Regions with their areas with their zones (and each zone's router count), plus zones in no area. */
export async function zoneTree(tx: Tx, tenantId: string): Promise<ZoneTree> {
  // One after the other: a transaction is one connection, and pg@9 refuses overlapping queries.
  const regionRows = await tx.select({ id: regions.id, name: regions.name }).from(regions).where(eq(regions.tenantId, tenantId)).orderBy(byName, asc(regions.id));
  const areaRows = await tx
    .select({ id: areas.id, name: areas.name, regionId: areas.regionId })
    .from(areas)
    .where(eq(areas.tenantId, tenantId))
    .orderBy(byName, asc(areas.id));
  const zoneRows = await tx
    .select({ id: zones.id, name: zones.name, description: zones.description, areaId: zones.areaId })
    .from(zones)
    .where(eq(zones.tenantId, tenantId))
    .orderBy(byName, asc(zones.id));
  const counts = await tx
    .select({ zoneId: routers.zoneId, n: count() })
    .from(routers)
    .where(and(eq(routers.tenantId, tenantId), isNotNull(routers.zoneId)))
    .groupBy(routers.zoneId);
  const routersIn = new Map(counts.map((c) => [c.zoneId!, c.n]));
  const zonesIn = new Map<string | null, TreeZone[]>();
  for (const z of zoneRows) {
    const list = zonesIn.get(z.areaId) ?? [];
    list.push({ ...z, routerCount: routersIn.get(z.id) ?? 0 });
    zonesIn.set(z.areaId, list);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const areasIn = new Map<string, TreeArea[]>();
  for (const a of areaRows) {
    const zs = zonesIn.get(a.id) ?? [];
    const list = areasIn.get(a.regionId) ?? [];
    list.push({ ...a, zones: zs, routerCount: sum(zs.map((z) => z.routerCount)) });
    areasIn.set(a.regionId, list);
  }
  const tree = regionRows.map((r) => {
    const as = areasIn.get(r.id) ?? [];
    return { ...r, areas: as, zoneCount: sum(as.map((a) => a.zones.length)), routerCount: sum(as.map((a) => a.routerCount)) };
  });
  return {
    regions: tree,
    unplaced: zonesIn.get(null) ?? [],
    totals: { regions: regionRows.length, areas: areaRows.length, zones: zoneRows.length, routers: sum([...routersIn.values()]) },
  };
}

