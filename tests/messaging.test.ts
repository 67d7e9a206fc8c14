// Messaging end to end through the Africa's Talking simulator over real HTTP: automatic
// notifications with branding, the outbox job, delivery reports and STOP replies arriving at the
// ISP's webhook, retries → ticket → retry, scheduled broadcasts to a segment with opt-outs, and
// what another ISP cannot touch.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { and, eq } from "drizzle-orm";
import { run, Logger, type Runner } from "graphile-worker";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { appContext, createTenantFixture, noIntegrations, requestWithSession, silentLog, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { serve } from "./helpers/http";
import { withTenant, withPlatform, type Tx } from "../db/client";
import { customers, messages, tickets, tenants, broadcasts, auditEvents } from "../db/schema";
import { buildTaskList } from "../jobs";
import { createBaseApp } from "../server/http";
import { getCaller } from "../server/trpc/root";
import { startSmsSim, type SmsSim } from "../sim/sms";
import type { Integrations } from "../server/integrations";
import { saveProvider, saveBranding, ensureMessagingSettings, webhookUrl } from "../server/services/messaging/settings";
import { notify, saveTemplate } from "../server/services/messaging/notify";
import { sendQueuedMessage, type OutboxDeps } from "../server/services/messaging/outbox";
import { createBroadcast } from "../server/services/messaging/broadcasts";
import { waitFor } from "./helpers/wait";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;
let sim: SmsSim;
let worker: Runner;
let base: string;
let deps: OutboxDeps;
let integrations: Integrations;

const inA = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(t.db, A.tenant.id, null, fn);
const inB = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(t.db, B.tenant.id, null, fn);
const caller = (f: TenantFixture) => getCaller(appContext(t.db, { kind: "tenant", tenant: f.tenant }, integrations), requestWithSession(`${f.tenant.slug}.mnetifi.test`, f.token));

const message = (id: string) => inA(async (tx) => (await tx.select().from(messages).where(eq(messages.id, id)))[0]!);

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-msg-a");
  B = await createTenantFixture(t.db, "isp-msg-b");
  sim = await startSmsSim({ port: 0, accounts: [{ username: "isp-a", apiKey: "key-a" }, { username: "isp-b", apiKey: "key-b" }], deliveryDelayMs: 20 });
  const http = await serve(createBaseApp({ db: t.db, log: silentLog, secrets: testSecrets }));
  base = `http://127.0.0.1:${http.port}`;
  integrations = { ...noIntegrations, messagingEndpoints: { ...noIntegrations.messagingEndpoints, africastalking: sim.baseUrl } };
  deps = { secrets: testSecrets, endpoints: integrations.messagingEndpoints, publicBaseUrl: base };
  for (const [f, user, key] of [[A, "isp-a", "key-a"], [B, "isp-b", "key-b"]] as const) {
    const token = await withTenant(t.db, f.tenant.id, null, async (tx) => {
      expect(await saveProvider(tx, f.tenant.id, "sms", { kind: "africastalking", values: { username: user, from: "DEMO", apiKey: key } }, testSecrets)).toEqual({ ok: true });
      return (await ensureMessagingSettings(tx, f.tenant.id)).webhookToken;
    });
    // What the ISP does in its AT dashboard: point delivery reports and incoming messages here.
    sim.configure({ username: user, deliveryReportUrl: webhookUrl(base, token, "sms"), incomingUrl: webhookUrl(base, token, "sms") });
  }
  await inA((tx) => saveBranding(tx, A.tenant.id, { contactPhone: "0700 111 222", tagline: "Fast Wi-Fi for Kasarani", signOff: "Asante!" }));
  worker = await run({ pgPool: t.queue, taskList: buildTaskList(t.db, integrations, { secrets: testSecrets, publicBaseUrl: base }), concurrency: 2, noHandleSignals: true, pollInterval: 200, logger: new Logger(() => () => {}) });
});

afterAll(async () => {
  await worker?.stop();
  await sim?.stop();
});

