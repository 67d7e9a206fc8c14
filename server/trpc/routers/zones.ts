import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, ispProcedure, fail } from "../init";
import * as zones from "../../services/zones";

// The ISP's geography, region → area → zone. Seeing it needs "zones.view", changing any level
// of it "zones.manage" (policies/permissions.ts).

const name = (what: string) =>
  z
    .string({ error: `Give the ${what} a name.` })
    .trim()
    .min(2, `Give the ${what} a name of at least 2 characters.`)
    .max(60, "Keep the name under 60 characters.");

/** An optional area: "" or null means "not in an area". */
const optionalAreaId = z.union([z.uuid("That area does not exist. Choose one from the list."), z.literal(""), z.null()], {
  error: "That area does not exist. Choose one from the list.",
});

export const zoneInput = z.object({
  name: name("zone"),
  description: z.string().trim().max(500, "Keep the description under 500 characters.").default(""),
  areaId: optionalAreaId.optional(),
});

const regionInput = z.object({ name: name("region") });
const regionId = z.uuid({ error: "Choose a region from the list." });
const areaInput = z.object({ regionId, name: name("area") });

const idOf = (what: string) => z.object({ id: z.uuid(`Not a valid ${what} id.`) });
const byId = idOf("zone");
const regionById = idOf("region");
const areaById = idOf("area");

function notFound(): never {
  throw new TRPCError({ code: "NOT_FOUND", message: "That zone does not exist." });
}

function unwrap<T>(r: zones.ZoneResult<T>): T {
  if (!r.ok) fail(r);
  return r.value;
}

export const zonesRouter = createTRPCRouter({
  list: ispProcedure("zones.view").query(({ ctx }) => zones.listZones(ctx.tx, ctx.tenant.id)),
  byId: ispProcedure("zones.view").input(byId).query(async ({ ctx, input }) => (await zones.getZone(ctx.tx, ctx.tenant.id, input.id)) ?? notFound()),
  /** Regions → areas → zones (with router counts), and the zones not placed in an area yet. */
  tree: ispProcedure("zones.view").query(({ ctx }) => zones.zoneTree(ctx.tx, ctx.tenant.id)),

  create: ispProcedure("zones.manage")
    .input(zoneInput)
    .mutation(async ({ ctx, input }) => unwrap(await zones.addZone(ctx.tx, ctx.tenant.id, input))),
  /** Renames, describes or moves a zone; leave areaId out to keep its area, "" or null to take it out. */
  update: ispProcedure("zones.manage")
    .input(byId.extend(zoneInput.shape))
    .mutation(async ({ ctx, input: { id, ...data } }) => unwrap(await zones.updateZone(ctx.tx, ctx.tenant.id, id, data))),
  /** Refused while routers are still in the zone. */
  delete: ispProcedure("zones.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const deleted = unwrap(await zones.deleteZone(ctx.tx, ctx.tenant.id, input.id));
      return { ok: true as const, name: deleted.name };
    }),

  regions: createTRPCRouter({
    create: ispProcedure("zones.manage")
      .input(regionInput)
      .mutation(async ({ ctx, input }) => unwrap(await zones.createRegion(ctx.tx, ctx.tenant.id, input))),
    rename: ispProcedure("zones.manage")
      .input(regionById.extend(regionInput.shape))
      .mutation(async ({ ctx, input: { id, ...data } }) => unwrap(await zones.renameRegion(ctx.tx, ctx.tenant.id, id, data))),
    /** Refused while the region still has areas. */
    delete: ispProcedure("zones.manage")
      .input(regionById)
      .mutation(async ({ ctx, input }) => unwrap(await zones.deleteRegion(ctx.tx, ctx.tenant.id, input.id))),
  }),

  areas: createTRPCRouter({
    create: ispProcedure("zones.manage")
      .input(areaInput)
      .mutation(async ({ ctx, input }) => unwrap(await zones.createArea(ctx.tx, ctx.tenant.id, input))),
    /** Renames an area; with regionId, also moves it (and its zones) to that region. */
    update: ispProcedure("zones.manage")
      .input(areaById.extend({ name: name("area"), regionId: regionId.optional() }))
      .mutation(async ({ ctx, input: { id, ...data } }) => unwrap(await zones.updateArea(ctx.tx, ctx.tenant.id, id, data))),
    /** Refused while zones are still in the area. */
    delete: ispProcedure("zones.manage")
      .input(areaById)
      .mutation(async ({ ctx, input }) => unwrap(await zones.deleteArea(ctx.tx, ctx.tenant.id, input.id))),
  }),
});
