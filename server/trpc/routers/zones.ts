import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, ispProcedure } from "../init";
import * as zones from "../../services/zones";

export const zoneInput = z.object({
  name: z.string().trim().min(2, "Give the zone a name of at least 2 characters.").max(60, "Keep the name under 60 characters."),
  description: z.string().trim().max(500, "Keep the description under 500 characters.").default(""),
});

const byId = z.object({ id: z.uuid("Not a valid zone id.") });

function notFound(): never {
  throw new TRPCError({ code: "NOT_FOUND", message: "That zone does not exist." });
}

function isUniqueViolation(err: unknown) {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

async function mapUnique<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isUniqueViolation(err)) throw new TRPCError({ code: "CONFLICT", message: "A zone with that name already exists." });
    throw err;
  }
}

export const zonesRouter = createTRPCRouter({
  list: ispProcedure("zones.view").query(({ ctx }) => zones.listZones(ctx.tx, ctx.tenant.id)),
  byId: ispProcedure("zones.view").input(byId).query(async ({ ctx, input }) => (await zones.getZone(ctx.tx, ctx.tenant.id, input.id)) ?? notFound()),
  create: ispProcedure("zones.manage").input(zoneInput).mutation(({ ctx, input }) => mapUnique(zones.createZone(ctx.tx, ctx.tenant.id, input))),
  update: ispProcedure("zones.manage")
    .input(byId.extend(zoneInput.shape))
    .mutation(async ({ ctx, input: { id, ...data } }) => (await mapUnique(zones.updateZone(ctx.tx, ctx.tenant.id, id, data))) ?? notFound()),
  delete: ispProcedure("zones.manage").input(byId).mutation(async ({ ctx, input }) => {
    if (!(await zones.deleteZone(ctx.tx, ctx.tenant.id, input.id))) notFound();
    return { ok: true as const };
  }),
});
