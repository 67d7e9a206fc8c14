import { expect, type Page } from "@playwright/test";
import fs from "node:fs";
import { freshTotp } from "../tests/helpers/totp";

export { freshTotp };
import { decodeBase32IgnorePadding } from "@oslojs/encoding";

const PORT = Number(process.env.E2E_PORT ?? 3100);
export const url = (sub: string | null, path = "/") => `http://${sub ? `${sub}.` : ""}localhost:${PORT}${path}`;

/** Saves a screenshot under test-results/screens/ for people to look at. */
export async function snap(page: Page, name: string) {
  fs.mkdirSync("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

export const DEMO_OWNER = { username: "demo", password: "Demo-Owner-2026!" };
export const DEMO_ADMIN = { username: "admin", password: "Platform-Demo-2026!" };

/** Signs in on the demo ISP (its owner) or the console (the super admin) and waits to land on `next` (default: the home page). */
export async function signInDemo(page: Page, who: "owner" | "admin", next?: string) {
  const host = who === "owner" ? "demo" : "admin";
  const account = who === "owner" ? DEMO_OWNER : DEMO_ADMIN;
  await page.goto(url(host, next ? `/login?next=${encodeURIComponent(next)}` : "/login"));
  await page.getByLabel("Username or email").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(url(host, next ?? (who === "owner" ? "/dashboard" : "/tenants")));
}

/** Opens the voucher page's "Generate vouchers" panel (open by itself after a submission or with no vouchers yet). */
export async function openVoucherGenerate(page: Page) {
  const panel = page.locator("details#generate");
  if ((await panel.getAttribute("open")) === null) await panel.locator("summary").click();
  await expect(page.getByRole("heading", { name: "Recent batches" })).toBeVisible();
}

/**
 * On My account (dashboard or console): starts two-step sign-in with an authenticator app,
 * reads the key shown (as if the QR code were scanned), is refused a wrong code, then turns it
 * on with the right one; the recovery codes are on the page. `whileSetup` runs while the QR
 * code is shown. Returns the key, to compute later codes with.
 */
export async function turnOnTotp(page: Page, whileSetup?: () => Promise<void>) {
  await page.getByRole("button", { name: "Use an authenticator app" }).click();
  const key = decodeBase32IgnorePadding((await page.getByTestId("totp-key").textContent())!.replace(/\s+/g, ""));
  await whileSetup?.();
  await page.getByLabel("Code").fill("000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText(/That code is not right/)).toBeVisible();
  await page.getByLabel("Code").fill(await freshTotp(key));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("Two-step verification is on (authenticator app).")).toBeVisible();
  await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
  return key;
}

/** The SMTP simulator's inbox API and the SMS simulator (ports set in playwright.config.ts). */
export const SMTP_INBOX = `http://127.0.0.1:${PORT - 499}`;
export const SMS_SIM = `http://127.0.0.1:${PORT - 498}`;
export const DARAJA_SIM = `http://127.0.0.1:${PORT - 497}`;

export type InboxMail = { subject: string; links: string[]; to: string[] };

/**
 * The newest email to `to` in the SMTP simulator's inbox (emails are sent by jobs: polled,
 * bounded), optionally the newest with this subject.
 */
export async function latestMail(page: Page, to: string, subject?: string): Promise<InboxMail> {
  for (let i = 0; i < 50; i++) {
    const res = await page.request.get(`${SMTP_INBOX}/messages/latest?to=${encodeURIComponent(to)}`);
    if (res.ok()) {
      const mail = (await res.json()) as InboxMail;
      if (!subject || mail.subject === subject) return mail;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no email to ${to}${subject ? ` with subject "${subject}"` : ""}`);
}
