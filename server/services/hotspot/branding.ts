// The captive portal's branding (issue: "fully branded from the ISP's settings"): colours of the
// background, text and buttons, a tagline, terms and conditions, and a logo. They live in the
// ISP's hotspot_settings row beside the voucher rules (settings.ts never touches them; this file
// never touches the rules). The business name is the tenant's own and is not changed here.
//
// The logo is stored as a data: URL and sent inline in the portal's one HTML document, so its size
// is the portal's size. It is checked by its bytes (never by a file name or a declared type):
// PNG, JPEG or WebP only, SVG refused (an SVG is a document that can carry scripts and links), at
// most LOGO_MAX_BYTES, and with sane pixel dimensions (a small file can still decode to a huge
// bitmap that stalls a cheap phone).
import { z } from "zod";
import { eq } from "drizzle-orm";
import { hotspotSettings } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import { DEFAULT_PORTAL_COLORS, HEX_COLOR, contrastWarnings } from "../../../app/components/portal-ui";

/**
 * The largest logo, in bytes of the image file. The portal's first load must stay well under
 * 60 KB (e2e/portal.spec.ts "the first load is tiny" counts both the HTML as received and the bytes
 * on the wire). Inline as base64 a logo grows by 4/3 in the HTML and barely compresses, so:
 * 20 KB → about 27 KB of HTML and about 20 KB on the wire, on top of a page of about 15 KB
 * (≈ 5 KB gzipped) with terms of up to 2,000 characters: about 45 KB of HTML and 26 KB over the
 * wire in the worst case. The payment page, which reloads itself every 3 s while the customer
 * enters the M-Pesa PIN, carries the logo too. A logo is shown at most 64 px high, so a 256 px
 * wide PNG or WebP (typically 3–15 KB) is plenty.
 */
export const LOGO_MAX_BYTES = 20 * 1024;
/** Pixels: enough for any screen's 64 px high logo, small enough to decode quickly on a cheap phone. */
export const LOGO_MAX_PIXELS = 1024;
export const LOGO_MIN_PIXELS = 16;
export const TAGLINE_MAX = 80;
export const TERMS_MAX = 2000;

export const LOGO_TYPES = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" } as const;
export type LogoType = keyof typeof LOGO_TYPES;

export type PortalBranding = {
  tagline: string;
  terms: string;
  colors: { background: string; text: string; button: string };
  logoDataUrl: string | null;
};

export const DEFAULT_BRANDING: PortalBranding = { tagline: "", terms: "", colors: { ...DEFAULT_PORTAL_COLORS }, logoDataUrl: null };

const kb = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

// ---------- the logo's bytes ----------

type Sniffed = { kind: LogoType; width: number | null; height: number | null } | { kind: "svg" } | { kind: "gif" } | { kind: "unknown" };

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** JPEG: the first start-of-frame marker's height and width (null when the file ends first). */
function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or the scan, before any frame header
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

/** WebP: lossy (VP8), lossless (VP8L) or extended (VP8X) canvas size. */
function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8 " && b.length >= 30 && startsWith(b, [0x9d, 0x01, 0x2a], 23)) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === "VP8L" && b.length >= 25 && b[20] === 0x2f) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X" && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return null;
}

