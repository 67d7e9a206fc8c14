import { test, expect } from "@playwright/test";
import { url, snap } from "./helpers";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const SIM_A = PORT - 496;

test("the demo's simulated routers are verified; adding one checks the connection and a wrong password says so", async ({ page }) => {
  await page.goto(url("demo", "/login"));
  await page.getByLabel("Username or email").fill("demo");
  await page.getByLabel("Password").fill("Demo-Owner-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Routers" }).click();
  await expect(page.locator("[data-router='Kasarani hAP']").getByText("Demo-Kasarani-hAP · RouterOS 7.16.2 · hAP ax2")).toBeVisible();
  // Unique names: a retried run finds the routers of the first attempt.
  const run = Date.now().toString(36).slice(-4);
  await expect(page.getByText("Online").first()).toBeVisible();

  await page.getByLabel("Name").fill(`Githurai mast ${run}`);
  await page.getByLabel("Address (IP or host)").fill("127.0.0.1");
  await page.getByLabel("API port").fill(String(SIM_A));
  await page.getByLabel("API user").fill("mnetifi-api");
  await page.getByLabel("API password").fill("wrong-password");
  await page.getByRole("button", { name: "Add and test" }).click();
  await expect(page.getByRole("alert")).toContainText("Saved as not verified.");
  await expect(page.locator(`[data-router='Githurai mast ${run}'] [data-status]`)).toHaveText("Not verified");

  await page.getByLabel("Name").fill(`Githurai mast ${run} B`);
  await page.getByLabel("Address (IP or host)").fill("127.0.0.1");
  await page.getByLabel("API port").fill(String(SIM_A));
  await page.getByLabel("API user").fill("mnetifi-api");
  await page.getByLabel("API password").fill("Demo-Router-Api-1");
  await page.getByRole("button", { name: "Add and test" }).click();
  await expect(page.getByText("Added and verified: Demo-Kasarani-hAP, RouterOS 7.16.2 on hAP ax2.")).toBeVisible();

  // Bad input keeps what was typed.
  await page.getByLabel("Name").fill("x");
  await page.getByLabel("Address (IP or host)").fill("not a host!");
  await page.getByRole("button", { name: "Add and test" }).click();
  await expect(page.getByText("Give the router a name of at least 2 characters.")).toBeVisible();
  await expect(page.getByText("Enter an IP address or host name, e.g. 10.10.0.1.")).toBeVisible();
  await expect(page.getByLabel("Address (IP or host)")).toHaveValue("not a host!");
  await snap(page, "routers");
});

const CONTROL_A = `http://127.0.0.1:${PORT - 494}`;

test("a router going offline shows on its status page and the routers list, and coming back too", async ({ page, request }) => {
  test.setTimeout(90_000);
  await page.goto(url("demo", "/login"));
  await page.getByLabel("Username or email").fill("demo");
  await page.getByLabel("Password").fill("Demo-Owner-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Routers" }).click();
  await page.getByRole("link", { name: "Kasarani hAP", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Kasarani hAP" })).toBeVisible();
  const badge = page.locator("[data-status]").first();
  await expect(badge).toHaveText("Online");
  // Monitoring has polled it: the charts have data.
  await expect(page.getByText("Customers online")).toBeVisible({ timeout: 20_000 });
  await page.setViewportSize({ width: 1280, height: 900 });
  await snap(page, "router-detail-online");

  expect((await request.post(`${CONTROL_A}/_sim/offline`)).ok()).toBe(true);
  try {
    // Two missed polls (2 s apart in this run) and the page's own refresh: well within 30 s.
    await expect(badge).toHaveText("Offline", { timeout: 30_000 });
    await expect(page.getByRole("alert")).toContainText("Changes for this router wait");
    await expect(page.getByTestId("status-changes")).toContainText("Offline");
    await snap(page, "router-detail-offline");
    await page.getByRole("link", { name: "← Routers" }).click();
    await expect(page.locator("[data-router='Kasarani hAP'] [data-status]")).toHaveText("Offline");
    await expect(page.getByRole("alert")).toContainText("offline");
    await expect(page.locator("[data-router='Roysambu CCR'] [data-status]")).toHaveText("Online");
    await page.setViewportSize({ width: 390, height: 844 });
    await snap(page, "routers-offline-phone");
  } finally {
    expect((await request.post(`${CONTROL_A}/_sim/online`)).ok()).toBe(true);
  }
  await expect(page.locator("[data-status='offline']")).toHaveCount(0, { timeout: 30_000 });
});
