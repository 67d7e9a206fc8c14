// The captive portal's look: one small inline stylesheet (no Tailwind, no app bundle) coloured
// from the ISP's settings through CSS variables, and the few pieces every portal page shares.
// Plain HTML that works with JavaScript off on a cheap phone; big touch targets.
import type { ReactNode } from "react";
import { useNonce } from "../lib/nonce";

export type PortalBrand = {
  businessName: string;
  tagline: string;
  terms: string;
  contactPhone: string;
  colors: { background: string; text: string; button: string };
  logoDataUrl: string | null;
};

/** A colour as the portal stores it: # and six hex digits. */
export const HEX_COLOR = /^#[0-9a-f]{6}$/i;

/** What a portal looks like before its ISP chooses colours (the table's defaults). */
export const DEFAULT_PORTAL_COLORS: PortalBrand["colors"] = { background: "#f8fafc", text: "#0f172a", button: "#059669" };

type Rgb = [number, number, number];
const rgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const hex = (c: Rgb) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;
/** a → b by t (0..1). */
const mix = (a: string, b: string, t: number) => hex(rgb(a).map((v, i) => v + (rgb(b)[i]! - v) * t) as Rgb);
const luminance = (c: string) => {
  const [r, g, b] = rgb(c).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};

/** WCAG 2 contrast ratio of two #rrggbb colours (1 to 21). */
export const contrastRatio = (a: string, b: string) => contrast(a, b);

/** WCAG's minimums: 4.5:1 for text (AA), 3:1 for a control against what surrounds it (1.4.11). */
export const CONTRAST_MINIMUM = { text: 4.5, button: 3 } as const;

export type ContrastCheck = { pair: "text" | "button"; ratio: number; ok: boolean; warning: string | null };

/**
 * The two pairs a customer depends on, each with its ratio and, when it is too low, a warning in
 * words: the text against the background, and the buttons against the background. (The buttons'
 * own label is white or near-black, whichever reads better: see portalVars.) Colours that are not
 * #rrggbb are not judged.
 */
export function contrastChecks(c: PortalBrand["colors"]): ContrastCheck[] {
  if (![c.background, c.text, c.button].every((x) => HEX_COLOR.test(x))) return [];
  const ratio = (a: string, b: string) => Math.floor(contrast(a, b) * 10) / 10;
  const lightBg = luminance(c.background) > 0.18;
  const text = ratio(c.text, c.background);
  const button = ratio(c.button, c.background);
  return [
    {
      pair: "text",
      ratio: text,
      ok: text >= CONTRAST_MINIMUM.text,
      warning:
        text >= CONTRAST_MINIMUM.text
          ? null
          : `The text is hard to read on this background (contrast ${text}:1; aim for at least ${CONTRAST_MINIMUM.text}:1). Choose a ${lightBg ? "darker" : "lighter"} text colour or a ${lightBg ? "lighter" : "darker"} background.`,
    },
    {
      pair: "button",
      ratio: button,
      ok: button >= CONTRAST_MINIMUM.button,
      warning:
        button >= CONTRAST_MINIMUM.button
          ? null
          : `The buttons barely stand out from the background (contrast ${button}:1; aim for at least ${CONTRAST_MINIMUM.button}:1). Choose a ${lightBg ? "darker" : "lighter"} button colour.`,
    },
  ];
}

/** Only the warnings, in words (empty when both pairs read well). */
export const contrastWarnings = (c: PortalBrand["colors"]) => contrastChecks(c).flatMap((x) => (x.warning ? [x.warning] : []));

