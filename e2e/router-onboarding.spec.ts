import { test, expect, type Page } from "@playwright/test";
import fs from "node:fs/promises";
import { url, snap, signInDemo } from "./helpers";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const SIM_A = PORT - 496;
const ROUTER = "Onboarding mast";

async function signIn(page: Page) {
  await signInDemo(page, "owner");
  await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible();
}

/** A router of its own (verified against the demo's simulated router), so the demo's routers stay as they are. */
async function addRouter(page: Page): Promise<string> {
  await page.goto(url("demo", "/dashboard/routers"));
  await page.getByLabel("Name").fill(ROUTER);
  await page.getByLabel("Address (IP or host)").fill("127.0.0.1");
  await page.getByLabel("API port").fill(String(SIM_A));
  await page.getByLabel("API user").fill("mnetifi-api");
  await page.getByLabel("API password").fill("Demo-Router-Api-1");
  await page.getByRole("button", { name: "Add and test" }).click();
  await expect(page.getByText(/^Added and verified/)).toBeVisible();
  // The routers page does not link to the setup page yet: ask the API (from the page: Node cannot resolve *.localhost).
  const list = await page.evaluate(async () => (await (await fetch("/api/trpc/routers.list")).json()) as { result: { data: Array<{ id: string; name: string }> } });
  return list.result.data.find((r) => r.name === ROUTER)!.id;
}

test("the owner generates a router's setup script and downloads its login.html", async ({ page }) => {
  await signIn(page);
  const id = await addRouter(page);
  try {
    await onboard(page, id);
  } finally {
    // Leave the demo as it was: other specs count the demo's routers.
    const removed = await page.evaluate(async (routerId) => {
      const res = await fetch("/api/trpc/routers.remove", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: routerId }) });
      return res.status;
    }, id);
    expect(removed).toBe(200);
  }
});

async function onboard(page: Page, id: string) {
  await page.goto(url("demo", `/dashboard/routers/${id}/setup`));
  await expect(page.getByRole("heading", { name: `Set up ${ROUTER}` })).toBeVisible();
  await expect(page.getByText("Online", { exact: true })).toBeVisible();
  await expect(page.getByText("It is shown only once")).toBeVisible();
  await expect(page.getByText("Generating a script again replaces the password")).toBeVisible();

  // login.html: an attachment that posts the device to the demo ISP's portal, with this router's id.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download login.html" }).click()]);
  expect(download.suggestedFilename()).toBe("login.html");
  const html = await fs.readFile((await download.path())!, "utf8");
  expect(html).toContain(`action="http://demo.localhost:${PORT}/hotspotportal"`);
  expect(html).toContain(`<input type="hidden" name="router" value="${id}">`);
  for (const v of ["mac", "ip", "identity", "link-login-only", "link-orig", "chap-id", "chap-challenge", "error"]) expect(html).toContain(`name="${v}" value="$(${v})"`);
  expect(html.length).toBeLessThan(2048);

  // The router was verified: generating asks first, because it replaces the working password.
  page.once("dialog", (d) => {
    expect(d.message()).toContain("replaces the API password");
    void d.accept();
  });
  await page.getByRole("button", { name: "Generate setup script" }).click();
  const script = page.getByLabel("Setup script");
  await expect(script).toContainText(`/ip hotspot walled-garden add dst-host="demo.localhost" action=allow comment="mnetifi"`);
  await expect(script).toContainText(`dst-port=${PORT} action=accept`);
  await expect(script).toContainText(':if ([:len [/user find name="mnetifi"]] = 0)');
  await expect(page.getByText("Not verified", { exact: true })).toBeVisible();
  await expect(page.getByText("Waiting for the setup script to be run on the router.")).toBeVisible();

  // Copy (clipboard, or the text selected for Ctrl+C) and download as .rsc with the same content.
  await page.getByRole("button", { name: "Copy script" }).click();
  await expect(page.getByText(/^(Copied\. Paste it|Selected: press Ctrl\+C)/)).toBeVisible();
  const [rsc] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /^Download mnetifi-setup-onboarding-mast\.rsc$/ }).click()]);
  expect(rsc.suggestedFilename()).toBe("mnetifi-setup-onboarding-mast.rsc");
  const rscText = await fs.readFile((await rsc.path())!, "utf8");
  expect(rscText).toBe(await script.textContent());
  expect(rscText).toMatch(/password="[A-Za-z0-9]{32}"/);

  await snap(page, "router-setup-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, "router-setup-phone");

  // Shown once: after a reload the script is gone.
  await page.reload();
  await expect(page.getByRole("heading", { name: `Set up ${ROUTER}` })).toBeVisible();
  await expect(page.getByLabel("Setup script")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Generate setup script" })).toBeVisible();
  await snap(page, "router-setup-fresh-phone");

  // The routers page says what it is waiting for.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url("demo", "/dashboard/routers"));
  await expect(page.getByText("Waiting for the setup script to be run on the router.")).toBeVisible();

  // Unknown router: the 404 page, for the page and for login.html.
  const missing = "00000000-0000-4000-8000-000000000000";
  const res = await page.goto(url("demo", `/dashboard/routers/${missing}/setup`));
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  const status = (path: string) => page.evaluate(async (p) => (await fetch(p)).status, path);
  expect(await status(`/dashboard/routers/${missing}/login.html`)).toBe(404);
  expect(await status("/dashboard/routers/not-a-uuid/setup")).toBe(404);
}
