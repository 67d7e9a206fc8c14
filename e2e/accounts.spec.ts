import { test, expect, type Page } from "@playwright/test";
import { url, snap, turnOnTotp, latestMail, freshTotp } from "./helpers";

async function fillRegistration(page: Page, v: Record<string, string>) {
  await page.getByLabel("Business name").fill(v.businessName!);
  await page.getByLabel("Your address (subdomain)").fill(v.slug!);
  await page.getByLabel("Username").fill(v.username!);
  await page.getByLabel("Email").fill(v.email!);
  await page.getByLabel("Password", { exact: true }).fill(v.password!);
  await page.getByLabel("Confirm password").fill(v.confirm ?? v.password!);
}

const STRONG = "Maji-Ya-Nyeri-Flow-88";

test("registration refuses a weak password and a taken subdomain, keeping what was typed", async ({ page }) => {
  await page.goto(url(null, "/register"));
  await fillRegistration(page, { businessName: "Kahawa Links", slug: "demo", username: "kahawa", email: "ops@kahawa.test", password: "password1234" });
  // Live feedback while typing.
  await expect(page.getByText("That address is already taken.")).toBeVisible();
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByText("That address is already taken.")).toBeVisible();
  await expect(page.getByText(/common password|commonly used password/i).first()).toBeVisible();
  await expect(page.getByLabel("Business name")).toHaveValue("Kahawa Links");
  await expect(page.getByLabel("Your address (subdomain)")).toHaveValue("demo");
  await expect(page.getByLabel("Email")).toHaveValue("ops@kahawa.test");
  await snap(page, "register-errors");
});

test("a new ISP registers, confirms its email, signs in, turns on TOTP and signs in with a code", async ({ page }) => {
  const slug = `kahawa-${Date.now().toString(36)}`;
  const email = `owner@${slug}.test`;
  await page.goto(url(null, "/register"));
  await fillRegistration(page, { businessName: "Kahawa Links", slug, username: "kahawa", email, password: STRONG });
  await expect(page.getByText(`${slug}.localhost`).first()).toBeVisible();
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  // Until the email is confirmed the dashboard stays closed and says why.
  await page.goto(url(slug, "/login"));
  await page.getByLabel("Username or email").fill("kahawa");
  await page.getByLabel("Password").fill(STRONG);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Confirm your email to open the dashboard" })).toBeVisible();

  const mail = await latestMail(page, email);
  expect(mail.subject).toBe("Confirm your email for mnetifi");
  const link = mail.links.find((l) => l.includes("/verify-email?token="))!;
  expect(link).toContain(`${slug}.localhost`);
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  // Still signed in from before: straight into the now open dashboard, trial running.
  await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible();
  await expect(page.getByText("account status: trial")).toBeVisible();

  // A used link does not work twice.
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("alert")).toContainText("expired or was already used");
  await page.goto(url(slug, "/dashboard"));

  // Turn on TOTP: scan (here: read the key), confirm with a first code, keep the recovery codes.
  await page.getByRole("link", { name: "My account" }).click();
  const key = await turnOnTotp(page);
  await snap(page, "account-2fa-on");

  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(url(slug, "/login"));

  await page.getByLabel("Username or email").fill("kahawa");
  await page.getByLabel("Password").fill(STRONG);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\/2fa/);
  await page.getByLabel("Code").fill("123456");
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right. 4 attempts left.");
  await page.getByLabel("Code").fill(await freshTotp(key));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible();

  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page.getByRole("cell", { name: "Turned on two-step verification" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Wrong two-step code" })).toBeVisible();
  await snap(page, "activity-security");
});

test("the owner invites a staff member who accepts, and staff cannot manage the team", async ({ page, browser }) => {
  await page.goto(url("demo", "/login"));
  await page.getByLabel("Username or email").fill("demo");
  await page.getByLabel("Password").fill("Demo-Owner-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Team" }).click();
  const email = `wanjiru-${Date.now().toString(36)}@demo.test`;
  await page.getByLabel("Full name").fill("Wanjiru Kamau");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByLabel("Full name")).toHaveValue("Wanjiru Kamau");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${email}.`)).toBeVisible();
  await expect(page.getByRole("row", { name: /Wanjiru Kamau.*Invited/ })).toBeVisible();
  await snap(page, "team");

  const mail = await latestMail(page, email);
  const link = mail.links.find((l) => l.includes("/accept-invite?token="))!;
  const staff = await browser.newPage();
  await staff.goto(link);
  await expect(staff.getByText("Welcome, Wanjiru Kamau.")).toBeVisible();
  await staff.getByLabel("Password", { exact: true }).fill("short");
  await staff.getByLabel("Confirm password").fill("short");
  await staff.getByRole("button", { name: "Accept and sign in" }).click();
  await expect(staff.getByText(/at least 12 characters/).first()).toBeVisible();
  await staff.getByLabel("Password", { exact: true }).fill("Mvua-Ya-Masika-2026");
  await staff.getByLabel("Confirm password").fill("Mvua-Ya-Masika-2026");
  await staff.getByRole("button", { name: "Accept and sign in" }).click();
  await expect(staff.getByRole("heading", { name: /Karibu, Wanjiru Kamau/ })).toBeVisible();
  // Staff see the team but no management controls, and no activity log.
  await staff.getByRole("link", { name: "Team" }).click();
  await expect(staff.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
  await expect(staff.getByRole("link", { name: "Activity" })).toHaveCount(0);
  const res = await staff.goto(url("demo", "/dashboard/activity"));
  expect(res?.status()).toBe(403);
  await staff.close();
});

test("after 18 minutes without activity a warning offers to stay signed in; at 20 the session ends", async ({ page }) => {
  await page.clock.install();
  await page.goto(url("demo", "/login"));
  await page.getByLabel("Username or email").fill("demo");
  await page.getByLabel("Password").fill("Demo-Owner-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: /Karibu/ })).toBeVisible();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);

  await page.clock.fastForward("18:30");
  await expect(page.getByRole("alertdialog")).toBeVisible();
  await expect(page.getByText(/signed out in 1:\d\d/)).toBeVisible();
  await snap(page, "session-warning");
  await page.getByRole("button", { name: "Stay signed in" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);

  // The countdown starts again from the server's answer; this time nobody answers.
  await page.clock.fastForward("18:30");
  await expect(page.getByRole("alertdialog")).toBeVisible();
  await page.clock.fastForward("02:00");
  await expect(page).toHaveURL(/\/login\?notice=expired/);
  await expect(page.getByText("You were signed out after 20 minutes without activity.")).toBeVisible();
  await page.goto(url("demo", "/dashboard"));
  await expect(page).toHaveURL(/\/login/);
});
