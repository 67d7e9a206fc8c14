import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startUltraMsgSim, startWhatsAppCloudSim, signCloudWebhook, type UltraMsgSim, type WhatsAppCloudSim } from "../sim/whatsapp";
import { WhatsAppError, whatsappProviders } from "../server/integrations/messaging/whatsapp";
import type { MessageProvider, ProviderEndpoints, ProviderSettings, SendOutcome, WebhookRequest, WebhookResult } from "../server/integrations/messaging/types";

// A stand-in for the app's webhook route: keeps every request exactly as it arrived.
type Captured = { method: string; path: string; headers: Record<string, string | undefined>; rawBody: string };
let receiver: Server;
let receiverUrl = "";
let captured: Captured[] = [];
const listeners = new Set<() => void>();

function waitForCaptured(pred: (c: Captured) => boolean, timeoutMs = 3000): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = captured.find(pred);
      if (!found) return false;
      clearTimeout(timer);
      listeners.delete(listener);
      resolve(found);
      return true;
    };
    const listener = () => void check();
    const timer = setTimeout(() => {
      listeners.delete(listener);
      reject(new Error("no matching webhook arrived"));
    }, timeoutMs);
    listeners.add(listener);
    check();
  });
}

const asRequest = (c: Captured): WebhookRequest => ({ method: c.method, headers: c.headers, query: {}, rawBody: c.rawBody });

const PHONE_NUMBER_ID = "106540352242922";
const TOKEN = "EAAG-test-token";
const APP_SECRET = "test-app-secret";
const VERIFY_TOKEN = "verify-token-0123456789";
const CUSTOMER = "254712345678";

let cloud: WhatsAppCloudSim;
let ultra: UltraMsgSim;
let endpoints: ProviderEndpoints;

const cloudModule = whatsappProviders.cloud_api;
const ultraModule = whatsappProviders.ultramsg;

function cloudSettings(overrides: { config?: Record<string, string>; secrets?: Record<string, string> } = {}): ProviderSettings {
  return {
    kind: "cloud_api",
    config: { phoneNumberId: PHONE_NUMBER_ID, templateLanguage: "en", apiVersion: "v21.0", ...overrides.config },
    secrets: { accessToken: TOKEN, appSecret: APP_SECRET, webhookVerifyToken: VERIFY_TOKEN, ...overrides.secrets },
  };
}

function ultraSettings(overrides: { config?: Record<string, string>; secrets?: Record<string, string> } = {}): ProviderSettings {
  return { kind: "ultramsg", config: { instanceId: "instance12345", ...overrides.config }, secrets: { token: "ultra-token", ...overrides.secrets } };
}

const cloudProvider = (settings = cloudSettings()): MessageProvider => cloudModule.create(settings, endpoints);
const ultraProvider = (settings = ultraSettings()): MessageProvider => ultraModule.create(settings, endpoints);

async function sendError(promise: Promise<SendOutcome>): Promise<WhatsAppError> {
  try {
    const outcome = await promise;
    throw new Error(`expected a throw, got ${JSON.stringify(outcome)}`);
  } catch (err) {
    if (!(err instanceof WhatsAppError)) throw err;
    return err;
  }
}

