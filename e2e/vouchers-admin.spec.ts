// The voucher admin tools end to end, as the demo ISP's owner: generate a batch (with notes) →
// its printable cards (QR code and code on A4) and CSV → open a voucher → modify its devices and
// notes (bad input first) → disable → enable; then that voucher in use on the simulated Kasarani
// router: its live session (MAC, IP, uptime, bytes) on the voucher's page, a router that does not
// answer, and "Log out this device" through the provisioning outbox.
import fs from "node:fs/promises";
import { test, expect, type Browser, type Page } from "@playwright/test";
import { url, snap, signInDemo, openVoucherGenerate } from "./helpers";

const PORT = Number(process.env.E2E_PORT ?? 3100);
/** The Kasarani router's simulator control API (as in portal.spec.ts). */
const KASARANI_SIM = `http://127.0.0.1:${PORT - 494}`;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const VOUCHERS = url("demo", "/dashboard/hotspot/vouchers");
const RUN = Date.now().toString(36).slice(-5);
/** A device MAC unique per run (digits are hex), so a retried run meets no session of the first. */
const DIGITS = String(Date.now()).slice(-4);
const MAC = `02:E4:00:00:${DIGITS.slice(0, 2)}:${DIGITS.slice(2)}`;

/** The demo's "1 week" plan (2 devices), offered by the Generate form. */
async function weekPlan(page: Page) {
  const options = await page.locator("select[name=planId] option").evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? "" })));
  const plan = options.find((o) => o.label.startsWith("1 week"));
  test.skip(!plan, "The demo has no “1 week” hotspot plan (db/seed.ts seedDemoHotspot).");
  return plan!;
}

/** The code's device, as the Kasarani router's login.html sends it to the portal, redeeming the code. */
async function redeemOnKasarani(browser: Browser, routerId: string, code: string) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const appear = await page.request.post(`${KASARANI_SIM}/_sim/device/appear`, { data: { mac: MAC, ip: "10.5.50.91" } });
  expect(appear.ok()).toBe(true);
  const q = new URLSearchParams({ mac: MAC, ip: "10.5.50.91", identity: "Demo-Kasarani-hAP", "link-login-only": "http://10.5.50.1/login", "link-orig": "http://example.com/", router: routerId });
  await page.goto(url("demo", `/hotspotportal?${q}`));
  await page.getByRole("link", { name: "I have a code" }).click();
  await page.getByLabel("Voucher code").fill(code);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page.getByRole("heading", { name: /connected/i })).toBeVisible();
  await ctx.close();
}

