import { withPlatform, withTenant, type Db } from "../../db/client";
import { createTenant, createUser } from "../../server/services/tenants";
import { createZone } from "../../server/services/zones";
import { createUserSession } from "../../server/services/sessions";
import type { AppContext } from "../../server/context";
import { SESSION_COOKIE } from "../../server/context";
import type { Site, TenantInfo } from "../../server/services/hosts";
import { parseEnv } from "../../server/env";
import { pino } from "pino";

export const TEST_PASSWORD = "Correct-Horse-Battery-9";

export type TenantFixture = {
  tenant: TenantInfo;
  owner: { id: string; username: string };
  zone: { id: string; name: string };
  token: string;
};

/** An ISP with an owner (signed in: token), and one zone. */
export async function createTenantFixture(db: Db, slug: string, role: "owner" | "admin" | "staff" | "technician" = "owner"): Promise<TenantFixture> {
  const t = await withPlatform(db, null, (tx) => createTenant(tx, { slug, businessName: `${slug} Networks`, status: "active" }));
  return withTenant(db, t.id, null, async (tx) => {
    const owner = await createUser(tx, t.id, { username: `${slug}-owner`, email: `owner@${slug}.test`, fullName: `${slug} owner`, role, password: TEST_PASSWORD });
    const zone = await createZone(tx, t.id, { name: `${slug} central`, description: "" });
    const session = await createUserSession(tx, t.id, owner.id);
    return {
      tenant: { id: t.id, slug: t.slug, businessName: t.businessName, status: t.status, timezone: t.timezone },
      owner: { id: owner.id, username: owner.username },
      zone: { id: zone.id, name: zone.name },
      token: session.token,
    };
  });
}

export const testEnv = parseEnv({ NODE_ENV: "test", APP_DOMAIN: "mnetifi.test", LOG_LEVEL: "silent" });
export const silentLog = pino({ level: "silent" });

export function appContext(db: Db, site: Site): AppContext {
  return { db, env: testEnv, log: silentLog, requestId: "test-request", site, ip: "127.0.0.1" };
}

export function requestWithSession(host: string, token: string | null, path = "/", init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("host", host);
  if (token) headers.set("cookie", `${SESSION_COOKIE}=${token}`);
  return new Request(`http://${host}${path}`, { ...init, headers });
}