/** What the bytes are (magic numbers), and for the accepted kinds their pixel size when readable. */
export function sniffImage(b: Uint8Array): Sniffed {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    const ok = b.length >= 24 && ascii(b, 12, 4) === "IHDR";
    return { kind: "png", width: ok ? u32be(b, 16) : null, height: ok ? u32be(b, 20) : null };
  }
  if (startsWith(b, [0xff, 0xd8, 0xff])) {
    const size = jpegSize(b);
    return { kind: "jpeg", width: size?.width ?? null, height: size?.height ?? null };
  }
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") {
    const size = webpSize(b);
    return { kind: "webp", width: size?.width ?? null, height: size?.height ?? null };
  }
  if (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a") return { kind: "gif" };
  // SVG: markup (perhaps after a byte-order mark, an XML declaration, a doctype or comments)
  // with an <svg element early on.
  const head = new TextDecoder("utf-8", { fatal: false }).decode(b.subarray(0, 4096)).replace(/^\uFEFF/, "").trimStart().toLowerCase();
  if (head.startsWith("<") && /<svg[\s>/]/.test(head)) return { kind: "svg" };
  return { kind: "unknown" };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Room for a data: URL prefix and base64's 4/3 of the largest allowed file; longer text is refused unread. */
const LOGO_INPUT_MAX = 2 * 1024 * 1024;

export type CheckedLogo = { dataUrl: string; type: LogoType; bytes: number; width: number; height: number };

/**
 * A logo as sent: a data: URL (its declared type is ignored) or bare base64. The bytes decide:
 * PNG, JPEG or WebP; not SVG; at most LOGO_MAX_BYTES; 16 to 1024 pixels each way.
 */
export function checkLogo(input: string): { ok: true; logo: CheckedLogo } | { ok: false; error: string } {
  const text = input.trim();
  const body = text.startsWith("data:") ? (/^data:[^,]*;base64,(.*)$/s.exec(text)?.[1] ?? null) : text;
  const b64 = body?.replace(/\s+/g, "") ?? "";
  if (!b64 || !BASE64.test(b64) || b64.length % 4 === 1) return { ok: false, error: "That file could not be read. Choose a PNG, JPEG or WebP image." };
  const bytes = new Uint8Array(Buffer.from(b64, "base64"));
  if (bytes.length === 0) return { ok: false, error: "That file is empty. Choose a PNG, JPEG or WebP image." };
  const found = sniffImage(bytes);
  if (found.kind === "svg") return { ok: false, error: "SVG logos are not accepted (an SVG can carry scripts). Save your logo as PNG or WebP and upload that." };
  if (found.kind === "gif") return { ok: false, error: "GIF logos are not accepted. Save your logo as PNG, JPEG or WebP and upload that." };
  if (found.kind === "unknown") return { ok: false, error: "That file is not a PNG, JPEG or WebP image (we check what is inside it, not its name)." };
  if (bytes.length > LOGO_MAX_BYTES) {
    return { ok: false, error: `The logo is ${kb(bytes.length)}; the largest allowed is ${kb(LOGO_MAX_BYTES)}, so the portal opens quickly on a cheap phone. Save it about 256 pixels wide as PNG or WebP.` };
  }
  if (!found.width || !found.height) return { ok: false, error: "That image looks damaged: its size in pixels could not be read. Save it again as PNG or WebP." };
  if (found.width > LOGO_MAX_PIXELS || found.height > LOGO_MAX_PIXELS) {
    return { ok: false, error: `The logo is ${found.width} × ${found.height} pixels; at most ${LOGO_MAX_PIXELS} × ${LOGO_MAX_PIXELS} (it shows at most 64 pixels high). Save it smaller.` };
  }
  if (found.width < LOGO_MIN_PIXELS || found.height < LOGO_MIN_PIXELS) {
    return { ok: false, error: `The logo is only ${found.width} × ${found.height} pixels; use at least ${LOGO_MIN_PIXELS} × ${LOGO_MIN_PIXELS} so it is not blurred.` };
  }
  const dataUrl = `data:${LOGO_TYPES[found.kind]};base64,${Buffer.from(bytes).toString("base64")}`;
  return { ok: true, logo: { dataUrl, type: found.kind, bytes: bytes.length, width: found.width, height: found.height } };
}

// ---------- input ----------

/** "#0F766E", "0f766e", " #0f766e " → "#0f766e"; anything else is left for the check to refuse. */
export function normalizeColor(v: string): string {
  const s = v.trim().toLowerCase();
  return /^[0-9a-f]{6}$/.test(s) ? `#${s}` : s;
}

const color = (what: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? normalizeColor(v) : v),
    z
      .string({ error: `Choose the ${what} colour.` })
      .min(1, { error: `Choose the ${what} colour.`, abort: true })
      .regex(HEX_COLOR, `Enter the ${what} colour as # and six digits or letters a–f, e.g. #059669.`),
  );

/** One line: spaces and line breaks collapsed. */
const oneLine = (v: unknown) => (typeof v === "string" ? v.replace(/\s+/g, " ").trim() : v);
/** Plain text: line breaks kept (at most one blank line in a row), control characters dropped. */
const plainText = (v: unknown) =>
  typeof v === "string"
    ? v
        .replace(/\r\n?/g, "\n")
        .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
        .split("\n")
        .map((l) => l.replace(/[ \t]+$/g, ""))
        .join("\n")
        .replace(/\n{3,}/g, "\n\n")
        .trim()
    : v;

const thousands = (n: number) => n.toLocaleString("en-KE");
const tooLong = (what: string, max: number) => (s: string, ctx: z.RefinementCtx) => {
  if (s.length > max) ctx.addIssue({ code: "custom", message: `Keep the ${what} under ${thousands(max)} characters (now ${thousands(s.length)}).` });
};

/** A checkbox or a caller's boolean: "on"/"true"/"1"/true is yes. */
const yes = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());

