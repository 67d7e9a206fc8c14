// The captive portal's branding through the tRPC caller, on the real database: colours, tagline,
// terms and the logo (checked by its bytes: PNG/JPEG/WebP only, SVG and GIF refused, size and
// pixel limits), contrast warnings in words, the audit trail, roles, and tenant isolation.
import { describe, it, expect, beforeAll } from "vitest";
import zlib from "node:zlib";
import { and, asc, eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, requestWithSession, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { auditEvents, hotspotSettings, users } from "../db/schema";
import { getCaller } from "../server/trpc/root";
import { refusal } from "./helpers/trpc";
import type { Site } from "../server/services/hosts";
import { checkLogo, LOGO_MAX_BYTES, sniffImage } from "../server/services/hotspot/branding";
import { portalPage } from "../server/services/hotspot/portal";
import { safeBranding } from "../app/lib/portal.server";
import { contrastChecks, contrastRatio, contrastWarnings } from "../app/components/portal-ui";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;

const site = (f: TenantFixture): Site => ({ kind: "tenant", tenant: f.tenant });
const caller = (f: TenantFixture, token = f.token) => getCaller(appContext(t.db, site(f)), requestWithSession(`${f.tenant.slug}.mnetifi.test`, token));
const inTenant = <T>(f: TenantFixture, fn: (tx: Tx) => Promise<T>) => withTenant(t.db, f.tenant.id, null, fn);
const row = async (f: TenantFixture) => (await inTenant(f, (tx) => tx.select().from(hotspotSettings).where(eq(hotspotSettings.tenantId, f.tenant.id))))[0];


// ---------- image files, built byte by byte ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const chunk = (type: string, body: Buffer) => Buffer.concat([u32(body.length), Buffer.from(type, "ascii"), body, u32(crc32(Buffer.concat([Buffer.from(type, "ascii"), body])))]);

/** A real PNG (RGB, a gradient), padded with a private ancillary chunk to `size` bytes when asked. */
function png(width: number, height: number, size?: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set([(x * 255) / width, (y * 255) / height, 128], row + 1 + x * 3);
  }
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw))];
  const end = chunk("IEND", Buffer.alloc(0));
  const now = parts.reduce((n, p) => n + p.length, 0) + end.length;
  if (size !== undefined) {
    if (size < now + 12) throw new Error("png: too small to pad");
    parts.push(chunk("paDd", Buffer.alloc(size - now - 12, 7)));
  }
  return Buffer.concat([...parts, end]);
}

/** The start of a baseline JPEG: SOI, a JFIF APP0 segment, a frame header with the size. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(64), Buffer.from([0xff, 0xd9])]);
}

/** A lossless WebP header (RIFF, WEBP, VP8L with the size). */
function webp(width: number, height: number): Buffer {
  const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
  const vp8l = Buffer.concat([Buffer.from([0x2f]), Buffer.from([bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff]), Buffer.alloc(40)]);
  const body = Buffer.concat([Buffer.from("WEBP"), Buffer.from("VP8L"), Buffer.from([vp8l.length, 0, 0, 0]), vp8l]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from("RIFF"), size, body]);
}