/** The ISP's colours, and the shades derived from them (cards, borders, muted text, button text). */
export function portalVars(c: PortalBrand["colors"]) {
  const dark = luminance(c.background) < 0.2;
  const card = dark ? mix(c.background, "#ffffff", 0.07) : mix(c.background, "#ffffff", 0.75);
  return [
    `--bg:${c.background}`,
    `--fg:${c.text}`,
    `--card:${card}`,
    `--bd:${mix(card, c.text, 0.16)}`,
    `--mu:${mix(c.text, card, 0.3)}`,
    `--btn:${c.button}`,
    // White on the button unless it is too light for it (3:1, large bold text).
    `--btnfg:${contrast(c.button, "#ffffff") >= 3 ? "#ffffff" : "#111111"}`,
    `--tint:${mix(card, c.button, 0.1)}`,
  ].join(";");
}

// Kept small on purpose (the whole first load must stay well under 60 KB over the wire).
const CSS = `*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:inherit}
.w{max-width:30rem;margin:0 auto;padding:20px 16px 28px}
.hd{text-align:center;margin:4px 0 18px}
.lg{display:block;max-height:64px;max-width:70%;margin:0 auto 10px}
.mk{display:flex;align-items:center;justify-content:center;width:52px;height:52px;margin:0 auto 10px;border-radius:16px;background:var(--btn);color:var(--btnfg)}
h1{font-size:1.45rem;line-height:1.2;margin:0}
h2{font-size:1.2rem;line-height:1.25;margin:0 0 6px}
.tg{margin:4px 0 0;color:var(--mu)}
.mu{color:var(--mu)}
.sm{font-size:.9rem}
.tabs{display:flex;gap:4px;padding:4px;margin:0 0 16px;border:1px solid var(--bd);border-radius:14px;background:var(--card)}
.tabs a{flex:1;display:flex;align-items:center;justify-content:center;min-height:46px;padding:6px 4px;border-radius:10px;text-align:center;text-decoration:none;font-weight:600;font-size:.95rem;line-height:1.15}
.tabs a[aria-current]{background:var(--btn);color:var(--btnfg)}
.cd{background:var(--card);border:1px solid var(--bd);border-radius:16px;padding:16px;margin:0 0 14px}
.cd>:first-child{margin-top:0}.cd>:last-child{margin-bottom:0}
fieldset{border:0;padding:0;margin:0 0 16px;min-width:0}
legend{font-weight:700;font-size:1.05rem;padding:0;margin:0 0 8px}
.pl{display:grid;gap:10px}
.pc{display:flex;align-items:center;gap:12px;min-height:68px;padding:12px 14px;border:2px solid var(--bd);border-radius:14px;background:var(--card);cursor:pointer}
.pc input{flex:none;width:22px;height:22px;margin:0;accent-color:var(--btn)}
.pc:has(input:checked){border-color:var(--btn);background:var(--tint)}
.pc b{display:block;font-size:1.05rem}
.pc small{display:block;color:var(--mu);font-size:.88rem}
.pr{margin-left:auto;font-weight:800;font-size:1.15rem;white-space:nowrap}
.pr small{display:inline;font-weight:600;font-size:.75rem}
label.f{display:block;font-weight:700;margin:0 0 6px}
.in{display:block;width:100%;min-height:54px;padding:12px 14px;border:2px solid var(--bd);border-radius:12px;background:#fff;color:#111;font:inherit;font-size:1.25rem}
.in:focus{outline:3px solid var(--btn);outline-offset:1px}
.in[aria-invalid]{border-color:#d92d20}
.in.cdx{font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:.12em}
.ht{margin:6px 0 0;font-size:.88rem;color:var(--mu)}
.fe{display:inline-block;margin:6px 0 0;padding:3px 8px;border-radius:8px;font-weight:600;color:#b42318;background:#fef3f2}
legend+.fe{margin:0 0 8px}
.fg{margin:0 0 16px}.mt{margin-top:16px}
.bt{display:flex;align-items:center;justify-content:center;width:100%;min-height:56px;padding:12px 16px;border:2px solid var(--btn);border-radius:14px;background:var(--btn);color:var(--btnfg);font:inherit;font-weight:800;font-size:1.1rem;text-align:center;text-decoration:none;cursor:pointer}
.bt.b2{background:transparent;color:var(--fg);border-color:var(--bd);font-weight:700}
.bt+.bt,.bt+form,form+.bt,form+form{margin-top:10px}
form+.nt,.bt+.nt{margin-top:14px}
.bt.b2.sm{font-size:1rem}
.nt{display:flex;gap:10px;align-items:flex-start;padding:12px 14px;margin:0 0 14px;border-radius:12px;border:1px solid;font-weight:600}
.nt svg{flex:none;margin-top:2px}
.nt.er{background:#fef3f2;border-color:#fda29b;color:#7a271a}
.nt.ok{background:#ecfdf3;border-color:#75e0a7;color:#054f31}
.nt.nf{background:#eff8ff;border-color:#84caff;color:#194185}
.cn{text-align:center}
.ic{display:flex;align-items:center;justify-content:center;width:72px;height:72px;margin:4px auto 12px;border-radius:50%}
.ic.ok{background:#dcfae6;color:#067647}.ic.er{background:#fee4e2;color:#b42318}.ic.wa{background:#fef0c7;color:#b54708}
.code{display:block;margin:10px 0;padding:14px 8px;border:2px dashed var(--btn);border-radius:14px;background:var(--tint);font:800 2.1rem/1.1 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.14em;text-align:center;user-select:all}
.sp{width:64px;height:64px;margin:8px auto 16px;border:7px solid var(--bd);border-top-color:var(--btn);border-radius:50%;animation:r 1s linear infinite}
@keyframes r{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.sp{animation-duration:3s}}
.vl{list-style:none;margin:0 0 14px;padding:0;display:grid;gap:8px}
.vl li{padding:12px;border:1px solid var(--bd);border-radius:12px;background:var(--card)}
.vr{display:flex;align-items:center;justify-content:space-between;gap:8px}
.vl .mc{font:700 1.15rem ui-monospace,Menlo,Consolas,monospace;letter-spacing:.08em}
.vl .st{font-size:.85rem;font-weight:700;padding:3px 10px;border-radius:999px;background:var(--tint);white-space:nowrap}
.vl p{margin:2px 0 0;font-size:.9rem;color:var(--mu)}
.vl form{margin-top:10px}
.kv{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:10px 0 0}.kv dt{color:var(--mu)}.kv dd{margin:0;font-weight:700}
.or{display:flex;align-items:center;gap:10px;margin:18px 0;color:var(--mu);font-size:.9rem}.or:before,.or:after{content:"";flex:1;border-top:1px solid var(--bd)}
details{margin:14px 0 0}summary{cursor:pointer;font-weight:600;min-height:32px}
.tm{white-space:pre-line;font-size:.9rem;color:var(--mu)}
.ft{text-align:center;margin-top:22px;font-size:.88rem;color:var(--mu)}
.ft a{font-weight:700}
.tr{display:flex;align-items:flex-start;justify-content:center;gap:8px;margin:12px 0 0;font-size:.88rem;color:var(--mu)}.tr svg{flex:none;margin-top:2px}`;

