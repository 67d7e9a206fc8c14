// A purchase on the captive portal: "check your phone" while M-Pesa asks for the PIN (the page
// refreshes itself every 3 s, no JavaScript needed), then the code with the device logged in, or
// what went wrong in plain words with "Try again". The device context travels as ?ctx=.
import { data, isRouteErrorResponse, useLoaderData } from "react-router";
import type { Route } from "./+types/hotspotportal.purchase";
import type { DocumentHandle } from "../root";
import { PortalShell, PortalError, Icon, Notice } from "../components/portal-ui";
import { RouterLoginForm } from "../components/portal-login";
import { customerWords, deviceFrom, inPortal, NO_STORE, portalSite, purchaseRetry, safeBranding } from "../lib/portal.server";
import { portalPage, purchaseStatus } from "../../server/services/hotspot/portal";
import { phoneForDisplay } from "../lib/money";

export const handle: DocumentHandle = { bare: true };

const REFRESH_SECONDS = 3;

export function meta({ data }: Route.MetaArgs) {
  const title = { title: data ? `${data.words.title} · ${data.brand.businessName}` : "Wi-Fi" };
  return data?.state === "waiting" ? [title, { httpEquiv: "refresh", content: String(REFRESH_SECONDS) }, { name: "robots", content: "noindex" }] : [title, { name: "robots", content: "noindex" }];
}

export function headers() {
  return NO_STORE;
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  const site = portalSite(context);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(params.id)) throw data(null, { status: 404 });
  const ctx = new URL(request.url).searchParams.get("ctx");
  const device = deviceFrom(ctx, site.app.env);
  const found = await inPortal(site, async (tx) => {
    const status = await purchaseStatus(tx, site.tenantId, params.id);
    if (!status) return null;
    const page = await portalPage(tx, site.tenantId);
    const retry = status.state === "paid" || status.state === "waiting" || status.state === "unfulfilled" ? null : await purchaseRetry(tx, site.tenantId, params.id);
    return { status, branding: page.branding, retry: retry && page.plans.some((p) => p.id === retry.planId) ? retry : null };
  });
  if (!found) throw data(null, { status: 404 });
  const { status, branding, retry } = found;
  return {
    brand: safeBranding(branding),
    ctx,
    state: status.state,
    words: customerWords(status.state, status.message),
    phone: phoneForDisplay(status.phone),
    plan: status.plan,
    // The code only once paid (the purchase's id is the customer's own, unguessable link).
    code: status.state === "paid" ? (status.voucher?.code ?? null) : null,
    expiresText: status.state === "paid" ? (status.voucher?.expiresText ?? null) : null,
    // The router's login URL as stored with the purchase; where to go after, from the device context.
    linkLoginOnly: status.linkLoginOnly ?? device?.linkLoginOnly ?? "",
    dst: device?.linkOrig ?? "",
    retry,
  };
}

export default function Purchase() {
  const d = useLoaderData<typeof loader>();
  const portal = (tab?: string) => {
    const q = new URLSearchParams();
    if (d.ctx) q.set("ctx", d.ctx);
    if (tab) q.set("tab", tab);
    const s = q.toString();
    return s ? `/hotspotportal?${s}` : "/hotspotportal";
  };
  const amount = d.plan ? `KES ${d.plan.shillings}` : "";

  if (d.state === "waiting") {
    return (
      <PortalShell brand={d.brand}>
        <div className="cd cn" aria-live="polite">
          <div className="sp" role="img" aria-label="Waiting for M-Pesa" />
          <h2>{d.words.title}</h2>
          <p>
            We sent an M-Pesa request{amount ? ` for ${amount}` : ""}
            {d.plan ? ` (${d.plan.name})` : ""} to <b>{d.phone}</b>.
          </p>
          <p className="mu">{d.words.text} This page updates by itself.</p>
          <a className="bt b2" href="">
            Refresh
          </a>
        </div>
        <p className="cn sm mu">
          No prompt on your phone? Wait a few seconds. If it still does not come, <a href={portal()}>start again</a>.
        </p>
      </PortalShell>
    );
  }

  if (d.state === "paid" && d.code) {
    return (
      <PortalShell brand={d.brand}>
        <div className="cd cn">
          <div className="ic ok">{Icon.check()}</div>
          <h2>Paid. You are connected!</h2>
          <p className="mu">Your Wi-Fi code{d.plan ? ` for ${d.plan.name}` : ""}:</p>
          <span className="code" data-code>
            {d.code}
          </span>
          {d.expiresText ? <p className="mu">Valid until {d.expiresText}.</p> : null}
          {d.linkLoginOnly ? (
            <RouterLoginForm action={d.linkLoginOnly} code={d.code} dst={d.dst} />
          ) : d.dst ? (
            <a className="bt" href={d.dst}>
              Continue to the internet
            </a>
          ) : null}
          <p className="sm mu">We also sent the code by SMS to {d.phone}. Keep it to connect again.</p>
        </div>
      </PortalShell>
    );
  }

  const tone = d.state === "unfulfilled" ? "wa" : d.state === "timeout" ? "wa" : "er";
  return (
    <PortalShell brand={d.brand}>
      <div className="cd cn" role="alert">
        <div className={`ic ${tone}`}>{d.state === "timeout" || d.state === "unfulfilled" ? Icon.clock() : Icon.cross()}</div>
        <h2>{d.words.title}</h2>
        <p>{d.words.text}</p>
        {d.retry ? (
          <form method="post" action={portal("buy")}>
            <input type="hidden" name="intent" value="buy" />
            {d.ctx ? <input type="hidden" name="ctx" value={d.ctx} /> : null}
            <input type="hidden" name="planId" value={d.retry.planId} />
            <input type="hidden" name="phone" value={d.retry.phone} />
            <input type="hidden" name="force" value="1" />
            <button className="bt" type="submit">
              Try again{amount ? ` · ${amount}` : ""}
            </button>
            <p className="sm mu">A new M-Pesa request goes to {d.phone}.</p>
          </form>
        ) : null}
        <a className="bt b2" href={portal()}>
          Choose another package
        </a>
      </div>
      {d.state === "timeout" || d.state === "unfulfilled" ? (
        <Notice tone="nf">
          Paid already? <a href={portal("check")}>Check your vouchers</a> with your phone number.
        </Notice>
      ) : null}
    </PortalShell>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  if (isRouteErrorResponse(error) && error.status === 404) return <PortalError title="Purchase not found" text="Start again from the Wi-Fi login page." />;
  return <PortalError title="Something went wrong" text="Please try again in a moment." />;
}
