// The console's Analytics page in the browser: the super admin signs in on the admin host and
// opens Analytics (first in the menu). On the seeded demo it shows the numbers as they are; then two
// ISPs get a billing history through the product's billing service (payments recorded as bank
// transfers over the last months, one ISP letting its month lapse) and the page shows MRR, the
// revenue-by-plan, growth and MRR charts, the monthly table and its export, at desktop and phone widths.
import { test, expect, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { url, snap, signInDemo } from "./helpers";
import { DATA_DIR } from "../playwright.config";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const RUN = String(Date.now()).slice(-5);
const DAY = 86_400_000;
const shillings = (text: string) => Number(text.replace(/[^\d.]/g, ""));

/** Two ISPs with paid months behind them, set up through the billing service as the super admin would. */
async function billingHistory() {
  const { createDb, withPlatform } = await import("../db/client");
  const { localPasswords } = await import("../db/bootstrap");
  const { createTenant } = await import("../server/services/tenants");
  const { recordManualPayment } = await import("../server/services/billing/subscriptions");
  const { tenants } = await import("../db/schema");
  const { eq } = await import("drizzle-orm");
  const secret = fs.readFileSync(path.join(DATA_DIR, "local-secret"), "utf8");
  const db = createDb(`postgres://mnetifi_app:${localPasswords(secret).app}@127.0.0.1:${PORT + 51000}/mnetifi`, { max: 2 });
  const now = Date.now();
  try {
    const isp = async (slug: string, name: string, joinedDaysAgo: number) =>
      withPlatform(db, { actorKind: "system", requestId: "e2e" }, async (tx) => {
        const t = await createTenant(tx, { slug, businessName: name, status: "trial" });
        await tx.update(tenants).set({ createdAt: new Date(now - joinedDaysAgo * DAY), verifiedAt: new Date(now - joinedDaysAgo * DAY) }).where(eq(tenants.id, t.id));
        return t.id;
      });
    const pay = async (tenantId: string, daysAgo: number, amountKes: number, reference: string, tier?: { tierId: string; service?: "hotspot" }) => {
      const paidAt = new Date(now - daysAgo * DAY);
      const r = await recordManualPayment(db, { kind: "system", id: null }, { tenantId, method: "bank", reference, amountKes, paidAt, ...tier }, new Date(paidAt.getTime() + 60_000));
      if (!r.ok || !r.activated) throw new Error(`payment ${reference}: ${JSON.stringify(r)}`);
    };
    // Pwani pays Premium three months running and is paid up now.
    const pwani = await isp(`pwani-${RUN}`, `Pwani Fibre ${RUN}`, 80);
    await pay(pwani, 75, 1500, `PW-${RUN}-1`, { tierId: "premium" });
    await pay(pwani, 46, 1500, `PW-${RUN}-2`);
    await pay(pwani, 16, 1500, `PW-${RUN}-3`);
    // Mlima took Starter (with its registration fee) and let the month lapse.
    const mlima = await isp(`mlima-${RUN}`, `Mlima Net ${RUN}`, 65);
    await pay(mlima, 60, 1000, `ML-${RUN}-1`, { tierId: "starter", service: "hotspot" });
  } finally {
    await db.$client.end();
  }
}

test("the super admin reads MRR, ARR, ISPs by phase, growth, churn, revenue by plan and the ISPs' usage", async ({ page }) => {
  test.setTimeout(60_000);
  await signInDemo(page, "admin");
  // Analytics is first in the console's menu.
  const menu = page.locator("header nav a");
  await expect(menu.first()).toHaveText("Analytics");
  await menu.first().click();
  await expect(page).toHaveURL(url("admin", "/analytics"));
  await expect(page.getByRole("heading", { name: "Analytics", level: 1 })).toBeVisible();

  // The seeded demo: its ISP is on an open-ended trial and joined this month.
  for (const id of ["mrr", "arr", "paying", "trial", "suspended", "new", "churn", "received"]) await expect(page.getByTestId(`stat-${id}`)).toBeVisible();
  expect(Number(await page.getByTestId("stat-trial").locator("p").nth(1).innerText())).toBeGreaterThanOrEqual(1);
  expect(Number(await page.getByTestId("stat-new").locator("p").nth(1).innerText())).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId("chart-growth").locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  await expect(page.locator("[data-testid=usage-table] tbody tr").first()).toBeVisible();
  // Before any subscription money (this spec alone on a fresh database) the money charts are empty states.
  await expect(page.getByTestId("chart-revenue").or(page.getByText("No subscription payments yet"))).toBeVisible();
  const mrrBefore = shillings(await page.getByTestId("stat-mrr").locator("p").nth(1).innerText());

  // Three months of subscriptions.
  await billingHistory();
  await page.reload();
  await expect(page.getByTestId("stat-mrr")).toContainText(`KES ${(mrrBefore + 1500).toLocaleString("en-KE")}`);
  await expect(page.getByTestId("stat-arr")).toContainText(`KES ${((mrrBefore + 1500) * 12).toLocaleString("en-KE")}`);
  await expect(page.getByTestId("chart-revenue").locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  await expect(page.getByTestId("chart-revenue").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(page.getByTestId("chart-mrr").locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  await expect(page.getByTestId("chart-growth").locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  // The month-by-month table: 12 months, most recent first, labelled like "Nov 2026".
  const rows = page.locator("[data-testid=monthly-table] tbody tr");
  await expect(rows).toHaveCount(12);
  await expect(rows.first().locator("td").first()).toHaveText(/^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$/);
  await expect(page.getByTestId("monthly-table")).toContainText("Premium");
  await expect(page.getByTestId("monthly-table")).toContainText("Starter");
  await expect(page.getByText("How these are counted")).toBeVisible();
  await snap(page, "console-analytics");

  // Phones first: nothing wider than the screen but the tables, which scroll inside their card.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("chart-revenue").locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await snap(page, "console-analytics-phone");
  await page.setViewportSize({ width: 1280, height: 720 });

  // The monthly table downloads as CSV.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^mnetifi-analytics-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync(await download.path(), "utf8");
  expect(csv.split("\r\n")[0]).toContain('"Month","Received (KES)"');
  expect(csv.split("\r\n")).toHaveLength(13);

  // An ISP in the usage table opens its page.
  const first = page.locator("[data-testid=usage-table] tbody tr").first().getByRole("link");
  const name = await first.innerText();
  await first.click();
  await expect(page).toHaveURL(/\/tenants\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
});
