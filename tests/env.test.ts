import { describe, it, expect } from "vitest";
import { parseEnv } from "../server/env";

describe("environment validation", () => {
  it("has working defaults for a zero-setup start", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ NODE_ENV: "development", PORT: 3000, APP_DOMAIN: "localhost:3000", DATA_DIR: ".data" });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("derives APP_DOMAIN from PORT", () => {
    expect(parseEnv({ PORT: "4100" }).APP_DOMAIN).toBe("localhost:4100");
  });

  it("fails fast with every problem listed", () => {
    expect(() => parseEnv({ PORT: "eighty", DATABASE_URL: "not a url", ENCRYPTION_KEY: "short" })).toThrow(
      /Invalid environment:\n {2}- PORT: .*\n {2}- DATABASE_URL: .*\n {2}- ENCRYPTION_KEY: must be 32 bytes/,
    );
  });

  it("requires a key and a domain in production", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/ENCRYPTION_KEY: is required in production[\s\S]*APP_DOMAIN: is required in production[\s\S]*SMTP_URL: is required/);
    expect(parseEnv({ NODE_ENV: "production", APP_DOMAIN: "x.co.ke", SMTP_URL: "smtp://m:25", ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") }).SIMULATORS).toBe(false);
    expect(parseEnv({}).SIMULATORS).toBe(true);
    expect(() => parseEnv({ NODE_ENV: "production", APP_DOMAIN: "mnetifi.co.ke", SMTP_URL: "smtp://mail.example:587", ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") })).not.toThrow();
  });

  it("checks the routers' allowed API address at start, not when a script is generated", () => {
    expect(parseEnv({ ROUTER_API_ALLOWED_ADDRESS: "203.0.113.10, 10.8.0.0/16" }).ROUTER_API_ALLOWED_ADDRESS).toBe("203.0.113.10, 10.8.0.0/16");
    expect(() => parseEnv({ ROUTER_API_ALLOWED_ADDRESS: "mnetifi.co.ke" })).toThrow(/ROUTER_API_ALLOWED_ADDRESS: comma-separated IP addresses/);
    expect(() => parseEnv({ ROUTER_POLL_SECONDS: "0" })).toThrow(/ROUTER_POLL_SECONDS/);
  });
});