describe("automatic notifications", () => {
  it("a voucher event becomes an SMS with the ISP's branding, sent by the job and marked delivered by the report", async () => {
    const [id] = await inA((tx) =>
      notify(tx, A.tenant.id, "voucher_issued", { phone: "0712 000 001", vars: { code: "Xk7Tq2", plan: "1 Day", start: "30 Nov 16:00", end: "1 Dec 16:00" }, ref: "voucher:1", critical: true }),
    );
    const sms = await sim.waitFor((m) => m.to === "+254712000001");
    expect(sms.message).toBe("isp-msg-a Networks Wi-Fi code: Xk7Tq2 (1 Day). Valid 30 Nov 16:00 to 1 Dec 16:00. Help: 0700 111 222");
    expect(sms).toMatchObject({ username: "isp-a", from: "DEMO" });
    const delivered = await waitFor("delivered", async () => {
      const m = await message(id!);
      return m.status === "delivered" ? m : null;
    });
    expect(delivered).toMatchObject({ provider: "africastalking", segments: 1, critical: true, ref: "voucher:1" });
    expect(delivered.providerMessageId).toBeTruthy();
    expect(delivered.deliveredAt).toBeTruthy();
  });

  it("uses the ISP's own wording, refuses unknown placeholders, and sends nothing for an event that is off", async () => {
    await inA(async (tx) => {
      expect(await saveTemplate(tx, A.tenant.id, "payment_received", "sms", { body: "Asante {{name}}! {{amount}} received ({{receipt}}). {{signoff}} {{tagline}}" })).toEqual({ ok: true });
      expect(await saveTemplate(tx, A.tenant.id, "payment_received", "sms", { body: "Hi {{nmae}}" })).toMatchObject({ ok: false, fieldErrors: { body: [expect.stringContaining("{{nmae}}")] } });
    });
    // payment_received is off by default.
    expect(await inA((tx) => notify(tx, A.tenant.id, "payment_received", { phone: "0712000002", vars: { name: "Otieno" } }))).toEqual([]);
    await inA((tx) => tx.execute(`insert into notification_settings (tenant_id, event, delivery) values ('${A.tenant.id}', 'payment_received', 'sms')` as never));
    await inA((tx) => notify(tx, A.tenant.id, "payment_received", { phone: "0712000002", vars: { name: "Otieno", amount: "KES 50", receipt: "TKL9ABC123" } }));
    const sms = await sim.waitFor((m) => m.to === "+254712000002");
    expect(sms.message).toBe("Asante Otieno! KES 50 received (TKL9ABC123). Asante! Fast Wi-Fi for Kasarani");
  });
});

describe("a delivery report that beats the send job", () => {
  it("is kept and applied as soon as the message's provider id is recorded", async () => {
    const { applyWebhookEvents, applyEarlyReports } = await import("../server/services/messaging/outbox");
    const { earlyDeliveryReports } = await import("../db/schema");
    const r = await inA((tx) => applyWebhookEvents(tx, A.tenant.id, "sms", "africastalking", { kind: "events", updates: [{ providerMessageId: "ATXid_early1", status: "delivered" }], inbound: [] }));
    expect(r.applied).toBe(0);
    expect(await inA((tx) => tx.select().from(earlyDeliveryReports).where(eq(earlyDeliveryReports.providerMessageId, "ATXid_early1")))).toHaveLength(1);
    const [m] = await inA((tx) =>
      tx.insert(messages).values({ tenantId: A.tenant.id, channel: "sms", phone: "254712000030", event: "test", body: "x", status: "sent", provider: "africastalking", providerMessageId: "ATXid_early1" }).returning(),
    );
    await inA((tx) => applyEarlyReports(tx, A.tenant.id, "africastalking", "ATXid_early1"));
    expect((await message(m!.id)).status).toBe("delivered");
    expect(await inA((tx) => tx.select().from(earlyDeliveryReports).where(eq(earlyDeliveryReports.providerMessageId, "ATXid_early1")))).toHaveLength(0);
  });
});

describe("payment received", () => {
  it("when turned on, a payment that becomes paid sends the payer a receipt, once", async () => {
    const { assignPayment } = await import("../server/services/payments");
    const { payments } = await import("../db/schema");
    const [p] = await inA((tx) =>
      tx.insert(payments).values({ tenantId: A.tenant.id, method: "c2b", status: "unmatched", amountCents: 15000, paidAmountCents: 15000, phone: "254712000020", payerName: "JANE WANJIRU", mpesaReceipt: "TKQ1RCPT01" }).returning(),
    );
    expect(await inA((tx) => assignPayment(tx, A.tenant.id, p!.id, "other", null))).toMatchObject({ ok: true });
    const sms = await sim.waitFor((m) => m.to === "+254712000020");
    // The template saved in the test above: the ISP's own wording with its branding.
    expect(sms.message).toBe("Asante JANE! KES 150 received (TKQ1RCPT01). Asante! Fast Wi-Fi for Kasarani");
    const sent = await inA((tx) => tx.select().from(messages).where(eq(messages.ref, `payment:${p!.id}`)));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.critical).toBe(true);
  });
});

