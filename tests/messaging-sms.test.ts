import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startSmsSim, countSmsParts, type SmsSim } from "../sim/sms";
import { startAdvantaSim, type AdvantaSim } from "../sim/sms/advanta";
import { startHttpGatewaySim, type HttpGatewaySim } from "../sim/sms/http-gateway";
import { smsProviders, countSmsSegments } from "../server/integrations/messaging/sms";
import { createAfricasTalkingProvider, africasTalkingBaseUrl } from "../server/integrations/messaging/sms-africastalking";
import { createAdvantaProvider, ADVANTA_DEFAULT_URL } from "../server/integrations/messaging/sms-advanta";
import { createHttpSmsProvider, valueAtPath, formatPhone } from "../server/integrations/messaging/sms-http";
import type { ProviderEndpoints, ProviderSettings, SendOutcome, WebhookRequest, WebhookResult } from "../server/integrations/messaging/types";

// A stand-in for the app's per-ISP webhook: records every request in WebhookRequest form.
type Hook = WebhookRequest & { path: string };
let hookServer: Server;
let hookBase: string;
let hooks: Hook[] = [];
const hookWaiters = new Set<() => void>();

function nextHook(pred: (h: Hook) => boolean, timeoutMs = 3000): Promise<Hook> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = hooks.find(pred);
      if (!found) return;
      clearTimeout(timer);
      hookWaiters.delete(check);
      resolve(found);
    };
    const timer = setTimeout(() => {
      hookWaiters.delete(check);
      reject(new Error("no webhook call"));
    }, timeoutMs);
    hookWaiters.add(check);
    check();
  });
}

let at: SmsSim;
let advanta: AdvantaSim;
let gateway: HttpGatewaySim;
let endpoints: ProviderEndpoints;

beforeAll(async () => {
  hookServer = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      hooks.push({ method: req.method ?? "GET", headers, query: Object.fromEntries(url.searchParams), rawBody: body, path: url.pathname });
      res.writeHead(200).end("OK");
      for (const waiter of [...hookWaiters]) waiter();
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  hookBase = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;

  at = await startSmsSim({ port: 0, deliveryDelayMs: 30 });
  advanta = await startAdvantaSim({ port: 0, deliveryDelayMs: 30 });
  gateway = await startHttpGatewaySim({ port: 0 });
  endpoints = { africastalking: at.baseUrl, advanta: advanta.baseUrl, ultramsg: "http://127.0.0.1:1", graph: "http://127.0.0.1:1" };
});

afterAll(async () => {
  await Promise.all([at.stop(), advanta.stop(), gateway.stop()]);
  await new Promise<void>((resolve) => hookServer.close(() => resolve()));
});

beforeEach(() => {
  hooks = [];
  at.clear();
  advanta.clear();
  gateway.clear();
  gateway.script({ mode: "ok" });
  gateway.configure({ apiKey: null, requiredParams: [] });
});

