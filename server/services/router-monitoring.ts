// Router monitoring: each verified router is polled (uptime, CPU, memory, version, active
// hotspot and PPP sessions). Every poll is a sample; online/offline changes are recorded,
// alerted by email to the people who manage routers, and bring pending operations back to
// life when a router returns.
import { and, desc, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { routerSamples, routerStatusChanges, routers, tenants, users } from "../../db/schema";
import type { Tx } from "../../db/client";
import { RouterError } from "../integrations/routeros";
import { ispCan } from "../../policies/permissions";
import { brandedEmail } from "../integrations/email/layout";
import { queueEmail } from "./emails";
import { recordEvent } from "./audit";
import { enqueueJob } from "./jobs";
import { scheduleRouterSync, type Connect, type InTenant } from "./provisioning";
import { formatDateTime } from "../../app/lib/format";

/** Failed polls in a row before a router is called offline: one lost poll is not an outage. */
export const OFFLINE_AFTER_FAILED_POLLS = 2;
/** Samples are kept this long (the charts show at most a week). */
export const SAMPLE_RETENTION_DAYS = 30;

/** Link to a router's page in its ISP's dashboard (for alerts). */
export type RouterUrl = (slug: string, routerId: string) => string;

export type PollOutcome = { status: "online" | "offline" | "unverified" | "skipped"; changed: boolean; error?: string };

/** The next poll of a router, on its own job key so a router has one scheduled poll at most. */
export async function schedulePoll(tx: Tx, routerId: string, runAt: Date | undefined, mode: "replace" | "preserve_run_at" = "replace") {
  await enqueueJob(tx, "router_poll", { routerId }, { jobKey: `router_poll:${routerId}`, runAt, jobKeyMode: mode, maxAttempts: 3 });
}

/** Polls one router and records the result; never throws for a router that cannot be reached. */
export async function pollRouter(inTenant: InTenant, tenantId: string, routerId: string, connect: Connect, opts: { routerUrl: RouterUrl; now?: () => Date }): Promise<PollOutcome> {
  const now = opts.now ?? (() => new Date());
  const router = await inTenant(async (tx) => {
    const [row] = await tx.select().from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId)));
    return row ?? null;
  });
  if (!router || !router.verifiedAt) return { status: "skipped", changed: false };

  const started = performance.now();
  let reading: { identity: string; version: string; board: string; uptimeSeconds: number; cpuLoad: number; freeMemory: number; totalMemory: number; hotspot: number; ppp: number } | null = null;
  let error: string | null = null;
  try {
    reading = await connect(router, async (api) => {
      const resource = await api.resource();
      const identity = await api.identity();
      return { ...resource, identity, hotspot: await api.hotspotActiveCount(), ppp: await api.pppActiveCount() };
    });
  } catch (err) {
    if (!(err instanceof RouterError)) throw err;
    error = err.message;
  }
  const latencyMs = Math.round(performance.now() - started);
  const at = now();

  return inTenant(async (tx) => {
    // Lock the row: a manual test or a second poll must not interleave with this status change.
    const [current] = await tx.select().from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId))).for("update");
    if (!current) return { status: "skipped" as const, changed: false };
    await tx
      .insert(routerSamples)
      .values({
        tenantId,
        routerId,
        at,
        reachable: reading !== null,
        latencyMs: reading ? latencyMs : null,
        uptimeSeconds: reading?.uptimeSeconds ?? null,
        cpuLoad: reading?.cpuLoad ?? null,
        freeMemory: reading?.freeMemory ?? null,
        totalMemory: reading?.totalMemory ?? null,
        hotspotActive: reading?.hotspot ?? null,
        pppActive: reading?.ppp ?? null,
        error,
      })
      .onConflictDoNothing();

    if (reading) {
      const changed = current.status !== "online";
      await tx
        .update(routers)
        .set({
          status: "online",
          failedPolls: 0,
          lastError: null,
          lastCheckedAt: at,
          lastSeenAt: at,
          identity: reading.identity,
          version: reading.version,
          board: reading.board,
          ...(changed ? { statusSince: at } : {}),
        })
        .where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId)));
      if (changed) {
        await recordChange(tx, tenantId, current, "online", current.status === "offline" ? "Answering again." : "Verified by monitoring.", at, opts.routerUrl);
        // Whatever waited while it was away goes now, not at the next backoff step.
        await scheduleRouterSync(tx, routerId);
      }
      return { status: "online" as const, changed };
    }

    const failedPolls = current.failedPolls + 1;
    const goesOffline = current.status === "online" && failedPolls >= OFFLINE_AFTER_FAILED_POLLS;
    await tx
      .update(routers)
      .set({ failedPolls, lastError: error, lastCheckedAt: at, ...(goesOffline ? { status: "offline" as const, statusSince: at } : {}) })
      .where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId)));
    if (goesOffline) await recordChange(tx, tenantId, current, "offline", error, at, opts.routerUrl);
    return { status: goesOffline ? ("offline" as const) : current.status, changed: goesOffline, error: error ?? undefined };
  });
}

