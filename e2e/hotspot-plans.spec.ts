import { test, expect, type Page } from "@playwright/test";
import { url, snap, signInDemo } from "./helpers";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page: Page, next: string, heading: string) {
  await signInDemo(page, "owner", next);
  await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
  // Edit, the unlimited switch and the delete confirmation need the page's scripts.
  await page.waitForLoadState("networkidle");
}

const plan = (page: Page, name: string) => page.getByRole("region", { name: `Plan ${name}`, exact: true });

test("the owner adds a plan (after a bad try), sees it listed, edits it and sends its profile to the routers", async ({ page }, info) => {
  const n = info.retry + info.repeatEachIndex;
  const NAME = n ? `3 hours ${n + 1}` : "3 hours";
  await page.setViewportSize(PHONE);
  await signIn(page, "/dashboard/hotspot/plans", "Plans");

  // A demo without plans suggests the common ones and adds them in one go.
  const suggest = page.getByRole("button", { name: "Add these four plans" });
  if (await suggest.isVisible()) {
    await expect(page.getByText("1 month")).toBeVisible();
    await snap(page, "hotspot-plans-empty-phone");
    await suggest.click();
    await expect(page.getByText("Added 1 hour, 1 day, 1 week, 1 month.")).toBeVisible();
  }
  await expect(plan(page, "1 day")).toContainText("KES 50");
  await expect(plan(page, "1 day")).toContainText("5 Mbps down / 2 Mbps up");
  await expect(plan(page, "1 week")).toContainText("2 devices per voucher");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: "test-results/screens/hotspot-plans-phone-top.png" });

  // A bad try: field errors in plain words, and what was typed stays.
  const add = page.getByRole("form", { name: "Add a plan" });
  await add.getByLabel("Plan name").fill(NAME);
  await add.getByLabel("Price (KES)").fill("twenty");
  await add.getByLabel("Duration", { exact: true }).fill("3");
  await add.getByLabel("Download (Mbps)").fill("4");
  await add.getByRole("button", { name: "Add plan" }).click();
  await expect(add.getByText("Enter the price in shillings, e.g. 50.")).toBeVisible();
  await expect(add.getByText("Enter the upload speed, e.g. 2, or tick “Unlimited speed”.")).toBeVisible();
  await expect(add.getByLabel("Plan name")).toHaveValue(NAME);
  await expect(add.getByLabel("Download (Mbps)")).toHaveValue("4");
  await expect(add.getByLabel("Price (KES)")).toHaveAttribute("aria-invalid", "true");
  await add.scrollIntoViewIfNeeded();
  await add.screenshot({ path: "test-results/screens/hotspot-plans-add-error-phone.png" });

  // Burst is all or nothing.
  await add.getByLabel("Price (KES)").fill("20");
  await add.getByLabel("Upload (Mbps)").fill("1.5");
  await add.getByText("Burst (optional)").click();
  await add.getByLabel("Burst down (Mbps)").fill("8");
  await add.getByRole("button", { name: "Add plan" }).click();
  await expect(add.getByText("Fill in all burst fields, or leave them all empty.").first()).toBeVisible();
  await add.getByLabel("Burst up (Mbps)").fill("3");
  await add.getByLabel("Threshold down (Mbps)").fill("3");
  await add.getByLabel("Threshold up (Mbps)").fill("1");
  await add.getByLabel("Burst time (seconds)").fill("8");
  await add.getByLabel("Devices per voucher").fill("2");
  await add.getByRole("button", { name: "Add plan" }).click();
  await expect(add.getByText(`Plan “${NAME}” added.`)).toBeVisible();
  await expect(add.getByLabel("Plan name")).toHaveValue("");
  await expect(plan(page, NAME)).toContainText("KES 20");
  await expect(plan(page, NAME)).toContainText("3 hours · 4 Mbps down / 1.5 Mbps up");
  await expect(plan(page, NAME)).toContainText("8 Mbps down / 3 Mbps up for 8 s");
  await expect(plan(page, NAME)).toContainText("On sale");

  // The unlimited switch swaps the speeds for the bandwidth warning.
  await add.getByLabel("Unlimited speed").check();
  await expect(add.getByText("Unlimited plans can use all your bandwidth")).toBeVisible();
  await expect(add.getByLabel("Download (Mbps)")).toHaveCount(0);
  await add.getByLabel("Unlimited speed").uncheck();

  // Edit it: a bad value keeps the form open with the error, then it saves.
  await plan(page, NAME).getByRole("button", { name: `Edit plan ${NAME}`, exact: true }).click();
  const edit = page.getByRole("form", { name: `Edit plan ${NAME}`, exact: true });
  await expect(edit.getByLabel("Price (KES)")).toHaveValue("20");
  await expect(edit.getByLabel("Burst down (Mbps)")).toHaveValue("8");
  await edit.getByLabel("Devices per voucher").fill("0");
  await edit.getByRole("button", { name: "Save plan" }).click();
  await expect(edit.getByText("At least 1 device.")).toBeVisible();
  await edit.getByLabel("Devices per voucher").fill("3");
  await edit.getByLabel("Price (KES)").fill("25");
  await edit.getByLabel("Availability").selectOption("hidden");
  await edit.getByRole("button", { name: "Save plan" }).click();
  await expect(plan(page, NAME).getByText(`Plan “${NAME}” saved.`)).toBeVisible();
  await expect(plan(page, NAME)).toContainText("KES 25");
  await expect(plan(page, NAME)).toContainText("3 devices");
  await expect(plan(page, NAME)).toContainText("Hidden from portal");
  await snap(page, "hotspot-plans-phone");
  await plan(page, NAME).screenshot({ path: "test-results/screens/hotspot-plans-card-phone.png" });

  // Order: move it up one place.
  const names = async () => page.getByRole("region", { name: /^Plan / }).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  const before = await names();
  await plan(page, NAME).getByRole("button", { name: `Move ${NAME} up` }).click();
  await expect.poll(names).not.toEqual(before);
  const after = await names();
  expect(after.indexOf(`Plan ${NAME}`)).toBe(before.indexOf(`Plan ${NAME}`) - 1);

  // Delete a plan nobody bought (with a confirmation).
  page.on("dialog", (d) => void d.accept());
  await add.getByLabel("Plan name").fill(`${NAME} spare`);
  await add.getByLabel("Price (KES)").fill("5");
  await add.getByLabel("Download (Mbps)").fill("1");
  await add.getByLabel("Upload (Mbps)").fill("1");
  await add.getByRole("button", { name: "Add plan" }).click();
  await expect(plan(page, `${NAME} spare`)).toBeVisible();
  await plan(page, `${NAME} spare`).getByRole("button", { name: `Delete plan ${NAME} spare` }).click();
  await expect(page.getByText(`Plan “${NAME} spare” deleted.`)).toBeVisible();
  await expect(plan(page, `${NAME} spare`)).toHaveCount(0);

  await page.setViewportSize(DESKTOP);
  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, "hotspot-plans-desktop");
  await plan(page, NAME).getByRole("button", { name: `Edit plan ${NAME}`, exact: true }).click();
  await page.getByRole("form", { name: `Edit plan ${NAME}`, exact: true }).screenshot({ path: "test-results/screens/hotspot-plans-edit-desktop.png" });

  // The plans' profiles went to the demo's (simulated) routers.
  await page.goto(url("demo", "/dashboard/routers"));
  await page.getByRole("link", { name: /Kasarani/ }).first().click();
  await expect(page.getByText("Set hotspot profile").first()).toBeVisible();
});