function accepted(outcome: SendOutcome) {
  if (outcome.status !== "accepted") throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function rejected(outcome: SendOutcome) {
  if (outcome.status !== "rejected") throw new Error(`expected rejected, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function events(result: WebhookResult) {
  if (result.kind !== "events") throw new Error(`expected events, got ${JSON.stringify(result)}`);
  return result;
}

function hookRequest(partial: Partial<WebhookRequest>): WebhookRequest {
  return { method: "POST", headers: {}, query: {}, rawBody: "", ...partial };
}

describe("countSmsSegments", () => {
  it("fits 160 GSM-7 characters in one segment and splits 161 into two of 153", () => {
    expect(countSmsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, characters: 160, perSegment: 160, units: 160 });
    expect(countSmsSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", segments: 2, characters: 161, perSegment: 153, units: 161 });
    expect(countSmsSegments("a".repeat(306)).segments).toBe(2);
    expect(countSmsSegments("a".repeat(307)).segments).toBe(3);
    expect(countSmsSegments("")).toMatchObject({ segments: 0, characters: 0 });
  });

  it("counts € and ^ (the extension table) as two septets and never splits the escape pair", () => {
    expect(countSmsSegments("€".repeat(80))).toMatchObject({ encoding: "GSM-7", segments: 1, characters: 80, units: 160 });
    expect(countSmsSegments("€".repeat(80) + "a")).toMatchObject({ segments: 2, units: 161 });
    expect(countSmsSegments(`Pay KES 50 ^ ${"x".repeat(146)}`)).toMatchObject({ segments: 1, units: 160 });
    expect(countSmsSegments(`Pay KES 50 ^ ${"x".repeat(147)}`)).toMatchObject({ segments: 2, units: 161 });
    // 306 septets would fit two segments of 153, but the € at the boundary moves whole to the second.
    expect(countSmsSegments("a".repeat(152) + "€" + "a".repeat(152))).toMatchObject({ units: 306, segments: 3 });
  });

  it("sends the whole text as UCS-2 when one character (an emoji) is outside GSM-7", () => {
    expect(countSmsSegments("Karibu 👋")).toEqual({ encoding: "UCS-2", segments: 1, characters: 8, perSegment: 70, units: 9 });
    expect(countSmsSegments("a".repeat(70))).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(countSmsSegments("a".repeat(68) + "👋")).toMatchObject({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(countSmsSegments("a".repeat(69) + "👋")).toMatchObject({ encoding: "UCS-2", segments: 2, perSegment: 67, units: 71 });
    expect(countSmsSegments("ç").encoding).toBe("UCS-2");
    expect(countSmsSegments("Ç é à ü").encoding).toBe("GSM-7");
  });

  it("is the simulators' count too", () => {
    expect(countSmsParts("a".repeat(161))).toBe(2);
    expect(countSmsParts("")).toBe(1);
    expect(countSmsParts("😀".repeat(40))).toBe(countSmsSegments("😀".repeat(40)).segments);
  });
});

describe("smsProviders registry", () => {
  it("has the three SMS kinds with their forms", () => {
    expect(Object.keys(smsProviders).sort()).toEqual(["advanta", "africastalking", "http"]);
    for (const [kind, mod] of Object.entries(smsProviders)) {
      expect(mod.kind).toBe(kind);
      expect(mod.channel).toBe("sms");
      expect(mod.ratePerSecond).toBeGreaterThan(0);
      const names = mod.fields.map((f) => f.name);
      expect(new Set(names).size).toBe(names.length);
      expect(mod.fields.find((f) => f.name === "apiKey")?.secret).toBe(true);
    }
    expect(smsProviders.advanta.fields.find((f) => f.name === "baseUrl")?.defaultValue).toBe(ADVANTA_DEFAULT_URL);
  });
});

describe("Africa's Talking provider", () => {
  const settings = (over: Partial<Record<string, string>> = {}, apiKey?: string): ProviderSettings => ({
    kind: "africastalking",
    config: { username: at.username, from: "MYISP", ...over } as Record<string, string>,
    secrets: { apiKey: apiKey ?? at.apiKey },
  });

  it("sends and returns AT's message id, parts and cost", async () => {
    const provider = smsProviders.africastalking.create(settings(), endpoints);
    expect(provider.kind).toBe("africastalking");
    const one = accepted(await provider.send({ to: "254712345678", text: "Your voucher code is 4821" }));
    expect(one).toEqual({ status: "accepted", providerMessageId: expect.stringMatching(/^ATXid_/), segments: 1, cost: "KES 0.8000" });
    const two = accepted(await provider.send({ to: "254712345678", text: "x".repeat(161) }));
    expect(two.segments).toBe(2);
    expect(two.cost).toBe("KES 1.6000");
    expect(at.messages({ to: "+254712345678" })[1]).toMatchObject({ from: "MYISP", username: at.username, message: "Your voucher code is 4821" });
  });

  it("rejects permanent refusals with a readable error", async () => {
    const provider = smsProviders.africastalking.create(settings(), endpoints);
    const invalid = rejected(await provider.send({ to: "255712345678", text: "hi" }));
    expect(invalid.error).toMatch(/InvalidPhoneNumber.*not valid/);
    at.script("+254722000333", "user_in_blacklist");
    expect(rejected(await provider.send({ to: "254722000333", text: "hi" })).error).toMatch(/UserInBlacklist.*blocked/);
    at.script("+254722000444", "insufficient_balance");
    expect(rejected(await provider.send({ to: "254722000444", text: "hi" })).error).toMatch(/InsufficientBalance.*balance/);
    const wrongKey = smsProviders.africastalking.create(settings({}, "not-the-key"), endpoints);
    expect(rejected(await wrongKey.send({ to: "254712345678", text: "hi" })).error).toMatch(/username and API key/);
  });

  it("throws on HTTP 5xx, AT gateway errors and an unreachable API", async () => {
    const provider = smsProviders.africastalking.create(settings(), endpoints);
    at.failNext(1);
    await expect(provider.send({ to: "254712345678", text: "hi" })).rejects.toThrow(/HTTP 500/);
    expect(accepted(await provider.send({ to: "254712345678", text: "hi again" })).providerMessageId).toBeTruthy();
    at.script("+254722000555", "gateway_error");
    await expect(provider.send({ to: "254722000555", text: "hi" })).rejects.toThrow(/GatewayError/);
    const down = smsProviders.africastalking.create(settings(), { ...endpoints, africastalking: "http://127.0.0.1:1" });
    await expect(down.send({ to: "254712345678", text: "hi" })).rejects.toThrow();
  });

  it("uses AT's sandbox API for the sandbox username", () => {
    expect(africasTalkingBaseUrl("sandbox", "https://api.africastalking.com/")).toBe("https://api.sandbox.africastalking.com");
    expect(africasTalkingBaseUrl("myisp", "https://api.africastalking.com")).toBe("https://api.africastalking.com");
    expect(africasTalkingBaseUrl("sandbox", at.baseUrl)).toBe(at.baseUrl);
  });

  it("posts delivery reports to the account's own URL, parsed into updates", async () => {
    at.addAccount("isp-a", "key-a");
    at.configure({ username: "isp-a", deliveryReportUrl: `${hookBase}/hooks/isp-a/sms`, incomingUrl: `${hookBase}/hooks/isp-a/sms` });
    const provider = createAfricasTalkingProvider(settings({ username: "isp-a" }, "key-a"), endpoints);
    const ok = accepted(await provider.send({ to: "254712345678", text: "delivered" }));
    at.script("+254733000222", "delivery_failed");
    const doomed = accepted(await provider.send({ to: "254733000222", text: "never arrives" }));

    const okHook = await nextHook((h) => new URLSearchParams(h.rawBody).get("id") === ok.providerMessageId);
    expect(okHook.path).toBe("/hooks/isp-a/sms");
    expect(events(smsProviders.africastalking.parseWebhook(okHook, settings()))).toEqual({
      kind: "events",
      updates: [{ providerMessageId: ok.providerMessageId, status: "delivered" }],
      inbound: [],
    });
    const failedHook = await nextHook((h) => new URLSearchParams(h.rawBody).get("id") === doomed.providerMessageId);
    const failed = events(smsProviders.africastalking.parseWebhook(failedHook, settings())).updates[0]!;
    expect(failed).toMatchObject({ providerMessageId: doomed.providerMessageId, status: "failed", error: expect.stringMatching(/^DeliveryFailure: /) });
  });

  it("keeps the global delivery report URL for accounts without their own", async () => {
    const reset = await fetch(`${at.baseUrl}/_sim/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deliveryReportUrl: `${hookBase}/hooks/global` }) });
    expect(reset.status).toBe(200);
    const sent = accepted(await smsProviders.africastalking.create(settings(), endpoints).send({ to: "254712345678", text: "global" }));
    const hook = await nextHook((h) => new URLSearchParams(h.rawBody).get("id") === sent.providerMessageId);
    expect(hook.path).toBe("/hooks/global");
    at.configure({ deliveryReportUrl: null });
  });

  it("turns AT's incoming-message callback (STOP) into an inbound message", async () => {
    at.addAccount("isp-b", "key-b");
    const setUrl = await fetch(`${at.baseUrl}/_sim/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "isp-b", incomingUrl: `${hookBase}/hooks/isp-b/sms` }),
    });
    expect(await setUrl.json()).toMatchObject({ username: "isp-b", incomingUrl: `${hookBase}/hooks/isp-b/sms` });
    const res = await fetch(`${at.baseUrl}/_sim/incoming`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "isp-b", from: "+254712345678", to: "22345", text: "STOP" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 200, url: `${hookBase}/hooks/isp-b/sms` });
    const hook = await nextHook((h) => h.path === "/hooks/isp-b/sms");
    expect(Object.keys(Object.fromEntries(new URLSearchParams(hook.rawBody))).sort()).toEqual(["date", "from", "id", "linkId", "text", "to"]);
    expect(events(smsProviders.africastalking.parseWebhook(hook, settings()))).toEqual({ kind: "events", updates: [], inbound: [{ from: "254712345678", text: "STOP" }] });

    const noUrl = await fetch(`${at.baseUrl}/_sim/incoming`, { method: "POST", body: JSON.stringify({ username: "nobody", from: "+254712345678", to: "22345", text: "hi" }) });
    expect(noUrl.status).toBe(409);
  });

  it("maps AT's delivery statuses and answers malformed callbacks with invalid, never throwing", () => {
    const parse = (body: string, over: Partial<WebhookRequest> = {}) =>
      smsProviders.africastalking.parseWebhook(hookRequest({ headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: body, ...over }), settings());
    expect(events(parse("id=ATXid_1&status=Buffered&phoneNumber=%2B254712345678&networkCode=63902&retryCount=0")).updates[0]).toEqual({ providerMessageId: "ATXid_1", status: "sent" });
    expect(events(parse("id=ATXid_2&status=Rejected&failureReason=UserInBlacklist")).updates[0]).toMatchObject({ status: "failed", error: expect.stringContaining("UserInBlacklist") });
    expect(events(parse("id=ATXid_3&status=Failed")).updates[0]).toMatchObject({ status: "failed", error: "Failed" });
    for (const bad of [
      parse(""),
      parse("status=Success"),
      parse("id=x&status=Teleported"),
      parse("hello=world"),
      parse("{not json", { headers: { "content-type": "application/json" } }),
      parse("[1,2,3]", { headers: { "content-type": "application/json" } }),
      parse("%%%\u0000&&=="),
      parse("from=not-a-phone&text=hi"),
      parse("id=ATXid_1&status=Success", { method: "GET" }),
    ]) {
      expect(bad.kind).toBe("invalid");
    }
  });

  it("validates the settings", () => {
    expect(smsProviders.africastalking.validate(settings())).toBeNull();
    expect(smsProviders.africastalking.validate(settings({ from: "A-VERY-LONG-SENDER" }))).toMatchObject({ from: [expect.any(String)] });
    expect(smsProviders.africastalking.validate(settings({ username: "bad user" }))).toMatchObject({ username: [expect.any(String)] });
  });
});

describe("Advanta-compatible provider", () => {
  const settings = (over: Partial<Record<string, string>> = {}, apiKey?: string): ProviderSettings => ({
    kind: "advanta",
    config: { baseUrl: ADVANTA_DEFAULT_URL, partnerId: advanta.partnerID, shortcode: advanta.shortcode, ...over } as Record<string, string>,
    secrets: { apiKey: apiKey ?? advanta.apiKey },
  });

  it("sends through the default endpoint (the simulator here) and returns the message id", async () => {
    const provider = smsProviders.advanta.create(settings(), endpoints);
    expect(provider.kind).toBe("advanta");
    const sent = accepted(await provider.send({ to: "254712345678", text: "Your voucher code is 4821" }));
    expect(sent).toEqual({ status: "accepted", providerMessageId: expect.stringMatching(/^\d+$/), segments: 1, cost: null });
    expect(advanta.messages({ mobile: "254712345678" })[0]).toMatchObject({ id: sent.providerMessageId, shortcode: advanta.shortcode, partnerID: advanta.partnerID, message: "Your voucher code is 4821" });
    expect(accepted(await provider.send({ to: "254712345678", text: "😀".repeat(40) })).segments).toBe(2);
  });

  it("answers the raw API in the gateway's shape", async () => {
    const res = await fetch(`${advanta.baseUrl}/api/services/sendsms/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apikey: advanta.apiKey, partnerID: advanta.partnerID, message: "hi", shortcode: advanta.shortcode, mobile: "254733123456" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      responses: [{ "respose-code": 200, "response-description": "Success", mobile: 254733123456, messageid: expect.any(Number), networkid: "2" }],
    });
    const noPartner = await fetch(`${advanta.baseUrl}/api/services/sendsms/`, { method: "POST", body: JSON.stringify({ apikey: "x", message: "hi", mobile: "254712345678" }) });
    expect(await noPartner.json()).toEqual({ "response-code": 4091, "response-description": "No Partner ID is Set" });
  });

  it("uses the ISP's own gateway URL when it is not the Advanta default, even a pasted full endpoint", async () => {
    const provider = smsProviders.advanta.create(settings({ baseUrl: `${advanta.baseUrl}/api/services/sendsms/` }), { ...endpoints, advanta: "http://127.0.0.1:1" });
    accepted(await provider.send({ to: "0712345678", text: "compatible gateway" }));
    expect(advanta.messages()[0]).toMatchObject({ mobile: "254712345678", message: "compatible gateway" });
  });

  it("rejects refusals with the gateway's reason", async () => {
    const provider = smsProviders.advanta.create(settings(), endpoints);
    advanta.script("254722000111", "invalid_mobile");
    expect(rejected(await provider.send({ to: "254722000111", text: "hi" })).error).toBe("Invalid mobile number (code 1003)");
    expect(rejected(await provider.send({ to: "12345", text: "hi" })).error).toBe("Invalid mobile number (code 1003)");
    advanta.script("254722000222", "low_credit");
    expect(rejected(await provider.send({ to: "254722000222", text: "hi" })).error).toMatch(/^Low bulk credits: top up/);
    const wrongKey = smsProviders.advanta.create(settings({}, "wrong"), endpoints);
    expect(rejected(await wrongKey.send({ to: "254712345678", text: "hi" })).error).toMatch(/^Invalid credentials: check the partner ID and API key \(code 1006\)/);
    const wrongSender = smsProviders.advanta.create(settings({ shortcode: "NOTMINE" }), endpoints);
    expect(rejected(await wrongSender.send({ to: "254712345678", text: "hi" })).error).toMatch(/^Invalid sender ID.*code 1001/);
  });

  it("runs out of credits", async () => {
    advanta.configure({ credits: 1 });
    const provider = smsProviders.advanta.create(settings(), endpoints);
    accepted(await provider.send({ to: "254712345678", text: "one" }));
    expect(rejected(await provider.send({ to: "254712345678", text: "two" })).error).toMatch(/Low bulk credits/);
    advanta.configure({ credits: null });
  });

  it("throws on HTTP 500 (then recovers), system errors, timeouts and an unreachable gateway", async () => {
    const provider = smsProviders.advanta.create(settings(), endpoints);
    const script = await fetch(`${advanta.baseUrl}/_sim/script`, { method: "POST", body: JSON.stringify({ mobile: "0722000333", outcome: "server_error", times: 2 }) });
    expect(script.status).toBe(200);
    await expect(provider.send({ to: "254722000333", text: "hi" })).rejects.toThrow(/HTTP 500/);
    await expect(provider.send({ to: "254722000333", text: "hi" })).rejects.toThrow(/HTTP 500/);
    accepted(await provider.send({ to: "254722000333", text: "hi" }));

    advanta.script("254722000444", "system_error", { times: 1 });
    await expect(provider.send({ to: "254722000444", text: "hi" })).rejects.toThrow(/system error.*1005/);
    accepted(await provider.send({ to: "254722000444", text: "hi" }));

    gateway.script({ mode: "hang", times: 1 });
    const slow = createAdvantaProvider(settings({ baseUrl: gateway.baseUrl }), endpoints, { timeoutMs: 200 });
    await expect(slow.send({ to: "254712345678", text: "hi" })).rejects.toThrow();

    const down = smsProviders.advanta.create(settings({ baseUrl: "http://127.0.0.1:1" }), endpoints);
    await expect(down.send({ to: "254712345678", text: "hi" })).rejects.toThrow();
  });

  it("accepts both spellings of the response code", async () => {
    const answers = [
      { responses: [{ "response-code": 200, "response-description": "Success", mobile: 254712345678, messageid: 42, networkid: "1" }] },
      { responses: [{ "respose-code": "200", "response-description": "Success", mobile: "254712345678", messageid: "43" }] },
      { "response-code": "1004", "response-description": "Low bulk credits" },
      { responses: [{ "respose-code": 4090, "response-description": "Internal Error. Try again after 5 minutes" }] },
      "<html>gateway maintenance</html>",
    ];
    let i = 0;
    const stub = createServer((req, res) => {
      req.resume();
      const answer = answers[i++];
      res.writeHead(200, { "content-type": "application/json" }).end(typeof answer === "string" ? answer : JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
    try {
      const provider = smsProviders.advanta.create(settings({ baseUrl: `http://127.0.0.1:${(stub.address() as AddressInfo).port}` }), endpoints);
      expect(accepted(await provider.send({ to: "254712345678", text: "a" })).providerMessageId).toBe("42");
      expect(accepted(await provider.send({ to: "254712345678", text: "b" })).providerMessageId).toBe("43");
      expect(rejected(await provider.send({ to: "254712345678", text: "c" })).error).toMatch(/Low bulk credits.*1004/);
      await expect(provider.send({ to: "254712345678", text: "d" })).rejects.toThrow(/4090/);
      await expect(provider.send({ to: "254712345678", text: "e" })).rejects.toThrow(/gateway maintenance/);
    } finally {
      await new Promise<void>((resolve) => stub.close(() => resolve()));
    }
  });

  it("posts delivery reports to the partner's callback URL, parsed into delivered and failed updates", async () => {
    const set = await fetch(`${advanta.baseUrl}/_sim/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ partnerID: advanta.partnerID, callbackUrl: `${hookBase}/hooks/advanta` }),
    });
    expect(set.status).toBe(200);
    const provider = smsProviders.advanta.create(settings(), endpoints);
    const ok = accepted(await provider.send({ to: "254712345678", text: "delivered" }));
    advanta.script("254722000555", "blacklisted");
    const blocked = accepted(await provider.send({ to: "254722000555", text: "blocked" }));

    const okHook = await nextHook((h) => h.rawBody.includes(`"messageid":"${ok.providerMessageId}"`));
    expect(Object.keys(JSON.parse(okHook.rawBody) as object).sort()).toEqual(["description", "messageid", "timeTaken", "timestamp"]);
    const delivered = events(smsProviders.advanta.parseWebhook(okHook, settings())).updates[0]!;
    expect(delivered).toMatchObject({ providerMessageId: ok.providerMessageId, status: "delivered" });
    expect(delivered.at).toBeInstanceOf(Date);
    expect(Math.abs(delivered.at!.getTime() - Date.now())).toBeLessThan(5000);

    const blockedHook = await nextHook((h) => h.rawBody.includes(`"messageid":"${blocked.providerMessageId}"`));
    expect(events(smsProviders.advanta.parseWebhook(blockedHook, settings())).updates[0]).toMatchObject({
      providerMessageId: blocked.providerMessageId,
      status: "failed",
      error: expect.stringMatching(/^SenderName Blacklisted: /),
    });

    // The same report, pulled with getdlr.
    const dlr = await fetch(`${advanta.baseUrl}/api/services/getdlr/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apikey: advanta.apiKey, partnerID: advanta.partnerID, messageID: ok.providerMessageId }),
    });
    const dlrBody = (await dlr.json()) as Record<string, unknown>;
    expect(dlrBody).toMatchObject({ "response-code": 200, "message-id": ok.providerMessageId, "delivery-description": "DeliveredToTerminal", "delivery-status": 32 });
    expect(events(smsProviders.advanta.parseWebhook(hookRequest({ headers: { "content-type": "application/json" }, rawBody: JSON.stringify(dlrBody) }), settings())).updates[0]).toMatchObject({
      providerMessageId: ok.providerMessageId,
      status: "delivered",
    });
    advanta.configure({ callbackUrl: null });
  });

  it("maps delivery descriptions and answers malformed callbacks with invalid", () => {
    const parse = (body: string, over: Partial<WebhookRequest> = {}) =>
      smsProviders.advanta.parseWebhook(hookRequest({ headers: { "content-type": "application/json" }, rawBody: body, ...over }), settings());
    const report = (description: string) => events(parse(JSON.stringify({ description, messageid: "1889191", timeTaken: "22s", timestamp: "2025-09-12 10:16:10" }))).updates[0]!;
    expect(report("DeliveredToTerminal")).toEqual({ providerMessageId: "1889191", status: "delivered", at: new Date("2025-09-12T07:16:10Z") });
    expect(report("AbsentSubscriber")).toMatchObject({ status: "failed", error: expect.stringContaining("AbsentSubscriber") });
    expect(report("Delivery Impossible")).toMatchObject({ status: "failed" });
    expect(report("DeliveredToNetwork")).toMatchObject({ status: "sent" });
    expect(report("Something New")).toMatchObject({ status: "failed", error: "Something New" });
    for (const bad of [parse(""), parse("{}"), parse("{not json"), parse('"text"'), parse(JSON.stringify({ messageid: "1" })), parse('{"description":"DeliveredToTerminal"}'), parse("{}", { method: "PUT" })]) {
      expect(bad.kind).toBe("invalid");
    }
  });

  it("validates the settings", () => {
    expect(smsProviders.advanta.validate(settings())).toBeNull();
    expect(smsProviders.advanta.validate(settings({ baseUrl: "ftp://gateway.example" }))).toMatchObject({ baseUrl: [expect.any(String)] });
    expect(smsProviders.advanta.validate(settings({ shortcode: "WAY-TOO-LONG-SENDER" }))).toMatchObject({ shortcode: [expect.any(String)] });
  });
});

