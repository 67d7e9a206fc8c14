import { type RouteConfig, index, layout, route } from "@react-router/dev/routes";

// One app, told apart by host (server/services/hosts.ts): the public site, the platform
// console on admin.*, and each ISP on {slug}.*. Routes check the host they belong to.
export default [
  index("routes/home.tsx"),
  // Public site
  route("register", "routes/register.tsx"),
  route("register/check", "routes/register.check.ts"),
  route("dev/inbox", "routes/dev.inbox.tsx"),
  // Captive portal (ISP hosts): where the router's login.html sends every device
  route("hotspotportal", "routes/hotspotportal.tsx"),
  route("hotspotportal/purchase/:id", "routes/hotspotportal.purchase.tsx"),
  // Sign-in (ISP and console hosts)
  route("login", "routes/login.tsx"),
  route("login/2fa", "routes/login.2fa.tsx"),
  route("logout", "routes/logout.tsx"),
  route("session/keepalive", "routes/session.keepalive.ts"),
  route("verify-email", "routes/verify-email.tsx"),
  route("forgot-password", "routes/forgot-password.tsx"),
  route("reset-password", "routes/reset-password.tsx"),
  route("accept-invite", "routes/accept-invite.tsx"),
  // Impersonation hand-over and exit (ISP hosts; server/services/impersonation.ts)
  route("impersonate", "routes/impersonate.tsx"),
  route("impersonate/exit", "routes/impersonate.exit.tsx"),
  // ISP dashboard
  route("dashboard", "routes/dashboard.tsx", [
    index("routes/dashboard._index.tsx"),
    route("locked", "routes/dashboard.locked.tsx"),
    route("zones", "routes/dashboard.zones.tsx"),
    route("staff", "routes/dashboard.staff.tsx"),
    route("activity", "routes/dashboard.activity.tsx"),
    route("account", "routes/dashboard.account.tsx"),
    route("payments", "routes/dashboard.payments.tsx"),
    route("payments/exceptions", "routes/dashboard.payments.exceptions.tsx"),
    route("payments/:id", "routes/dashboard.payments.detail.tsx"),
    route("settings/mpesa", "routes/dashboard.settings.mpesa.tsx"),
    route("routers", "routes/dashboard.routers.tsx"),
    route("routers/:id", "routes/dashboard.routers.detail.tsx"),
    route("routers/:id/setup", "routes/dashboard.routers.setup.tsx"),
    route("messaging", "routes/dashboard.messaging.tsx", [
      index("routes/dashboard.messaging._index.tsx"),
      route("notifications", "routes/dashboard.messaging.notifications.tsx"),
      route("broadcasts", "routes/dashboard.messaging.broadcasts.tsx"),
      route("broadcasts/:id", "routes/dashboard.messaging.broadcast.tsx"),
      route(":channel", "routes/dashboard.messaging.channel.tsx"),
    ]),
    route("tickets", "routes/dashboard.tickets.tsx"),
    route("billing", "routes/dashboard.billing.tsx"),
    route("support", "routes/dashboard.support.tsx"),
    route("hotspot", "routes/dashboard.hotspot.tsx", [
      index("routes/dashboard.hotspot._index.tsx"),
      route("plans", "routes/dashboard.hotspot.plans.tsx"),
      route("settings", "routes/dashboard.hotspot.settings.tsx"),
      route("branding", "routes/dashboard.hotspot.branding.tsx"),
      route("vouchers", "routes/dashboard.hotspot.vouchers.tsx"),
      route("vouchers/:id", "routes/dashboard.hotspot.voucher.tsx"),
    ]),
  ]),
  route("dashboard/payments/export", "routes/dashboard.payments.export.ts"),
  route("dashboard/activity/export", "routes/dashboard.activity.export.ts"),
  route("dashboard/routers/:id/login.html", "routes/dashboard.routers.login-html.ts"),
  route("dashboard/messaging/:channel/export", "routes/dashboard.messaging.export.ts"),
  route("dashboard/hotspot/vouchers/export", "routes/dashboard.hotspot.vouchers.export.ts"),
  route("dashboard/hotspot/batches/:id/cards", "routes/dashboard.hotspot.cards.tsx"),
  route("dashboard/billing/:kind/:id/pdf", "routes/dashboard.billing.document.ts"),
  route("analytics/export", "routes/console.analytics.export.ts"),
  // Platform console (admin host): analytics, ISPs, SaaS billing, support inbox, the platform's audit trail
  layout("routes/console.tsx", [
    route("analytics", "routes/console.analytics.tsx"),
    route("billing", "routes/console.billing.tsx"),
    route("tenants", "routes/console.tenants.tsx"),
    route("tenants/:id", "routes/console.tenant.tsx"),
    route("support", "routes/console.support.tsx"),
    route("support/:tenantId", "routes/console.support.thread.tsx"),
    route("audit", "routes/console.audit.tsx"),
    route("admins", "routes/console.admins.tsx"),
    route("settings", "routes/console.settings.tsx"),
    route("account", "routes/console.account.tsx"),
  ]),
  route("api/trpc/*", "routes/api.trpc.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
