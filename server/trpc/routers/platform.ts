import { asc } from "drizzle-orm";
import { tenants } from "../../../db/schema";
import { createTRPCRouter, platformProcedure } from "../init";

export const platformRouter = createTRPCRouter({
  tenants: platformProcedure.query(({ ctx }) => ctx.tx.select().from(tenants).orderBy(asc(tenants.createdAt))),
});
