// The captive portal's branding: colours, logo, tagline and terms, with a live preview of the
// portal's buy page as a phone shows it. The form is a plain multipart form (it works without
// JavaScript: hex fields, a file input, a "remove" checkbox; what was typed comes back on errors,
// a valid new logo included). With JavaScript the preview follows every keystroke: it renders the
// real portal components (app/components/portal-ui.tsx) into an iframe, so the portal's own
// stylesheet applies exactly as on a phone and none of it leaks into the dashboard.
import { Form, data, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";
import type { Route } from "./+types/dashboard.hotspot.branding";
import { Alert, Button, Card, PageHeader, cx } from "../components/ui";
import { HEX_COLOR, Icon, PhoneField, PortalShell, contrastChecks, contrastRatio, type PortalBrand } from "../components/portal-ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm, type FormFailure } from "../lib/forms.server";
import { checkLogo } from "../../server/services/hotspot/branding";

export function meta() {
  return [{ title: "Portal branding · Hotspot · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "hotspot.manage" });
  return caller.hotspotBranding.get();
}

/** More than this is refused before it is read (a phone photo picked by mistake is ~3–8 MB). */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** The posted form, or "too-big" once more than `max` bytes arrived (nothing more is read). */
async function readFormUpTo(request: Request, max: number): Promise<FormData | "too-big"> {
  if (Number(request.headers.get("content-length") ?? 0) > max) return "too-big";
  if (!request.body) return readForm(request);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return "too-big";
    }
    chunks.push(value);
  }
  return readForm(new Request(request.url, { method: "POST", headers: request.headers, body: Buffer.concat(chunks) }));
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "hotspot.manage" });
  const form = await readFormUpTo(request, MAX_BODY_BYTES);
  if (form === "too-big") {
    return data<FormFailure>({ ok: false, fieldErrors: { logo: ["That file is far too big (over 25 MB). The largest logo is 20 KB: save it about 256 pixels wide as PNG or WebP."] }, formError: null, values: {} }, { status: 413 });
  }
  const values = formValues(form);
  const file = form.get("logoFile");
  // A new file wins; else a valid logo carried over from a refused save (hidden field).
  const logo = file instanceof File && file.size > 0 ? Buffer.from(await file.arrayBuffer()).toString("base64") : (values.logo ?? "");
  // On a refusal the form keeps a logo that passed its checks, so it need not be chosen again.
  const checked = logo ? checkLogo(logo) : null;
  if (checked?.ok) values.logo = checked.logo.dataUrl;
  else delete values.logo;
  try {
    const r = await caller.hotspotBranding.save({
      colorBackground: values.colorBackground ?? "",
      colorText: values.colorText ?? "",
      colorButton: values.colorButton ?? "",
      tagline: values.tagline ?? "",
      terms: values.terms ?? "",
      logo,
      removeLogo: values.removeLogo ?? "",
    });
    return { ok: true as const, message: r.changed.length === 0 ? "Nothing changed." : "Saved. Your portal shows the new look now.", changed: r.changed, branding: r.branding };
  } catch (err) {
    return formFailure(err, values);
  }
}

// ---------- colours ----------

const normalizeHex = (v: string) => {
  const s = v.trim().toLowerCase();
  return /^[0-9a-f]{6}$/.test(s) ? `#${s}` : s;
};

const THEMES: Array<{ name: string; background: string; text: string; button: string }> = [
  { name: "Emerald (default)", background: "#f8fafc", text: "#0f172a", button: "#059669" },
  { name: "Ocean", background: "#eff6ff", text: "#0c1e3e", button: "#1d4ed8" },
  { name: "Sunset", background: "#fff7ed", text: "#431407", button: "#c2410c" },
  { name: "Maroon", background: "#fdf2f8", text: "#3b0a1e", button: "#9f1239" },
  { name: "Night", background: "#0f172a", text: "#f1f5f9", button: "#22c55e" },
];

