// Advanta SMS (and compatible "api/services/sendsms" gateways) simulator for development and
// tests. It speaks the gateway's HTTP shapes, so the app's Advanta provider runs unchanged against
// it:
//   POST|GET /api/services/sendsms/  {apikey, partnerID, message, shortcode, mobile}
//     → {"responses":[{"respose-code":200,"response-description":"Success","mobile":2547…,"messageid":…,"networkid":"1"}]}
//     per-number refusals use the same entry with another code; request-level errors (no partner ID,
//     no API key, wrong credentials) a bare {"response-code":…,"response-description":…}.
//     Per-number entries spell it "respose-code", as the real gateway does; top-level ones "response-code".
//   POST|GET /api/services/getdlr/   {apikey, partnerID, messageID} → {"response-code":200,"message-id",…,"delivery-description",…}
//   POST|GET /api/services/getbalance/ {apikey, partnerID} → {"response-code":200,"credit":"…","partner-id":"…"}
// Delivery reports are POSTed as JSON {"description","messageid","timeTaken","timestamp"} to the
// partner's callback URL (set on the real portal; here POST /_sim/config {partnerID, callbackUrl}).
//
// Control API: GET/DELETE /_sim/messages (?mobile=), POST /_sim/script {mobile, outcome, times?},
// POST /_sim/config {partnerID, callbackUrl?, credits?, deliveryDelayMs?}, POST /_sim/partners
// {partnerID, apiKey, shortcodes?}, GET /_sim/callbacks.
//
// Choices where the real gateway's behaviour is not published: request-level errors answer HTTP 200;
// a missing message or mobile is 1009 "Unsupported data type"; getdlr for an unknown or undelivered
// message is 1008 "No Delivery Report"; "delivery-status" is 32 when delivered and 16 otherwise.
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { countSmsSegments } from "../../server/integrations/messaging/sms-segments";
import { eatTimestamp, isHttpUrl, kenyanMsisdn, listen, readBody, readJsonObject, requestFields, requestUrl, sendJson, sendText, waitForChange } from "./shared";

/**
 * success; invalid_mobile (1003) and low_credit (1004) refuse the send; system_error answers
 * 1005 (a transient gateway failure); server_error answers HTTP 500; blacklisted, absent and
 * impossible are accepted and then fail in the delivery report.
 */
export type AdvantaOutcome = "success" | "invalid_mobile" | "low_credit" | "system_error" | "server_error" | "blacklisted" | "absent" | "impossible";

export const ADVANTA_OUTCOMES: readonly AdvantaOutcome[] = ["success", "invalid_mobile", "low_credit", "system_error", "server_error", "blacklisted", "absent", "impossible"];

export type AdvantaPartner = { partnerID: string; apiKey: string; shortcodes?: string[] };

export type StoredAdvantaSms = {
  id: string;
  partnerID: string;
  shortcode: string;
  mobile: string;
  message: string;
  segments: number;
  networkId: string;
  status: "sent" | "delivered" | "failed";
  /** The delivery description once the report is in, e.g. "DeliveredToTerminal". */
  description: string | null;
  receivedAt: string;
  reportedAt: string | null;
};

export type AdvantaCallback = { url: string; body: Record<string, string>; status: number | null; error?: string; at: string };

export type AdvantaSim = {
  port: number;
  baseUrl: string;
  /** The default partner's credentials and sender ID. */
  partnerID: string;
  apiKey: string;
  shortcode: string;
  messages(filter?: { mobile?: string; partnerID?: string }): StoredAdvantaSms[];
  clear(): void;
  /** What happens to sends to this number; `times` limits it to the next N sends (then success). */
  script(mobile: string, outcome: AdvantaOutcome, opts?: { times?: number }): void;
  /** Per-partner settings: delivery-report callback URL (null: none), credits (null: unlimited). */
  configure(opts: { partnerID?: string; callbackUrl?: string | null; credits?: number | null; deliveryDelayMs?: number }): void;
  addPartner(partner: AdvantaPartner): void;
  /** Delivery callbacks posted so far, oldest first. */
  callbacks(): AdvantaCallback[];
  waitFor(pred: (m: StoredAdvantaSms) => boolean, timeoutMs?: number): Promise<StoredAdvantaSms>;
  stop(): Promise<void>;
};

export type AdvantaSimOptions = {
  port?: number;
  partnerID?: string;
  apiKey?: string;
  shortcode?: string;
  /** More partners besides the default one. */
  partners?: AdvantaPartner[];
  callbackUrl?: string;
  deliveryDelayMs?: number;
  /** Demo mode: an unknown partner ID is registered with the API key it first comes with, any sender ID allowed. */
  open?: boolean;
};

