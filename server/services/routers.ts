import { z } from "zod";
import { and, asc, eq } from "drizzle-orm";
import { routers } from "../../db/schema";
import type { Tx } from "../../db/client";
import type { SecretBox } from "./secrets";
import { withRouter, RouterError, type RouterCredentials } from "../integrations/routeros";
import { schedulePoll } from "./router-monitoring";
import { syncPlanProfilesForRouter } from "./hotspot/plans";

export const routerInput = z.object({
  name: z.string().trim().min(2, "Give the router a name of at least 2 characters.").max(60, "Keep the name under 60 characters."),
  host: z
    .string()
    .trim()
    .min(1, "Enter the router's address.")
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:]+\]?$/, "Enter an IP address or host name, e.g. 10.10.0.1."),
  apiPort: z.coerce.number().int("Whole number, e.g. 8728.").min(1, "1–65535").max(65535, "1–65535").default(8728),
  tls: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()).default(false),
  username: z.string().trim().min(1, "Enter the API user name.").max(100),
  password: z.string().max(200).optional(),
  zoneId: z.union([z.uuid(), z.literal("")]).optional(),
  location: z.string().trim().max(200).default(""),
  notes: z.string().trim().max(1000).default(""),
});
export type RouterInput = z.input<typeof routerInput>;

export type ConnectionCheck = { ok: true; identity: string; version: string; board: string } | { ok: false; kind: RouterError["kind"]; reason: string };

/** Connects and reads identity, version and board; a failure says what failed. */
export async function checkRouter(creds: RouterCredentials): Promise<ConnectionCheck> {
  try {
    return await withRouter({ ...creds, timeoutSeconds: creds.timeoutSeconds ?? 8 }, async (api) => {
      const [identity, resource] = [await api.identity(), await api.resource()];
      return { ok: true as const, identity, version: resource.version, board: resource.board };
    });
  } catch (err) {
    if (err instanceof RouterError) return { ok: false, kind: err.kind, reason: err.message };
    return { ok: false, kind: "protocol", reason: "The router answered in a way mnetifi does not understand." };
  }
}

export function credentialsOf(row: typeof routers.$inferSelect, box: SecretBox): RouterCredentials {
  return { host: row.host, port: row.apiPort, username: row.username, password: box.decrypt(row.passwordEnc), tls: row.tls };
}

/** The result of a check, written onto the router: verified and online, or kept "not verified" with why. */
export function checkFields(check: ConnectionCheck, now = new Date()) {
  return check.ok
    ? { status: "online" as const, identity: check.identity, version: check.version, board: check.board, lastError: null, lastCheckedAt: now, verifiedAt: now }
    : { lastError: check.reason, lastCheckedAt: now };
}

/**
 * A router just passed its connection test (added, edited or re-tested): monitoring starts, and it
 * gets every hotspot plan's user profile, so vouchers work on it from the first device.
 */
export async function routerVerified(tx: Tx, tenantId: string, routerId: string, box: SecretBox) {
  await schedulePoll(tx, routerId, undefined, "preserve_run_at");
  await syncPlanProfilesForRouter(tx, tenantId, routerId, box);
}

export function listRouters(tx: Tx, tenantId: string) {
  return tx
    .select({
      id: routers.id,
      name: routers.name,
      host: routers.host,
      apiPort: routers.apiPort,
      tls: routers.tls,
      username: routers.username,
      zoneId: routers.zoneId,
      location: routers.location,
      status: routers.status,
      identity: routers.identity,
      version: routers.version,
      board: routers.board,
      lastError: routers.lastError,
      lastCheckedAt: routers.lastCheckedAt,
      verifiedAt: routers.verifiedAt,
    })
    .from(routers)
    .where(eq(routers.tenantId, tenantId))
    .orderBy(asc(routers.name));
}

export async function getRouterRow(tx: Tx, tenantId: string, id: string) {
  const [row] = await tx.select().from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.id, id)));
  return row ?? null;
}