const dataUrl = (bytes: Buffer, type = "image/png") => `data:${type};base64,${bytes.toString("base64")}`;
const SVG = Buffer.from(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(1)</script><rect width="64" height="64"/></svg>`);

/** Everything the form sends, as strings. */
const form = (over: Record<string, string> = {}) => ({ colorBackground: "#fff7ed", colorText: "#431407", colorButton: "#c2410c", tagline: "Fast Wi-Fi from KES 10", terms: "No refunds.", logo: "", removeLogo: "", ...over });

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-brand-a");
  B = await createTenantFixture(t.db, "isp-brand-b");
});

describe("reading and saving", () => {
  it("a new ISP has the default look, with what the preview needs", async () => {
    const r = await (await caller(A)).hotspotBranding.get();
    expect(r.branding).toEqual({ tagline: "", terms: "", colors: { background: "#f8fafc", text: "#0f172a", button: "#059669" }, logoDataUrl: null });
    expect(r.warnings).toEqual([]);
    expect(r.businessName).toBe("isp-brand-a Networks");
    expect(r.limits).toMatchObject({ logoMaxBytes: LOGO_MAX_BYTES, taglineMax: 80, termsMax: 2000 });
    expect(r.plans).toEqual([]);
  });

  it("saves a valid update from form strings, tidied, and the portal shows it", async () => {
    const a = await caller(A);
    const logo = png(96, 48);
    const r = await a.hotspotBranding.save(
      form({ colorBackground: " FFF7ED ", colorText: "#431407", colorButton: "#C2410C", tagline: "  Fast   Wi-Fi\nfrom KES 10 ", terms: "No refunds.\r\n\r\n\r\n\r\nOne code, one device.   \r\n", logo: dataUrl(logo, "image/gif") }),
    );
    expect(r.changed).toEqual(["colorBackground", "colorText", "colorButton", "tagline", "terms", "logo"]);
    expect(r.logo).toBe("uploaded");
    expect(r.warnings).toEqual([]);
    // The declared type is ignored: the bytes are a PNG, so it is stored as one.
    expect(r.branding).toEqual({ tagline: "Fast Wi-Fi from KES 10", terms: "No refunds.\n\nOne code, one device.", colors: { background: "#fff7ed", text: "#431407", button: "#c2410c" }, logoDataUrl: dataUrl(logo) });
    expect((await a.hotspotBranding.get()).branding).toEqual(r.branding);
    expect(await row(A)).toMatchObject({ portalTagline: "Fast Wi-Fi from KES 10", colorButton: "#c2410c", logoDataUrl: dataUrl(logo), expiryMode: "first_use", lapseDays: 30 });
    // What the portal renders, through the same guard the portal uses.
    const page = await inTenant(A, (tx) => portalPage(tx, A.tenant.id));
    expect(safeBranding(page.branding)).toMatchObject({ businessName: "isp-brand-a Networks", tagline: "Fast Wi-Fi from KES 10", terms: "No refunds.\n\nOne code, one device.", colors: r.branding.colors, logoDataUrl: dataUrl(logo) });
  });

  it("changes only what is sent; saving the same again changes nothing", async () => {
    const a = await caller(A);
    const before = (await a.hotspotBranding.get()).branding;
    const r = await a.hotspotBranding.save({ colorButton: "#9f1239" });
    expect(r.changed).toEqual(["colorButton"]);
    expect(r.branding).toEqual({ ...before, colors: { ...before.colors, button: "#9f1239" } });
    const again = await a.hotspotBranding.save({ colorButton: "#9F1239", tagline: before.tagline });
    expect(again.changed).toEqual([]);
    expect(again.logo).toBeNull();
  });

  it("the hotspot rules and the branding do not overwrite each other", async () => {
    const a = await caller(A);
    await a.hotspotPlans.saveSettings({ expiryMode: "purchase", lapseDays: "7", idleTimeoutMinutes: "20", codeLength: "7", freeTrialMinutes: "10" });
    expect((await a.hotspotBranding.get()).branding.colors.button).toBe("#9f1239");
    await a.hotspotBranding.save({ tagline: "Karibu" });
    expect(await a.hotspotPlans.settings()).toMatchObject({ expiryMode: "purchase", lapseDays: 7, idleTimeoutMinutes: 20, codeLength: 7 });
  });
});

describe("bad input", () => {
  it("refuses each bad field in plain words, and saves nothing", async () => {
    const a = await caller(A);
    const before = await row(A);
    const r = await refusal(a.hotspotBranding.save(form({ colorBackground: "red", colorText: "#12345", colorButton: "", tagline: "x".repeat(81), terms: "y".repeat(2001) })));
    expect(r.code).toBe("BAD_REQUEST");
    expect(r.fieldErrors).toEqual({
      colorBackground: ["Enter the background colour as # and six digits or letters a–f, e.g. #059669."],
      colorText: ["Enter the text colour as # and six digits or letters a–f, e.g. #059669."],
      colorButton: ["Choose the button colour."],
      tagline: ["Keep the tagline under 80 characters (now 81)."],
      terms: ["Keep the terms under 2,000 characters (now 2,001)."],
    });
    for (const bad of ["#ggggg0", "#0f766e0", "rgb(0,0,0)", "#fff", "0x123456"]) {
      expect((await refusal(a.hotspotBranding.save({ colorButton: bad }))).fieldErrors.colorButton).toEqual(["Enter the button colour as # and six digits or letters a–f, e.g. #059669."]);
    }
    expect((await refusal(a.hotspotBranding.save({ colorText: 42 as unknown as string }))).fieldErrors.colorText).toEqual(["Choose the text colour."]);
    // A refused save changes nothing, even the fields that were fine.
    await refusal(a.hotspotBranding.save(form({ tagline: "Good tagline", colorButton: "nope" })));
    expect(await row(A)).toEqual(before);
  });

  it("warns in words when the contrast is poor, and saves anyway (the owner decides)", async () => {
    const a = await caller(A);
    const r = await a.hotspotBranding.save({ colorBackground: "#ffffff", colorText: "#bbbbbb", colorButton: "#eeeeee" });
    expect(r.warnings).toEqual([
      "The text is hard to read on this background (contrast 1.9:1; aim for at least 4.5:1). Choose a darker text colour or a lighter background.",
      "The buttons barely stand out from the background (contrast 1.1:1; aim for at least 3:1). Choose a darker button colour.",
    ]);
    expect((await a.hotspotBranding.get()).warnings).toEqual(r.warnings);
    // A dark page gets the opposite advice.
    expect(contrastWarnings({ background: "#111111", text: "#333333", button: "#222222" })).toEqual([
      "The text is hard to read on this background (contrast 1.4:1; aim for at least 4.5:1). Choose a lighter text colour or a darker background.",
      "The buttons barely stand out from the background (contrast 1.1:1; aim for at least 3:1). Choose a lighter button colour.",
    ]);
    // WCAG's numbers.
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(contrastChecks({ background: "#f8fafc", text: "#0f172a", button: "#059669" }).map((c) => c.ok)).toEqual([true, true]);
    await a.hotspotBranding.save({ colorBackground: "#fff7ed", colorText: "#431407", colorButton: "#c2410c" });
  });
});

describe("the logo", () => {
  it("accepts PNG, JPEG and WebP by their bytes, stored with the type the bytes say", async () => {
    const a = await caller(A);
    for (const [bytes, type] of [
      [png(80, 40), "image/png"],
      [jpeg(640, 320), "image/jpeg"],
      [webp(256, 256), "image/webp"],
    ] as const) {
      // Declared as something else, or sent as bare base64: only the bytes count.
      const r = await a.hotspotBranding.save({ logo: bytes.toString("base64") });
      expect(r.branding.logoDataUrl).toBe(dataUrl(bytes, type));
      const declaredWrong = await a.hotspotBranding.save({ logo: dataUrl(bytes, "application/octet-stream") });
      expect(declaredWrong.branding.logoDataUrl).toBe(dataUrl(bytes, type));
    }
    expect(sniffImage(png(300, 150))).toEqual({ kind: "png", width: 300, height: 150 });
    expect(sniffImage(jpeg(640, 320))).toEqual({ kind: "jpeg", width: 640, height: 320 });
    expect(sniffImage(webp(256, 128))).toEqual({ kind: "webp", width: 256, height: 128 });
  });

  it("refuses SVG (even named or declared as PNG), GIF, other files and damaged images", async () => {
    const a = await caller(A);
    const before = (await a.hotspotBranding.get()).branding.logoDataUrl;
    const logoError = async (logo: string) => (await refusal(a.hotspotBranding.save({ logo }))).fieldErrors.logo;
    const svgWords = ["SVG logos are not accepted (an SVG can carry scripts). Save your logo as PNG or WebP and upload that."];
    expect(await logoError(dataUrl(SVG, "image/svg+xml"))).toEqual(svgWords);
    expect(await logoError(dataUrl(SVG, "image/png"))).toEqual(svgWords);
    expect(await logoError(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("\n  <!-- logo -->\n<svg viewBox='0 0 1 1'></svg>")]).toString("base64"))).toEqual(svgWords);
    expect(await logoError(dataUrl(Buffer.from("GIF89a\x10\x00\x10\x00\x80\x00\x00", "latin1"), "image/gif"))).toEqual(["GIF logos are not accepted. Save your logo as PNG, JPEG or WebP and upload that."]);
    const notImage = ["That file is not a PNG, JPEG or WebP image (we check what is inside it, not its name)."];
    expect(await logoError(dataUrl(Buffer.from("<html><body>hello</body></html>"), "image/png"))).toEqual(notImage);
    expect(await logoError(dataUrl(Buffer.from("%PDF-1.7 ..."), "image/png"))).toEqual(notImage);
    expect(await logoError("data:image/png;base64,@@@not-base64@@@")).toEqual(["That file could not be read. Choose a PNG, JPEG or WebP image."]);
    expect(await logoError("data:image/png,plain-text-not-base64")).toEqual(["That file could not be read. Choose a PNG, JPEG or WebP image."]);
    // A PNG signature with nothing after it: no size to read.
    expect(await logoError(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]).toString("base64"))).toEqual([
      "That image looks damaged: its size in pixels could not be read. Save it again as PNG or WebP.",
    ]);
    expect((await a.hotspotBranding.get()).branding.logoDataUrl).toBe(before);
  });

  it("caps the size at LOGO_MAX_BYTES and the pixels at 16–1024 each way", async () => {
    const a = await caller(A);
    const largest = png(64, 64, LOGO_MAX_BYTES);
    expect(largest.length).toBe(LOGO_MAX_BYTES);
    expect((await a.hotspotBranding.save({ logo: dataUrl(largest) })).branding.logoDataUrl).toBe(dataUrl(largest));
    const over = png(64, 64, LOGO_MAX_BYTES + 1);
    expect((await refusal(a.hotspotBranding.save({ logo: dataUrl(over) }))).fieldErrors.logo).toEqual([
      "The logo is 21 KB; the largest allowed is 20 KB, so the portal opens quickly on a cheap phone. Save it about 256 pixels wide as PNG or WebP.",
    ]);
    // A huge bitmap compresses to a tiny file but would stall a cheap phone.
    expect((await refusal(a.hotspotBranding.save({ logo: dataUrl(jpeg(4000, 3000)) }))).fieldErrors.logo).toEqual([
      "The logo is 4000 × 3000 pixels; at most 1024 × 1024 (it shows at most 64 pixels high). Save it smaller.",
    ]);
    expect((await refusal(a.hotspotBranding.save({ logo: dataUrl(png(8, 8)) }))).fieldErrors.logo).toEqual(["The logo is only 8 × 8 pixels; use at least 16 × 16 so it is not blurred."]);
    // Text far too long for any allowed logo is refused unread.
    expect((await refusal(a.hotspotBranding.save({ logo: "A".repeat(2 * 1024 * 1024 + 1) }))).fieldErrors.logo).toEqual(["That file is far too big; the largest logo is 20 KB."]);
    expect(checkLogo(dataUrl(largest))).toMatchObject({ ok: true, logo: { type: "png", bytes: LOGO_MAX_BYTES, width: 64, height: 64 } });
    // The largest logo inline, as base64 in the portal's HTML: about 27 KB.
    expect(dataUrl(largest).length).toBeLessThan(28 * 1024);
  });

  it("removes the logo; a new logo sent with 'remove' wins", async () => {
    const a = await caller(A);
    const r = await a.hotspotBranding.save({ removeLogo: "on" });
    expect(r).toMatchObject({ changed: ["logo"], logo: "removed", branding: { logoDataUrl: null } });
    expect((await a.hotspotBranding.save({ removeLogo: true })).changed).toEqual([]);
    const logo = png(120, 40);
    expect((await a.hotspotBranding.save({ logo: dataUrl(logo), removeLogo: "on" })).branding.logoDataUrl).toBe(dataUrl(logo));
    // An empty logo field means "no new logo", not "remove".
    expect((await a.hotspotBranding.save(form({ logo: "" }))).branding.logoDataUrl).toBe(dataUrl(logo));
  });
});

describe("audit, roles and tenants", () => {
  it("records every save as an event (with what changed) and as a row change", async () => {
    const events = await inTenant(A, (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.tenantId, A.tenant.id), eq(auditEvents.action, "hotspot.branding_saved"))).orderBy(asc(auditEvents.id)));
    expect(events.every((e) => e.actorKind === "user" && e.actorId === A.owner.id && e.ip === "127.0.0.1" && e.requestId === "test-request")).toBe(true);
    const details = events.map((e) => e.details as { changed: string[]; logo?: unknown; warnings?: string[] });
    expect(details[0]).toEqual({ changed: ["colorBackground", "colorText", "colorButton", "tagline", "terms", "logo"], logo: { type: "png", bytes: expect.any(Number), width: 96, height: 48 } });
    expect(details).toContainEqual({ changed: ["logo"], logo: "removed" });
    expect(details.find((x) => x.warnings)).toMatchObject({ changed: ["colorBackground", "colorText", "colorButton"], warnings: [expect.stringContaining("hard to read"), expect.stringContaining("barely stand out")] });
    // A save that changed nothing is not an event; a refused one neither.
    expect(details.filter((x) => x.changed.length === 0)).toEqual([]);
    const rowChanges = await inTenant(A, (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.tenantId, A.tenant.id), eq(auditEvents.tableName, "hotspot_settings"))));
    const update = rowChanges.find((r) => r.action === "UPDATE" && (r.changes as Record<string, unknown>).color_button);
    expect(update).toMatchObject({ actorId: A.owner.id, changes: { color_button: { from: expect.any(String), to: expect.any(String) } } });
  });

  it("an admin may change it; staff, technicians and resellers may neither read nor change it", async () => {
    const admin = await caller(A, (await addUser(t.db, A, "admin", "brand-admin")).token);
    expect((await admin.hotspotBranding.save({ tagline: "Set by the admin" })).changed).toEqual(["tagline"]);
    const before = await row(A);
    for (const role of ["staff", "technician"] as const) {
      const c = await caller(A, (await addUser(t.db, A, role, `brand-${role}`)).token);
      expect(await refusal(c.hotspotBranding.get())).toMatchObject({ code: "FORBIDDEN" });
      expect(await refusal(c.hotspotBranding.save({ tagline: `Set by ${role}` }))).toMatchObject({ code: "FORBIDDEN" });
    }
    const reseller = await addUser(t.db, A, "staff", "brand-reseller");
    await inTenant(A, (tx) => tx.update(users).set({ role: "reseller" }).where(and(eq(users.tenantId, A.tenant.id), eq(users.id, reseller.id))));
    expect(await refusal((await caller(A, reseller.token)).hotspotBranding.get())).toMatchObject({ code: "FORBIDDEN" });
    expect(await refusal((await caller(A, reseller.token)).hotspotBranding.save({ tagline: "x" }))).toMatchObject({ code: "FORBIDDEN" });
    // Nobody signed in: refused too.
    expect(await refusal((await caller(A, "not-a-session")).hotspotBranding.get())).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await row(A)).toEqual(before);
  });

  it("another ISP can neither read nor change it", async () => {
    const aBefore = await row(A);
    const b = await caller(B);
    // B sees its own (default) branding, never A's.
    const mine = await b.hotspotBranding.get();
    expect(mine.branding.tagline).toBe("");
    expect(mine.businessName).toBe("isp-brand-b Networks");
    await b.hotspotBranding.save({ tagline: "B's own", colorButton: "#1d4ed8", logo: dataUrl(png(32, 32)) });
    expect(await row(A)).toEqual(aBefore);
    // B's session on A's host is not a session there.
    const bOnA = await getCaller(appContext(t.db, site(A)), requestWithSession(`${A.tenant.slug}.mnetifi.test`, B.token));
    expect(await refusal(bOnA.hotspotBranding.get())).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await refusal(bOnA.hotspotBranding.save({ tagline: "Hijacked" }))).toMatchObject({ code: "UNAUTHORIZED" });
    // Raw SQL as the app role in B's context: A's row is invisible and cannot be changed.
    expect(await inTenant(B, (tx) => tx.select().from(hotspotSettings).where(eq(hotspotSettings.tenantId, A.tenant.id)))).toEqual([]);
    const changed = await inTenant(B, (tx) => tx.update(hotspotSettings).set({ portalTagline: "Hijacked" }).where(eq(hotspotSettings.tenantId, A.tenant.id)).returning());
    expect(changed).toEqual([]);
    expect(await row(A)).toEqual(aBefore);
    // A's audit trail holds none of B's events.
    const aEvents = await inTenant(A, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "hotspot.branding_saved")));
    expect(aEvents.every((e) => e.tenantId === A.tenant.id)).toBe(true);
  });
});
