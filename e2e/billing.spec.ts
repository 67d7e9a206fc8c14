// SaaS billing in the browser: an ISP whose free trial ended signs in, lands on the payment page
// with the plans, pays Premium by M-Pesa (STK push to the platform's paybill on the Daraja
// simulator), and lands in its dashboard; the super admin sees the console's MRR move.
import { test, expect, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { url, snap, DEMO_ADMIN } from "./helpers";
import { DATA_DIR } from "../playwright.config";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const RUN = String(Date.now()).slice(-5);
const SLUG = `late-${RUN}`;
const OWNER = { username: `late${RUN}`, password: "Kahawa-Chungu-2026!" };

/** The ISP, as it stands when its 24-hour trial ended an hour ago (set up through the product's services). */
async function lapsedIsp() {
  const { createDb, withPlatform, enterTenant } = await import("../db/client");
  const { localPasswords } = await import("../db/bootstrap");
  const { createTenant, createUser } = await import("../server/services/tenants");
  const { tenants } = await import("../db/schema");
  const { eq } = await import("drizzle-orm");
  const secret = fs.readFileSync(path.join(DATA_DIR, "local-secret"), "utf8");
  const db = createDb(`postgres://mnetifi_app:${localPasswords(secret).app}@127.0.0.1:${PORT + 51000}/mnetifi`, { max: 1 });
  try {
    await withPlatform(db, { actorKind: "system", requestId: "e2e" }, async (tx) => {
      const t = await createTenant(tx, { slug: SLUG, businessName: `Late Fibre ${RUN}`, status: "trial" });
      await enterTenant(tx, t.id);
      await createUser(tx, t.id, { username: OWNER.username, email: `owner@${SLUG}.test`, fullName: "Akinyi", role: "owner", password: OWNER.password, verified: true });
      const now = Date.now();
      await tx.update(tenants).set({ verifiedAt: new Date(now - 25 * 3_600_000), trialEndsAt: new Date(now - 3_600_000) }).where(eq(tenants.id, t.id));
    });
  } finally {
    await db.$client.end();
  }
}

async function signIn(page: Page, sub: string, who: { username: string; password: string }) {
  await page.goto(url(sub, "/login"));
  await page.getByLabel("Username or email").fill(who.username);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const shillings = (text: string) => Number(text.replace(/[^\d.]/g, ""));

test("a suspended ISP pays through the M-Pesa simulator and lands in its dashboard; the console's MRR moves", async ({ browser }) => {
  test.setTimeout(60_000);
  await lapsedIsp();

  // The super admin's MRR before.
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await signIn(admin, "admin", DEMO_ADMIN);
  await expect(admin.getByRole("heading", { name: "ISPs" })).toBeVisible();
  await admin.getByRole("link", { name: "Billing" }).click();
  await expect(admin.getByRole("heading", { name: "Billing" })).toBeVisible();
  const mrrBefore = shillings(await admin.getByTestId("mrr").innerText());
  await expect(admin.getByRole("cell", { name: new RegExp(`Late Fibre ${RUN}`) })).toBeVisible();

  // The ISP's owner signs in: the dashboard is closed, the payment page shows the plans.
  const ispCtx = await browser.newContext();
  const page = await ispCtx.newPage();
  await signIn(page, SLUG, OWNER);
  await expect(page).toHaveURL(url(SLUG, "/dashboard/locked"));
  await expect(page.getByRole("heading", { name: "Choose a plan to open your dashboard" })).toBeVisible();
  await expect(page.getByText(/Your free trial ended on/)).toBeVisible();
  await expect(page.getByText("KES 1,500")).toBeVisible();
  await expect(page.getByText("+ KES 500 registration, paid once")).toBeVisible();
  await snap(page, "billing-payment-page");
  // The rest of the dashboard stays closed meanwhile.
  await page.goto(url(SLUG, "/dashboard/zones"));
  await expect(page).toHaveURL(url(SLUG, "/dashboard/locked"));

  // Starter without choosing hotspot or PPPoE: a clear error, nothing issued.
  await page.getByRole("radio", { name: "Starter" }).check();
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByText("Starter runs hotspot or PPPoE/static: choose one.")).toBeVisible();

  // Premium: the invoice, then M-Pesa.
  await page.getByRole("radio", { name: "Premium" }).check();
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByText(/Invoice INV-\d{6}/)).toBeVisible();
  await page.getByRole("button", { name: "Pay KES 1,500 with M-Pesa" }).click();
  await expect(page.getByText("Enter a Safaricom number, e.g. 0712 345 678.")).toBeVisible();
  await snap(page, "billing-invoice");
  await page.getByLabel("M-Pesa phone number").fill(`0722 ${RUN.slice(0, 3)} ${RUN.slice(3)}1`);
  await page.getByRole("button", { name: "Pay KES 1,500 with M-Pesa" }).click();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  await snap(page, "billing-waiting");

  // The simulator answers (PIN entered): the page refreshes itself into the dashboard.
  await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(url(SLUG, "/dashboard"));
  await page.getByRole("link", { name: "Billing" }).click();
  await expect(page.getByText(/Premium plan, paid until/)).toBeVisible();
  await expect(page.getByRole("link", { name: /RCT-\d{6}/ })).toBeVisible();
  await snap(page, "billing-page");
  // The receipt downloads as a PDF.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /RCT-\d{6}/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/^RCT-\d{6}\.pdf$/);
  expect(fs.readFileSync(await download.path()).subarray(0, 5).toString()).toBe("%PDF-");

  // The console: MRR went up by Premium's price.
  await admin.reload();
  await expect(admin.getByTestId("mrr")).toHaveText(`KES ${(mrrBefore + 1500).toLocaleString("en-KE")}`);
  await snap(admin, "console-billing");
  await adminCtx.close();
  await ispCtx.close();
});