async function recordChange(tx: Tx, tenantId: string, router: typeof routers.$inferSelect, status: "online" | "offline", reason: string | null, at: Date, routerUrl: RouterUrl) {
  await tx.insert(routerStatusChanges).values({ tenantId, routerId: router.id, status, reason, at });
  await recordEvent(tx, { tenantId, actorKind: "system", action: `router.${status}`, details: { routerId: router.id, name: router.name, reason } });
  // A router that was only ever "not verified" coming online is good news, not an alert.
  if (status === "online" && router.status === "unverified") return;
  const [tenant] = await tx.select({ slug: tenants.slug, businessName: tenants.businessName, timezone: tenants.timezone }).from(tenants).where(eq(tenants.id, tenantId));
  const people = await tx
    .select({ email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), isNull(users.disabledAt), isNotNull(users.emailVerifiedAt)));
  const when = formatDateTime(at, tenant?.timezone ?? "Africa/Nairobi");
  for (const p of people.filter((x) => ispCan(x.role, "routers.manage"))) {
    const body = brandedEmail({
      title: status === "offline" ? `Router ${router.name} is offline` : `Router ${router.name} is back online`,
      preheader: status === "offline" ? `mnetifi cannot reach ${router.name} since ${when}.` : `${router.name} answers again since ${when}.`,
      paragraphs:
        status === "offline"
          ? [
              `mnetifi has not been able to reach ${router.name} (${router.host}) since ${when}.`,
              reason ? `What failed: ${reason}` : "",
              "Customers on this router may have no internet. New vouchers and account changes for it wait and are applied as soon as it answers again.",
            ].filter(Boolean)
          : [`${router.name} (${router.host}) answers again since ${when}. Anything that waited for it is being applied now.`],
      action: { label: "Open the router", url: routerUrl(tenant?.slug ?? "", router.id) },
      footer: `You get this because you manage routers for ${tenant?.businessName ?? "your ISP"} on mnetifi.`,
    });
    await queueEmail(tx, { to: p.email, subject: status === "offline" ? `Offline: ${router.name}` : `Back online: ${router.name}`, ...body });
  }
}

/** Routers list: each router with its latest sample, in one query. */
export async function latestSamples(tx: Tx, tenantId: string) {
  const rows = await tx.execute<{ router_id: string; at: string; uptime_seconds: string | null; cpu_load: number | null; free_memory: string | null; total_memory: string | null; hotspot_active: number | null; ppp_active: number | null; latency_ms: number | null }>(sql`
    select distinct on (router_id) router_id, at, uptime_seconds, cpu_load, free_memory, total_memory, hotspot_active, ppp_active, latency_ms
      from ${routerSamples}
     where tenant_id = ${tenantId} and reachable
     order by router_id, at desc`);
  return new Map(
    rows.rows.map((r) => [
      r.router_id,
      {
        at: new Date(r.at),
        uptimeSeconds: r.uptime_seconds === null ? null : Number(r.uptime_seconds),
        cpuLoad: r.cpu_load,
        memoryUsedPct: r.total_memory && r.free_memory !== null ? Math.round(100 * (1 - Number(r.free_memory) / Number(r.total_memory))) : null,
        hotspotActive: r.hotspot_active,
        pppActive: r.ppp_active,
        latencyMs: r.latency_ms,
      },
    ]),
  );
}

