import { test, expect, type Page } from "@playwright/test";
import { url, snap, DARAJA_SIM } from "./helpers";

async function signInAsDemoOwner(page: Page) {
  await page.goto(url("demo", "/login"));
  await page.getByLabel("Username or email").fill("demo");
  await page.getByLabel("Password").fill("Demo-Owner-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible();
}

test("the owner checks the M-Pesa setup, sends a test STK push and sees it paid", async ({ page }) => {
  await signInAsDemoOwner(page);
  await page.getByRole("link", { name: "M-Pesa" }).click();
  await expect(page.getByRole("heading", { name: "M-Pesa" })).toBeVisible();
  // Secrets are never shown again, only that they are saved.
  await expect(page.getByText("Saved: ••••")).toBeVisible();
  await page.getByRole("button", { name: "Test credentials" }).click();
  await expect(page.getByText("Daraja accepted these credentials.")).toBeVisible();
  await page.getByRole("button", { name: "Register with M-Pesa" }).click();
  await expect(page.getByText("Paybill/till payments will now be sent to mnetifi.")).toBeVisible();

  // Bad input: a clear field-level reason, nothing sent.
  await page.getByLabel("Phone").fill("12345");
  await page.getByRole("button", { name: "Send STK push" }).click();
  await expect(page.getByText("Enter a Safaricom number, e.g. 0712 345 678.")).toBeVisible();

  await page.getByLabel("Phone").fill("0722 000 111");
  await page.getByRole("button", { name: "Send STK push" }).click();
  await expect(page.getByText("Check the phone: enter the M-Pesa PIN to finish.")).toBeVisible();
  await snap(page, "mpesa-settings");
  await page.getByRole("link", { name: "Follow the payment →" }).click();
  await expect(page).toHaveURL(/\/dashboard\/payments\/[0-9a-f-]{36}$/);
  // The simulator answers like a customer entering the PIN; the page shows it once applied.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText("paid", { exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByText(/stk callback: applied/)).toBeVisible();
  await snap(page, "payment-detail");

  await page.getByRole("link", { name: "← Payments" }).click();
  await expect(page.getByRole("cell", { name: "0722 000 111" }).first()).toBeVisible();
  await snap(page, "payments");
});

test("a cancelled prompt and a paybill payment nobody can match show up where the owner looks", async ({ page, request }) => {
  await request.post(`${DARAJA_SIM}/_sim/stk/script`, { data: { phone: "254733000222", resultCode: 1032, delayMs: 100 } });
  await signInAsDemoOwner(page);
  await page.goto(url("demo", "/dashboard/settings/mpesa"));
  await page.getByLabel("Phone").fill("0733000222");
  await page.getByRole("button", { name: "Send STK push" }).click();
  await page.getByRole("link", { name: "Follow the payment →" }).click();
  await expect(page).toHaveURL(/\/dashboard\/payments\/[0-9a-f-]{36}$/);
  await expect(async () => {
    await page.reload();
    await expect(page.getByText("The customer cancelled", { exact: false })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  // Registration must exist for C2B to reach us (the first test registered it; do it again here to stand alone).
  await page.goto(url("demo", "/dashboard/settings/mpesa"));
  await page.getByRole("button", { name: "Register with M-Pesa" }).click();
  await expect(page.getByText("Paybill/till payments will now be sent to mnetifi.")).toBeVisible();
  const pay = await request.post(`${DARAJA_SIM}/_sim/c2b/pay`, { data: { shortcode: "174379", amount: 250, billRefNumber: "NOBODY-1" } });
  expect(pay.ok()).toBe(true);
  await page.goto(url("demo", "/dashboard/payments/exceptions"));
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("cell", { name: "NOBODY-1", exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  const row = page.getByRole("row", { name: /NOBODY-1/ });
  await row.getByLabel("Reference or note").fill("Walk-in customer, Kasarani");
  await row.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByText("Payment assigned and recorded as paid.")).toBeVisible();
  await snap(page, "payment-exceptions");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  test("the payments page fits", async ({ page }) => {
    await signInAsDemoOwner(page);
    await page.goto(url("demo", "/dashboard/payments"));
    await expect(page.getByRole("heading", { name: "Payments" })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snap(page, "phone-payments");
  });
});