/** The portal's stylesheet with the ISP's colours, inline with the CSP nonce. */
export function PortalStyle({ colors = DEFAULT_PORTAL_COLORS }: { colors?: PortalBrand["colors"] }) {
  const nonce = useNonce();
  return <style nonce={nonce || undefined} dangerouslySetInnerHTML={{ __html: `:root{${portalVars(colors)}}\n${CSS}` }} />;
}

const Wifi = ({ size = 28 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" aria-hidden="true">
    <path d="M2 8.8a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0" />
    <circle cx="12" cy="19.5" r="1.3" fill="currentColor" stroke="none" />
  </svg>
);

export const Icon = {
  check: (s = 36) => (
    <svg width={s} height={s} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M5 12.5l4.5 4.5L19 7.5" />
    </svg>
  ),
  cross: (s = 36) => (
    <svg width={s} height={s} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.6" strokeLinecap="round" aria-hidden="true">
      <path d="M7 7l10 10M17 7L7 17" />
    </svg>
  ),
  alert: (s = 20) => (
    <svg width={s} height={s} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" aria-hidden="true">
      <circle cx="12" cy="12" r="9.5" />
      <path d="M12 7.5v5.5M12 16.5v.5" />
    </svg>
  ),
  clock: (s = 36) => (
    <svg width={s} height={s} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" aria-hidden="true">
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7v5l3 2" />
    </svg>
  ),
  lock: (s = 16) => (
    <svg width={s} height={s} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" aria-hidden="true">
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </svg>
  ),
};

/** Header (logo or a Wi-Fi mark, name, tagline), the page, and the help line. */
export function PortalShell({ brand, children }: { brand: PortalBrand; children: ReactNode }) {
  const tel = brand.contactPhone.replace(/[^\d+]/g, "");
  return (
    <>
      <PortalStyle colors={brand.colors} />
      <div className="w">
        <header className="hd">
          {brand.logoDataUrl ? (
            <img className="lg" src={brand.logoDataUrl} alt="" />
          ) : (
            <span className="mk">
              <Wifi />
            </span>
          )}
          <h1>{brand.businessName}</h1>
          {brand.tagline ? <p className="tg">{brand.tagline}</p> : null}
        </header>
        {children}
        <footer className="ft">
          {brand.contactPhone ? (
            <p>
              Need help? Call <a href={`tel:${tel}`}>{brand.contactPhone}</a>
            </p>
          ) : null}
          {brand.terms ? (
            <details>
              <summary>Terms of service</summary>
              <p className="tm">{brand.terms}</p>
            </details>
          ) : null}
        </footer>
      </div>
    </>
  );
}

/** A message box: error, success or information. */
export function Notice({ tone, children }: { tone: "er" | "ok" | "nf"; children: ReactNode }) {
  return (
    <div className={`nt ${tone}`} role={tone === "er" ? "alert" : "status"}>
      {tone === "ok" ? Icon.check(20) : Icon.alert()}
      <div>{children}</div>
    </div>
  );
}

/** The M-Pesa phone input. */
export function PhoneField({ name = "phone", label = "M-Pesa phone number", defaultValue, error, hint }: { name?: string; label?: string; defaultValue?: string; error?: string; hint?: string }) {
  const id = `f-${name}`;
  return (
    <div className="fg">
      <label className="f" htmlFor={id}>
        {label}
      </label>
      <input
        className="in"
        id={id}
        name={name}
        type="tel"
        inputMode="tel"
        autoComplete="tel"
        placeholder="07XX XXX XXX"
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-e` : hint ? `${id}-h` : undefined}
        required
      />
      {error ? (
        <p className="fe" id={`${id}-e`}>
          {error}
        </p>
      ) : hint ? (
        <p className="ht" id={`${id}-h`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The voucher code input: case-sensitive, so no auto-capitalising or auto-correct. */
export function CodeField({ defaultValue, error, label = "Voucher code" }: { defaultValue?: string; error?: string; label?: string }) {
  return (
    <div className="fg">
      <label className="f" htmlFor="f-code">
        {label}
      </label>
      <input
        className="in cdx"
        id="f-code"
        name="code"
        type="text"
        autoComplete="off"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        maxLength={12}
        placeholder="e.g. Ab3dE9"
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby="f-code-h"
        required
      />
      {error ? (
        <p className="fe" id="f-code-h">
          {error}
        </p>
      ) : (
        <p className="ht" id="f-code-h">
          Capital and small letters matter.
        </p>
      )}
    </div>
  );
}

/** A bare error page inside the portal's look (no ISP branding available). */
export function PortalError({ title, text }: { title: string; text: string }) {
  return (
    <>
      <PortalStyle />
      <div className="w cn">
        <div className="ic er">{Icon.cross()}</div>
        <h1>{title}</h1>
        <p className="mu">{text}</p>
      </div>
    </>
  );
}