type PartnerState = { apiKey: string; shortcodes: string[]; callbackUrl: string | null; credits: number | null };
type Script = { outcome: AdvantaOutcome; remaining: number | null };

const CODE_TEXT: Record<number, string> = {
  200: "Success",
  1001: "Invalid sender id",
  1003: "Invalid mobile number",
  1004: "Low bulk credits",
  1005: "Failed. System error",
  1006: "Invalid credentials",
  1008: "No Delivery Report",
  1009: "Unsupported data type",
  4091: "No Partner ID is Set",
  4092: "No API KEY Provided",
};
const DLR_DESCRIPTION: Record<string, string> = {
  success: "DeliveredToTerminal",
  blacklisted: "SenderName Blacklisted",
  absent: "AbsentSubscriber",
  impossible: "DeliveryImpossible",
};
const MAX_STORED = 1000;
// Airtel Kenya prefixes (after 254): 73x, 750-756, 785-789, 100-102; the rest is treated as Safaricom.
const AIRTEL = /^254(?:73\d|75[0-6]|78[5-9]|10[0-2])/;

export async function startAdvantaSim(opts: AdvantaSimOptions = {}): Promise<AdvantaSim> {
  const partnerID = opts.partnerID ?? "1234";
  const apiKey = opts.apiKey ?? "sim-advanta-key";
  const shortcode = opts.shortcode ?? "MNETIFI";
  const partners = new Map<string, PartnerState>();
  partners.set(partnerID, { apiKey, shortcodes: [shortcode], callbackUrl: opts.callbackUrl ?? null, credits: null });
  for (const p of opts.partners ?? []) partners.set(p.partnerID, { apiKey: p.apiKey, shortcodes: p.shortcodes ?? [], callbackUrl: null, credits: null });
  let deliveryDelayMs = opts.deliveryDelayMs ?? 200;
  const scripts = new Map<string, Script>();
  let stored: StoredAdvantaSms[] = [];
  const posted: AdvantaCallback[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  let nextId = 8290842;

  const messages = (filter?: { mobile?: string; partnerID?: string }) => {
    const mobile = filter?.mobile ? (kenyanMsisdn(filter.mobile) ?? filter.mobile) : undefined;
    return stored
      .filter((m) => (!mobile || m.mobile === mobile) && (!filter?.partnerID || m.partnerID === filter.partnerID))
      .map((m) => ({ ...m }))
      .reverse();
  };

  /** The scripted outcome for this send, consuming one use of a limited script. */
  const outcomeFor = (mobile: string): AdvantaOutcome => {
    const script = scripts.get(mobile);
    if (!script) return "success";
    if (script.remaining !== null) {
      script.remaining -= 1;
      if (script.remaining <= 0) scripts.delete(mobile);
    }
    return script.outcome;
  };

  const scheduleReport = (sms: StoredAdvantaSms, outcome: AdvantaOutcome) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const description = DLR_DESCRIPTION[outcome] ?? "DeliveredToTerminal";
      const now = new Date();
      sms.status = description === "DeliveredToTerminal" ? "delivered" : "failed";
      sms.description = description;
      sms.reportedAt = now.toISOString();
      changes.emit("change", sms);
      const url = partners.get(sms.partnerID)?.callbackUrl;
      if (!url) return;
      const seconds = Math.max(1, Math.round((now.getTime() - Date.parse(sms.receivedAt)) / 1000));
      const body = { description, messageid: sms.id, timeTaken: `${seconds}s`, timestamp: eatTimestamp(now) };
      const entry: AdvantaCallback = { url, body, status: null, at: now.toISOString() };
      posted.push(entry);
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) })
        .then(async (res) => {
          entry.status = res.status;
          await res.body?.cancel();
        })
        .catch((err: unknown) => {
          entry.error = err instanceof Error ? err.message : String(err);
          console.warn(`[advanta-sim] delivery report to ${url} failed: ${entry.error}`);
        });
    }, deliveryDelayMs);
    timers.add(timer);
  };

  const topLevel = (res: ServerResponse, code: number) => sendJson(res, 200, { "response-code": code, "response-description": CODE_TEXT[code] ?? "Error" });

  /** The partner these credentials belong to, or null after answering the refusal. */
  const authenticate = (fields: Record<string, string>, res: ServerResponse): [string, PartnerState] | null => {
    const id = fields.partnerID?.trim();
    const key = fields.apikey?.trim();
    if (!id) {
      topLevel(res, 4091);
      return null;
    }
    if (!key) {
      topLevel(res, 4092);
      return null;
    }
    if (opts.open && !partners.has(id)) partners.set(id, { apiKey: key, shortcodes: [], callbackUrl: null, credits: null });
    const partner = partners.get(id);
    if (!partner || partner.apiKey !== key) {
      topLevel(res, 1006);
      return null;
    }
    return [id, partner];
  };

  const sendSms = (fields: Record<string, string>, res: ServerResponse) => {
    const mobiles = (fields.mobile ?? "").split(",").map((m) => m.trim()).filter((m) => m !== "");
    // A gateway failing outright fails the whole request, before anything else is looked at.
    for (const mobile of mobiles) {
      const key = kenyanMsisdn(mobile) ?? mobile;
      if (scripts.get(key)?.outcome === "server_error") {
        outcomeFor(key);
        sendText(res, 500, "Internal Server Error");
        return;
      }
    }
    const auth = authenticate(fields, res);
    if (!auth) return;
    const [id, partner] = auth;
    const message = fields.message ?? "";
    if (message.trim() === "" || mobiles.length === 0) {
      topLevel(res, 1009);
      return;
    }
    const sender = (fields.shortcode ?? "").trim();
    const segments = Math.max(1, countSmsSegments(message).segments);
    const responses = mobiles.map((raw) => {
      const mobile = kenyanMsisdn(raw);
      const refuse = (code: number) => ({ "respose-code": code, "response-description": CODE_TEXT[code], mobile: mobile ?? raw });
      if (!sender || (partner.shortcodes.length > 0 && !partner.shortcodes.includes(sender))) return refuse(1001);
      if (!mobile) return refuse(1003);
      const outcome = outcomeFor(mobile);
      if (outcome === "invalid_mobile") return refuse(1003);
      if (outcome === "low_credit" || (partner.credits !== null && partner.credits < segments)) return refuse(1004);
      if (outcome === "system_error") return refuse(1005);
      if (partner.credits !== null) partner.credits -= segments;
      const networkId = AIRTEL.test(mobile) ? "2" : "1";
      const sms: StoredAdvantaSms = {
        id: String(nextId++),
        partnerID: id,
        shortcode: sender,
        mobile,
        message,
        segments,
        networkId,
        status: "sent",
        description: null,
        receivedAt: new Date().toISOString(),
        reportedAt: null,
      };
      stored.push(sms);
      if (stored.length > MAX_STORED) stored = stored.slice(stored.length - MAX_STORED);
      changes.emit("change", sms);
      scheduleReport(sms, outcome);
      return { "respose-code": 200, "response-description": "Success", mobile: Number(mobile), messageid: Number(sms.id), networkid: networkId };
    });
    sendJson(res, 200, { responses });
  };

  const getDlr = (fields: Record<string, string>, res: ServerResponse) => {
    const auth = authenticate(fields, res);
    if (!auth) return;
    const messageId = (fields.messageID ?? fields.messageId ?? "").trim();
    const sms = stored.find((m) => m.id === messageId && m.partnerID === auth[0]);
    if (!sms || !sms.description || !sms.reportedAt) {
      topLevel(res, 1008);
      return;
    }
    const seconds = Math.max(0, Math.round((Date.parse(sms.reportedAt) - Date.parse(sms.receivedAt)) / 1000));
    sendJson(res, 200, {
      "response-code": 200,
      "message-id": sms.id,
      "response-description": "Success",
      "delivery-status": sms.status === "delivered" ? 32 : 16,
      "delivery-description": sms.description,
      "delivery-tat": `0:00:${String(Math.min(seconds, 59)).padStart(2, "0")}`,
      "delivery-networkid": Number(sms.networkId),
      "delivery-time": eatTimestamp(new Date(sms.reportedAt)),
    });
  };

  const configure = (body: Record<string, unknown>): string | null => {
    const { partnerID: id, callbackUrl, credits, deliveryDelayMs: delay } = body;
    if (id !== undefined && (typeof id !== "string" || !partners.has(id))) return "partnerID must name a known partner";
    if (callbackUrl !== undefined && callbackUrl !== null && !isHttpUrl(callbackUrl)) return "callbackUrl must be an http(s) URL or null";
    if (credits !== undefined && credits !== null && !(typeof credits === "number" && Number.isFinite(credits) && credits >= 0)) return "credits must be a non-negative number or null";
    if (delay !== undefined && !(typeof delay === "number" && Number.isFinite(delay) && delay >= 0)) return "deliveryDelayMs must be a non-negative number";
    const partner = partners.get((id as string | undefined) ?? partnerID)!;
    if (callbackUrl !== undefined) partner.callbackUrl = callbackUrl as string | null;
    if (credits !== undefined) partner.credits = credits as number | null;
    if (typeof delay === "number") deliveryDelayMs = delay;
    return null;
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    if (!url) {
      req.resume();
      sendJson(res, 404, { error: "Malformed request URL" });
      return;
    }
    const path = url.pathname.replace(/\/+$/, "").replace(/\/index\.php$/, "");
    const method = req.method ?? "GET";
    const api = /^\/api\/services\/(sendsms|getdlr|getbalance)$/.exec(path);

    if (api && (method === "POST" || method === "GET")) {
      const body = await readBody(req, res);
      if (body === null) return;
      const fields = requestFields(url, body, req.headers["content-type"]);
      if (!fields) {
        topLevel(res, 1009);
        return;
      }
      if (api[1] === "sendsms") sendSms(fields, res);
      else if (api[1] === "getdlr") getDlr(fields, res);
      else {
        const auth = authenticate(fields, res);
        if (!auth) return;
        const credits = auth[1].credits;
        sendJson(res, 200, { "response-code": 200, credit: credits === null ? "100000.00" : credits.toFixed(2), "partner-id": auth[0] });
      }
    } else if (path === "/_sim/messages" && method === "GET") {
      sendJson(res, 200, messages({ mobile: url.searchParams.get("mobile") ?? undefined, partnerID: url.searchParams.get("partnerID") ?? undefined }));
    } else if (path === "/_sim/messages" && method === "DELETE") {
      stored = [];
      res.writeHead(204).end();
    } else if (path === "/_sim/callbacks" && method === "GET") {
      sendJson(res, 200, posted);
    } else if (path === "/_sim/script" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { mobile, outcome, times } = body;
      const msisdn = typeof mobile === "string" ? kenyanMsisdn(mobile) : null;
      if (!msisdn || !ADVANTA_OUTCOMES.includes(outcome as AdvantaOutcome) || (times !== undefined && !(typeof times === "number" && Number.isInteger(times) && times > 0))) {
        sendJson(res, 400, { error: `Expected { mobile: Kenyan number, outcome: ${ADVANTA_OUTCOMES.join(" | ")}, times?: positive integer }` });
        return;
      }
      scripts.set(msisdn, { outcome: outcome as AdvantaOutcome, remaining: typeof times === "number" ? times : null });
      sendJson(res, 200, { mobile: msisdn, outcome, times: times ?? null });
    } else if (path === "/_sim/config" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const error = configure(body);
      if (error) {
        sendJson(res, 400, { error });
        return;
      }
      const id = typeof body.partnerID === "string" ? body.partnerID : partnerID;
      const p = partners.get(id)!;
      sendJson(res, 200, { partnerID: id, callbackUrl: p.callbackUrl, credits: p.credits, deliveryDelayMs });
    } else if (path === "/_sim/partners" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { partnerID: id, apiKey: key, shortcodes } = body;
      if (typeof id !== "string" || id.trim() === "" || typeof key !== "string" || key === "" || (shortcodes !== undefined && !(Array.isArray(shortcodes) && shortcodes.every((s) => typeof s === "string")))) {
        sendJson(res, 400, { error: "Expected { partnerID: string, apiKey: string, shortcodes?: string[] }" });
        return;
      }
      const existing = partners.get(id.trim());
      partners.set(id.trim(), { apiKey: key, shortcodes: (shortcodes as string[] | undefined) ?? [], callbackUrl: existing?.callbackUrl ?? null, credits: existing?.credits ?? null });
      sendJson(res, 200, { partnerID: id.trim() });
    } else {
      req.resume();
      sendJson(res, 404, { error: `No route for ${method} ${url.pathname}` });
    }
  };

  const http = await listen(opts.port, route);

  return {
    port: http.port,
    baseUrl: `http://127.0.0.1:${http.port}`,
    partnerID,
    apiKey,
    shortcode,
    messages,
    clear() {
      stored = [];
      posted.length = 0;
    },
    script(mobile, outcome, scriptOpts) {
      const msisdn = kenyanMsisdn(mobile) ?? mobile;
      scripts.set(msisdn, { outcome, remaining: scriptOpts?.times ?? null });
    },
    configure(update) {
      const error = configure(update);
      if (error) throw new Error(error);
    },
    addPartner(p) {
      const existing = partners.get(p.partnerID);
      partners.set(p.partnerID, { apiKey: p.apiKey, shortcodes: p.shortcodes ?? [], callbackUrl: existing?.callbackUrl ?? null, credits: existing?.credits ?? null });
    },
    callbacks: () => posted.map((c) => ({ ...c, body: { ...c.body } })),
    waitFor: (pred, timeoutMs = 5000) => waitForChange<StoredAdvantaSms>(changes, messages(), pred, timeoutMs, "Advanta SMS"),
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await http.close();
    },
  };
}