describe("generic HTTP gateway provider", () => {
  const settings = (config: Record<string, string>, apiKey?: string): ProviderSettings => ({
    kind: "http",
    config: { url: gateway.sendUrl, ...config },
    secrets: apiKey ? { apiKey } : {},
  });

  it("POSTs a form with the API key in a header and reads the id from the JSON answer", async () => {
    gateway.configure({ apiKey: { in: "header", name: "X-API-Key", value: "gw-secret" }, requiredParams: ["msisdn", "text"] });
    const s = settings(
      { method: "POST", bodyFormat: "form", phoneParam: "msisdn", messageParam: "text", senderParam: "from", senderId: "MYISP", apiKeyIn: "header", apiKeyName: "X-API-Key", phoneFormat: "+254", successText: '"status":"ok"', messageIdPath: "data.id" },
      "gw-secret",
    );
    expect(smsProviders.http.validate(s)).toBeNull();
    const sent = accepted(await smsProviders.http.create(s, endpoints).send({ to: "254712345678", text: "Voucher 4821 €5" }));
    expect(sent).toEqual({ status: "accepted", providerMessageId: expect.stringMatching(/^gw-/), segments: 1, cost: null });
    const [req] = gateway.messages();
    expect(req).toMatchObject({ method: "POST", contentType: "application/x-www-form-urlencoded", fields: { msisdn: "+254712345678", text: "Voucher 4821 €5", from: "MYISP" } });
    expect(req!.headers["x-api-key"]).toBe("gw-secret");
    expect(req!.fields).not.toHaveProperty("X-API-Key");
  });

  it("POSTs JSON with the API key as a parameter and local phone format", async () => {
    gateway.configure({ apiKey: { in: "param", name: "api_key", value: "k1" } });
    const s = settings({ method: "POST", bodyFormat: "json", phoneParam: "phone", messageParam: "sms", apiKeyIn: "param", apiKeyName: "api_key", phoneFormat: "0", messageIdPath: "data.id" }, "k1");
    const sent = accepted(await smsProviders.http.create(s, endpoints).send({ to: "254112345678", text: "hi" }));
    expect(sent.providerMessageId).toMatch(/^gw-/);
    const [req] = gateway.messages();
    expect(req!.contentType).toBe("application/json");
    expect(JSON.parse(req!.body)).toEqual({ phone: "0112345678", sms: "hi", api_key: "k1" });
  });

  it("GETs with the parameters in the URL, keeping the URL's own query", async () => {
    gateway.configure({ apiKey: { in: "param", name: "key", value: "k2" } });
    const s = settings({ url: `${gateway.baseUrl}/sendsms.php?user=myisp`, method: "GET", phoneParam: "to", messageParam: "msg", apiKeyIn: "param", apiKeyName: "key" }, "k2");
    const sent = accepted(await smsProviders.http.create(s, endpoints).send({ to: "254712345678", text: "a b&c" }));
    expect(sent.providerMessageId).toBeNull();
    const [req] = gateway.messages();
    expect(req).toMatchObject({ method: "GET", path: "/sendsms.php", query: { user: "myisp", to: "254712345678", msg: "a b&c", key: "k2" }, body: "" });
  });

  it("rejects a wrong API key and an answer that says it failed", async () => {
    gateway.configure({ apiKey: { in: "header", name: "Authorization", value: "Bearer right" } });
    const base = { apiKeyIn: "header", apiKeyName: "Authorization" };
    const wrong = rejected(await smsProviders.http.create(settings(base, "Bearer wrong"), endpoints).send({ to: "254712345678", text: "hi" }));
    expect(wrong.error).toMatch(/credentials.*HTTP 401.*API key/);

    gateway.script({ mode: "error", message: "Invalid destination", times: 2 });
    const withText = rejected(await smsProviders.http.create(settings({ ...base, successText: '"status":"ok"' }, "Bearer right"), endpoints).send({ to: "254712345678", text: "hi" }));
    expect(withText.error).toMatch(/did not confirm.*Invalid destination/);
    const withoutText = rejected(await smsProviders.http.create(settings(base, "Bearer right"), endpoints).send({ to: "254712345678", text: "hi" }));
    expect(withoutText.error).toBe("The SMS gateway refused the message: Invalid destination");
    accepted(await smsProviders.http.create(settings(base, "Bearer right"), endpoints).send({ to: "254712345678", text: "hi" }));
  });

  it("throws on HTTP 5xx (then recovers), timeouts and connection refused", async () => {
    const provider = smsProviders.http.create(settings({ messageIdPath: "data.id" }), endpoints);
    const script = await fetch(`${gateway.baseUrl}/_sim/script`, { method: "POST", body: JSON.stringify({ mode: "http_error", status: 503, times: 1 }) });
    expect(script.status).toBe(200);
    await expect(provider.send({ to: "254712345678", text: "hi" })).rejects.toThrow(/HTTP 503/);
    expect(accepted(await provider.send({ to: "254712345678", text: "hi" })).providerMessageId).toMatch(/^gw-/);

    gateway.script({ mode: "hang", times: 1 });
    await expect(createHttpSmsProvider(settings({}), { timeoutMs: 200 }).send({ to: "254712345678", text: "hi" })).rejects.toThrow();

    await expect(smsProviders.http.create(settings({ url: "http://127.0.0.1:1/send" }), endpoints).send({ to: "254712345678", text: "hi" })).rejects.toThrow();
  });

  it("validates the URL and the parameter names", () => {
    const v = (config: Record<string, string>) => smsProviders.http.validate(settings(config));
    expect(v({ phoneParam: "to", messageParam: "message" })).toBeNull();
    expect(v({ url: "ftp://gateway.example/send" })).toMatchObject({ url: [expect.any(String)] });
    expect(v({ url: "javascript:alert(1)" })).toMatchObject({ url: [expect.any(String)] });
    expect(v({ url: "https://user:pw@gateway.example/send" })).toMatchObject({ url: [expect.stringContaining("API key")] });
    expect(v({ phoneParam: "to number" })).toMatchObject({ phoneParam: [expect.any(String)] });
    expect(v({ phoneParam: "to", messageParam: "to" })).toMatchObject({ messageParam: [expect.stringContaining("Same name")] });
    expect(v({ senderParam: "from" })).toMatchObject({ senderId: [expect.any(String)] });
    expect(v({ apiKeyIn: "header", apiKeyName: "Bad Header:" })).toMatchObject({ apiKeyName: [expect.any(String)] });
    expect(v({ method: "DELETE", bodyFormat: "xml", phoneFormat: "7" })).toMatchObject({ method: [expect.any(String)], bodyFormat: [expect.any(String)], phoneFormat: [expect.any(String)] });
    expect(v({ messageIdPath: "data..id" })).toMatchObject({ messageIdPath: [expect.any(String)] });
  });

  it("reads JSON paths and formats phones", () => {
    const answer = { responses: [{ messageid: 8290842 }], data: { id: "abc" } };
    expect(valueAtPath(answer, "responses.0.messageid")).toBe("8290842");
    expect(valueAtPath(answer, "data.id")).toBe("abc");
    expect(valueAtPath(answer, "data.missing")).toBeNull();
    expect(valueAtPath(answer, "data")).toBeNull();
    expect(formatPhone("254712345678", "0")).toBe("0712345678");
    expect(formatPhone("0712345678", "+254")).toBe("+254712345678");
    expect(formatPhone("+254 712 345 678", "254")).toBe("254712345678");
  });

  it("takes simple delivery reports and refuses the rest as invalid", () => {
    const s = settings({});
    expect(events(smsProviders.http.parseWebhook(hookRequest({ method: "GET", query: { id: "gw-000001", status: "DELIVRD" } }), s)).updates).toEqual([
      { providerMessageId: "gw-000001", status: "delivered" },
    ]);
    expect(
      events(smsProviders.http.parseWebhook(hookRequest({ headers: { "content-type": "application/json" }, rawBody: JSON.stringify({ messageId: "9", status: "failed", reason: "Absent subscriber" }) }), s)).updates,
    ).toEqual([{ providerMessageId: "9", status: "failed", error: "Absent subscriber" }]);
    for (const bad of [
      smsProviders.http.parseWebhook(hookRequest({ rawBody: "" }), s),
      smsProviders.http.parseWebhook(hookRequest({ rawBody: "{oops", headers: { "content-type": "application/json" } }), s),
      smsProviders.http.parseWebhook(hookRequest({ rawBody: "id=1&status=teleported" }), s),
      smsProviders.http.parseWebhook(hookRequest({ method: "DELETE", query: { id: "1", status: "delivered" } }), s),
    ]) {
      expect(bad.kind).toBe("invalid");
    }
  });
});

