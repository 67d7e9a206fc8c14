import { createTRPCRouter, createCallerFactory } from "./init";
import { meRouter } from "./routers/me";
import { zonesRouter } from "./routers/zones";
import { activityRouter } from "./routers/activity";
import { platformRouter } from "./routers/platform";
import { registrationRouter } from "./routers/registration";
import { accountRouter } from "./routers/account";
import { staffRouter } from "./routers/staff";
import { paymentsRouter } from "./routers/payments";
import { routersRouter } from "./routers/routers";
import { messagingRouter } from "./routers/messaging";
import { vouchersRouter } from "./routers/vouchers";
import { routerSetupRouter } from "./routers/router-setup";
import { hotspotPlansRouter } from "./routers/hotspot-plans";
import { billingRouter } from "./routers/billing";
import { platformBillingRouter } from "./routers/platform-billing";
import { platformAnalyticsRouter } from "./routers/platform-analytics";
import { hotspotBrandingRouter } from "./routers/hotspot-branding";
import { consoleRouter } from "./routers/console";
import { supportRouter } from "./routers/support";
import { platformAdminsRouter } from "./routers/platform-admins";
import { platformSettingsRouter } from "./routers/platform-settings";
import { consoleAccountRouter } from "./routers/console-account";
import { resolveViewer, type AppContext } from "../context";
import type { TrpcContext } from "./init";

export const appRouter = createTRPCRouter({
  me: meRouter,
  zones: zonesRouter,
  activity: activityRouter,
  platform: platformRouter,
  registration: registrationRouter,
  account: accountRouter,
  staff: staffRouter,
  payments: paymentsRouter,
  routers: routersRouter,
  messaging: messagingRouter,
  vouchers: vouchersRouter,
  routerSetup: routerSetupRouter,
  hotspotPlans: hotspotPlansRouter,
  billing: billingRouter,
  platformBilling: platformBillingRouter,
  platformAnalytics: platformAnalyticsRouter,
  hotspotBranding: hotspotBrandingRouter,
  console: consoleRouter,
  support: supportRouter,
  platformAdmins: platformAdminsRouter,
  platformSettings: platformSettingsRouter,
  consoleAccount: consoleAccountRouter,
});
export type AppRouter = typeof appRouter;

export async function createTrpcContext(app: AppContext, request: Request): Promise<TrpcContext> {
  return { ...app, request, viewer: await resolveViewer(app, request) };
}

const createCaller = createCallerFactory(appRouter);

/** For loaders and actions: the same procedures, in-process, with the request's context. */
export async function getCaller(app: AppContext, request: Request) {
  return createCaller(await createTrpcContext(app, request));
}
