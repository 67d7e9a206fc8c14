// The owner brands the captive portal: colours, tagline, terms and a logo of the largest size
// allowed. The dashboard's preview (the real portal components in a phone-sized frame) changes
// as they type, before anything is saved; after saving, the real portal on a phone without
// JavaScript shows the same. A bad colour is a field error that keeps what was typed, with or
// without JavaScript. (portal.spec.ts runs after this file: its "first load is tiny" test then
// measures the portal with this largest logo.)
import { test, expect, type Browser, type Page } from "@playwright/test";
import crypto from "node:crypto";
import zlib from "node:zlib";
import { url, snap, signInDemo } from "./helpers";
import { LOGO_MAX_BYTES } from "../server/services/hotspot/branding";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const THEME = { background: "#fff7ed", text: "#431407", button: "#c2410c" };
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
const TAGLINE = "Fast Wi-Fi from KES 10 · Kasarani";
const TERMS = "Vouchers are not refundable.\nOne voucher works on as many devices as its package allows.";

// ---------- a logo, built byte by byte ----------

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const chunk = (type: string, body: Buffer) => {
  const head = Buffer.from(type, "ascii");
  return Buffer.concat([u32(body.length), head, body, u32(crc32(Buffer.concat([head, body])))]);
};

/**
 * A 128 × 128 PNG signal mark in the theme's button colour, padded with random bytes (a private
 * ancillary chunk browsers skip) to exactly `size` bytes: the largest logo allowed, and as
 * incompressible as a real photo-like logo of that size would be.
 */
function logoPng(size: number): Buffer {
  const S = 128;
  const raw = Buffer.alloc((S * 4 + 1) * S);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(THEME.button.slice(i, i + 2), 16)) as [number, number, number];
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const at = y * (S * 4 + 1) + 1 + x * 4;
      const dx = x - 64;
      const dy = y - 64;
      const d = Math.hypot(dx, dy);
      if (d > 62) continue; // transparent
      const ry = y - 86;
      const rr = Math.hypot(dx, ry);
      const arc = ry < 0 && Math.abs(dx) < -ry * 1.1 && ((rr > 22 && rr < 32) || (rr > 42 && rr < 52));
      const dot = rr < 9;
      raw.set(arc || dot ? [255, 255, 255, 255] : [r, g, b, 255], at);
    }
  }
  const ihdr = Buffer.concat([u32(S), u32(S), Buffer.from([8, 6, 0, 0, 0])]);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw, { level: 9 }))];
  const end = chunk("IEND", Buffer.alloc(0));
  const now = parts.reduce((n, p) => n + p.length, 0) + end.length;
  parts.push(chunk("paDd", crypto.randomBytes(size - now - 12)));
  return Buffer.concat([...parts, end]);
}

const LOGO = logoPng(LOGO_MAX_BYTES);

/** A full-page screenshot from the top, with the preview scrolled to its top too. */
async function snapTop(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.frameLocator('iframe[title="Portal preview"]').locator("body").evaluate((b) => b.ownerDocument.defaultView?.scrollTo(0, 0));
  await snap(page, name);
}

async function signIn(page: Page, next: string) {
  await signInDemo(page, "owner", next);
  await expect(page.getByRole("heading", { name: "Portal branding", exact: true })).toBeVisible();
}

/** The real portal as a customer's phone gets it: JavaScript off, 360 px wide. */
async function openPortal(browser: Browser) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(url("demo", "/hotspotportal"));
  await expect(page.getByRole("heading", { name: "Demo Networks Ltd" })).toBeVisible();
  return { page, close: () => ctx.close() };
}