describe("gateway simulators", () => {
  it("answer junk with 4xx and keep running", async () => {
    const post = (base: string, path: string, body: string, type = "application/json") => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": type }, body });
    expect(await (await post(advanta.baseUrl, "/api/services/sendsms/", "{oops")).json()).toMatchObject({ "response-code": 1009 });
    expect(await (await post(advanta.baseUrl, "/api/services/sendsms/", JSON.stringify({ partnerID: advanta.partnerID }))).json()).toMatchObject({ "response-code": 4092 });
    expect(await (await post(advanta.baseUrl, "/api/services/getdlr/", JSON.stringify({ apikey: advanta.apiKey, partnerID: advanta.partnerID, messageID: "nope" }))).json()).toMatchObject({ "response-code": 1008 });
    expect((await post(advanta.baseUrl, "/_sim/script", JSON.stringify({ mobile: "12", outcome: "success" }))).status).toBe(400);
    expect((await post(advanta.baseUrl, "/_sim/config", JSON.stringify({ partnerID: "unknown" }))).status).toBe(400);
    expect((await fetch(`${advanta.baseUrl}/nowhere`)).status).toBe(404);
    expect((await post(gateway.baseUrl, "/send", "{oops")).status).toBe(400);
    expect((await post(gateway.baseUrl, "/_sim/script", JSON.stringify({ mode: "explode" }))).status).toBe(400);
    expect((await post(gateway.baseUrl, "/_sim/config", JSON.stringify({ apiKey: { in: "cookie" } }))).status).toBe(400);

    const listed = (await (await fetch(`${gateway.baseUrl}/_sim/messages`)).json()) as Array<{ outcome: string }>;
    expect(listed[0]!.outcome).toBe("bad_request");
    accepted(await smsProviders.advanta.create({ kind: "advanta", config: { partnerId: advanta.partnerID, shortcode: advanta.shortcode }, secrets: { apiKey: advanta.apiKey } }, endpoints).send({ to: "254712345678", text: "still here" }));
    accepted(await smsProviders.http.create({ kind: "http", config: { url: gateway.sendUrl }, secrets: {} }, endpoints).send({ to: "254712345678", text: "still here" }));
  });

  it("register unknown accounts on first use in open (demo) mode", async () => {
    const openAt = await startSmsSim({ port: 0, open: true });
    const openAdvanta = await startAdvantaSim({ port: 0, open: true });
    try {
      const atSettings: ProviderSettings = { kind: "africastalking", config: { username: "demo-isp" }, secrets: { apiKey: "demo-key" } };
      accepted(await smsProviders.africastalking.create(atSettings, { ...endpoints, africastalking: openAt.baseUrl }).send({ to: "254712345678", text: "hi" }));
      const wrongKey = { ...atSettings, secrets: { apiKey: "other" } };
      rejected(await smsProviders.africastalking.create(wrongKey, { ...endpoints, africastalking: openAt.baseUrl }).send({ to: "254712345678", text: "hi" }));
      const advSettings: ProviderSettings = { kind: "advanta", config: { partnerId: "777", shortcode: "DEMOISP" }, secrets: { apiKey: "demo-key" } };
      accepted(await smsProviders.advanta.create(advSettings, { ...endpoints, advanta: openAdvanta.baseUrl }).send({ to: "254712345678", text: "hi" }));
      expect(openAdvanta.messages()[0]).toMatchObject({ partnerID: "777", shortcode: "DEMOISP" });
    } finally {
      await Promise.all([openAt.stop(), openAdvanta.stop()]);
    }
  });
});
