import type { Page } from "@playwright/test";
import fs from "node:fs";

const PORT = Number(process.env.E2E_PORT ?? 3100);
export const url = (sub: string | null, path = "/") => `http://${sub ? `${sub}.` : ""}localhost:${PORT}${path}`;

/** Saves a screenshot under test-results/screens/ for people to look at. */
export async function snap(page: Page, name: string) {
  fs.mkdirSync("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

export const DEMO_OWNER = { username: "demo", password: "Demo-Owner-2026!" };
export const DEMO_ADMIN = { username: "admin", password: "Platform-Demo-2026!" };

/** The SMTP simulator's inbox API and the SMS simulator (ports set in playwright.config.ts). */
export const SMTP_INBOX = `http://127.0.0.1:${PORT - 499}`;
export const SMS_SIM = `http://127.0.0.1:${PORT - 498}`;
export const DARAJA_SIM = `http://127.0.0.1:${PORT - 497}`;