function events(result: WebhookResult) {
  if (result.kind !== "events") throw new Error(`expected events, got ${JSON.stringify(result)}`);
  return result;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value.join(", ") : value;
      captured.push({ method: req.method ?? "", path: req.url ?? "", headers, rawBody: body });
      res.writeHead(200).end("ok");
      for (const l of [...listeners]) l();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  cloud = await startWhatsAppCloudSim({ port: 0, statusDelayMs: 10 });
  ultra = await startUltraMsgSim({ port: 0, ackDelayMs: 10 });
  endpoints = { africastalking: "http://unused.invalid", advanta: "http://unused.invalid", ultramsg: ultra.baseUrl, graph: cloud.baseUrl };

  // Registered through the control API, as a dev setup script would.
  const account = await fetch(`${cloud.baseUrl}/_sim/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: TOKEN,
      appSecret: APP_SECRET,
      webhookUrl: `${receiverUrl}/webhooks/whatsapp/cloud`,
      approvedTemplates: [{ name: "voucher_code", language: "en", bodyParams: 2 }],
    }),
  });
  expect(account.status).toBe(201);
  const instance = await fetch(`${ultra.baseUrl}/_sim/instances`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ instanceId: "instance12345", token: "ultra-token", webhookUrl: `${receiverUrl}/webhooks/whatsapp/ultramsg` }),
  });
  expect(instance.status).toBe(201);
});

afterAll(async () => {
  await cloud.stop();
  await ultra.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(() => {
  cloud.reset();
  cloud.configure({ reengagement: "sync" });
  ultra.reset();
  captured = [];
});

describe("registry", () => {
  it("offers both WhatsApp kinds with their fields", () => {
    expect(Object.keys(whatsappProviders).sort()).toEqual(["cloud_api", "ultramsg"]);
    expect(cloudModule.channel).toBe("whatsapp");
    expect(cloudModule.fields.map((f) => f.name)).toEqual(["phoneNumberId", "businessAccountId", "accessToken", "appSecret", "webhookVerifyToken", "templateLanguage", "apiVersion"]);
    expect(cloudModule.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(["accessToken", "appSecret", "webhookVerifyToken"]);
    expect(cloudModule.fields.find((f) => f.name === "apiVersion")?.defaultValue).toBe("v21.0");
    expect(ultraModule.fields.map((f) => [f.name, f.secret ?? false])).toEqual([["instanceId", false], ["token", true]]);
  });

  it("validates settings that cannot work", () => {
    expect(cloudModule.validate(cloudSettings())).toBeNull();
    const errors = cloudModule.validate(cloudSettings({ config: { phoneNumberId: "+254 700 000000", apiVersion: "21", templateLanguage: "English" }, secrets: { webhookVerifyToken: "short" } }));
    expect(Object.keys(errors ?? {}).sort()).toEqual(["apiVersion", "phoneNumberId", "templateLanguage", "webhookVerifyToken"]);
    expect(ultraModule.validate(ultraSettings({ config: { instanceId: "12345" } }))).toBeNull();
    expect(ultraModule.validate(ultraSettings({ config: { instanceId: "my instance" } }))?.instanceId).toHaveLength(1);
  });
});

describe("WhatsApp Cloud API provider against the simulator", () => {
  it("sends a template message and gets the wamid", async () => {
    const outcome = await cloudProvider().send({ to: CUSTOMER, text: "Your voucher is 4821 (1 day)", template: { name: "voucher_code", language: "en", parameters: ["4821", "1 day"] } });
    expect(outcome).toEqual({ status: "accepted", providerMessageId: expect.stringMatching(/^wamid\./) });
    const [stored] = cloud.messages({ to: CUSTOMER });
    expect(stored).toMatchObject({ type: "template", template: { name: "voucher_code", language: "en", parameters: ["4821", "1 day"] } });
    if (outcome.status === "accepted") expect(stored?.id).toBe(outcome.providerMessageId);
  });

  it("uses the configured template language when the request names none", async () => {
    const outcome = await cloudProvider(cloudSettings({ config: { templateLanguage: "en" } })).send({ to: CUSTOMER, text: "x", template: { name: "voucher_code", language: "", parameters: ["1", "2"] } });
    expect(outcome.status).toBe("accepted");
  });

  it("rejects free text outside the 24-hour window with a readable reason, and accepts it after the customer writes", async () => {
    const provider = cloudProvider();
    const before = await provider.send({ to: CUSTOMER, text: "Hello" });
    expect(before.status).toBe("rejected");
    if (before.status === "rejected") {
      expect(before.error).toContain("last 24 hours");
      expect(before.error).toContain("template");
      expect(before.error).toContain("131047");
    }

    // A customer message older than 24 hours does not open the window.
    await cloud.inbound({ phoneNumberId: PHONE_NUMBER_ID, from: CUSTOMER, text: "old", ageSeconds: 25 * 3600 });
    expect((await provider.send({ to: CUSTOMER, text: "Hello" })).status).toBe("rejected");

    const res = await fetch(`${cloud.baseUrl}/_sim/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ phoneNumberId: PHONE_NUMBER_ID, from: CUSTOMER, text: "Habari, my voucher?" }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { webhook: { status: number } }).webhook.status).toBe(200);
    const webhook = await waitForCaptured((c) => c.rawBody.includes("Habari"));
    expect(events(cloudModule.parseWebhook(asRequest(webhook), cloudSettings())).inbound).toEqual([{ from: CUSTOMER, text: "Habari, my voucher?" }]);

    const after = await provider.send({ to: CUSTOMER, text: "Your voucher is 4821" });
    expect(after).toEqual({ status: "accepted", providerMessageId: expect.stringMatching(/^wamid\./) });
  });

  it("reports 131047 readably when Meta answers it as a failed status instead", async () => {
    cloud.configure({ reengagement: "async" });
    const outcome = await cloudProvider().send({ to: CUSTOMER, text: "Hello" });
    expect(outcome.status).toBe("accepted");
    const webhook = await waitForCaptured((c) => c.rawBody.includes('"failed"'));
    const { updates } = events(cloudModule.parseWebhook(asRequest(webhook), cloudSettings()));
    expect(updates).toEqual([{ providerMessageId: outcome.status === "accepted" ? outcome.providerMessageId : "", status: "failed", error: expect.stringContaining("last 24 hours"), at: expect.any(Date) }]);
  });

  it("rejects an unknown template and a wrong number of parameters", async () => {
    const provider = cloudProvider();
    const unknown = await provider.send({ to: CUSTOMER, text: "x", template: { name: "no_such_template", language: "en", parameters: [] } });
    expect(unknown).toEqual({ status: "rejected", error: expect.stringContaining("132001") });
    if (unknown.status === "rejected") expect(unknown.error).toContain('Template "no_such_template" (en)');
    const otherLanguage = await provider.send({ to: CUSTOMER, text: "x", template: { name: "voucher_code", language: "sw", parameters: ["1", "2"] } });
    expect(otherLanguage).toEqual({ status: "rejected", error: expect.stringContaining("does not exist in that language") });
    const wrongCount = await provider.send({ to: CUSTOMER, text: "x", template: { name: "voucher_code", language: "en", parameters: ["4821"] } });
    expect(wrongCount.status).toBe("rejected");
    if (wrongCount.status === "rejected") {
      expect(wrongCount.error).toContain("132000");
      expect(wrongCount.error).toContain("expected number of params (2)");
    }
    expect(cloud.messages()).toHaveLength(0);
  });

  it("throws on rate limits and server errors so the outbox retries, then sends", async () => {
    const provider = cloudProvider();
    const template = { name: "voucher_code", language: "en", parameters: ["1", "2"] };
    await fetch(`${cloud.baseUrl}/_sim/script`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to: CUSTOMER, outcome: "rate_limited_1" }) });
    const limited = await sendError(provider.send({ to: CUSTOMER, text: "x", template }));
    expect(limited).toMatchObject({ kind: "rate_limited", code: 130429, httpStatus: 429 });

    cloud.script(CUSTOMER, "pair_rate_limited_1");
    expect(await sendError(provider.send({ to: CUSTOMER, text: "x", template }))).toMatchObject({ kind: "rate_limited", code: 131056 });

    cloud.script(CUSTOMER, "server_error_2");
    expect(await sendError(provider.send({ to: CUSTOMER, text: "x", template }))).toMatchObject({ kind: "server", code: 131000, httpStatus: 500 });
    expect(await sendError(provider.send({ to: CUSTOMER, text: "x", template }))).toMatchObject({ kind: "server" });

    expect((await provider.send({ to: CUSTOMER, text: "x", template })).status).toBe("accepted");
  });

  it("throws an account error for a wrong or expired token and a wrong phone number ID", async () => {
    const template = { name: "voucher_code", language: "en", parameters: ["1", "2"] };
    const wrong = await sendError(cloudProvider(cloudSettings({ secrets: { accessToken: "not-the-token" } })).send({ to: CUSTOMER, text: "x", template }));
    expect(wrong).toMatchObject({ kind: "account", code: 190, httpStatus: 401, provider: "cloud_api" });
    expect(wrong.message).toContain("access token is invalid or expired");

    const wrongNumber = await sendError(cloudProvider(cloudSettings({ config: { phoneNumberId: "999999999999" } })).send({ to: CUSTOMER, text: "x", template }));
    expect(wrongNumber).toMatchObject({ kind: "account", code: 100 });
    expect(wrongNumber.message).toContain("phone number ID");

    cloud.expireToken(PHONE_NUMBER_ID);
    try {
      expect(await sendError(cloudProvider().send({ to: CUSTOMER, text: "x", template }))).toMatchObject({ kind: "account", code: 190 });
    } finally {
      cloud.addAccount({ phoneNumberId: PHONE_NUMBER_ID, accessToken: TOKEN, appSecret: APP_SECRET, webhookUrl: `${receiverUrl}/webhooks/whatsapp/cloud`, approvedTemplates: [{ name: "voucher_code", language: "en", bodyParams: 2 }] });
    }
  });

  it("throws a network error when the API cannot be reached, and rejects a bad phone locally", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = cloudModule.create(cloudSettings(), { ...endpoints, graph: `http://127.0.0.1:${port}` });
    expect(await sendError(provider.send({ to: CUSTOMER, text: "x" }))).toMatchObject({ kind: "network" });
    expect(await cloudProvider().send({ to: "07-not-a-phone", text: "x" })).toEqual({ status: "rejected", error: expect.stringContaining("international format") });
  });

  it("parses delivered, read and failed status webhooks signed by the simulator, and refuses a tampered body", async () => {
    const provider = cloudProvider();
    const template = { name: "voucher_code", language: "en", parameters: ["1", "2"] };
    const reader = "254722000111";
    const unreachable = "254733000222";
    cloud.script(reader, "read");
    cloud.script(unreachable, "failed_undeliverable");
    const delivered = await provider.send({ to: CUSTOMER, text: "x", template });
    const read = await provider.send({ to: reader, text: "x", template });
    const failed = await provider.send({ to: unreachable, text: "x", template });
    const idOf = (o: SendOutcome) => (o.status === "accepted" ? (o.providerMessageId ?? "") : "");

    const statusesFor = async (id: string, last: string) => {
      await cloud.waitForWebhook((d) => d.meta.messageId === id && d.meta.status === last);
      return captured
        .filter((c) => c.rawBody.includes(id))
        .map((c) => {
          expect(c.headers["x-hub-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
          return events(cloudModule.parseWebhook(asRequest(c), cloudSettings())).updates;
        })
        .flat();
    };
    expect((await statusesFor(idOf(delivered), "delivered")).map((u) => u.status)).toEqual(["sent", "delivered"]);
    const readUpdates = await statusesFor(idOf(read), "read");
    expect(readUpdates.map((u) => u.status)).toEqual(["sent", "delivered", "read"]);
    expect(readUpdates[2]).toEqual({ providerMessageId: idOf(read), status: "read", at: expect.any(Date) });
    const failedUpdates = await statusesFor(idOf(failed), "failed");
    expect(failedUpdates).toEqual([{ providerMessageId: idOf(failed), status: "failed", error: expect.stringContaining("131026"), at: expect.any(Date) }]);
    expect(failedUpdates[0]?.error).toContain("could not deliver");

    const original = captured.find((c) => c.rawBody.includes(idOf(read)))!;
    const tampered = { ...asRequest(original), rawBody: original.rawBody.replace('"sent"', '"read"') };
    expect(cloudModule.parseWebhook(tampered, cloudSettings())).toMatchObject({ kind: "refused" });
    const unsigned = { ...asRequest(original), headers: { ...original.headers, "x-hub-signature-256": undefined } };
    expect(cloudModule.parseWebhook(unsigned, cloudSettings())).toMatchObject({ kind: "refused", reason: expect.stringContaining("Missing") });
    expect(cloudModule.parseWebhook(asRequest(original), cloudSettings({ secrets: { appSecret: "another-secret" } }))).toMatchObject({ kind: "refused" });
    expect(cloudModule.parseWebhook(asRequest(original), cloudSettings({ secrets: { appSecret: "" } }))).toMatchObject({ kind: "refused" });
  });

  it("keeps the exact bytes Meta signs (non-ASCII escaped) and ignores other phone numbers' events", async () => {
    await cloud.inbound({ phoneNumberId: PHONE_NUMBER_ID, from: CUSTOMER, text: "Asante sana — café ☕" });
    const webhook = await waitForCaptured((c) => c.rawBody.includes("Asante"));
    expect(webhook.rawBody).toContain("\\u2014");
    expect(events(cloudModule.parseWebhook(asRequest(webhook), cloudSettings())).inbound).toEqual([{ from: CUSTOMER, text: "Asante sana — café ☕" }]);
    const other = cloudSettings({ config: { phoneNumberId: "555555555555" } });
    expect(events(cloudModule.parseWebhook(asRequest(webhook), other))).toEqual({ kind: "events", updates: [], inbound: [] });
  });

  it("answers the GET verification challenge and refuses a wrong verify token", () => {
    const get = (query: Record<string, string>): WebhookRequest => ({ method: "GET", headers: {}, query, rawBody: "" });
    expect(cloudModule.parseWebhook(get({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444" }), cloudSettings())).toEqual({ kind: "challenge", body: "1158201444" });
    expect(cloudModule.parseWebhook(get({ "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444" }), cloudSettings())).toMatchObject({ kind: "refused" });
    expect(cloudModule.parseWebhook(get({ "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1" }), cloudSettings({ secrets: { webhookVerifyToken: "" } }))).toMatchObject({ kind: "refused" });
    expect(cloudModule.parseWebhook(get({}), cloudSettings())).toMatchObject({ kind: "invalid" });
  });

  it("answers malformed webhook bodies with invalid, never a throw", () => {
    const signed = (rawBody: string): WebhookRequest => ({ method: "POST", headers: { "x-hub-signature-256": signCloudWebhook(APP_SECRET, rawBody) }, query: {}, rawBody });
    for (const raw of ["", "not json", "[]", "null", '"x"', "{}", '{"object":"page","entry":[]}', '{"object":"whatsapp_business_account","entry":{}}']) {
      expect(cloudModule.parseWebhook(signed(raw), cloudSettings())).toMatchObject({ kind: "invalid" });
    }
    const garbage = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [null, 1, { changes: [null, { value: null }, { value: { statuses: [null, 3, { id: 5 }, { id: "x", status: "deleted" }], messages: [{ from: "abc", type: "text" }, { from: CUSTOMER, type: "image" }] } }] }],
    });
    expect(cloudModule.parseWebhook(signed(garbage), cloudSettings())).toEqual({ kind: "events", updates: [], inbound: [] });
    expect(cloudModule.parseWebhook({ method: "PUT", headers: {}, query: {}, rawBody: "" }, cloudSettings())).toMatchObject({ kind: "invalid" });
    // Random bytes must never make it throw.
    for (let i = 0; i < 200; i++) {
      const raw = Array.from({ length: 40 }, () => String.fromCharCode(32 + Math.floor(Math.random() * 95))).join("");
      expect(() => cloudModule.parseWebhook(signed(raw), cloudSettings())).not.toThrow();
      expect(() => ultraModule.parseWebhook({ method: "POST", headers: {}, query: {}, rawBody: raw }, ultraSettings())).not.toThrow();
    }
  });
});

describe("UltraMsg provider against the simulator", () => {
  it("sends a text message and parses its acks (sent, delivered, read)", async () => {
    ultra.script(CUSTOMER, "read");
    const outcome = await ultraProvider().send({ to: CUSTOMER, text: "Your voucher is 4821" });
    expect(outcome).toEqual({ status: "accepted", providerMessageId: expect.stringMatching(/^\d+$/) });
    const id = outcome.status === "accepted" ? (outcome.providerMessageId ?? "") : "";
    expect(ultra.messages({ to: CUSTOMER })[0]).toMatchObject({ id: Number(id), body: "Your voucher is 4821", instanceId: "instance12345" });

    await ultra.waitForWebhook((d) => d.meta.messageId === id && d.meta.ack === "read");
    const updates = captured
      .filter((c) => c.path === "/webhooks/whatsapp/ultramsg")
      .flatMap((c) => events(ultraModule.parseWebhook(asRequest(c), ultraSettings())).updates);
    expect(updates.map((u) => [u.providerMessageId, u.status])).toEqual([
      [id, "sent"],
      [id, "delivered"],
      [id, "read"],
    ]);
    expect(updates[0]?.at).toBeInstanceOf(Date);
  });

  it("parses an inbound STOP", async () => {
    const res = await fetch(`${ultra.baseUrl}/_sim/inbound`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ instanceId: "instance12345", from: `+${CUSTOMER}`, text: "STOP" }) });
    expect(res.status).toBe(200);
    const webhook = await waitForCaptured((c) => c.rawBody.includes("message_received"));
    expect(ultraModule.parseWebhook(asRequest(webhook), ultraSettings())).toEqual({ kind: "events", updates: [], inbound: [{ from: CUSTOMER, text: "STOP" }] });
    // The same webhook at another ISP's endpoint (another instance) is refused.
    expect(ultraModule.parseWebhook(asRequest(webhook), ultraSettings({ config: { instanceId: "instance99999" } }))).toMatchObject({ kind: "refused" });
  });

  it("throws for a wrong token or a logged-out instance, rejects a bad number, throws on 429 and 5xx", async () => {
    const wrong = await sendError(ultraProvider(ultraSettings({ secrets: { token: "nope" } })).send({ to: CUSTOMER, text: "hi" }));
    expect(wrong).toMatchObject({ kind: "account", provider: "ultramsg" });
    expect(wrong.message).toContain("Wrong token");
    expect(await sendError(ultraProvider(ultraSettings({ config: { instanceId: "instance404" } })).send({ to: CUSTOMER, text: "hi" }))).toMatchObject({ kind: "account", httpStatus: 404 });

    ultra.addInstance({ instanceId: "instance777", token: "t777", authenticated: false });
    const loggedOut = await sendError(ultraProvider(ultraSettings({ config: { instanceId: "instance777" }, secrets: { token: "t777" } })).send({ to: CUSTOMER, text: "hi" }));
    expect(loggedOut).toMatchObject({ kind: "account" });

    const provider = ultraProvider();
    ultra.script("254799000333", "invalid_number");
    expect(await provider.send({ to: "254799000333", text: "hi" })).toEqual({ status: "rejected", error: expect.stringContaining("not a valid WhatsApp number") });

    ultra.script(CUSTOMER, "rate_limited_1");
    expect(await sendError(provider.send({ to: CUSTOMER, text: "hi" }))).toMatchObject({ kind: "rate_limited", httpStatus: 429 });
    ultra.script(CUSTOMER, "server_error_1");
    expect(await sendError(provider.send({ to: CUSTOMER, text: "hi" }))).toMatchObject({ kind: "server", httpStatus: 502 });
    expect((await provider.send({ to: CUSTOMER, text: "hi" })).status).toBe("accepted");
  });

  it("accepts JSON bodies and the token in the query string, like UltraMsg", async () => {
    const res = await fetch(`${ultra.baseUrl}/instance12345/messages/chat?token=ultra-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: CUSTOMER, body: "json body" }),
    });
    expect(await res.json()).toEqual({ sent: "true", message: "ok", id: expect.any(Number) });
    const missing = await fetch(`${ultra.baseUrl}/instance12345/messages/chat`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "token=ultra-token" });
    expect(await missing.json()).toEqual({ error: [{ to: expect.any(String) }, { body: expect.any(String) }] });
  });

  it("answers malformed webhooks with invalid, never a throw", () => {
    const post = (rawBody: string): WebhookRequest => ({ method: "POST", headers: {}, query: {}, rawBody });
    for (const raw of ["", "nope", "[]", "{}", '{"event_type":"message_ack"}', '{"event_type":"message_ack","data":{}}', '{"event_type":3,"instanceId":"12345","data":{}}']) {
      expect(ultraModule.parseWebhook(post(raw), ultraSettings())).toMatchObject({ kind: "invalid" });
    }
    expect(ultraModule.parseWebhook({ method: "GET", headers: {}, query: {}, rawBody: "" }, ultraSettings())).toMatchObject({ kind: "invalid" });
    const odd = JSON.stringify({ event_type: "message_ack", instanceId: "12345", id: "", data: { ack: "pending", id: "x" } });
    expect(ultraModule.parseWebhook(post(odd), ultraSettings())).toEqual({ kind: "events", updates: [], inbound: [] });
    const own = JSON.stringify({ event_type: "message_received", instanceId: "12345", data: { from: `${CUSTOMER}@c.us`, body: "echo", type: "chat", fromMe: true } });
    expect(ultraModule.parseWebhook(post(own), ultraSettings())).toEqual({ kind: "events", updates: [], inbound: [] });
    const group = JSON.stringify({ event_type: "message_received", instanceId: "12345", data: { from: "120363000000@g.us", body: "hi", type: "chat", fromMe: false } });
    expect(ultraModule.parseWebhook(post(group), ultraSettings())).toEqual({ kind: "events", updates: [], inbound: [] });
  });
});