/** Points per chart at most: a week of one-minute polls is averaged into slots of this many. */
const HISTORY_POINTS = 300;

/**
 * A router's history for the charts since `since`, averaged into at most HISTORY_POINTS time
 * slots (a week of polls would be 10,000 points): mean CPU and memory, the most sessions seen,
 * how many polls answered or not; plus the last status changes and the availability.
 */
export async function routerHistory(tx: Tx, tenantId: string, routerId: string, since: Date, now = new Date()) {
  const slotSeconds = Math.max(1, Math.ceil((now.getTime() - since.getTime()) / 1000 / HISTORY_POINTS));
  const rows = await tx.execute<{ slot: string; up: number; down: number; uptime: string | null; cpu: number | null; mem: number | null; hotspot: number | null; ppp: number | null }>(sql`
    select date_bin(make_interval(secs => ${slotSeconds}), at, ${since.toISOString()}::timestamptz) as slot,
           count(*) filter (where reachable)::int as up,
           count(*) filter (where not reachable)::int as down,
           max(uptime_seconds) as uptime,
           round(avg(cpu_load))::int as cpu,
           round(avg(100 * (1 - free_memory::numeric / nullif(total_memory, 0))))::int as mem,
           max(hotspot_active)::int as hotspot,
           max(ppp_active)::int as ppp
      from ${routerSamples}
     where tenant_id = ${tenantId} and router_id = ${routerId} and at >= ${since.toISOString()}::timestamptz
     group by 1 order by 1`);
  const changes = await tx
    .select({ at: routerStatusChanges.at, status: routerStatusChanges.status, reason: routerStatusChanges.reason })
    .from(routerStatusChanges)
    .where(and(eq(routerStatusChanges.tenantId, tenantId), eq(routerStatusChanges.routerId, routerId)))
    .orderBy(desc(routerStatusChanges.at))
    .limit(50);
  const up = rows.rows.reduce((n, r) => n + r.up, 0);
  const all = rows.rows.reduce((n, r) => n + r.up + r.down, 0);
  return {
    samples: rows.rows.map((r) => ({
      at: new Date(r.slot).toISOString(),
      reachable: r.up > 0,
      up: r.up,
      down: r.down,
      uptimeSeconds: r.uptime === null ? null : Number(r.uptime),
      cpuLoad: r.cpu,
      memoryUsedPct: r.mem,
      hotspotActive: r.hotspot,
      pppActive: r.ppp,
    })),
    changes,
    availabilityPct: all ? Math.round((1000 * up) / all) / 10 : null,
  };
}

/** Routers monitoring looks after: those that passed a connection test once. */
export async function verifiedRouterIds(tx: Tx, tenantId: string) {
  const rows = await tx
    .select({ id: routers.id })
    .from(routers)
    .where(and(eq(routers.tenantId, tenantId), isNotNull(routers.verifiedAt)));
  return rows.map((r) => r.id);
}

export async function pruneSamples(tx: Tx, tenantId: string, now = new Date()) {
  const cutoff = new Date(now.getTime() - SAMPLE_RETENTION_DAYS * 86_400_000);
  const gone = await tx
    .delete(routerSamples)
    .where(and(eq(routerSamples.tenantId, tenantId), lt(routerSamples.at, cutoff)))
    .returning({ at: routerSamples.at });
  return gone.length;
}

/** Tenants with routers to look after (platform context only; the definer function checks). */
export async function tenantsWithRouters(tx: Tx) {
  const res = await tx.execute<{ id: string }>(sql`select app_public.tenants_with_verified_routers() as id`);
  return res.rows.map((r) => r.id);
}

