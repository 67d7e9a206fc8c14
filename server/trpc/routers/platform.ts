import { asc } from "drizzle-orm";
import { tenants } from "../../../db/schema";
import { createTRPCRouter, platformPermissionProcedure } from "../init";

export const platformRouter = createTRPCRouter({
  tenants: platformPermissionProcedure("tenants.view").query(({ ctx }) => ctx.tx.select().from(tenants).orderBy(asc(tenants.createdAt))),
});