test("the owner changes the hotspot rules", async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signIn(page, "/dashboard/hotspot/settings", "Hotspot settings");
  await expect(page.getByLabel("From first use (recommended)")).toBeChecked();
  await expect(page.getByText("16:00 the next day")).toBeVisible();
  await snap(page, "hotspot-settings-desktop");

  await page.getByLabel("Log out after this many idle minutes").fill("0");
  await page.getByLabel("An unused voucher lapses after (days)").fill("14");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Enter 1 to 1440 minutes (24 hours).")).toBeVisible();
  await expect(page.getByLabel("An unused voucher lapses after (days)")).toHaveValue("14");

  await page.getByLabel("From purchase").check();
  await page.getByLabel("Log out after this many idle minutes").fill("20");
  await page.getByLabel("Code length").selectOption("8");
  await page.getByLabel("Offer a free trial on the portal").check();
  await page.getByLabel("Trial length (minutes)").fill("15");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText(/^Saved\./)).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("From purchase")).toBeChecked();
  await expect(page.getByLabel("Log out after this many idle minutes")).toHaveValue("20");
  await expect(page.getByLabel("An unused voucher lapses after (days)")).toHaveValue("14");
  await expect(page.getByLabel("Code length")).toHaveValue("8");
  await expect(page.getByLabel("Offer a free trial on the portal")).toBeChecked();

  await page.setViewportSize(PHONE);
  await snap(page, "hotspot-settings-phone");
});