describe("failures end in a ticket, never in silence", () => {
  it("a provider that keeps failing is retried, then the voucher message fails with a ticket; Retry sends it and settles the ticket", async () => {
    // Queue without letting the worker pick it up first: call the job's logic attempt by attempt.
    await worker.stop();
    try {
      const [id] = await inA((tx) => notify(tx, A.tenant.id, "voucher_issued", { phone: "0712000003", vars: { code: "Rt5Yu8", plan: "1 Hour" }, ref: "voucher:3", critical: true }));
      sim.failNext(6, 500);
      const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => inA(fn);
      for (let attempt = 1; attempt < 6; attempt++) {
        await expect(sendQueuedMessage(deps, inTenant, A.tenant.id, id!, { number: attempt, max: 6 })).rejects.toThrow(/HTTP 500/);
        expect((await message(id!)).status).toBe("queued");
      }
      expect(await sendQueuedMessage(deps, inTenant, A.tenant.id, id!, { number: 6, max: 6 })).toBe("failed");
      const failed = await message(id!);
      expect(failed).toMatchObject({ status: "failed", attempts: 6, error: expect.stringContaining("Gave up after 6 attempts") });
      const [ticket] = await inA((tx) => tx.select().from(tickets).where(eq(tickets.messageId, id!)));
      expect(ticket).toMatchObject({ status: "open", kind: "message_failed", ref: "voucher:3", subject: "SMS to 254712000003 could not be delivered" });

      // The ISP presses Retry: the message goes out and the ticket resolves itself.
      await (await caller(A)).messaging.retryTicket({ id: ticket!.id });
      expect((await message(id!)).status).toBe("queued");
    } finally {
      worker = await run({ pgPool: t.queue, taskList: buildTaskList(t.db, integrations, { secrets: testSecrets, publicBaseUrl: base }), concurrency: 2, noHandleSignals: true, pollInterval: 200, logger: new Logger(() => () => {}) });
    }
    const sms = await sim.waitFor((m) => m.to === "+254712000003");
    expect(sms.message).toContain("Rt5Yu8");
    const settled = await waitFor("ticket resolved", async () => {
      const [x] = await inA((tx) => tx.select().from(tickets).where(eq(tickets.ref, "voucher:3")));
      return x?.status === "resolved" ? x : null;
    });
    expect(settled.resolution).toBe("Sent on retry.");
  });

  it("a refusal for good (blacklisted number) is not retried: failed at once, with a ticket for a critical message", async () => {
    sim.script("+254712000004", "user_in_blacklist");
    const [id] = await inA((tx) => notify(tx, A.tenant.id, "voucher_issued", { phone: "0712000004", vars: { code: "Bl4ck1" }, critical: true }));
    const m = await waitFor("failed", async () => {
      const x = await message(id!);
      return x.status === "failed" ? x : null;
    });
    expect(m.attempts).toBe(1);
    expect(m.error).toMatch(/blacklist/i);
    expect(await inA((tx) => tx.select().from(tickets).where(eq(tickets.messageId, id!)))).toHaveLength(1);
  });

  it("a message on a channel with no provider fails visibly", async () => {
    const [id] = await inA(async (tx) => {
      await tx.execute(`insert into notification_settings (tenant_id, event, delivery) values ('${A.tenant.id}', 'otp', 'whatsapp') on conflict (tenant_id, event) do update set delivery = 'whatsapp'` as never);
      return notify(tx, A.tenant.id, "otp", { phone: "0712000005", vars: { otp: "123456" } });
    });
    const m = await waitFor("failed", async () => {
      const x = await message(id!);
      return x.status === "failed" ? x : null;
    });
    expect(m.error).toContain("No WhatsApp provider is set up");
  });
});

