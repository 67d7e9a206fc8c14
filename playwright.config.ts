import { defineConfig } from "@playwright/test";
import os from "node:os";
import path from "node:path";

// The product as it runs in production (built, NODE_ENV=production) on a throwaway embedded
// database, driven by Debian's Chromium. PORT is unusual so a running `npm start` does not clash.
const PORT = Number(process.env.E2E_PORT ?? 3100);
// Fixed per port (the config is evaluated in several processes); emptied by the server command.
export const DATA_DIR = path.join(os.tmpdir(), `mnetifi-e2e-${PORT}`);
export const BASE = `localhost:${PORT}`;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://${BASE}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    // Every run starts from an empty embedded database: init, migrate, seed the demo.
    command: `rm -rf "${DATA_DIR}" && exec npx tsx server/main.ts`,
    url: `http://${BASE}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    stdout: "ignore",
    stderr: "pipe",
    env: {
      NODE_ENV: "production",
      PORT: String(PORT),
      APP_DOMAIN: BASE,
      DATA_DIR,
      EMBEDDED_PG_PORT: String(PORT + 51000),
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      LOG_LEVEL: "warn",
      // The local SMTP and SMS simulators, on ports of their own; tests read what was sent.
      SIMULATORS: "true",
      SMTP_SIM_PORT: String(PORT - 500),
      SMTP_SIM_HTTP_PORT: String(PORT - 499),
      SMS_SIM_PORT: String(PORT - 498),
      DARAJA_SIM_PORT: String(PORT - 497),
      ROUTEROS_SIM_PORTS: `${PORT - 496},${PORT - 495}`,
      ROUTEROS_SIM_CONTROL_PORTS: `${PORT - 494},${PORT - 493}`,
      ADVANTA_SIM_PORT: String(PORT - 492),
      SMS_GATEWAY_SIM_PORT: String(PORT - 491),
      WHATSAPP_CLOUD_SIM_PORT: String(PORT - 490),
      ULTRAMSG_SIM_PORT: String(PORT - 489),
      // Poll routers every 2 s so a router going offline shows within seconds.
      ROUTER_POLL_SECONDS: "2",
    },
  },
});
