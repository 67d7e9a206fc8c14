import { test, expect } from "@playwright/test";
import { url, snap, DEMO_OWNER, DEMO_ADMIN, signInDemo } from "./helpers";

test("the public home page explains the product", async ({ page }) => {
  const res = await page.goto(url(null));
  expect(res?.status()).toBe(200);
  await expect(page).toHaveTitle(/mnetifi/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Run your ISP");
  await snap(page, "public-home");
});

test("the demo ISP's login page is served on its subdomain", async ({ page }) => {
  const res = await page.goto(url("demo", "/login"));
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Demo Networks Ltd" })).toBeVisible();
  await expect(page.getByLabel("Username or email")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeVisible();
  await snap(page, "demo-login");
});

test("an unknown subdomain gets a friendly 404 page", async ({ page }) => {
  const res = await page.goto(url("no-such-isp", "/"));
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no ISP at this address" })).toBeVisible();
  await expect(page.getByText("no-such-isp")).toBeVisible();
  const deep = await page.goto(url("no-such-isp", "/dashboard/zones"));
  expect(deep?.status()).toBe(404);
  await snap(page, "unknown-isp-404");
});

test("an unknown path on a real ISP is a 404 page too", async ({ page }) => {
  const res = await page.goto(url("demo", "/no/such/page"));
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("healthz reports the database", async ({ request }) => {
  const res = await request.get(url(null, "/healthz"));
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", database: "up" });
});

test("a wrong password is refused with a clear message and the username kept", async ({ page }) => {
  await page.goto(url("demo", "/login"));
  await page.getByLabel("Username or email").fill("demo");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That username or password is not right.");
  await expect(page.getByLabel("Username or email")).toHaveValue("demo");
  await page.getByLabel("Username or email").fill("");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter your username or email.")).toBeVisible();
});

test("the demo owner signs in, manages zones, sees the activity, and signs out", async ({ page }) => {
  await page.goto(url("demo", "/dashboard/zones"));
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard%2Fzones/);
  await page.getByLabel("Username or email").fill(DEMO_OWNER.username);
  await page.getByLabel("Password").fill(DEMO_OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(url("demo", "/dashboard/zones"));
  await expect(page.getByRole("heading", { name: "Zones" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Kasarani", exact: true })).toBeVisible();

  // Bad input: a field error, and what was typed stays.
  const addZone = page.locator("#add-zone");
  await addZone.getByLabel("Zone name").fill("K");
  await addZone.getByLabel("Description (optional)").fill("One-letter zone");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(page.getByText("Give the zone a name of at least 2 characters.")).toBeVisible();
  await expect(addZone.getByLabel("Description (optional)")).toHaveValue("One-letter zone");

  // A duplicate name: a field error that says where the other one is.
  await addZone.getByLabel("Zone name").fill("kasarani");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(addZone.getByText("You already have a zone called “Kasarani” (in Kasarani). Zone names must be different.")).toBeVisible();

  await addZone.getByLabel("Zone name").fill("Zimmerman");
  await addZone.getByLabel("Description (optional)").fill("Behind the stage");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(page.getByText("Zone “Zimmerman” added.")).toBeVisible();
  await expect(page.getByText("Behind the stage")).toBeVisible();
  await snap(page, "dashboard-zones");

  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page.getByRole("row", { name: /Zone “Zimmerman” created.*Demo Owner/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Failed sign-in.*Demo Owner/ }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "Signed in", exact: true }).first()).toBeVisible();
  await snap(page, "dashboard-activity");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export Excel" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^demo-activity-\d{4}-\d{2}-\d{2}\.xlsx$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(url("demo", "/login"));
  await page.goto(url("demo", "/dashboard"));
  await expect(page).toHaveURL(/\/login/);
});

test("a session on one ISP does not open another host", async ({ page, context }) => {
  await signInDemo(page, "owner");
  await expect(page).toHaveURL(url("demo", "/dashboard"));
  const cookies = await context.cookies(url("demo"));
  expect(cookies.find((c) => c.name === "mn_session")).toMatchObject({ httpOnly: true, sameSite: "Lax", domain: "demo.localhost" });
  await page.goto(url("admin", "/"));
  await expect(page).toHaveURL(url("admin", "/login"));
});

test("the super admin signs in to the console and sees the demo ISP", async ({ page }) => {
  await page.goto(url("admin", "/login"));
  await expect(page.getByText("Platform console")).toBeVisible();
  await page.getByLabel("Username or email").fill(DEMO_ADMIN.username);
  await page.getByLabel("Password").fill(DEMO_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "ISPs" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Demo Networks Ltd" })).toBeVisible();
  await snap(page, "console-home");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  test("the login and the dashboard fit the screen", async ({ page }) => {
    await page.goto(url("demo", "/login"));
    await snap(page, "phone-demo-login");
    await page.getByLabel("Username or email").fill(DEMO_OWNER.username);
    await page.getByLabel("Password").fill(DEMO_OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snap(page, "phone-dashboard");
  });
});