const brandingFields = z.object({
  colorBackground: color("background").optional(),
  colorText: color("text").optional(),
  colorButton: color("button").optional(),
  tagline: z.preprocess(oneLine, z.string({ error: "Enter a tagline, or leave it empty." }).superRefine(tooLong("tagline", TAGLINE_MAX))).optional(),
  terms: z.preprocess(plainText, z.string({ error: "Enter your terms as text, or leave them empty." }).superRefine(tooLong("terms", TERMS_MAX))).optional(),
  /** A new logo: a data: URL or base64 of the file. Empty means "no new logo". */
  logo: z
    .string({ error: "Choose a PNG, JPEG or WebP image." })
    .max(LOGO_INPUT_MAX, `That file is far too big; the largest logo is ${kb(LOGO_MAX_BYTES)}.`)
    .transform((s, ctx) => {
      if (!s.trim()) return undefined;
      const r = checkLogo(s);
      if (!r.ok) {
        ctx.addIssue({ code: "custom", message: r.error });
        return z.NEVER;
      }
      return r.logo;
    })
    .optional(),
  removeLogo: yes.optional(),
});

export type BrandingInput = z.output<typeof brandingFields>;
/** What a form (strings) or a caller may send; every field is optional (missing = unchanged). */
export type BrandingFormInput = { [K in keyof z.input<typeof brandingFields>]?: unknown };
export const brandingInput = brandingFields as unknown as z.ZodType<BrandingInput, BrandingFormInput>;

// ---------- read and save ----------

/** The ISP's portal branding, with the defaults when nothing was saved. */
export async function getBranding(tx: Tx, tenantId: string): Promise<PortalBranding> {
  const [s] = await tx
    .select({
      tagline: hotspotSettings.portalTagline,
      terms: hotspotSettings.portalTerms,
      background: hotspotSettings.colorBackground,
      text: hotspotSettings.colorText,
      button: hotspotSettings.colorButton,
      logoDataUrl: hotspotSettings.logoDataUrl,
    })
    .from(hotspotSettings)
    .where(eq(hotspotSettings.tenantId, tenantId));
  if (!s) return { ...DEFAULT_BRANDING, colors: { ...DEFAULT_BRANDING.colors } };
  return { tagline: s.tagline, terms: s.terms, colors: { background: s.background, text: s.text, button: s.button }, logoDataUrl: s.logoDataUrl };
}

export type BrandingField = "colorBackground" | "colorText" | "colorButton" | "tagline" | "terms" | "logo";

/**
 * Saves what was sent (a field left out stays as it is; a new logo wins over "remove"). Returns
 * the branding, what changed (field names, for the audit), what happened to the logo, and the
 * contrast warnings in words (saved anyway: the owner decides).
 */
export async function saveBranding(tx: Tx, tenantId: string, input: BrandingInput) {
  const before = await getBranding(tx, tenantId);
  const set: Partial<typeof hotspotSettings.$inferInsert> = {};
  if (input.colorBackground !== undefined) set.colorBackground = input.colorBackground;
  if (input.colorText !== undefined) set.colorText = input.colorText;
  if (input.colorButton !== undefined) set.colorButton = input.colorButton;
  if (input.tagline !== undefined) set.portalTagline = input.tagline;
  if (input.terms !== undefined) set.portalTerms = input.terms;
  if (input.logo) set.logoDataUrl = input.logo.dataUrl;
  else if (input.removeLogo) set.logoDataUrl = null;

  const after: PortalBranding = {
    tagline: set.portalTagline ?? before.tagline,
    terms: set.portalTerms ?? before.terms,
    colors: { background: set.colorBackground ?? before.colors.background, text: set.colorText ?? before.colors.text, button: set.colorButton ?? before.colors.button },
    logoDataUrl: set.logoDataUrl !== undefined ? set.logoDataUrl : before.logoDataUrl,
  };
  const changed: BrandingField[] = [];
  if (after.colors.background !== before.colors.background) changed.push("colorBackground");
  if (after.colors.text !== before.colors.text) changed.push("colorText");
  if (after.colors.button !== before.colors.button) changed.push("colorButton");
  if (after.tagline !== before.tagline) changed.push("tagline");
  if (after.terms !== before.terms) changed.push("terms");
  if (after.logoDataUrl !== before.logoDataUrl) changed.push("logo");

  if (changed.length > 0) {
    await tx.insert(hotspotSettings).values({ tenantId, ...set }).onConflictDoUpdate({ target: hotspotSettings.tenantId, set });
  }
  const logo = !changed.includes("logo") ? null : after.logoDataUrl ? ("uploaded" as const) : ("removed" as const);
  return { branding: after, changed, logo, warnings: contrastWarnings(after.colors) };
}
