// The captive portal at {isp}.APP_DOMAIN/hotspotportal: where the router's login.html sends every
// device (POST or GET with mac, ip, identity, link-login-only, link-orig, chap-id, chap-challenge,
// error, router). Buy a package with M-Pesa, connect with a code or the number that paid, check a
// code or a number's vouchers. Plain HTML forms with POST-redirect-GET: no JavaScript, no app
// bundle, no global stylesheet (handle.bare), so it loads fast on a cheap phone.
import { data, isRouteErrorResponse, redirect, useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/hotspotportal";
import type { DocumentHandle } from "../root";
import { PortalShell, Notice, PhoneField, CodeField, PortalError, Icon } from "../components/portal-ui";
import { RouterLoginForm } from "../components/portal-login";
import { formValues, readForm } from "../lib/forms.server";
import {
  contextFromFields,
  deviceFrom,
  inPortal,
  NO_STORE,
  openValue,
  paymentDeps,
  portalSite,
  safeBranding,
  sealValue,
  startErrorWords,
  throttle,
  timeLeftWords,
} from "../lib/portal.server";
import { checkCode, phoneVouchers, portalPage, readDeviceContext, redeem, sendCodesBySms, startPurchase } from "../../server/services/hotspot/portal";
import { normalizeKenyanPhone } from "../../server/services/phones";
import { startTrial, trialOffer } from "../../server/services/hotspot/trials";
import { formatDateTime } from "../lib/format";
import { phoneForDisplay } from "../lib/money";

export const handle: DocumentHandle = { bare: true };

export function meta({ data }: Route.MetaArgs) {
  return [{ title: data ? `${data.brand.businessName} Wi-Fi` : "Wi-Fi" }, { name: "robots", content: "noindex" }, { name: "theme-color", content: data?.brand.colors.button ?? "#059669" }];
}

export function headers() {
  return NO_STORE;
}

type Tab = "buy" | "code" | "check";
const TABS: Array<[Tab, string]> = [
  ["buy", "Buy"],
  ["code", "I have a code"],
  ["check", "Check"],
];

/** A "connected" receipt, signed so nobody can fake one in the URL. */
type Connected = { via: "code" | "phone"; code?: string; plan?: string; expiresAt?: string | null };

const usable = (state: string) => state === "active" || state === "unused";
const STATE_WORDS: Record<string, string> = { active: "In use", unused: "Not used yet", expired: "Expired", lapsed: "Not used in time", disabled: "Disabled" };

function href(params: Record<string, string | null | undefined>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `/hotspotportal?${s}` : "/hotspotportal";
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const site = portalSite(context);
  const { env } = site.app;
  const url = new URL(request.url);
  const q = Object.fromEntries(url.searchParams) as Record<string, string | undefined>;
  // The router's fields by GET: sign them and carry on at a clean address.
  if (!q.ctx) {
    const fresh = contextFromFields(q, env);
    if (fresh) throw redirect(href({ ctx: fresh }));
  }
  const ctx = q.ctx ?? null;
  const device = deviceFrom(ctx, env);
  const tab: Tab = q.tab === "code" || q.tab === "check" ? q.tab : "buy";
  const ip = site.app.ip ?? "unknown";

  return inPortal(site, async (tx) => {
    const page = await portalPage(tx, site.tenantId);
    const tz = page.timezone;
    const when = (d: Date | null | undefined) => (d ? formatDateTime(d, tz) : null);
    const masked = (list: Awaited<ReturnType<typeof phoneVouchers>>) =>
      // Only the masked code leaves the server: a phone number never reveals a code on screen.
      list.map((v) => ({ id: v.id, code: v.code, plan: v.plan, state: v.state, left: usable(v.state) ? timeLeftWords(v.secondsLeft) : null, expires: when(v.expiresAt) }));

    let have: null | { phone: string; planId: string; vouchers: ReturnType<typeof masked> } = null;
    let codeCheck: null | { code: string; found: false; message?: string } | { code: string; found: true; state: string; plan: string; left: string; expires: string | null; lapses: string | null } = null;
    let phoneCheck: null | { phone: string; error?: string; vouchers: ReturnType<typeof masked>; sent: number | null } = null;

    if (tab === "buy" && q.step === "have" && q.phone && q.plan) {
      const phone = normalizeKenyanPhone(q.phone);
      if (phone && !(await throttle(tx, site.tenantId, [["lookupPhone", phone], ["lookupIp", ip]], "look-ups"))) {
        const list = masked((await phoneVouchers(tx, site.tenantId, phone)).filter((v) => usable(v.state)));
        if (list.length) have = { phone, planId: q.plan, vouchers: list };
      }
    }
    if (tab === "check" && q.code) {
      const code = q.code.trim().slice(0, 12);
      const limited = await throttle(tx, site.tenantId, [["codeIp", ip]], "code checks");
      if (limited) codeCheck = { code, found: false, message: limited.message };
      else {
        const c = await checkCode(tx, site.tenantId, code);
        codeCheck = c ? { code, found: true, state: c.state, plan: c.plan, left: timeLeftWords(c.secondsLeft), expires: when(c.expiresAt), lapses: when(c.lapsesAt) } : { code, found: false };
      }
    }
    if (tab === "check" && q.phone) {
      const phone = normalizeKenyanPhone(q.phone);
      const sent = q.sent !== undefined && /^\d+$/.test(q.sent) ? Number(q.sent) : null;
      if (!phone) phoneCheck = { phone: q.phone.slice(0, 20), error: "Enter a Safaricom number, e.g. 0712 345 678.", vouchers: [], sent: null };
      else {
        const limited = await throttle(tx, site.tenantId, [["lookupPhone", phone], ["lookupIp", ip]], "look-ups");
        phoneCheck = limited ? { phone, error: limited.message, vouchers: [], sent: null } : { phone, vouchers: masked(await phoneVouchers(tx, site.tenantId, phone)), sent };
      }
    }
    const connected = openValue<Connected>("connected", q.connected, env);
    // A free trial is offered to a device that came from the router (it needs its MAC to log in).
    const trial = tab === "buy" && device?.mac && device.routerId ? await trialOffer(tx, site.tenantId) : null;
    return {
      trial,
      brand: safeBranding(page.branding),
      plans: page.plans,
      ctx,
      tab,
      device: { known: Boolean(device?.mac && device.ip && device.routerId), error: device?.error ?? "", linkLoginOnly: device?.linkLoginOnly ?? "", linkOrig: device?.linkOrig ?? "" },
      prefill: { plan: q.plan ?? "", phone: q.phone && tab === "buy" ? q.phone.slice(0, 20) : "" },
      have,
      codeCheck,
      phoneCheck,
      connected: connected
        ? {
            via: connected.via,
            code: connected.code,
            plan: connected.plan,
            expiresText: connected.expiresAt ? when(new Date(connected.expiresAt)) : null,
            left: connected.expiresAt ? timeLeftWords((new Date(connected.expiresAt).getTime() - Date.now()) / 1000) : null,
          }
        : null,
    };
  });
}

type FieldName = "planId" | "phone" | "code" | "trialPhone";
type ActionResult = { intent: string; fieldErrors: Partial<Record<FieldName, string>>; formError: string | null; values: Record<string, string> };
const fail = (intent: string, values: Record<string, string>, fieldErrors: ActionResult["fieldErrors"], formError: string | null = null, status = 400) =>
  data<ActionResult>({ intent, fieldErrors, formError, values: { planId: values.planId ?? "", phone: values.phone ?? "", code: values.code ?? "", trialPhone: values.trialPhone ?? "" } }, { status });

export async function action({ request, context }: Route.ActionArgs) {
  const site = portalSite(context);
  const { env } = site.app;
  const form = formValues(await readForm(request));
  const url = new URL(request.url);
  const intent = form.intent ?? "";
  const ctx = form.ctx || url.searchParams.get("ctx") || "";
  const tab = url.searchParams.get("tab");
  const ip = site.app.ip ?? "unknown";

  // The device's details posted from the portal itself: sign them, then GET the portal. (The
  // router's login.html posts them from another site: server/http.ts turns that into a GET.)
  if (!intent) {
    const fresh = contextFromFields(form, env);
    return redirect(href({ ctx: fresh }), 303);
  }
  const device = deviceFrom(ctx, env) ?? readDeviceContext({});
  const connectedAt = (c: Connected) => redirect(href({ ctx, tab, connected: sealValue("connected", c, env) }), 303);

  if (intent === "buy") {
    const planId = form.planId ?? "";
    const phone = normalizeKenyanPhone(form.phone ?? "");
    const errors: ActionResult["fieldErrors"] = {};
    if (!/^[0-9a-f-]{36}$/i.test(planId)) errors.planId = "Choose a package.";
    if (!phone) errors.phone = (form.phone ?? "").trim() ? "Enter a Safaricom number, e.g. 0712 345 678." : "Enter your M-Pesa phone number.";
    if (errors.planId || errors.phone || !phone) return fail(intent, form, errors);
    const next = await inPortal(site, async (tx) => {
      // First: does this number already have time? (use it, or buy another)
      if (form.force !== "1" && !(await throttle(tx, site.tenantId, [["lookupPhone", phone], ["lookupIp", ip]], "look-ups"))) {
        const mine = (await phoneVouchers(tx, site.tenantId, phone)).filter((v) => usable(v.state));
        if (mine.length) return href({ ctx, tab: "buy", step: "have", plan: planId, phone });
      }
      const limited = await throttle(tx, site.tenantId, [["stkPhone", phone]], "M-Pesa requests to this number");
      return limited ? { error: limited.message } : null;
    });
    if (typeof next === "string") return redirect(next, 303);
    if (next?.error) return fail(intent, form, {}, next.error, 429);
    const r = await startPurchase(paymentDeps(site.app), site.tenantId, { planId, phone, device });
    if (!r.ok) {
      if ("fieldErrors" in r && r.fieldErrors) return fail(intent, form, { planId: r.fieldErrors.planId?.[0], phone: (r.fieldErrors as { phone?: string[] }).phone?.[0] });
      return fail(intent, form, {}, startErrorWords(("formError" in r && r.formError) || "M-Pesa could not be reached. Try again in a minute."), 502);
    }
    return redirect(`/hotspotportal/purchase/${r.purchaseId}${ctx ? `?ctx=${encodeURIComponent(ctx)}` : ""}`, 303);
  }

  if (intent === "redeem-code") {
    const code = (form.code ?? "").trim();
    if (!code) return fail(intent, form, { code: "Enter your voucher code." });
    const r = await inPortal(site, async (tx) => {
      const limited = await throttle(tx, site.tenantId, [["codeIp", ip]], "codes tried");
      if (limited) return limited;
      return redeem(tx, site.tenantId, site.app.secrets, { code, device });
    });
    if (!r.ok) return fail(intent, form, { code: r.message });
    return connectedAt({ via: "code", code: r.code, expiresAt: r.expiresAt.toISOString() });
  }

  if (intent === "redeem-phone" || intent === "use") {
    const phone = normalizeKenyanPhone(form.phone ?? "");
    if (!phone) return fail(intent, form, { phone: (form.phone ?? "").trim() ? "Enter a Safaricom number, e.g. 0712 345 678." : "Enter the number you paid with." });
    const r = await inPortal(site, async (tx) => {
      const limited = await throttle(tx, site.tenantId, [["lookupPhone", phone], ["lookupIp", ip]], "look-ups");
      if (limited) return limited;
      if (intent === "use") {
        // One of the number's vouchers, chosen from the masked list: the code stays on the server.
        const v = (await phoneVouchers(tx, site.tenantId, phone)).find((x) => x.id === form.voucherId && usable(x.state));
        if (!v) return { ok: false as const, message: "That voucher can no longer be used. Choose another or buy a package." };
        const used = await redeem(tx, site.tenantId, site.app.secrets, { code: v.fullCode, device });
        return used.ok ? { ...used, plan: v.plan } : used;
      }
      const used = await redeem(tx, site.tenantId, site.app.secrets, { phone, device });
      return used.ok ? { ...used, plan: undefined } : used;
    });
    if (!r.ok) return intent === "use" ? fail(intent, form, {}, r.message) : fail(intent, form, { phone: r.message });
    return connectedAt({ via: "phone", plan: r.plan, expiresAt: r.expiresAt.toISOString() });
  }

  if (intent === "trial") {
    const r = await inPortal(site, async (tx) => {
      const limited = await throttle(tx, site.tenantId, [["trialIp", ip]], "free trials");
      if (limited) return limited;
      return startTrial(tx, site.tenantId, site.app.secrets, { phone: form.trialPhone ?? "", device });
    });
    if (!r.ok) return "reason" in r && r.reason === "phone" ? fail(intent, form, { trialPhone: r.message }) : fail(intent, form, {}, r.message, "reason" in r ? 409 : 429);
    return connectedAt({ via: "code", code: r.code, plan: "Free trial", expiresAt: r.expiresAt.toISOString() });
  }

  if (intent === "sms") {
    const phone = normalizeKenyanPhone(form.phone ?? "");
    if (!phone) return fail(intent, form, { phone: "Enter a Safaricom number, e.g. 0712 345 678." });
    const r = await inPortal(site, async (tx) => {
      const limited = await throttle(tx, site.tenantId, [["smsPhone", phone], ["smsIp", ip]], "SMS requests");
      if (limited) return limited;
      return { ok: true as const, sent: await sendCodesBySms(tx, site.tenantId, phone) };
    });
    if (!r.ok) return fail(intent, form, {}, r.message, 429);
    return redirect(href({ ctx, tab: "check", phone, sent: String(r.sent) }), 303);
  }
  return fail(intent, form, {}, "Something went wrong. Please try again.");
}

export default function HotspotPortal() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const here = (params: Record<string, string | null | undefined>) => href({ ctx: d.ctx, ...params });
  const post = here({ tab: d.tab });
  const Hidden = ({ intent, extra = {} }: { intent: string; extra?: Record<string, string> }) => (
    <>
      <input type="hidden" name="intent" value={intent} />
      {d.ctx ? <input type="hidden" name="ctx" value={d.ctx} /> : null}
      {Object.entries(extra).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
    </>
  );
  const err = (intent: string | string[], field?: FieldName) => {
    if (!a || !(Array.isArray(intent) ? intent : [intent]).includes(a.intent)) return undefined;
    return field ? a.fieldErrors[field] : (a.formError ?? undefined);
  };
  const value = (intent: string | string[], field: FieldName) => (a && (Array.isArray(intent) ? intent : [intent]).includes(a.intent) ? a.values[field] : undefined);

  if (d.connected) {
    const c = d.connected;
    return (
      <PortalShell brand={d.brand}>
        <div className="cd cn">
          <div className="ic ok">{Icon.check()}</div>
          <h2>You are connected!</h2>
          {c.via === "code" && c.code ? <span className="code">{c.code}</span> : null}
          <p className="mu">
            {c.plan ? `${c.plan}: ` : ""}
            {c.left ? `${c.left} left` : ""}
            {c.expiresText ? ` (until ${c.expiresText})` : ""}.
          </p>
          {c.via === "code" && c.code && d.device.linkLoginOnly ? (
            <RouterLoginForm action={d.device.linkLoginOnly} code={c.code} dst={d.device.linkOrig} />
          ) : d.device.linkOrig ? (
            <a className="bt" href={d.device.linkOrig}>
              Continue to the internet
            </a>
          ) : (
            <p>You can start browsing now.</p>
          )}
        </div>
      </PortalShell>
    );
  }

  return (
    <PortalShell brand={d.brand}>
      {d.device.error ? <Notice tone="er">The Wi-Fi could not log you in: {d.device.error}</Notice> : null}
      <nav className="tabs" aria-label="Portal">
        {TABS.map(([t, label]) => (
          <a key={t} href={here({ tab: t === "buy" ? null : t })} aria-current={d.tab === t ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>

      {d.tab === "buy" && d.have ? (
        <div className="cd">
          <h2>This number already has internet time</h2>
          <p className="mu">{phoneForDisplay(d.have.phone)} has these valid vouchers. Use one, or buy another package.</p>
          {err("use") ? <Notice tone="er">{err("use")}</Notice> : null}
          <ul className="vl">
            {d.have.vouchers.map((v) => (
              <li key={v.id}>
                <div className="vr">
                  <span className="mc">{v.code}</span>
                  <span className="st">{v.state === "active" ? `${v.left} left` : "Not used yet"}</span>
                </div>
                <p>{v.plan} package</p>
                <form method="post" action={post}>
                  <Hidden intent="use" extra={{ phone: d.have!.phone, voucherId: v.id }} />
                  <button className="bt" type="submit">
                    Connect with this one
                  </button>
                </form>
              </li>
            ))}
          </ul>
          {(() => {
            const plan = d.plans.find((p) => p.id === d.have!.planId);
            return plan ? (
              <form method="post" action={post}>
                <Hidden intent="buy" extra={{ planId: plan.id, phone: d.have!.phone, force: "1" }} />
                <button className="bt b2 sm" type="submit">
                  Buy another {plan.name} · KES {plan.shillings}
                </button>
              </form>
            ) : null;
          })()}
          <p className="cn sm">
            <a href={here({})}>Change the number or package</a>
          </p>
        </div>
      ) : d.tab === "buy" ? (
        d.plans.length === 0 ? (
          <div className="cd cn">
            <h2>No packages on sale right now</h2>
            <p className="mu">Please try again later{d.brand.contactPhone ? ` or call ${d.brand.contactPhone}` : ""}.</p>
          </div>
        ) : (
          <form method="post" action={post} noValidate>
            <Hidden intent="buy" />
            {err("buy") ? <Notice tone="er">{err("buy")}</Notice> : null}
            <fieldset>
              <legend>1. Choose a package</legend>
              {err("buy", "planId") ? <p className="fe">{err("buy", "planId")}</p> : null}
              <div className="pl">
                {d.plans.map((p) => (
                  <label className="pc" key={p.id}>
                    <input type="radio" name="planId" value={p.id} defaultChecked={(value("buy", "planId") ?? d.prefill.plan) === p.id} required />
                    <span>
                      <b>{p.name}</b>
                      <small>
                        {[p.duration.toLowerCase() === p.name.trim().toLowerCase() ? null : p.duration, p.speed, p.cap, p.devices > 1 ? `${p.devices} devices` : null].filter(Boolean).join(" · ")}
                      </small>
                    </span>
                    <span className="pr">
                      <small>KES </small>
                      {p.shillings}
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
            <PhoneField label="2. Your M-Pesa number" defaultValue={value("buy", "phone") ?? d.prefill.phone} error={err("buy", "phone")} hint="We will send an M-Pesa request to this phone." />
            <button className="bt" type="submit">
              Pay with M-Pesa
            </button>
            <p className="tr">{Icon.lock()} You confirm with your M-Pesa PIN. Your code also comes by SMS.</p>
          </form>
        )
      ) : null}

      {d.tab === "buy" && !d.have && d.trial ? (
        <div className="cd">
          <h2>Try it free</h2>
          <p className="mu sm">{d.trial.minutes} minutes of internet, once for each phone. No payment.</p>
          {err("trial") ? <Notice tone="er">{err("trial")}</Notice> : null}
          <form method="post" action={post} noValidate>
            <Hidden intent="trial" />
            <PhoneField name="trialPhone" label="Your phone number" defaultValue={value("trial", "trialPhone")} error={err("trial", "trialPhone")} />
            <button className="bt b2" type="submit">
              Start my free {d.trial.minutes} minutes
            </button>
          </form>
        </div>
      ) : null}

      {d.tab === "code" ? (
        <div className="cd">
          {!d.device.known ? <Notice tone="nf">To connect, open this page from the Wi-Fi login screen.</Notice> : null}
          <h2>Connect with a code</h2>
          <form method="post" action={post} noValidate>
            <Hidden intent="redeem-code" />
            <CodeField defaultValue={value("redeem-code", "code")} error={err("redeem-code", "code")} />
            <button className="bt" type="submit">
              Connect
            </button>
          </form>
          <div className="or">or</div>
          <h2>Use the number you paid with</h2>
          <form method="post" action={post} noValidate>
            <Hidden intent="redeem-phone" />
            <PhoneField name="phone" label="M-Pesa phone number" defaultValue={value("redeem-phone", "phone")} error={err("redeem-phone", "phone")} hint="We connect you with this number's newest valid voucher." />
            <button className="bt b2" type="submit">
              Connect with my number
            </button>
          </form>
        </div>
      ) : null}

      {d.tab === "check" ? (
        <>
          <div className="cd">
            <h2>Check a code</h2>
            <p className="mu sm">See if a code is valid and how much time is left. Checking does not use it.</p>
            <form method="get" action="/hotspotportal">
              {d.ctx ? <input type="hidden" name="ctx" value={d.ctx} /> : null}
              <input type="hidden" name="tab" value="check" />
              <CodeField defaultValue={d.codeCheck?.code} label="Code" />
              <button className="bt" type="submit">
                Check code
              </button>
            </form>
            {d.codeCheck ? <CodeResult r={d.codeCheck} /> : null}
          </div>
          <div className="cd">
            <h2>Find my vouchers</h2>
            <p className="mu sm">Enter the number you paid with. Codes are partly hidden; we can send them to that phone by SMS.</p>
            <form method="get" action="/hotspotportal">
              {d.ctx ? <input type="hidden" name="ctx" value={d.ctx} /> : null}
              <input type="hidden" name="tab" value="check" />
              <PhoneField label="M-Pesa phone number" defaultValue={d.phoneCheck ? phoneForDisplay(d.phoneCheck.phone) : undefined} error={d.phoneCheck?.error} />
              <button className="bt b2" type="submit">
                Show my vouchers
              </button>
            </form>
            {d.phoneCheck && !d.phoneCheck.error ? (
              <div className="mt">
                {d.phoneCheck.sent !== null ? (
                  d.phoneCheck.sent > 0 ? (
                    <Notice tone="ok">
                      We sent {d.phoneCheck.sent === 1 ? "your valid code" : `your ${d.phoneCheck.sent} valid codes`} by SMS to {phoneForDisplay(d.phoneCheck.phone)}.
                    </Notice>
                  ) : (
                    <Notice tone="nf">This number has no valid codes to send.</Notice>
                  )
                ) : null}
                {err("sms") ? <Notice tone="er">{err("sms")}</Notice> : null}
                {d.phoneCheck.vouchers.length === 0 ? (
                  <p className="mu">No vouchers were bought with {phoneForDisplay(d.phoneCheck.phone)}.</p>
                ) : (
                  <>
                    <ul className="vl" aria-label="Vouchers">
                      {d.phoneCheck.vouchers.map((v) => (
                        <li key={v.id}>
                          <div className="vr">
                            <span className="mc">{v.code}</span>
                            <span className="st">{v.state === "active" ? `${v.left} left` : (STATE_WORDS[v.state] ?? v.state)}</span>
                          </div>
                          <p>
                            {v.plan} package{v.state === "expired" && v.expires ? ` · ended ${v.expires}` : ""}
                          </p>
                        </li>
                      ))}
                    </ul>
                    {d.phoneCheck.vouchers.some((v) => usable(v.state)) ? (
                      <form method="post" action={here({ tab: "check", phone: d.phoneCheck.phone })}>
                        <Hidden intent="sms" extra={{ phone: d.phoneCheck.phone }} />
                        <button className="bt" type="submit">
                          Send my codes by SMS
                        </button>
                      </form>
                    ) : null}
                  </>
                )}
              </div>
            ) : null}
          </div>
        </>
      ) : null}
    </PortalShell>
  );
}

function CodeResult({ r }: { r: NonNullable<Awaited<ReturnType<typeof loader>>["codeCheck"]> }) {
  if (!r.found) return <Notice tone="er">{r.message ?? "We could not find that code. Check it (capital and small letters matter)."}</Notice>;
  if (r.state === "active")
    return (
      <Notice tone="ok">
        Valid. {r.left} left on this {r.plan} package{r.expires ? `, until ${r.expires}` : ""}.
      </Notice>
    );
  if (r.state === "unused")
    return (
      <Notice tone="ok">
        Valid and not used yet: {r.plan} package. The time starts when you first connect{r.lapses ? `; use it before ${r.lapses}` : ""}.
      </Notice>
    );
  if (r.state === "expired") return <Notice tone="er">This code has expired{r.expires ? ` (${r.expires})` : ""}. Buy a new package to keep browsing.</Notice>;
  if (r.state === "lapsed") return <Notice tone="er">This code was not used in time and is no longer valid.</Notice>;
  return <Notice tone="er">This code has been disabled. Please contact us.</Notice>;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  if (isRouteErrorResponse(error) && error.status === 404) return <PortalError title="Page not found" text="This Wi-Fi portal does not exist at this address." />;
  return <PortalError title="Something went wrong" text="Please try again in a moment." />;
}
