import { test, expect } from "@playwright/test";
import { snap, url, signInDemo } from "./helpers";

test("the super admin finds the demo ISP, views its dashboard as the ISP with a reason, changes something, exits; the audit names the admin", async ({ page, context }) => {
  await signInDemo(page, "admin");
  await expect(page.getByRole("heading", { name: "ISPs" })).toBeVisible();
  await snap(page, "console-tenants");

  // Search and open it.
  await page.getByLabel("Search").fill("demo");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/q=demo/);
  const row = page.locator("tr[data-tenant=demo]");
  await expect(row).toContainText("Trial");
  await row.getByRole("link", { name: "Demo Networks Ltd" }).click();
  await expect(page.getByRole("heading", { name: /Demo Networks Ltd/ })).toBeVisible();
  await expect(page.getByTestId("owner-contact")).toContainText("Demo Owner");
  await snap(page, "console-tenant");

  // A reason is required (the browser says so before anything is sent).
  await page.getByRole("button", { name: "View as Demo Networks Ltd" }).click();
  await expect(page).toHaveURL(/\/tenants\//);
  await page.getByLabel("Reason", { exact: true }).fill("Owner asked us to check their zones");
  await page.getByRole("button", { name: "View as Demo Networks Ltd" }).click();

  // On the ISP's own host, signed in as the ISP, with the banner.
  await expect(page).toHaveURL(url("demo", "/dashboard"));
  const banner = page.getByTestId("impersonation-banner");
  await expect(banner).toContainText("Viewing as Demo Networks Ltd — Platform Admin — ends in");
  await expect(banner).toContainText("Reason: Owner asked us to check their zones");
  await expect(page.getByTestId("impersonation-countdown")).toHaveText(/^(29|30):\d\d$/);
  // The console's cookie stayed on the console's host; this host has its own.
  const ispCookie = (await context.cookies(url("demo"))).find((c) => c.name === "mn_session");
  const consoleCookie = (await context.cookies(url("admin"))).find((c) => c.name === "mn_session");
  expect(ispCookie).toMatchObject({ domain: "demo.localhost", httpOnly: true });
  expect(ispCookie!.value).not.toBe(consoleCookie!.value);
  await snap(page, "impersonation-dashboard");
  await page.setViewportSize({ width: 375, height: 740 });
  await expect(banner.getByRole("button", { name: "Exit" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/screens/impersonation-phone.png" });
  await page.setViewportSize({ width: 1280, height: 720 });

  // Do something as the ISP.
  await page.getByRole("link", { name: "Zones" }).click();
  await expect(banner).toBeVisible();
  const addZone = page.locator("#add-zone");
  await addZone.getByLabel("In area").selectOption({ label: "Roysambu" });
  await addZone.getByLabel("Zone name").fill("Checked by support");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(addZone.getByText("Zone “Checked by support” added.")).toBeVisible();

  // The owner's own sign-in cannot be changed from here.
  await page.getByRole("link", { name: "My account" }).click();
  await expect(banner).toBeVisible();

  // One click back to the console.
  await banner.getByRole("button", { name: "Exit" }).click();
  await expect(page).toHaveURL(/admin\.localhost:\d+\/tenants\/[0-9a-f-]+\?impersonation=ended/);
  await expect(page.getByText("You have left Demo Networks Ltd's dashboard.")).toBeVisible();
  // The ISP host's session is gone.
  expect((await context.cookies(url("demo"))).find((c) => c.name === "mn_session")).toBeUndefined();

  // The visit and the change are in the ISP's activity, under the admin's name.
  const visit = page.locator("tr[data-impersonation]").first();
  await expect(visit).toContainText("Platform Admin");
  await expect(visit).toContainText("Owner asked us to check their zones");
  await expect(visit).toContainText("Exited after");
  const change = page.locator("tr[data-action=INSERT]", { hasText: "Checked by support" }).first();
  await expect(change.getByTestId("impersonated-by")).toContainText("Platform Admin");
  await expect(change.getByTestId("impersonated-by")).toContainText("as Demo Owner");
  await expect(page.locator("tr[data-action='impersonation.start']").first()).toContainText("Owner asked us to check their zones");
  await expect(page.locator("tr[data-action='impersonation.end']").first()).toContainText("(exit)");
  await snap(page, "console-tenant-after-visit");

  // The console's audit trail, for this admin.
  await page.getByRole("link", { name: "Audit" }).click();
  await page.getByLabel("Console user").selectOption({ label: "Platform Admin (super admin)" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.locator("tr[data-action='impersonation.start']").first()).toContainText("Demo Networks Ltd");
  await expect(page.locator("tr[data-action=INSERT]").first().getByTestId("impersonated-by")).toContainText("Platform Admin");
  await snap(page, "console-audit");

  // And the ISP's owner sees it in their own Activity.
  await signInDemo(page, "owner", "/dashboard/activity");
  await expect(page.getByRole("row", { name: /Zone “Checked by support” created/ }).first()).toContainText("mnetifi support (viewing as Demo Owner)");
  await expect(page.getByRole("row", { name: /mnetifi support entered your dashboard/ }).first()).toBeVisible();
});

test("support chat: the owner writes, the admin sees it unread and replies, the owner sees the reply without reloading", async ({ page, context }) => {
  await signInDemo(page, "owner", "/dashboard/support");
  await expect(page.getByRole("heading", { name: "Support" })).toBeVisible();
  // Empty message: the browser refuses; a real one goes.
  await page.getByLabel("Message").fill("Hello, our Kasarani router keeps dropping customers every evening. Can you look?");
  await page.getByRole("button", { name: "Send" }).click();
  const thread = page.getByTestId("support-thread");
  await expect(thread).toContainText("Kasarani router keeps dropping");
  await expect(page.getByLabel("Message")).toHaveValue("");

  // The console, in another tab of the same browser (cookies are per host).
  const admin = await context.newPage();
  await signInDemo(admin, "admin");
  await expect(admin.getByTestId("console-support-unread")).toHaveText("1");
  await admin.getByRole("link", { name: /^Support/ }).click();
  const line = admin.locator("[data-thread=demo]");
  await expect(line.getByTestId("thread-unread")).toHaveText("1");
  await expect(line).toContainText("Kasarani router keeps dropping");
  await snap(admin, "console-support-inbox");
  await line.click();
  await expect(admin.getByRole("heading", { name: "Demo Networks Ltd" })).toBeVisible();
  await expect(admin.getByTestId("support-thread")).toContainText("Kasarani router keeps dropping");
  await admin.getByLabel("Message").fill("Thanks, we can see it dropping at 19:00. Checking the router's logs now.");
  await admin.getByRole("button", { name: "Send" }).click();
  await expect(admin.getByTestId("support-thread")).toContainText("Checking the router's logs now.");
  // Opening the thread read it: no unread left in the menu.
  await expect(admin.getByTestId("console-support-unread")).toHaveCount(0);

  // The owner's page, never reloaded, shows the reply by itself.
  await expect(thread).toContainText("Checking the router's logs now.", { timeout: 15_000 });
  await expect(thread.locator("li[data-author=platform]")).toContainText("Platform Admin · mnetifi");
  await snap(page, "support-isp");

  // The console's side sees that the owner has read it, again without reloading.
  await expect(admin.getByTestId("support-thread")).toContainText("Seen", { timeout: 15_000 });
  await snap(admin, "console-support-thread");

  // Elsewhere in the dashboard the Support tab shows a new reply as a count.
  await admin.getByLabel("Message").fill("Found it: a DHCP lease of 5 minutes. We set it to 1 hour.");
  await admin.getByRole("button", { name: "Send" }).click();
  await expect(admin.getByTestId("support-thread")).toContainText("We set it to 1 hour.");
  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByTestId("support-unread")).toHaveText("1");
  await snap(page, "support-isp-unread-tab");
});

test("suspend by hand: the reason is required, the owner sees it on a closed dashboard while the portal keeps selling; restore opens it again", async ({ page, browser }) => {
  await signInDemo(page, "admin");
  await page.locator("tr[data-tenant=demo]").getByRole("link", { name: "Demo Networks Ltd" }).click();
  const form = page.getByTestId("hold-form");
  await form.getByLabel(/Suspend/).check();
  await form.getByLabel("Reason for the owner").fill("no");
  await form.getByRole("button", { name: "Close the dashboard" }).click();
  await expect(form.getByText(/Say why in a few words/)).toBeVisible();
  await expect(form.getByLabel("Reason for the owner")).toHaveValue("no");
  await form.getByLabel("Reason for the owner").fill("Bank transfer for the last invoice bounced");
  await form.getByRole("button", { name: "Close the dashboard" }).click();
  await expect(page.getByText(/^Suspended\. The ISP's users see the reason/)).toBeVisible();
  await expect(page.getByRole("heading", { name: /Demo Networks Ltd/ }).getByText("Suspended")).toBeVisible();
  await snap(page, "console-tenant-suspended");

  // The owner signs in: a closed dashboard that says why, with a way to reach support.
  const owner = await (await browser.newContext()).newPage();
  await signInDemo(owner, "owner", "/dashboard/locked");
  await expect(owner.getByText(/mnetifi suspended this dashboard on .+ Reason: Bank transfer for the last invoice bounced\. Your customers are not affected/)).toBeVisible();
  await expect(owner.getByRole("link", { name: "Write to mnetifi support" })).toBeVisible();
  await snap(owner, "dashboard-suspended");
  // The captive portal still sells.
  await owner.goto(url("demo", "/hotspotportal"));
  await expect(owner.locator("label.pc").first()).toBeVisible();

  // The ISP list shows it suspended with the reason; restore from its page.
  await page.getByRole("link", { name: "ISPs", exact: true }).click();
  await page.getByRole("link", { name: /^Suspended/ }).click();
  await expect(page.locator("tr[data-tenant=demo]")).toContainText("Bank transfer for the last invoice bounced");
  await page.locator("tr[data-tenant=demo]").getByRole("link", { name: "Demo Networks Ltd" }).click();
  await form.getByLabel(/Restore the dashboard/).check();
  await form.getByLabel("Reason for the owner").fill("Bank confirmed the transfer");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText(/^Restored: the dashboard is open again/)).toBeVisible();
  await expect(page.locator("tr[data-action='tenant.restored']").first()).toContainText("Bank confirmed the transfer");
  await expect(page.locator("tr[data-action='tenant.suspended']").first()).toContainText("Bank transfer for the last invoice bounced");
  await owner.goto(url("demo", "/dashboard"));
  await expect(owner).toHaveURL(url("demo", "/dashboard"));
  await owner.context().close();
});

test("a visit can be ended from the console: the ISP-side tab is signed out on its next click", async ({ page, context }) => {
  await signInDemo(page, "admin");
  await page.locator("tr[data-tenant=demo]").getByRole("link", { name: "Demo Networks Ltd" }).click();
  await expect(page.getByRole("heading", { name: /Demo Networks Ltd/ })).toBeVisible();
  const consoleUrl = page.url();
  await page.getByLabel("Reason", { exact: true }).fill("Checking the router list with the owner");
  await page.getByRole("button", { name: "View as Demo Networks Ltd" }).click();
  await expect(page).toHaveURL(url("demo", "/dashboard"));
  await expect(page.getByTestId("impersonation-banner")).toBeVisible();

  const consoleTab = await context.newPage();
  await consoleTab.goto(consoleUrl);
  const visit = consoleTab.locator("tr[data-impersonation]").first();
  await expect(visit).toContainText("In progress");
  await visit.getByRole("button", { name: "End visit" }).click();
  await expect(consoleTab.getByText("The visit has ended")).toBeVisible();
  await expect(consoleTab.locator("tr[data-impersonation]").first()).toContainText("Ended from the console");

  await page.getByRole("link", { name: "Zones" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByTestId("impersonation-banner")).toHaveCount(0);
});

test("the super admin renames an ISP at its request (bad input keeps what was typed) and the portal shows the new name", async ({ page }) => {
  await signInDemo(page, "admin");
  await page.locator("tr[data-tenant=demo]").getByRole("link", { name: "Demo Networks Ltd" }).click();
  await page.getByText("Rename", { exact: true }).click();
  const name = page.getByLabel("Business name");
  await name.fill("D");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Enter the business name.")).toBeVisible();
  await expect(page.getByLabel("Business name")).toHaveValue("D");
  await page.getByLabel("Business name").fill("Demo Networks Kenya");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText(/^Renamed\./)).toBeVisible();
  await expect(page.getByRole("heading", { name: /Demo Networks Kenya/ })).toBeVisible();
  await expect(page.locator("tr[data-action='tenant.renamed']").first()).toContainText("“Demo Networks Ltd” → “Demo Networks Kenya”");
  const portal = await page.context().newPage();
  await portal.goto(url("demo", "/hotspotportal"));
  await expect(portal.getByRole("heading", { name: "Demo Networks Kenya" })).toBeVisible();
  await portal.close();

  // Back to the name the other specs expect (the form stays open after saving).
  await page.getByLabel("Business name").fill("Demo Networks Ltd");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("heading", { name: /Demo Networks Ltd/ })).toBeVisible();
});
