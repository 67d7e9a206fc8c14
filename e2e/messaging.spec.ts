import { test, expect, type Page } from "@playwright/test";
import { url, snap, signInDemo } from "./helpers";

async function signIn(page: Page) {
  await signInDemo(page, "owner");
  await expect(page).toHaveURL(/\/dashboard/);
}

test("the owner sets up an SMS provider in its panel, sends a test SMS and sees it delivered", async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page);
  await page.getByRole("link", { name: "Messaging" }).click();
  await expect(page).toHaveURL(/\/dashboard\/messaging\/sms$/);
  await expect(page.getByRole("heading", { name: "SMS", exact: true })).toBeVisible();
  await expect(page.getByText("Sending through Africa's Talking")).toBeVisible();

  // Switch to an Advanta-compatible gateway; a missing field is a field error and the rest is kept.
  await page.getByLabel(/Advanta SMS/).check();
  await page.getByLabel("Sender ID", { exact: true }).fill("DEMONET");
  await page.getByLabel("API key", { exact: true }).fill("advanta-demo-key");
  await page.getByRole("button", { name: "Save provider" }).click();
  await expect(page.getByText("Enter the partner id.")).toBeVisible();
  await expect(page.getByLabel("Sender ID", { exact: true })).toHaveValue("DEMONET");

  await page.getByLabel("Partner ID", { exact: true }).fill("4821");
  await page.getByLabel("API key", { exact: true }).fill("advanta-demo-key");
  await page.getByRole("button", { name: "Save provider" }).click();
  await expect(page.getByText("Saved. Send yourself a test message to check it works.")).toBeVisible();
  await expect(page.getByText("Sending through Advanta SMS (and compatible gateways)")).toBeVisible();
  // The key is never shown again, only its last characters.
  await expect(page.getByLabel("API key", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("API key", { exact: true })).toHaveAttribute("placeholder", /•••• -key/);

  // A wrong number is refused with a clear message; a good one goes through the queue and the gateway.
  await page.getByLabel("Phone number", { exact: true }).fill("12345");
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByText("Enter a Kenyan mobile number, e.g. 0712 345 678.")).toBeVisible();
  await page.getByLabel("Phone number", { exact: true }).fill("0712 345 678");
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByTestId("test-result")).toContainText("To 254712345678");
  await expect(page.getByTestId("test-result").locator("[data-message-status]")).toHaveText("delivered", { timeout: 20_000 });
  await expect(page.locator("table [data-message-status='delivered']").first()).toBeVisible();
  await snap(page, "messaging-sms");
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, "messaging-sms-phone");
  await page.setViewportSize({ width: 1280, height: 900 });

  // The template preview carries the ISP's branding.
  await page.getByText("Voucher issued").first().click();
  await expect(page.getByTestId("preview-voucher_issued")).toContainText("Demo Networks Ltd Wi-Fi code: Xk7Tq2");
});

test("the WhatsApp panel is separate and works the same way", async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page);
  await page.goto(url("demo", "/dashboard/messaging/whatsapp"));
  await expect(page.getByRole("heading", { name: "WhatsApp", exact: true })).toBeVisible();
  await expect(page.getByText("Sending through UltraMsg (WhatsApp gateway)")).toBeVisible();
  await expect(page.getByTestId("webhook-url")).toContainText("/whatsapp");

  await page.getByLabel("Instance ID", { exact: true }).fill("instance2002");
  await page.getByLabel("Token", { exact: true }).fill("new-ultramsg-token");
  await page.getByRole("button", { name: "Save provider" }).click();
  await expect(page.getByText("Saved. Send yourself a test message to check it works.")).toBeVisible();

  await page.getByLabel("Phone number", { exact: true }).fill("0722 000 111");
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByTestId("test-result").locator("[data-message-status]")).toHaveText(/delivered|read/, { timeout: 20_000 });
  // Its history is its own: the SMS test is not listed here.
  await expect(page.locator("table")).not.toContainText("254712345678");
  await snap(page, "messaging-whatsapp");

  await page.getByRole("navigation", { name: "Messaging" }).getByRole("link", { name: "Notifications" }).click();
  await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
  await page.getByLabel("Tagline", { exact: true }).fill("x".repeat(81));
  await page.getByRole("button", { name: "Save notifications" }).click();
  await expect(page.getByText("Keep the tagline under 80 characters.")).toBeVisible();
  await page.getByLabel("Tagline", { exact: true }).fill("Fast Wi-Fi, fair prices");
  await page.getByRole("button", { name: "Save notifications" }).click();
  await expect(page.getByText("Saved. New messages use these settings at once.")).toBeVisible();
  await snap(page, "messaging-notifications");
});
