import { test, expect, type Page } from "@playwright/test";
import { DEMO_ADMIN, latestMail, snap, turnOnTotp, url } from "./helpers";

async function signIn(page: Page, username: string, password: string) {
  await page.goto(url("admin", "/login"));
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function phoneShot(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await snap(page, name);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("the super admin invites a support admin, who sets a password from the emailed link and sees only what support may; disabled, they are out at once", async ({ page, browser }) => {
  const suffix = Date.now().toString(36);
  const username = `akinyi-${suffix}`;
  const email = `akinyi-${suffix}@mnetifi.test`;
  const password = "Tana-River-Delta-2026";

  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, DEMO_ADMIN.username, DEMO_ADMIN.password);
  await expect(page).toHaveURL(url("admin", "/tenants"));
  await page.getByRole("navigation").getByRole("link", { name: "Admins" }).click();
  await expect(page.getByRole("heading", { name: "Admins", exact: true })).toBeVisible();
  const me = page.locator("li[data-admin=admin]");
  await expect(me).toContainText("You");
  await expect(me).toContainText("Super admin");
  // Nobody disables or re-roles themselves: no controls on one's own row.
  await expect(me.getByRole("button", { name: /Disable/ })).toHaveCount(0);

  // Field errors, with what was typed kept.
  const form = page.locator("#add-admin");
  await form.getByLabel("Full name").fill("Akinyi Otieno");
  await form.getByLabel("Username").fill("ADMIN");
  await form.getByLabel("Email").fill("not-an-email");
  await form.getByLabel("Role").selectOption({ label: "Support" });
  await expect(page.getByTestId("invite-role-abilities")).toContainText("Read and answer ISPs' support chats");
  await expect(page.getByTestId("invite-role-abilities")).not.toContainText("Manage platform sub-admins");
  await form.getByRole("button", { name: "Send invitation" }).click();
  await expect(form.getByText("Enter a valid email address.")).toBeVisible();
  await expect(form.getByLabel("Full name")).toHaveValue("Akinyi Otieno");
  await form.getByLabel("Email").fill(email);
  await form.getByRole("button", { name: "Send invitation" }).click();
  await expect(form.getByText("Another console admin already has this username.")).toBeVisible();
  await expect(form.getByLabel("Email")).toHaveValue(email);
  await expect(form.getByLabel("Role")).toHaveValue("support");
  await form.getByLabel("Username").fill(username);
  await form.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${email}. The link works once, for 7 days.`)).toBeVisible();
  await expect(form.getByLabel("Full name")).toHaveValue("");
  const row = page.locator(`li[data-admin="${username}"]`);
  await expect(row.getByTestId("admin-status")).toHaveText("Invited");
  await expect(row).toContainText("Invitation link not used yet (expires in 7 days)");
  await expect(row.getByLabel("Role of Akinyi Otieno", { exact: true })).toHaveValue("support");
  await snap(page, "console-admins");
  await phoneShot(page, "console-admins-phone");

  // The invitee, in a browser of their own, finds the email in the dev inbox and opens the link.
  await latestMail(page, email);
  const invitee = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p2 = await invitee.newPage();
  await p2.goto(url(null, "/dev/inbox"));
  const mail = p2.locator("div").filter({ has: p2.getByRole("heading", { name: "You're invited to the mnetifi console" }) }).filter({ hasText: email }).last();
  await expect(mail).toContainText(`Your username is ${username}`);
  await mail.getByRole("link", { name: /accept-invite\?token=/ }).click();
  await expect(p2).toHaveURL(/admin\.localhost:\d+\/accept-invite\?token=/);
  await expect(p2.getByText("Welcome, Akinyi Otieno.")).toBeVisible();
  await expect(p2.getByLabel("Username")).toHaveValue(username);
  await p2.getByLabel("Password", { exact: true }).fill("short");
  await p2.getByLabel("Confirm password").fill("short");
  await p2.getByRole("button", { name: "Set my password" }).click();
  await expect(p2.getByText(/at least 12 characters/).first()).toBeVisible();
  await p2.getByLabel("Password", { exact: true }).fill(password);
  await p2.getByLabel("Confirm password").fill(password);
  await snap(p2, "console-admin-accept-phone");
  await p2.getByRole("button", { name: "Set my password" }).click();
  await expect(p2).toHaveURL(url("admin", "/login?notice=invited"));
  await expect(p2.getByText("Your password is set.")).toBeVisible();
  await p2.getByLabel("Username or email").fill(username);
  await p2.getByLabel("Password").fill(password);
  await p2.getByRole("button", { name: "Sign in" }).click();
  await expect(p2).toHaveURL(url("admin", "/tenants"));

  // Support's menu: Analytics and Billing (read), ISPs, Support, Audit; no Admins, and /admins says why.
  const menu = p2.locator("header nav");
  await expect(menu.getByRole("link")).toHaveText(["Analytics", "ISPs", "Billing", "Support", "Audit"]);
  await expect(p2.locator("header")).toContainText("Akinyi Otieno · Support");
  await snap(p2, "console-support-menu-phone");
  const forbidden = await p2.goto(url("admin", "/admins"));
  expect(forbidden?.status()).toBe(403);
  await expect(p2.getByText("Your console role cannot manage admins.")).toBeVisible();
  await p2.goto(url("admin", "/tenants"));

  // The super admin sees them active, with a last sign-in, and the invitation accepted in their trail.
  await page.reload();
  await expect(row.getByTestId("admin-status")).toHaveText("Active");
  await expect(row).toContainText(/Last sign-in: \d/);
  await row.getByRole("link", { name: "Audit trail" }).click();
  await expect(page).toHaveURL(/\/audit\?admin=[0-9a-f-]{36}$/);
  await expect(page.getByLabel("Console user")).toHaveValue(/[0-9a-f-]{36}/);
  await expect(page.locator("tr[data-action='platform_admin.invite_accepted']")).toContainText("Accepted the invitation and chose a password (Support)");
  await expect(page.locator("tr[data-action='auth.login']").first()).toContainText("Akinyi Otieno");
  await page.goBack();

  // They turn on two-step sign-in, then lose their phone: the super admin turns it off for them;
  // their session ends and the password alone signs them in again.
  await p2.goto(url("admin", "/account"));
  await turnOnTotp(p2);
  await page.reload();
  await expect(row).toContainText("Two-step sign-in: on");
  page.once("dialog", (d) => d.accept());
  await row.getByRole("button", { name: "Reset two-step sign-in of Akinyi Otieno" }).click();
  await expect(page.getByText("Akinyi Otieno's two-step sign-in is off and their sessions ended")).toBeVisible();
  await expect(row).toContainText("Two-step sign-in: off");
  await p2.reload();
  await expect(p2).toHaveURL(/\/login\?next=/);
  await p2.getByLabel("Username or email").fill(username);
  await p2.getByLabel("Password").fill(password);
  await p2.getByRole("button", { name: "Sign in" }).click();
  await expect(p2).toHaveURL(url("admin", "/account"));

  // Disabled: their open session is dead at once and they cannot sign in again.
  await row.getByRole("button", { name: "Disable Akinyi Otieno" }).click();
  await expect(page.getByText("Akinyi Otieno is disabled and cannot sign in; their open session was ended.")).toBeVisible();
  await expect(row.getByTestId("admin-status")).toHaveText("Disabled");
  await expect(row.getByRole("button", { name: "Enable Akinyi Otieno" })).toBeVisible();
  await p2.reload();
  await expect(p2).toHaveURL(/\/login\?next=/);
  await p2.getByLabel("Username or email").fill(username);
  await p2.getByLabel("Password").fill(password);
  await p2.getByRole("button", { name: "Sign in" }).click();
  await expect(p2.getByText("That username or password is not right.")).toBeVisible();
  await invitee.close();

  // The whole story reads well on the Audit page.
  await page.getByRole("navigation").getByRole("link", { name: "Audit" }).click();
  await expect(page.locator("tr[data-action='platform_admin.invited']").first()).toContainText(`Invited Akinyi Otieno (@${username}) as Support`);
  await expect(page.locator("tr[data-action='platform_admin.disabled']").first()).toContainText(`Disabled Akinyi Otieno (@${username}) (1 session ended)`);
  await snap(page, "console-audit-admins");
  await page.getByRole("navigation").getByRole("link", { name: "Admins" }).click();
  await expect(row.getByTestId("admin-status")).toHaveText("Disabled");
  await snap(page, "console-admins-after");
  await phoneShot(page, "console-admins-after-phone");
});
