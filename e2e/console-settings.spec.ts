// Issue 8, "Platform settings": the super admin sets the platform's own senders in the console.
// A bad shortcode gets a field error with what was typed kept (never a typed secret); the
// simulator's platform paybill saves, shows masked, and passes the Test against the Daraja
// simulator; an SMS account saves and its Test SMS reaches the SMS simulator; the trial settings
// moved here from Billing, whose "not configured" warning links here.
import { test, expect } from "@playwright/test";
import { SMS_SIM, snap, url, signInDemo } from "./helpers";

/** The Daraja simulator's platform paybill (SIM_PLATFORM_MPESA in server/integrations/index.ts). */
const SIM = { consumerKey: "sim-mnetifi-platform-key", consumerSecret: "sim-mnetifi-platform-secret", shortcode: "4070701", passkey: "5a1f0c3e8b7d4a2f9e6c1b8d3a7f0e4c2b9d6a1f8e3c7b0d5a2f9e6c1b8d3a7f" };

test("the super admin sets the platform's M-Pesa account and SMS sender in Settings and tests them", async ({ page }) => {
  await signInDemo(page, "admin");
  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(url("admin", "/settings"));
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  // Nothing saved yet: the simulators' senders from the environment are in use.
  await expect(page.getByTestId("source-mpesa")).toHaveText("In use: from the server environment");
  await expect(page.getByTestId("source-sms")).toHaveText("In use: from the server environment");
  await expect(page.getByTestId("source-email")).toHaveText("In use: from the server environment");
  await expect(page.getByText("it is infrastructure, not a setting")).toBeVisible();
  // The trial settings live here now.
  await expect(page.getByLabel("Free trial (hours)")).toHaveValue("24");

  // A bad shortcode: a field error, the typed values kept (the typed secrets are not sent back).
  await page.getByLabel("Environment").selectOption("sandbox");
  await page.getByLabel("Paybill number").fill("12");
  await page.getByLabel("Consumer key").fill(SIM.consumerKey);
  await page.getByLabel("Consumer secret").fill(SIM.consumerSecret);
  await page.getByLabel("Passkey").fill(SIM.passkey);
  await page.getByRole("button", { name: "Save M-Pesa account" }).click();
  await expect(page.getByText("The shortcode is 5–7 digits.")).toBeVisible();
  await expect(page.getByLabel("Paybill number")).toHaveValue("12");
  await expect(page.getByLabel("Paybill number")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Environment")).toHaveValue("sandbox");
  await expect(page.getByLabel("Consumer key")).toHaveValue(SIM.consumerKey);
  await expect(page.getByTestId("source-mpesa")).toHaveText("In use: from the server environment");
  await snap(page, "console-settings-error");

  // The simulator's platform paybill: saved, secrets masked, the badge moves.
  await page.getByLabel("Paybill number").fill(SIM.shortcode);
  await page.getByRole("button", { name: "Save M-Pesa account" }).click();
  await expect(page.getByText("Saved: ISPs now pay into this account.")).toBeVisible();
  await expect(page.getByTestId("source-mpesa")).toHaveText("In use: saved in the console");
  await expect(page.getByLabel("Paybill number")).toHaveValue(SIM.shortcode);
  await expect(page.getByLabel("Consumer key")).toHaveValue("");
  await expect(page.getByLabel("Consumer key")).toHaveAttribute("placeholder", `••••${SIM.consumerKey.slice(-4)} (saved)`);
  await expect(page.getByLabel("Consumer secret")).toHaveAttribute("placeholder", "•••••••• (saved)");
  expect(await page.content()).not.toContain(SIM.consumerSecret);
  expect(await page.content()).not.toContain(SIM.passkey);

  // Test: Daraja (the simulator) issues a token.
  await page.getByRole("button", { name: "Test M-Pesa" }).click();
  await expect(page.getByText(`Daraja issued a token for shortcode ${SIM.shortcode} (saved in the console).`)).toBeVisible();
  await snap(page, "console-settings-mpesa-tested");

  // The SMS sender: a bad sender ID first, then an account; the Test SMS reaches the simulator.
  await page.getByLabel("Username").fill("mnetifi-e2e");
  await page.getByLabel("API key").fill("atsk_e2e_platform_key");
  await page.getByLabel("Sender ID (optional)").fill("MNETIFI-PLATFORM");
  await page.getByRole("button", { name: "Save SMS sender" }).click();
  await expect(page.getByText("A sender ID is at most 11 characters.")).toBeVisible();
  await expect(page.getByLabel("Username")).toHaveValue("mnetifi-e2e");
  await page.getByLabel("API key").fill("atsk_e2e_platform_key");
  await page.getByLabel("Sender ID (optional)").fill("MNETIFI");
  await page.getByRole("button", { name: "Save SMS sender" }).click();
  await expect(page.getByTestId("source-sms")).toHaveText("In use: saved in the console");
  await expect(page.getByLabel("API key")).toHaveAttribute("placeholder", "••••_key (saved)");
  await page.getByLabel("Send a test SMS to").fill("0722 555 909");
  await page.getByRole("button", { name: "Send test SMS" }).click();
  await expect(page.getByText("Sent (saved in the console). Check the phone.")).toBeVisible();
  const sent = (await (await page.request.get(`${SMS_SIM}/_sim/messages?to=%2B254722555909`)).json()) as Array<{ username: string; from: string; message: string }>;
  expect(sent.at(-1)).toMatchObject({ username: "mnetifi-e2e", from: "MNETIFI" });

  await page.setViewportSize({ width: 1280, height: 900 });
  await snap(page, "console-settings-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await snap(page, "console-settings-390");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Back to the environment's SMS sender (other specs read the simulator's default account).
  await page.getByTestId("clear-sms").getByRole("button").click();
  await expect(page.getByTestId("source-sms")).toHaveText("In use: from the server environment");
  await expect(page.getByTestId("source-mpesa")).toHaveText("In use: saved in the console");

  // Billing no longer carries the trial form, and M-Pesa is configured: no warning.
  await page.getByRole("navigation").getByRole("link", { name: "Billing" }).click();
  await expect(page.getByRole("heading", { name: "Billing", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Free trial (hours)")).toHaveCount(0);
  await expect(page.getByTestId("mpesa-not-configured")).toHaveCount(0);
});
