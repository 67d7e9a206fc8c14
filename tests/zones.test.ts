import { describe, it, expect, beforeAll } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, requestWithSession, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant } from "../db/client";
import { areas, auditEvents, regions, routers, zones } from "../db/schema";
import { appRouter, createTrpcContext, getCaller } from "../server/trpc/root";
import { refusal } from "./helpers/trpc";
import type { Site } from "../server/services/hosts";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;

const site = (f: TenantFixture): Site => ({ kind: "tenant", tenant: f.tenant });
const host = (f: TenantFixture) => `${f.tenant.slug}.mnetifi.test`;
const caller = (f: TenantFixture, token = f.token) => getCaller(appContext(t.db, site(f)), requestWithSession(host(f), token));

/** A call over tRPC's HTTP handler, as a browser or script would make it. */
async function http(f: TenantFixture, path: string, input: unknown) {
  const req = requestWithSession(host(f), f.token, `/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTrpcContext(appContext(t.db, site(f)), req) });
  return { status: res.status, body: await res.json() };
}

/** The refusal a call ends in: its code, message and field errors (from zod or from the service). */

async function addRouter(f: TenantFixture, name: string, zoneId: string | null) {
  const [r] = await withTenant(t.db, f.tenant.id, null, (tx) =>
    tx.insert(routers).values({ tenantId: f.tenant.id, name, host: "10.0.0.1", username: "api", passwordEnc: testSecrets.encrypt("x"), zoneId }).returning(),
  );
  return r!;
}

/** A's geography, built through the API in the first test and used by the rest. */
const ids = {} as Record<"nairobi" | "kiambu" | "kasarani" | "roysambu" | "ruiru" | "mwiki" | "clayCity" | "zimmerman", string>;

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-zones-a");
  B = await createTenantFixture(t.db, "isp-zones-b");
});

describe("the hierarchy through the API", () => {
  it("creates regions, areas in them and zones in the areas, and reads them back as a tree with router counts", async () => {
    const a = await caller(A);
    ids.nairobi = (await a.zones.regions.create({ name: "  Nairobi " })).id;
    ids.kiambu = (await a.zones.regions.create({ name: "Kiambu" })).id;
    const kasarani = await a.zones.areas.create({ regionId: ids.nairobi, name: "Kasarani" });
    expect(kasarani).toMatchObject({ name: "Kasarani", regionId: ids.nairobi, regionName: "Nairobi", tenantId: A.tenant.id });
    ids.kasarani = kasarani.id;
    ids.roysambu = (await a.zones.areas.create({ regionId: ids.nairobi, name: "Roysambu" })).id;
    ids.ruiru = (await a.zones.areas.create({ regionId: ids.kiambu, name: "Ruiru" })).id;
    ids.mwiki = (await a.zones.create({ name: "Mwiki", description: "Near the market", areaId: ids.kasarani })).id;
    ids.clayCity = (await a.zones.create({ name: "Clay City", areaId: ids.kasarani })).id;
    ids.zimmerman = (await a.zones.create({ name: "Zimmerman", areaId: ids.roysambu })).id;
    await addRouter(A, "Mwiki mast", ids.mwiki);
    await addRouter(A, "Mwiki rooftop", ids.mwiki);
    await addRouter(A, "Zimmerman hAP", ids.zimmerman);

    const tree = await a.zones.tree();
    expect(tree.totals).toEqual({ regions: 2, areas: 3, zones: 4, routers: 3 });
    // Sorted by name at every level; the fixture's zone is in no area yet.
    expect(tree.regions.map((r) => [r.name, r.areas.map((x) => [x.name, x.zones.map((z) => `${z.name}:${z.routerCount}`)])])).toEqual([
      ["Kiambu", [["Ruiru", []]]],
      ["Nairobi", [["Kasarani", ["Clay City:0", "Mwiki:2"]], ["Roysambu", ["Zimmerman:1"]]]],
    ]);
    const nairobi = tree.regions.find((r) => r.id === ids.nairobi)!;
    expect(nairobi).toMatchObject({ zoneCount: 3, routerCount: 3 });
    expect(nairobi.areas[0]).toMatchObject({ routerCount: 2 });
    expect(tree.unplaced).toEqual([{ id: A.zone.id, name: A.zone.name, description: "", areaId: null, routerCount: 0 }]);
  });

  it("moves a zone between areas, out of any area and back; an update without areaId keeps its area", async () => {
    const a = await caller(A);
    await a.zones.update({ id: ids.mwiki, name: "Mwiki", description: "Near the market", areaId: ids.roysambu });
    let tree = await a.zones.tree();
    const areaOf = (zoneId: string) => tree.regions.flatMap((r) => r.areas).find((x) => x.zones.some((z) => z.id === zoneId))?.name ?? null;
    expect(areaOf(ids.mwiki)).toBe("Roysambu");
    expect(tree.regions.find((r) => r.id === ids.nairobi)!.areas.map((x) => x.routerCount)).toEqual([0, 3]);

    await a.zones.update({ id: ids.mwiki, name: "Mwiki", description: "", areaId: "" });
    tree = await a.zones.tree();
    expect(areaOf(ids.mwiki)).toBeNull();
    expect(tree.unplaced.map((z) => z.name)).toContain("Mwiki");

    await a.zones.update({ id: ids.mwiki, name: "Mwiki", description: "", areaId: ids.kasarani });
    await a.zones.update({ id: ids.mwiki, name: "Mwiki", description: "Renamed nothing, kept the area" });
    tree = await a.zones.tree();
    expect(areaOf(ids.mwiki)).toBe("Kasarani");
  });

  it("renames regions and areas, and moves an area (with its zones) to another region", async () => {
    const a = await caller(A);
    expect(await a.zones.regions.rename({ id: ids.kiambu, name: "Kiambu County" })).toMatchObject({ name: "Kiambu County" });
    expect(await a.zones.regions.rename({ id: ids.kiambu, name: "Kiambu" })).toMatchObject({ name: "Kiambu" });
    // Renaming to its own name in other letters is not a duplicate of itself.
    expect(await a.zones.areas.update({ id: ids.ruiru, name: "RUIRU" })).toMatchObject({ name: "RUIRU", regionId: ids.kiambu });
    await a.zones.areas.update({ id: ids.ruiru, name: "Ruiru", regionId: ids.nairobi });
    expect((await a.zones.tree()).regions.find((r) => r.id === ids.nairobi)!.areas.map((x) => x.name)).toEqual(["Kasarani", "Roysambu", "Ruiru"]);
    await a.zones.areas.update({ id: ids.ruiru, name: "Ruiru", regionId: ids.kiambu });
  });

  it("lets staff and technicians read the tree but not change it", async () => {
    const staff = await addUser(t.db, A, "staff", "wanjiku-staff");
    const tech = await addUser(t.db, A, "technician", "kamau-tech");
    for (const token of [staff.token, tech.token]) {
      const c = await caller(A, token);
      expect((await c.zones.tree()).totals.regions).toBe(2);
      expect(await refusal(c.zones.regions.create({ name: "Mombasa" }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await refusal(c.zones.areas.delete({ id: ids.ruiru }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await refusal(c.zones.update({ id: ids.mwiki, name: "Mwiki", areaId: ids.roysambu }))).toMatchObject({ code: "FORBIDDEN" });
    }
  });
});

describe("delete guards", () => {
  it("refuses to delete a region with areas, an area with zones and a zone with routers, saying what to do", async () => {
    const a = await caller(A);
    expect(await refusal(a.zones.regions.delete({ id: ids.nairobi }))).toEqual({ code: "CONFLICT", message: "Move or delete the 2 areas in Nairobi first.", fieldErrors: {} });
    expect(await refusal(a.zones.regions.delete({ id: ids.kiambu }))).toMatchObject({ code: "CONFLICT", message: "Move or delete the area in Kiambu first." });
    expect(await refusal(a.zones.areas.delete({ id: ids.kasarani }))).toMatchObject({ code: "CONFLICT", message: "Move or delete the 2 zones in Kasarani first." });
    expect(await refusal(a.zones.delete({ id: ids.mwiki }))).toMatchObject({ code: "CONFLICT", message: "Move or remove the 2 routers in Mwiki first." });
    // Over HTTP it is a 409 with the message, not a 500.
    const res = await http(A, "zones.areas.delete", { id: ids.roysambu });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe("Move or delete the zone in Roysambu first.");
    // Nothing was deleted.
    const tree = await a.zones.tree();
    expect(tree.totals).toMatchObject({ regions: 2, areas: 3, zones: 4 });
  });

  it("deletes once emptied", async () => {
    const a = await caller(A);
    const region = await a.zones.regions.create({ name: "Mombasa" });
    const area = await a.zones.areas.create({ regionId: region.id, name: "Nyali" });
    const zone = await a.zones.create({ name: "Nyali Centre", areaId: area.id });
    const router = await addRouter(A, "Nyali tower", zone.id);
    expect(await refusal(a.zones.delete({ id: zone.id }))).toMatchObject({ message: "Move or remove the router in Nyali Centre first." });
    await withTenant(t.db, A.tenant.id, null, (tx) => tx.update(routers).set({ zoneId: null }).where(and(eq(routers.tenantId, A.tenant.id), eq(routers.id, router.id))));
    expect(await a.zones.delete({ id: zone.id })).toEqual({ ok: true, name: "Nyali Centre" });
    expect(await a.zones.areas.delete({ id: area.id })).toEqual({ id: area.id, name: "Nyali" });
    expect(await a.zones.regions.delete({ id: region.id })).toEqual({ id: region.id, name: "Mombasa" });
    expect(await refusal(a.zones.regions.delete({ id: region.id }))).toMatchObject({ code: "NOT_FOUND", message: "That region does not exist." });
  });
});

describe("names and input", () => {
  it("a duplicate region name (any letter case) is a field error, not a 500", async () => {
    const a = await caller(A);
    expect(await refusal(a.zones.regions.create({ name: "NAIROBI" }))).toEqual({
      code: "CONFLICT",
      message: "You already have a region called “Nairobi”.",
      fieldErrors: { name: ["You already have a region called “Nairobi”."] },
    });
    expect(await refusal(a.zones.regions.rename({ id: ids.kiambu, name: "nairobi" }))).toMatchObject({ code: "CONFLICT", fieldErrors: { name: ["You already have a region called “Nairobi”."] } });
    const res = await http(A, "zones.regions.create", { name: "nairobi" });
    expect(res.status).toBe(409);
    expect(res.body.error.data.fieldErrors).toEqual({ name: ["You already have a region called “Nairobi”."] });
  });

  it("area names are unique within a region only", async () => {
    const a = await caller(A);
    expect(await refusal(a.zones.areas.create({ regionId: ids.nairobi, name: "kasarani" }))).toMatchObject({ code: "CONFLICT", fieldErrors: { name: ["Nairobi already has an area called “Kasarani”."] } });
    expect(await refusal(a.zones.areas.update({ id: ids.roysambu, name: "KASARANI" }))).toMatchObject({ code: "CONFLICT", fieldErrors: { name: ["Nairobi already has an area called “Kasarani”."] } });
    // Moving Ruiru into Nairobi next to another "Ruiru" is the same clash.
    const other = await a.zones.areas.create({ regionId: ids.nairobi, name: "Ruiru" });
    expect(await refusal(a.zones.areas.update({ id: ids.ruiru, name: "Ruiru", regionId: ids.nairobi }))).toMatchObject({ code: "CONFLICT", fieldErrors: { name: ["Nairobi already has an area called “Ruiru”."] } });
    await a.zones.areas.delete({ id: other.id });
    // The same name in another region is fine.
    const kiambuKasarani = await a.zones.areas.create({ regionId: ids.kiambu, name: "Kasarani" });
    await a.zones.areas.delete({ id: kiambuKasarani.id });
  });

  it("a duplicate zone name is a field error that says where the other one is", async () => {
    const a = await caller(A);
    expect(await refusal(a.zones.create({ name: "mwiki", areaId: ids.roysambu }))).toMatchObject({
      code: "CONFLICT",
      fieldErrors: { name: ["You already have a zone called “Mwiki” (in Kasarani). Zone names must be different."] },
    });
    expect(await refusal(a.zones.update({ id: ids.clayCity, name: "Zimmerman" }))).toMatchObject({ code: "CONFLICT", fieldErrors: { name: [expect.stringContaining("“Zimmerman” (in Roysambu)")] } });
  });

  it("bad input gets plain-language field errors", async () => {
    const a = await caller(A);
    expect(await refusal(a.zones.regions.create({ name: " N " }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { name: ["Give the region a name of at least 2 characters."] } });
    expect(await refusal(a.zones.areas.create({ regionId: "", name: "Kahawa" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { regionId: ["Choose a region from the list."] } });
    expect(await refusal(a.zones.areas.create({ regionId: ids.nairobi, name: "x".repeat(61) }))).toMatchObject({ fieldErrors: { name: ["Keep the name under 60 characters."] } });
    expect(await refusal(a.zones.create({ name: "Kahawa", areaId: "not-an-id" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { areaId: ["That area does not exist. Choose one from the list."] } });
    // A well-formed id that is not one of this ISP's areas.
    expect(await refusal(a.zones.create({ name: "Kahawa", areaId: "00000000-0000-4000-8000-000000000000" }))).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { areaId: ["That area does not exist. Choose one from the list."] },
    });
    expect(await refusal(a.zones.areas.create({ regionId: "00000000-0000-4000-8000-000000000000", name: "Kahawa" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { regionId: ["That region does not exist. Choose one from the list."] } });
  });
});

describe("tenant B against tenant A's geography", () => {
  it("cannot see A's regions, areas or zones in its tree", async () => {
    const b = await caller(B);
    await b.zones.regions.create({ name: "Nairobi" }); // the same name is fine in another ISP
    const tree = await b.zones.tree();
    const json = JSON.stringify(tree);
    for (const id of Object.values(ids)) expect(json).not.toContain(id);
    expect(tree.totals).toEqual({ regions: 1, areas: 0, zones: 1, routers: 0 });
    expect(tree.unplaced.map((z) => z.id)).toEqual([B.zone.id]);
  });

  it("cannot rename or delete A's regions and areas: 404, and A's rows are unchanged", async () => {
    const b = await caller(B);
    expect(await refusal(b.zones.regions.rename({ id: ids.nairobi, name: "Pwned" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(b.zones.regions.delete({ id: ids.kiambu }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(b.zones.areas.update({ id: ids.kasarani, name: "Pwned" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(b.zones.areas.delete({ id: ids.ruiru }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(b.zones.update({ id: ids.mwiki, name: "Pwned" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(b.zones.delete({ id: ids.clayCity }))).toMatchObject({ code: "NOT_FOUND" });
    const del = await http(B, "zones.regions.delete", { id: ids.kiambu });
    expect(del.status).toBe(404);
    const rows = await withTenant(t.db, A.tenant.id, null, async (tx) => ({
      regions: await tx.select({ name: regions.name }).from(regions).where(inArray(regions.id, [ids.nairobi, ids.kiambu])).orderBy(regions.name),
      areas: await tx.select({ name: areas.name }).from(areas).where(inArray(areas.id, [ids.kasarani, ids.ruiru])).orderBy(areas.name),
    }));
    expect(rows).toEqual({ regions: [{ name: "Kiambu" }, { name: "Nairobi" }], areas: [{ name: "Kasarani" }, { name: "Ruiru" }] });
  });

  it("cannot put its zone into A's area, nor its area into A's region", async () => {
    const b = await caller(B);
    const unknownArea = { code: "BAD_REQUEST", fieldErrors: { areaId: ["That area does not exist. Choose one from the list."] } };
    expect(await refusal(b.zones.create({ name: "Trojan", areaId: ids.kasarani }))).toMatchObject(unknownArea);
    expect(await refusal(b.zones.update({ id: B.zone.id, name: B.zone.name, areaId: ids.kasarani }))).toMatchObject(unknownArea);
    expect(await refusal(b.zones.areas.create({ regionId: ids.nairobi, name: "Trojan" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { regionId: ["That region does not exist. Choose one from the list."] } });
    const own = await b.zones.regions.create({ name: "Nakuru" });
    const ownArea = await b.zones.areas.create({ regionId: own.id, name: "Naivasha" });
    expect(await refusal(b.zones.areas.update({ id: ownArea.id, name: "Naivasha", regionId: ids.nairobi }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { regionId: [expect.any(String)] } });
    // The same over HTTP, sending A's tenant id for good measure.
    const res = await http(B, "zones.create", { name: "Trojan", areaId: ids.kasarani, tenantId: A.tenant.id });
    expect(res.status).toBe(400);
    // And under the API: the composite foreign key refuses it even as raw SQL in B's context.
    await expect(withTenant(t.db, B.tenant.id, null, (tx) => tx.update(zones).set({ areaId: ids.kasarani }).where(eq(zones.id, B.zone.id)))).rejects.toMatchObject({
      cause: { code: "23503" },
    });
    const inA = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(zones).where(eq(zones.areaId, ids.kasarani)));
    expect(inA.map((z) => z.name).sort()).toEqual(["Clay City", "Mwiki"]);
  });
});

describe("audit trail", () => {
  it("records who created, renamed and deleted regions and areas, and zones moving between areas", async () => {
    const a = await caller(A);
    const region = await a.zones.regions.create({ name: "Machakos" });
    const area = await a.zones.areas.create({ regionId: region.id, name: "Athi River" });
    await a.zones.areas.update({ id: area.id, name: "Mlolongo" });
    await a.zones.regions.rename({ id: region.id, name: "Machakos County" });
    await a.zones.update({ id: ids.clayCity, name: "Clay City", areaId: ids.roysambu });
    await a.zones.areas.delete({ id: area.id });
    await a.zones.regions.delete({ id: region.id });

    const events = await withTenant(t.db, A.tenant.id, null, (tx) =>
      tx.select().from(auditEvents).where(and(inArray(auditEvents.tableName, ["regions", "areas", "zones"]), inArray(auditEvents.rowId, [region.id, area.id, ids.clayCity]))).orderBy(auditEvents.id),
    );
    const trail = events.map((e) => [e.tableName, e.action, e.rowId === region.id ? "region" : e.rowId === area.id ? "area" : "zone"]);
    expect(trail).toEqual([
      ["zones", "INSERT", "zone"],
      ["regions", "INSERT", "region"],
      ["areas", "INSERT", "area"],
      ["areas", "UPDATE", "area"],
      ["regions", "UPDATE", "region"],
      ["zones", "UPDATE", "zone"],
      ["areas", "DELETE", "area"],
      ["regions", "DELETE", "region"],
    ]);
    for (const e of events.slice(1)) expect(e).toMatchObject({ tenantId: A.tenant.id, actorKind: "user", actorId: A.owner.id });
    expect(events[3]!.changes).toEqual({ name: { from: "Athi River", to: "Mlolongo" } });
    expect(events[4]!.changes).toEqual({ name: { from: "Machakos", to: "Machakos County" } });
    expect(events[5]!.changes).toEqual({ area_id: { from: ids.kasarani, to: ids.roysambu } });
    // The ISP reads it in its activity log.
    const activity = await a.activity.recent({ action: "areas", limit: 50 });
    expect(activity.filter((e) => e.rowId === area.id).map((e) => e.action)).toEqual(["DELETE", "UPDATE", "INSERT"]);
  });
});