describe("replies and broadcasts", () => {
  it("STOP by SMS opts the customer out; a scheduled SMS broadcast to a zone skips them and reports", async () => {
    const zone = A.zone.id;
    await inA((tx) =>
      tx.insert(customers).values([
        { tenantId: A.tenant.id, phone: "254712100001", name: "Achieng Otieno", zoneId: zone },
        { tenantId: A.tenant.id, phone: "254712100002", name: "Brian Kamau", zoneId: zone },
        { tenantId: A.tenant.id, phone: "254712100003", name: "Chebet", zoneId: zone },
        { tenantId: A.tenant.id, phone: "254712100009", name: "Elsewhere" },
      ]),
    );
    const reply = await sim.incoming({ username: "isp-a", from: "+254712100003", to: "22384", text: " stop " });
    expect(reply.status).toBe(200);
    const [chebet] = await inA((tx) => tx.select().from(customers).where(eq(customers.phone, "254712100003")));
    expect(chebet!.optedOutAt).toBeTruthy();
    expect(chebet!.optOutSource).toBe("sms_reply");
    expect(await inA((tx) => tx.select({ a: auditEvents.action }).from(auditEvents).where(eq(auditEvents.action, "customer.opted_out")))).toHaveLength(1);

    // SMS broadcasts are premium (the tier gate): refused on Starter, allowed on Premium.
    await withPlatform(t.db, null, (tx) => tx.update(tenants).set({ tierId: "starter", service: "hotspot" }).where(eq(tenants.id, A.tenant.id)));
    const input = { name: "December offer", channels: "sms" as const, body: "Hi {{name}}, double data this weekend at {{business}}!", segment: { kind: "zone" as const, zoneId: zone }, scheduledAt: new Date(Date.now() + 1500) };
    expect(await inA((tx) => createBroadcast(tx, A.tenant.id, A.owner.id, input, testSecrets))).toMatchObject({ ok: false, fieldErrors: { channels: [expect.stringContaining("Premium")] } });
    await withPlatform(t.db, null, (tx) => tx.update(tenants).set({ tierId: "premium", service: null }).where(eq(tenants.id, A.tenant.id)));
    const created = await inA((tx) => createBroadcast(tx, A.tenant.id, A.owner.id, input, testSecrets));
    if (!created.ok) throw new Error(JSON.stringify(created));
    expect((await inA((tx) => tx.select().from(broadcasts).where(eq(broadcasts.id, created.id))))[0]!.status).toBe("scheduled");

    const done = await waitFor("broadcast done", async () => {
      const p = await (await caller(A)).messaging.broadcast({ id: created.id });
      return p.broadcast.status === "done" && p.progress.delivered === 2 ? p : null;
    });
    expect(done.broadcast).toMatchObject({ recipients: 3, skipped: 1 });
    expect(done.progress).toMatchObject({ total: 3, skipped: 1, delivered: 2, failed: 0, queued: 0 });
    const sent = sim.messages().filter((m) => m.message.includes("double data"));
    expect(sent.map((m) => m.to).sort()).toEqual(["+254712100001", "+254712100002"]);
    expect(sent.find((m) => m.to === "+254712100001")!.message).toBe("Hi Achieng, double data this weekend at isp-msg-a Networks!");
    const [skipped] = await inA((tx) => tx.select().from(messages).where(and(eq(messages.broadcastId, created.id), eq(messages.status, "skipped"))));
    expect(skipped).toMatchObject({ phone: "254712100003", error: expect.stringContaining("opted out") });
  });
});

describe("the webhook and another ISP", () => {
  it("refuses unknown tokens and unreadable bodies, and one ISP's token cannot move another's message", async () => {
    const bad = await fetch(`${base}/hooks/messaging/${"x".repeat(40)}/sms`, { method: "POST", body: "id=1&status=Success" });
    expect(bad.status).toBe(404);
    const tokenB = await inB(async (tx) => (await ensureMessagingSettings(tx, B.tenant.id)).webhookToken);
    const junk = await fetch(`${base}/hooks/messaging/${tokenB}/sms`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(junk.status).toBe(400);
    const unknownChannel = await fetch(`${base}/hooks/messaging/${tokenB}/telegram`, { method: "POST", body: "x" });
    expect(unknownChannel.status).toBe(404);

    // A's delivered message, reported as failed through B's webhook: nothing changes for A.
    const [m] = await inA((tx) => tx.select().from(messages).where(eq(messages.status, "delivered")).limit(1));
    const forged = await fetch(`${base}/hooks/messaging/${tokenB}/sms`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ id: m!.providerMessageId!, status: "Failed", phoneNumber: `+${m!.phone}`, failureReason: "UserInBlacklist", networkCode: "63902" }).toString(),
    });
    expect(forged.status).toBe(200);
    expect(await forged.json()).toMatchObject({ applied: 0 });
    expect((await message(m!.id)).status).toBe("delivered");
  });

  it("B cannot read A's messages, history, tickets or broadcasts, nor retry or cancel them", async () => {
    const b = await caller(B);
    const [m] = await inA((tx) => tx.select().from(messages).limit(1));
    const [tk] = await inA((tx) => tx.select().from(tickets).limit(1));
    const [bc] = await inA((tx) => tx.select().from(broadcasts).limit(1));
    await expect(b.messaging.message({ id: m!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await b.messaging.history({ channel: "sms", limit: 100 })).rows.map((r) => r.id)).not.toContain(m!.id);
    expect((await b.messaging.tickets({ status: "all" })).tickets.map((x) => x.id)).not.toContain(tk!.id);
    await expect(b.messaging.retryTicket({ id: tk!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.messaging.resolveTicket({ id: tk!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.messaging.broadcast({ id: bc!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.messaging.cancelBroadcast({ id: bc!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const panel = await b.messaging.panel({ channel: "sms" });
    expect(JSON.stringify(panel)).not.toContain("key-a");
    expect(JSON.stringify(panel)).not.toContain("key-b");
    expect(panel.provider?.maskedSecrets.apiKey).toBe("•••• ey-b");
  });
});