/** A colour: the picker and the hex field stay in step; while the hex is unfinished the picker shows `shown` (the last good one). */
function ColorField({ name, label, value, shown, onChange, error }: { name: string; label: string; value: string; shown: string; onChange: (v: string) => void; error?: string }) {
  const id = `f-${name}`;
  const hex = normalizeHex(value);
  const valid = HEX_COLOR.test(hex);
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1 flex items-center gap-2">
        <input
          type="color"
          aria-label={`Pick the ${label.toLowerCase()} colour`}
          value={valid ? hex : shown}
          onChange={(e) => onChange(e.target.value)}
          className="h-10 w-12 shrink-0 cursor-pointer rounded-lg border border-slate-300 bg-white p-1 shadow-sm"
        />
        <input
          id={id}
          name={name}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          maxLength={9}
          placeholder="#059669"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          className={cx(
            "block w-full min-w-0 rounded-lg border bg-white px-3 py-2 font-mono text-base shadow-sm outline-none focus:ring-2 sm:text-sm",
            error ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100",
          )}
        />
      </div>
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-600">
          {error}
        </p>
      ) : null}
    </div>
  );
}

// ---------- the preview ----------

const FRAME_DOC = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Portal preview</title></head><body></body></html>`;

/**
 * An iframe showing `children` as its page: the portal's stylesheet (global selectors, :root
 * variables) stays inside it, and its width is a phone's. The content is rendered by this page's
 * React (a portal into the frame's body), so it follows the form's state as the owner types.
 */
function PhoneFrame({ title, children }: { title: string; children: ReactNode }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [body, setBody] = useState<HTMLElement | null>(null);
  useEffect(() => {
    const frame = ref.current;
    if (!frame) return;
    // The frame's first document is an empty about:blank; wait for the srcdoc one.
    const attach = () => {
      const doc = frame.contentDocument;
      if (doc && doc.URL === "about:srcdoc" && doc.readyState === "complete" && doc.body) setBody(doc.body);
    };
    attach();
    frame.addEventListener("load", attach);
    return () => frame.removeEventListener("load", attach);
  }, []);
  return (
    <div className="mx-auto w-full max-w-[384px] rounded-[2.25rem] bg-slate-900 p-3 shadow-xl ring-1 ring-slate-900/10">
      <div className="mx-auto mb-2 h-1.5 w-16 rounded-full bg-slate-700" aria-hidden="true" />
      <iframe ref={ref} title={title} srcDoc={FRAME_DOC} className="block h-[640px] w-full rounded-[1.5rem] bg-white" />
      {body ? createPortal(children, body) : null}
    </div>
  );
}

type PreviewPlan = { id: string; name: string; shillings: number; duration: string; speed: string; devices: number };
const SAMPLE_PLANS: PreviewPlan[] = [
  { id: "sample-1", name: "1 hour", shillings: 10, duration: "1 hour", speed: "2 Mbps", devices: 1 },
  { id: "sample-2", name: "1 day", shillings: 50, duration: "1 day", speed: "5 Mbps", devices: 1 },
  { id: "sample-3", name: "1 week", shillings: 250, duration: "1 week", speed: "5 Mbps", devices: 2 },
];

/**
 * The portal's buy page (app/routes/hotspotportal.tsx, the "buy" tab) with the same components
 * and class names. Links and buttons do nothing here; a package can be ticked and the terms opened.
 */
function BuyPagePreview({ brand, plans }: { brand: PortalBrand; plans: PreviewPlan[] }) {
  return (
    <div
      onClickCapture={(e) => {
        if ((e.target as Element).closest?.("a, button")) e.preventDefault();
      }}
      onSubmitCapture={(e) => e.preventDefault()}
    >
      <PortalShell brand={brand}>
        <nav className="tabs" aria-label="Portal">
          <a href="#buy" aria-current="page">
            Buy
          </a>
          <a href="#code">I have a code</a>
          <a href="#check">Check</a>
        </nav>
        <form method="post" noValidate>
          <fieldset>
            <legend>1. Choose a package</legend>
            <div className="pl">
              {plans.map((p) => (
                <label className="pc" key={p.id}>
                  <input type="radio" name="planId" value={p.id} />
                  <span>
                    <b>{p.name}</b>
                    <small>{[p.duration.toLowerCase() === p.name.trim().toLowerCase() ? null : p.duration, p.speed, p.devices > 1 ? `${p.devices} devices` : null].filter(Boolean).join(" · ")}</small>
                  </span>
                  <span className="pr">
                    <small>KES </small>
                    {p.shillings}
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <PhoneField label="2. Your M-Pesa number" hint="We will send an M-Pesa request to this phone." />
          <button className="bt" type="submit">
            Pay with M-Pesa
          </button>
          <p className="tr">{Icon.lock()} You confirm with your M-Pesa PIN. Your code also comes by SMS.</p>
        </form>
      </PortalShell>
    </div>
  );
}

// ---------- the page ----------

const kb = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;
type LogoState = { src: string | null; source: "saved" | "new" | "carried" };

function Section({ title, aside, children }: { title: string; aside?: ReactNode; children: ReactNode }) {
  return (
    <section aria-label={title} className="grid gap-4 px-4 py-5 sm:px-5">
      <div>
        <h2 className="font-semibold text-slate-900">{title}</h2>
        {aside ? <p className="mt-1 text-sm text-slate-600">{aside}</p> : null}
      </div>
      {children}
    </section>
  );
}

export default function PortalBranding() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const saving = nav.state !== "idle" && nav.formMethod === "POST";
  const failed = r && !r.ok ? r : null;
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const typed = failed?.values ?? null;
  const saved = d.branding;

  const [bg, setBg] = useState(typed?.colorBackground ?? saved.colors.background);
  const [fg, setFg] = useState(typed?.colorText ?? saved.colors.text);
  const [btn, setBtn] = useState(typed?.colorButton ?? saved.colors.button);
  const [tagline, setTagline] = useState(typed?.tagline ?? saved.tagline);
  const [terms, setTerms] = useState(typed?.terms ?? saved.terms);
  const [logo, setLogo] = useState<LogoState>(typed?.logo ? { src: typed.logo, source: "carried" } : { src: saved.logoDataUrl, source: "saved" });
  const [removeLogo, setRemoveLogo] = useState(typed ? typed.removeLogo === "on" : false);
  const [logoNote, setLogoNote] = useState<string | null>(null);
  const [fileKey, setFileKey] = useState(0);
  // A field's server error shows until that field is changed.
  const [edited, setEdited] = useState<Set<string>>(new Set());
  const touch = (name: string) => setEdited((s) => (s.has(name) ? s : new Set(s).add(name)));
  const err = (name: string) => (edited.has(name) ? undefined : fe[name]?.[0]);

  // After each answer from the server: errors show again; after a save the form is what was saved
  // (tidied by the server). From the action's answer: the reloaded page data may come a moment later.
  useEffect(() => {
    setEdited(new Set());
    if (r?.ok) {
      const b = r.branding;
      setBg(b.colors.background);
      setFg(b.colors.text);
      setBtn(b.colors.button);
      setTagline(b.tagline);
      setTerms(b.terms);
      setFileKey((k) => k + 1);
      setLogo({ src: b.logoDataUrl, source: "saved" });
      setRemoveLogo(false);
      setLogoNote(null);
    }
  }, [r]);

  const last = useRef({ background: saved.colors.background, text: saved.colors.text, button: saved.colors.button });
  const colors = useMemo(() => {
    const pick = (v: string, key: keyof typeof last.current) => {
      const h = normalizeHex(v);
      if (HEX_COLOR.test(h)) last.current[key] = h;
      return last.current[key];
    };
    return { background: pick(bg, "background"), text: pick(fg, "text"), button: pick(btn, "button") };
  }, [bg, fg, btn]);
  const checks = contrastChecks(colors);

  const shownLogo = removeLogo ? null : logo.src;
  const brand: PortalBrand = {
    businessName: d.businessName,
    tagline: tagline.replace(/\s+/g, " ").trim() || d.messagingTagline,
    terms: terms.trim(),
    contactPhone: d.contactPhone,
    colors,
    logoDataUrl: shownLogo,
  };
  const dirty =
    normalizeHex(bg) !== saved.colors.background ||
    normalizeHex(fg) !== saved.colors.text ||
    normalizeHex(btn) !== saved.colors.button ||
    tagline.replace(/\s+/g, " ").trim() !== saved.tagline ||
    terms.trim() !== saved.terms.trim() ||
    logo.source !== "saved" ||
    removeLogo;

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    touch("logo");
    const f = e.currentTarget.files?.[0];
    if (!f) {
      setLogo({ src: saved.logoDataUrl, source: "saved" });
      setLogoNote(null);
      return;
    }
    setRemoveLogo(false);
    setLogoNote(
      f.type === "image/svg+xml" || /\.svg$/i.test(f.name)
        ? "SVG logos are not accepted (an SVG can carry scripts). Save your logo as PNG or WebP and upload that."
        : f.size > d.limits.logoMaxBytes
          ? `The logo is ${kb(f.size)}; the largest allowed is ${kb(d.limits.logoMaxBytes)}, so the portal opens quickly on a cheap phone. Save it about 256 pixels wide as PNG or WebP.`
          : null,
    );
    const reader = new FileReader();
    reader.onload = () => setLogo({ src: typeof reader.result === "string" ? reader.result : null, source: "new" });
    reader.readAsDataURL(f);
  };
  const undoLogo = () => {
    setFileKey((k) => k + 1);
    setLogo({ src: saved.logoDataUrl, source: "saved" });
    setLogoNote(null);
    touch("logo");
  };
  const logoError = logoNote ?? err("logo");
  const plans = d.plans.length ? d.plans.slice(0, 4) : SAMPLE_PLANS;

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Portal branding"
        description="How your captive portal looks on your customers' phones. The preview changes as you type; the portal changes when you save."
        actions={
          <a href="/hotspotportal" target="_blank" rel="noopener" className="inline-flex items-center justify-center gap-1.5 rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">
            View live portal
            <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
              <path d="M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" />
            </svg>
          </a>
        }
      />
      <a href="#preview" className="-mt-3 inline-flex w-fit items-center gap-1 text-sm font-medium text-brand-700 hover:underline lg:hidden">
        See the preview below
        <span aria-hidden="true">↓</span>
      </a>
      {r?.ok ? <Alert tone="success">{r.message}</Alert> : null}
      {failed ? <Alert>{failed.formError ?? "Nothing was saved. Please correct the highlighted fields."}</Alert> : null}

      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_384px]">
        <Form method="post" encType="multipart/form-data" noValidate aria-label="Portal branding" className="min-w-0">
          <Card className="divide-y divide-slate-100">
            <Section title="Name and logo" aside="Shown at the top of every portal page.">
              <div className="rounded-lg bg-slate-50 px-3 py-2.5 text-sm ring-1 ring-slate-200">
                <span className="text-slate-600">Business name: </span>
                <strong className="text-slate-900">{d.businessName}</strong>
                <span className="mt-0.5 block text-slate-500">Your registered name is the portal's title (and on your invoices). To change it, ask mnetifi support from the Support tab.</span>
              </div>
              <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
                <div
                  className="flex h-24 w-full shrink-0 items-center justify-center rounded-lg p-2 ring-1 ring-slate-200 sm:w-32"
                  style={{ background: colors.background }}
                  data-testid="logo-thumb"
                >
                  {shownLogo ? (
                    <img src={shownLogo} alt="Your logo" className="max-h-16 max-w-full object-contain" />
                  ) : (
                    <span className="grid justify-items-center gap-1.5 text-center text-xs" style={{ color: colors.text }}>
                      <span
                        className="flex h-10 w-10 items-center justify-center rounded-xl"
                        style={{ background: colors.button, color: contrastRatio(colors.button, "#ffffff") >= 3 ? "#ffffff" : "#111111" }}
                        aria-hidden="true"
                      >
                        <svg width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round">
                          <path d="M2 8.8a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0" />
                          <circle cx="12" cy="19.5" r="1.3" fill="currentColor" stroke="none" />
                        </svg>
                      </span>
                      No logo yet
                    </span>
                  )}
                </div>
                <div className="grid min-w-0 flex-1 gap-2">
                  <label htmlFor="f-logoFile" className="block text-sm font-medium text-slate-700">
                    {saved.logoDataUrl ? "Upload a new logo" : "Upload a logo"}
                  </label>
                  <input
                    key={fileKey}
                    id="f-logoFile"
                    name="logoFile"
                    type="file"
                    accept="image/png,image/jpeg,image/webp"
                    onChange={onFile}
                    aria-invalid={logoError ? true : undefined}
                    aria-describedby="f-logoFile-help"
                    className="block w-full text-sm text-slate-600 file:mr-3 file:cursor-pointer file:rounded-lg file:border-0 file:bg-brand-50 file:px-3 file:py-2 file:text-sm file:font-semibold file:text-brand-700 hover:file:bg-brand-100"
                  />
                  {logo.source === "carried" && logo.src ? <input type="hidden" name="logo" value={logo.src} /> : null}
                  <p id="f-logoFile-help" className={cx("text-sm", logoError ? "text-red-600" : "text-slate-500")}>
                    {logoError ??
                      `PNG, JPEG or WebP, at most ${kb(d.limits.logoMaxBytes)} and ${d.limits.logoMaxPixels} × ${d.limits.logoMaxPixels} pixels. It shows up to 64 pixels high: a 256-pixel-wide PNG or WebP is plenty. Small keeps the portal quick on a cheap phone.`}
                  </p>
                  <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
                    {logo.source !== "saved" ? (
                      <button type="button" onClick={undoLogo} className="text-sm font-medium text-brand-700 underline-offset-2 hover:underline">
                        {saved.logoDataUrl ? "Keep the current logo" : "Clear the chosen file"}
                      </button>
                    ) : null}
                    {saved.logoDataUrl || logo.source === "carried" ? (
                      <label className="inline-flex cursor-pointer items-center gap-2 text-sm font-medium text-slate-700">
                        <input
                          type="checkbox"
                          name="removeLogo"
                          checked={removeLogo}
                          onChange={(e) => {
                            setRemoveLogo(e.target.checked);
                            if (e.target.checked) {
                              setFileKey((k) => k + 1);
                              setLogo({ src: saved.logoDataUrl, source: "saved" });
                              setLogoNote(null);
                            }
                          }}
                          className="h-4 w-4 accent-red-600"
                        />
                        Remove the logo
                      </label>
                    ) : null}
                  </div>
                </div>
              </div>
            </Section>

            <Section title="Colours" aside="The page's background, its text, and the buttons and highlights.">
              <div className="grid gap-4 sm:grid-cols-3">
                <ColorField name="colorBackground" label="Background" value={bg} shown={colors.background} onChange={(v) => (touch("colorBackground"), setBg(v))} error={err("colorBackground")} />
                <ColorField name="colorText" label="Text" value={fg} shown={colors.text} onChange={(v) => (touch("colorText"), setFg(v))} error={err("colorText")} />
                <ColorField name="colorButton" label="Buttons" value={btn} shown={colors.button} onChange={(v) => (touch("colorButton"), setBtn(v))} error={err("colorButton")} />
              </div>
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <span className="text-slate-600">Start from:</span>
                {THEMES.map((t) => (
                  <button
                    key={t.name}
                    type="button"
                    onClick={() => {
                      for (const k of ["colorBackground", "colorText", "colorButton"]) touch(k);
                      setBg(t.background);
                      setFg(t.text);
                      setBtn(t.button);
                    }}
                    className="inline-flex items-center gap-1.5 rounded-full bg-white py-1 pl-1 pr-3 font-medium text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50"
                  >
                    <span className="flex h-5 w-5 items-center justify-center rounded-full ring-1 ring-slate-300" style={{ background: t.background }} aria-hidden="true">
                      <span className="h-2.5 w-2.5 rounded-full" style={{ background: t.button }} />
                    </span>
                    {t.name}
                  </button>
                ))}
              </div>
              <ul className="grid gap-2" aria-label="Contrast" aria-live="polite">
                {checks.map((c) => (
                  <li key={c.pair} className={cx("flex gap-2 rounded-lg px-3 py-2 text-sm ring-1", c.ok ? "bg-emerald-50 text-emerald-900 ring-emerald-200" : "bg-amber-50 text-amber-900 ring-amber-300")}>
                    <span className="mt-0.5 shrink-0" aria-hidden="true">
                      {c.ok ? "✓" : "!"}
                    </span>
                    <span>{c.warning ?? (c.pair === "text" ? `Text on the background reads well (contrast ${c.ratio}:1).` : `Buttons stand out from the background (contrast ${c.ratio}:1).`)}</span>
                  </li>
                ))}
              </ul>
            </Section>

            <Section title="Words">
              <div>
                <label htmlFor="f-tagline" className="block text-sm font-medium text-slate-700">
                  Tagline
                </label>
                <input
                  id="f-tagline"
                  name="tagline"
                  value={tagline}
                  onChange={(e) => (touch("tagline"), setTagline(e.target.value))}
                  placeholder="Fast Wi-Fi from KES 10"
                  aria-invalid={err("tagline") ? true : undefined}
                  aria-describedby="f-tagline-help"
                  className={cx(
                    "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm outline-none focus:ring-2 sm:text-sm",
                    err("tagline") ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100",
                  )}
                />
                <p id="f-tagline-help" className={cx("mt-1 flex justify-between gap-3 text-sm", err("tagline") ? "text-red-600" : "text-slate-500")}>
                  <span>{err("tagline") ?? (d.messagingTagline ? `One line under your name. Left empty, your messaging tagline is used (“${d.messagingTagline}”).` : "One line under your name.")}</span>
                  <span className={cx("shrink-0 tabular-nums", tagline.trim().length > d.limits.taglineMax && "font-semibold text-red-600")}>
                    {tagline.trim().length}/{d.limits.taglineMax}
                  </span>
                </p>
              </div>
              <div>
                <label htmlFor="f-terms" className="block text-sm font-medium text-slate-700">
                  Terms and conditions
                </label>
                <textarea
                  id="f-terms"
                  name="terms"
                  rows={6}
                  value={terms}
                  onChange={(e) => (touch("terms"), setTerms(e.target.value))}
                  placeholder={"Vouchers are not refundable.\nOne voucher works on the number of devices its package allows."}
                  aria-invalid={err("terms") ? true : undefined}
                  aria-describedby="f-terms-help"
                  className={cx(
                    "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm outline-none focus:ring-2 sm:text-sm",
                    err("terms") ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100",
                  )}
                />
                <p id="f-terms-help" className={cx("mt-1 flex justify-between gap-3 text-sm", err("terms") ? "text-red-600" : "text-slate-500")}>
                  <span>{err("terms") ?? "Plain text; line breaks are kept. Customers open them from “Terms of service” at the foot of the portal."}</span>
                  <span className={cx("shrink-0 tabular-nums", terms.trim().length > d.limits.termsMax && "font-semibold text-red-600")}>
                    {terms.trim().length.toLocaleString("en-KE")}/{d.limits.termsMax.toLocaleString("en-KE")}
                  </span>
                </p>
              </div>
            </Section>
          </Card>
          <div className="mt-4 flex flex-col-reverse gap-3 sm:flex-row sm:items-center sm:justify-end">
            {dirty ? <p className="text-center text-sm text-amber-700 sm:text-right">Not saved yet: only the preview shows these changes.</p> : null}
            <Button type="submit" disabled={saving} className="w-full sm:w-auto">
              {saving ? "Saving…" : "Save branding"}
            </Button>
          </div>
        </Form>

        <aside id="preview" aria-label="Preview" className="grid scroll-mt-4 gap-3 lg:sticky lg:top-4">
          <div className="flex items-center justify-between gap-3">
            <h2 className="font-semibold text-slate-900">Live preview</h2>
            <span className={cx("rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1", dirty ? "bg-amber-50 text-amber-800 ring-amber-300" : "bg-emerald-50 text-emerald-800 ring-emerald-200")}>
              {dirty ? "Unsaved changes" : "As on your portal"}
            </span>
          </div>
          <PhoneFrame title="Portal preview">
            <BuyPagePreview brand={brand} plans={plans} />
          </PhoneFrame>
          <p className="text-center text-xs text-slate-500">
            {d.plans.length ? "Your buy page, as a phone shows it." : "Example packages: you have none on sale yet."}{" "}
            <noscript>Turn on JavaScript to see the preview.</noscript>
          </p>
        </aside>
      </div>
    </div>
  );
}