test("the owner brands the portal: the preview follows as they type, the portal after they save", async ({ page, browser }) => {
  test.setTimeout(60_000);
  expect(LOGO.length).toBe(LOGO_MAX_BYTES);
  await page.setViewportSize(DESKTOP);
  await signIn(page, "/dashboard/hotspot/branding");
  await expect(page.getByRole("navigation", { name: "Hotspot" }).getByRole("link", { name: "Portal" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("link", { name: "View live portal" })).toHaveAttribute("href", "/hotspotportal");
  const preview = page.frameLocator('iframe[title="Portal preview"]');
  await expect(preview.getByRole("heading", { name: "Demo Networks Ltd" })).toBeVisible();
  await expect(preview.getByRole("button", { name: "Pay with M-Pesa" })).toBeVisible();
  await expect(page.getByText("As on your portal")).toBeVisible();
  await snapTop(page, "branding-desktop");

  const form = page.getByRole("form", { name: "Portal branding" });
  await form.getByLabel("Background", { exact: true }).fill(THEME.background);
  await form.getByLabel("Text", { exact: true }).fill(THEME.text);
  await form.getByLabel("Buttons", { exact: true }).fill(THEME.button);
  await form.getByLabel("Tagline").fill(TAGLINE);
  await form.getByLabel("Terms and conditions").fill(TERMS);
  await form.getByLabel(/Upload a (new )?logo/).setInputFiles({ name: "kasarani-logo.png", mimeType: "image/png", buffer: LOGO });

  // The preview has changed; nothing is saved yet.
  await expect(preview.locator("body")).toHaveCSS("background-color", rgb(THEME.background));
  await expect(preview.locator("body")).toHaveCSS("color", rgb(THEME.text));
  await expect(preview.getByRole("button", { name: "Pay with M-Pesa" })).toHaveCSS("background-color", rgb(THEME.button));
  await expect(preview.getByText(TAGLINE)).toBeVisible();
  await expect(preview.locator("img.lg")).toHaveAttribute("src", `data:image/png;base64,${LOGO.toString("base64")}`);
  await expect(preview.locator("img.lg")).toHaveJSProperty("naturalWidth", 128);
  await expect(page.getByText("Unsaved changes")).toBeVisible();
  await expect(page.getByText("Text on the background reads well")).toBeVisible();
  // Terms open in the preview as on the portal.
  await preview.getByText("Terms of service").click();
  await expect(preview.getByText("Vouchers are not refundable.")).toBeVisible();
  const before = await openPortal(browser);
  await expect(before.page.getByText(TAGLINE)).toHaveCount(0);
  await before.close();
  await snapTop(page, "branding-desktop-preview");

  // A poor contrast is a warning in words, live.
  await form.getByLabel("Text", { exact: true }).fill("#f5d0b5");
  await expect(page.getByText(/The text is hard to read on this background \(contrast 1\.\d:1; aim for at least 4\.5:1\)/)).toBeVisible();
  await form.getByLabel("Text", { exact: true }).fill(THEME.text);
  await expect(page.getByText(/hard to read/)).toHaveCount(0);

  await form.getByRole("button", { name: "Save branding" }).click();
  await expect(page.getByText("Saved. Your portal shows the new look now.")).toBeVisible();
  await expect(page.getByText("As on your portal")).toBeVisible();
  await expect(page.getByTestId("logo-thumb").locator("img")).toHaveAttribute("src", /^data:image\/png;base64,/);
  await expect(form.getByLabel("Remove the logo")).not.toBeChecked();
  await snapTop(page, "branding-desktop-saved");

  // The real portal, on a phone without JavaScript.
  const portal = await openPortal(browser);
  const p = portal.page;
  await expect(p.getByText(TAGLINE)).toBeVisible();
  await expect(p.locator("img.lg")).toHaveAttribute("src", `data:image/png;base64,${LOGO.toString("base64")}`);
  await expect(p.locator("img.lg")).toHaveJSProperty("naturalWidth", 128);
  await expect(p.locator("body")).toHaveCSS("background-color", rgb(THEME.background));
  await expect(p.locator("body")).toHaveCSS("color", rgb(THEME.text));
  await expect(p.getByRole("button", { name: "Pay with M-Pesa" })).toHaveCSS("background-color", rgb(THEME.button));
  await expect(p.locator('meta[name="theme-color"]')).toHaveAttribute("content", THEME.button);
  await snap(p, "branding-portal-phone");
  await p.getByText("Terms of service").click();
  await expect(p.getByText("One voucher works on as many devices as its package allows.")).toBeVisible();
  expect(await p.content()).not.toMatch(/<script/);
  await portal.close();
});

test("on a phone, a bad colour is a field error and what was typed stays", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, "/dashboard/hotspot/branding");
  await page.waitForLoadState("networkidle");
  const form = page.getByRole("form", { name: "Portal branding" });
  const preview = page.frameLocator('iframe[title="Portal preview"]');
  await expect(preview.locator("body")).toHaveCSS("background-color", rgb(THEME.background));
  await form.getByLabel("Tagline").fill("Typed but not saved");
  await form.getByLabel("Buttons", { exact: true }).fill("#c2410");
  // The preview keeps the last good colour while the field is wrong.
  await expect(preview.getByText("Typed but not saved")).toBeVisible();
  await expect(preview.getByRole("button", { name: "Pay with M-Pesa" })).toHaveCSS("background-color", rgb(THEME.button));
  await form.getByRole("button", { name: "Save branding" }).click();
  await expect(form.getByText("Enter the button colour as # and six digits or letters a–f, e.g. #059669.")).toBeVisible();
  await expect(page.getByText("Nothing was saved. Please correct the highlighted fields.")).toBeVisible();
  await expect(form.getByLabel("Buttons", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Buttons", { exact: true })).toHaveValue("#c2410");
  await expect(form.getByLabel("Tagline")).toHaveValue("Typed but not saved");
  await snapTop(page, "branding-phone-error");
  await form.getByLabel("Buttons", { exact: true }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/screens/branding-phone-error-field.png" });
  // Fixing the field takes its error away.
  await form.getByLabel("Buttons", { exact: true }).fill(THEME.button);
  await expect(form.getByText("Enter the button colour as # and six digits")).toHaveCount(0);
  await expect(page.getByText("Unsaved changes")).toBeVisible();
});

test("without JavaScript the form still works: field errors keep what was typed, a new logo included", async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await signIn(page, "/dashboard/hotspot/branding");
  const form = page.getByRole("form", { name: "Portal branding" });
  await form.getByLabel("Background", { exact: true }).fill("orange");
  await form.getByLabel("Tagline").fill(TAGLINE);
  await form.getByLabel(/Upload a (new )?logo/).setInputFiles({ name: "kasarani-logo.png", mimeType: "image/png", buffer: LOGO });
  await form.getByRole("button", { name: "Save branding" }).click();
  await expect(form.getByText("Enter the background colour as # and six digits or letters a–f, e.g. #059669.")).toBeVisible();
  await expect(form.getByLabel("Background", { exact: true })).toHaveValue("orange");
  await expect(form.getByLabel("Tagline")).toHaveValue(TAGLINE);
  // The logo that passed its checks comes back with the form, so it need not be chosen again.
  await expect(form.locator('input[type=hidden][name="logo"]')).toHaveValue(`data:image/png;base64,${LOGO.toString("base64")}`);
  await form.getByLabel("Background", { exact: true }).fill(THEME.background);
  await form.getByRole("button", { name: "Save branding" }).click();
  await expect(page.getByText(/^(Saved\. Your portal shows the new look now\.|Nothing changed\.)$/)).toBeVisible();
  await expect(form.getByLabel("Background", { exact: true })).toHaveValue(THEME.background);
  await ctx.close();
});
