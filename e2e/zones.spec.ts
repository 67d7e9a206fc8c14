import { test, expect, type Page } from "@playwright/test";
import { url, snap, SMTP_INBOX, signInDemo } from "./helpers";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

async function signInAsDemoOwner(page: Page) {
  await signInDemo(page, "owner", "/dashboard/zones");
  await expect(page.getByRole("heading", { name: "Zones", exact: true })).toBeVisible();
  // Rename, Edit and the delete confirmation need the page's scripts.
  await page.waitForLoadState("networkidle");
}

const region = (page: Page, name: string) => page.getByRole("region", { name: `Region ${name}`, exact: true });
const area = (page: Page, name: string) => page.getByRole("region", { name: `Area ${name}`, exact: true });

test("the owner builds region → area → zone, sees it in the tree, and is told about duplicates and non-empty deletes", async ({ page }, info) => {
  // A retry runs against the same database: new names then.
  const n = info.retry + info.repeatEachIndex;
  const [R, A, Z] = n ? [`Nakuru ${n + 1}`, `Naivasha ${n + 1}`, `Mai Mahiu ${n + 1}`] : ["Nakuru", "Naivasha", "Mai Mahiu"];
  await page.setViewportSize(DESKTOP);
  await signInAsDemoOwner(page);

  // The demo's own geography, with router counts.
  await expect(region(page, "Nairobi")).toBeVisible();
  await expect(area(page, "Kasarani")).toContainText("1 zone · 1 router");
  await expect(region(page, "Kiambu")).toContainText("Ruiru");
  await expect(region(page, "Kiambu")).toContainText("Githurai 45");
  await snap(page, "zones-desktop");

  // A region…
  const addRegion = page.locator("#add-region");
  await addRegion.getByLabel("Region name").fill(R);
  await addRegion.getByRole("button", { name: "Add region" }).click();
  await expect(addRegion.getByText(`Region “${R}” added. Now add an area in it.`)).toBeVisible();
  await expect(region(page, R)).toContainText(`No areas in ${R} yet.`);

  // …a duplicate region is a field error, and what was typed stays…
  await addRegion.getByLabel("Region name").fill("nairobi");
  await addRegion.getByRole("button", { name: "Add region" }).click();
  await expect(addRegion.getByText("You already have a region called “Nairobi”.")).toBeVisible();
  await expect(addRegion.getByLabel("Region name")).toHaveValue("nairobi");
  await expect(addRegion.getByLabel("Region name")).toHaveAttribute("aria-invalid", "true");

  // …an area in it…
  const addArea = page.locator("#add-area");
  await addArea.getByLabel("In region").selectOption({ label: R });
  await addArea.getByLabel("Area name").fill(A);
  await addArea.getByRole("button", { name: "Add area" }).click();
  await expect(addArea.getByText(`Area “${A}” added to ${R}.`)).toBeVisible();
  await expect(area(page, A)).toContainText(`No zones in ${A} yet.`);

  // …and a zone in the area.
  const addZone = page.locator("#add-zone");
  await addZone.getByLabel("In area").selectOption({ label: A });
  await addZone.getByLabel("Zone name").fill(Z);
  await addZone.getByLabel("Description (optional)").fill("Along the escarpment road");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(addZone.getByText(`Zone “${Z}” added.`)).toBeVisible();
  await expect(area(page, A)).toContainText(Z);
  await expect(area(page, A)).toContainText("Along the escarpment road");
  await expect(area(page, A)).toContainText("No routers");
  await expect(region(page, R)).toContainText("1 area · 1 zone · 0 routers");

  // A duplicate zone name says where the other one is; the typed values stay.
  await addZone.getByLabel("Zone name").fill("kasarani");
  await addZone.getByLabel("Description (optional)").fill("Second try");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(addZone.getByText("You already have a zone called “Kasarani” (in Kasarani). Zone names must be different.")).toBeVisible();
  await expect(addZone.getByLabel("Description (optional)")).toHaveValue("Second try");
  await expect(addZone.getByLabel("Zone name")).toHaveValue("kasarani");

  // Deleting a region that still has an area is refused, with what to do, next to it.
  page.on("dialog", (d) => void d.accept());
  await region(page, R).getByRole("button", { name: `Delete region ${R}`, exact: true }).click();
  await expect(region(page, R).getByRole("alert")).toHaveText(`Move or delete the area in ${R} first.`);
  await region(page, R).screenshot({ path: "test-results/screens/zones-delete-refused.png" });

  // Rename an area in place.
  await area(page, A).getByRole("button", { name: `Rename area ${A}`, exact: true }).click();
  await area(page, A).getByLabel("Area name").fill(`${A} Town`);
  await area(page, A).getByRole("button", { name: "Save" }).click();
  await expect(area(page, `${A} Town`)).toContainText(Z);

  // Move the zone out of its area: it shows under "Not placed in an area".
  await page.getByRole("button", { name: `Edit zone ${Z}`, exact: true }).click();
  const editZone = page.getByRole("form", { name: `Edit zone ${Z}`, exact: true });
  await expect(editZone.getByLabel("Area")).toHaveValue(/.+/);
  await editZone.getByLabel("Area").selectOption({ label: "Not in an area (place it later)" });
  await snap(page, "zones-desktop-editing");
  await editZone.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("region", { name: "Not placed in an area" })).toContainText(Z);
  await expect(area(page, `${A} Town`)).toContainText(`No zones in ${A} Town yet.`);

  await page.setViewportSize(PHONE);
  await snap(page, "zones-phone");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: "test-results/screens/zones-phone-top.png" });
  await region(page, "Nairobi").screenshot({ path: "test-results/screens/zones-phone-region.png" });
  await addZone.getByLabel("Zone name").fill("Kasarani");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(addZone.getByText(/You already have a zone called “Kasarani”/)).toBeVisible();
  await addZone.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/screens/zones-phone-error.png" });
});

test("a new ISP's Zones page explains region → area → zone", async ({ page }) => {
  await page.setViewportSize(PHONE);
  const slug = `zones-${Date.now().toString(36)}`;
  const email = `owner@${slug}.test`;
  const password = "Tusker-Baridi-Sana-42";
  await page.goto(url(null, "/register"));
  await page.getByLabel("Business name").fill("Mwiki Wireless");
  await page.getByLabel("Your address (subdomain)").fill(slug);
  await page.getByLabel("Username").fill("mwiki");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  await page.goto(url(slug, "/login"));
  await page.getByLabel("Username or email").fill("mwiki");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Confirm your email to open the dashboard" })).toBeVisible();
  let link = "";
  await expect(async () => {
    const res = await page.request.get(`${SMTP_INBOX}/messages/latest?to=${encodeURIComponent(email)}`);
    expect(res.ok()).toBe(true);
    link = ((await res.json()) as { links: string[] }).links.find((l) => l.includes("/verify-email?token="))!;
    expect(link).toBeTruthy();
  }).toPass({ timeout: 10_000 });
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible();

  await page.getByRole("link", { name: "Zones" }).click();
  await expect(page.getByText("Map out where you operate")).toBeVisible();
  await expect(page.getByText("Nairobi → Kasarani → Mwiki")).toBeVisible();
  await expect(page.locator("#add-area")).toContainText("Add a region first");
  await expect(page.locator("#add-area").getByRole("button", { name: "Add area" })).toBeDisabled();
  await snap(page, "zones-empty-phone");
});