test("generate a batch → printable cards and CSV → modify, disable and enable a voucher → its live session on the router → log the device out", async ({ page, context, browser }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(DESKTOP);
  await signInDemo(page, "owner");
  await page.goto(VOUCHERS);
  await openVoucherGenerate(page);
  const plan = await weekPlan(page);
  const batchName = `Kiosk cards ${RUN}`;
  const notes = "With Mama Njeri at the Kasarani stage kiosk";

  // Generate: a bad count first (field error, typed values kept), then 4 codes of 7 characters.
  await page.getByLabel("Plan").selectOption(plan.value);
  await page.getByLabel("How many").fill("1001");
  await page.getByLabel("Batch name").fill(batchName);
  await page.getByLabel("Notes (optional)").fill(notes);
  await page.getByRole("button", { name: "Generate", exact: true }).click();
  await expect(page.getByText("At most 1,000 at a time.")).toBeVisible();
  await expect(page.getByLabel("Batch name")).toHaveValue(batchName);
  await page.getByLabel("How many").fill("4");
  await page.getByLabel("Code length").selectOption("7");
  await page.getByRole("button", { name: "Generate", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "4 vouchers generated" })).toBeVisible();
  const batchRow = page.getByTestId("batches").locator("li").filter({ hasText: batchName });
  await expect(batchRow).toContainText(notes);
  await snap(page, "vouchers-admin-generated");

  // Printable cards: 4 cards with their QR codes, the ISP, the plan and price; the notes on screen only.
  const [cards] = await Promise.all([context.waitForEvent("page"), batchRow.getByRole("link", { name: "Print cards" }).click()]);
  await cards.waitForLoadState();
  await cards.setViewportSize(DESKTOP);
  await expect(cards.getByRole("heading", { name: batchName })).toBeVisible();
  await expect(cards.getByTestId("batch-notes")).toHaveText(notes);
  const card = cards.locator("article.vcard");
  await expect(card).toHaveCount(4);
  await expect(cards.locator("article.vcard .qr svg")).toHaveCount(4);
  await expect(card.first()).toContainText("Demo Networks Ltd");
  await expect(card.first()).toContainText("1 week");
  await expect(card.first()).toContainText("KES 250");
  const codes = await card.evaluateAll((as) => as.map((a) => a.getAttribute("data-code")!));
  expect(codes.every((c) => /^[A-Za-z0-9]{7}$/.test(c))).toBe(true);
  // The QR code is a real, square drawing of the code, not an empty box.
  const qr = await cards.locator("article.vcard .qr svg").first().boundingBox();
  expect(qr!.width).toBeGreaterThan(60);
  expect(Math.abs(qr!.width - qr!.height)).toBeLessThan(2);
  await snap(cards, "vouchers-admin-cards");
  // Print: A4 sheets, no toolbar, cards inside the page.
  await cards.emulateMedia({ media: "print" });
  await expect(cards.getByRole("button", { name: "Print" })).toBeHidden();
  const sheet = await cards.locator("section.sheet").first().boundingBox();
  const last = await card.last().boundingBox();
  expect(last!.y + last!.height).toBeLessThanOrEqual(sheet!.y + sheet!.height + 1);
  await cards.setViewportSize({ width: 794, height: 1123 });
  await snap(cards, "vouchers-admin-cards-print");
  await cards.close();

  // The batch's codes as CSV.
  const [download] = await Promise.all([page.waitForEvent("download"), batchRow.getByRole("link", { name: "Download CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^demo-voucher-batch-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await fs.readFile((await download.path())!, "utf8");
  for (const code of codes) expect(csv).toContain(`"${code}"`);

  // The batch's list: the tabs count only this batch; an empty tab says why.
  await batchRow.getByRole("link", { name: batchName }).click();
  await expect(page.getByText(`Batch: ${batchName}`)).toBeVisible();
  await expect(page.getByRole("link", { name: /^All\s*4$/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /^Unused\s*4$/ })).toBeVisible();
  await expect(page.getByTestId("list-range")).toHaveText("1–4 of 4");
  await page.getByRole("link", { name: /^Active\s*0$/ }).click();
  await expect(page.getByText(`No active vouchers in “${batchName}”`)).toBeVisible();
  await snap(page, "vouchers-admin-empty-tab");
  await page.getByRole("link", { name: "See the other 4 in “" + batchName + "” under All" }).click();
  await expect(page.getByTestId("voucher-list").locator("li")).toHaveCount(4);

  // A voucher: modify its devices (bad input first) and notes.
  const code = codes[0]!;
  await page.locator(`[data-code="${code}"] a`).click();
  await expect(page.getByTestId("voucher-code")).toHaveText(code);
  await expect(page.getByTestId("devices-allowed")).toHaveText("2 devices");
  await expect(page.getByTestId("live-sessions")).toContainText("Not on any router yet");
  await expect(page.getByText("A lower number logs nobody out")).toBeVisible();
  await page.getByLabel("Devices allowed").fill("5");
  await page.getByLabel("Notes", { exact: true }).fill("Free card for the church office");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("At most 2: the plan's routers let 2 devices online at once with one code.")).toBeVisible();
  await expect(page.getByLabel("Notes", { exact: true })).toHaveValue("Free card for the church office");
  await page.getByLabel("Devices allowed").fill("1");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved. It now allows 1 device." })).toBeVisible();
  await expect(page.getByTestId("devices-allowed")).toHaveText("1 device");
  await expect(page.getByTestId("voucher-notes")).toContainText("Free card for the church office");

  // Disable, then enable.
  await page.getByText("Disable…").click();
  await page.getByRole("button", { name: "Yes, disable it" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Voucher disabled." })).toBeVisible();
  await expect(page.locator("h1 + [data-state]")).toHaveAttribute("data-state", "disabled");
  await page.getByText("Enable…").click();
  await page.getByRole("button", { name: "Yes, enable it" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Voucher enabled again." })).toBeVisible();
  await expect(page.locator("h1 + [data-state]")).toHaveAttribute("data-state", "unused");
  const voucherUrl = page.url();

  // In use: a phone on the Kasarani hotspot redeems the code; the router logs it in.
  await page.goto(url("demo", "/dashboard/routers"));
  const href = await page.getByRole("link", { name: "Kasarani hAP", exact: true }).getAttribute("href");
  const routerId = /\/dashboard\/routers\/([0-9a-f-]{36})/.exec(href ?? "")![1]!;
  await redeemOnKasarani(browser, routerId, code);
  await expect(async () => {
    const state = (await (await page.request.get(`${KASARANI_SIM}/_sim/state`)).json()) as Record<string, Array<Record<string, string>>>;
    expect((state["/ip/hotspot/active"] ?? []).find((a) => a["mac-address"] === MAC)?.user).toBe(code);
  }).toPass({ timeout: 20_000 });
  const traffic = await page.request.post(`${KASARANI_SIM}/_sim/traffic`, { data: { user: code, bytesIn: 3_400_000, bytesOut: 87_500_000 } });
  expect(((await traffic.json()) as { sessions: number }).sessions).toBe(1);

  // Its page shows the live session from the router: MAC, IP, router, uptime, bytes.
  await page.goto(voucherUrl);
  await expect(page.locator("h1 + [data-state]")).toHaveAttribute("data-state", "active");
  const session = page.getByTestId("live-sessions").locator(`li[data-mac="${MAC}"]`);
  await expect(session).toBeVisible();
  await expect(session).toContainText("10.5.50.91");
  await expect(session).toContainText("on Kasarani hAP");
  await expect(session.getByTestId("session-down")).toHaveText("87.5 MB");
  await expect(session.getByTestId("session-up")).toHaveText("3.4 MB");
  await expect(session.getByTestId("session-uptime")).toHaveText(/^\d+(s|m)$/);
  await expect(page.getByTestId("live-sessions")).toContainText("1 online");
  await snap(page, "vouchers-admin-live-session");
  await page.setViewportSize(PHONE);
  await snap(page, "vouchers-admin-live-session-phone");
  await page.setViewportSize(DESKTOP);

  // A router that does not answer: said so, and the rest of the page is there.
  await page.request.post(`${KASARANI_SIM}/_sim/offline`);
  try {
    await page.getByRole("button", { name: "Refresh" }).click();
    const down = page.getByTestId("live-sessions").locator('li[data-status="unreachable"]');
    await expect(down).toContainText("Kasarani hAP");
    await expect(down).toContainText("Router not reachable");
    await expect(page.getByRole("heading", { name: "Modify" })).toBeVisible();
    await snap(page, "vouchers-admin-router-unreachable");
  } finally {
    await page.request.post(`${KASARANI_SIM}/_sim/online`);
  }

  // Log out this device: queued for the router, done in seconds; the voucher stays active.
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(session).toBeVisible({ timeout: 15_000 });
  await session.getByRole("button", { name: "Log out this device" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Logging ${MAC} out on Kasarani hAP` })).toBeVisible();
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(page.getByTestId("live-sessions").locator('li[data-router="Kasarani hAP"]')).toContainText("Nobody online with this code", { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  const state = (await (await page.request.get(`${KASARANI_SIM}/_sim/state`)).json()) as Record<string, Array<Record<string, string>>>;
  expect((state["/ip/hotspot/active"] ?? []).some((a) => a.user === code)).toBe(false);
  await expect(page.locator("h1 + [data-state]")).toHaveAttribute("data-state", "active");
  await snap(page, "vouchers-admin-logged-out");
});

test("the voucher list on a phone: a batch of 60 in pages of 50, search with nothing found", async ({ page }) => {
  test.setTimeout(60_000);
  await page.setViewportSize(PHONE);
  await signInDemo(page, "owner");
  await page.goto(VOUCHERS);
  await openVoucherGenerate(page);
  const plan = await weekPlan(page);
  const name = `Sixty ${RUN}`;
  await page.getByLabel("Plan").selectOption(plan.value);
  await page.getByLabel("How many").fill("60");
  await page.getByLabel("Batch name").fill(name);
  await page.getByRole("button", { name: "Generate", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "60 vouchers generated" })).toBeVisible();
  // Printed, 60 cards are exactly three A4 pages (24 + 24 + 12): no card spills onto a blank page.
  const cardsHref = await page.getByTestId("batches").locator("li").filter({ hasText: name }).getByRole("link", { name: "Print cards" }).getAttribute("href");
  const cards = await page.context().newPage();
  await cards.goto(url("demo", cardsHref!));
  await expect(cards.locator("article.vcard")).toHaveCount(60);
  await expect(cards.locator("section.sheet")).toHaveCount(3);
  const pdf = (await cards.pdf({ preferCSSPageSize: true, printBackground: true })).toString("latin1");
  expect(pdf.match(/\/Type\s*\/Page[^s]/g)?.length).toBe(3);
  await cards.close();

  await page.getByTestId("batches").getByRole("link", { name }).click();
  const rows = page.getByTestId("voucher-list").locator("li");
  await expect(rows).toHaveCount(50);
  await expect(page.getByTestId("list-range")).toHaveText("1–50 of 60");
  await expect(page.getByText("Page 1 of 2")).toBeVisible();
  const first = await rows.evaluateAll((ls) => ls.map((l) => l.getAttribute("data-code")));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(rows).toHaveCount(10);
  await expect(page.getByTestId("list-range")).toHaveText("51–60 of 60");
  const second = await rows.evaluateAll((ls) => ls.map((l) => l.getAttribute("data-code")));
  expect(new Set([...first, ...second]).size).toBe(60);
  await snap(page, "vouchers-admin-page-2-phone");
  // A tab goes back to page 1.
  await page.getByRole("link", { name: /^Unused\s*60$/ }).click();
  await expect(page).not.toHaveURL(/page=/);
  await expect(page.getByTestId("list-range")).toHaveText("1–50 of 60");

  await page.goto(VOUCHERS);
  await page.getByRole("searchbox", { name: "Search by code or phone" }).fill("zzzzzz");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByText("No vouchers that match “zzzzzz”")).toBeVisible();
  await expect(page.getByRole("link", { name: /^All\s*0$/ })).toBeVisible();
  await snap(page, "vouchers-admin-search-empty-phone");
  await page.getByRole("link", { name: "Clear the search", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/hotspot\/vouchers$/);
});
