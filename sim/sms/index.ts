// Africa's Talking bulk SMS simulator for development and tests. It speaks the real
// POST /version1/messaging shape (auth, form body, 201 JSON response, status codes) and
// sends AT's callbacks (delivery reports, incoming messages), so the app's AT client runs
// unchanged against it. Several AT accounts (username + API key) can share one simulator, each
// with its own callback URLs (AT sets them per app), falling back to the global ones.
//
// Control API: GET/DELETE /_sim/messages, POST /_sim/script {number, outcome},
// POST /_sim/config {username?, deliveryReportUrl?, incomingUrl?, deliveryDelayMs?},
// POST /_sim/accounts {username, apiKey}, POST /_sim/incoming {username?, from, to, text, linkId?},
// POST /_sim/fail {times, status?} (the next requests answer HTTP 500 or the given status).
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { safeJsonParse, isPlainObject } from "../json";
import { countSmsSegments } from "../../server/integrations/messaging/sms-segments";
import { listen, readBody, readJsonObject, sendJson, sendText, isHttpUrl, waitForChange } from "./shared";

/** gateway_error: AT answers 501 GatewayError for the recipient (a transient failure). */
export type SmsOutcome = "success" | "insufficient_balance" | "user_in_blacklist" | "delivery_failed" | "gateway_error";

export type StoredSms = {
  id: string;
  /** The AT account (username) that sent it. */
  username: string;
  to: string;
  from: string;
  message: string;
  parts: number;
  status: "sent" | "failed" | "delivered";
  receivedAt: string;
};

export type SmsSim = {
  port: number;
  baseUrl: string;
  apiKey: string;
  username: string;
  messages(filter?: { to?: string }): StoredSms[];
  clear(): void;
  script(number: string, outcome: SmsOutcome): void;
  waitFor(pred: (m: StoredSms) => boolean, timeoutMs?: number): Promise<StoredSms>;
  /** Adds (or re-keys) an AT account the simulator accepts. */
  addAccount(username: string, apiKey: string): void;
  /** Callback URLs for one account (username given) or for every account without its own. null clears. */
  configure(opts: { username?: string; deliveryReportUrl?: string | null; incomingUrl?: string | null; deliveryDelayMs?: number }): void;
  /** A customer texts the account's number: POSTs AT's incoming-message callback and reports how the target answered. */
  incoming(msg: { username?: string; from: string; to: string; text: string; linkId?: string }): Promise<IncomingResult>;
  /** The next `times` messaging requests answer HTTP `status` (default 500). */
  failNext(times: number, status?: number): void;
  stop(): Promise<void>;
};

export type IncomingResult = { id: string; url: string | null; status: number | null; error?: string };

type SmsSimOptions = {
  port?: number;
  apiKey?: string;
  username?: string;
  /** More accounts besides the default one. */
  accounts?: Array<{ username: string; apiKey: string }>;
  /** Demo mode: an unknown username is registered with the (non-empty) key it first comes with. */
  open?: boolean;
  deliveryReportUrl?: string;
  incomingUrl?: string;
  deliveryDelayMs?: number;
};

type Callbacks = { deliveryReportUrl?: string | null; incomingUrl?: string | null };

type Recipient = {
  statusCode: number;
  number: string;
  status: string;
  cost: string;
  messageId: string;
  messageParts?: number;
};

const OUTCOMES: readonly SmsOutcome[] = ["success", "insufficient_balance", "user_in_blacklist", "delivery_failed", "gateway_error"];
const KES_PER_PART = 0.8;
const MAX_STORED_MESSAGES = 1000;
const MAX_BODY_BYTES = 1024 * 1024;
// AT's default shared sender ID when the request names none.
const DEFAULT_SENDER_ID = "AFRICASTKNG";
// Safaricom's mobile network code, as AT reports it in delivery callbacks.
const NETWORK_CODE = "63902";
const KENYAN_MOBILE = /^\+254[17]\d{8}$/;

export async function startSmsSim(opts: SmsSimOptions = {}): Promise<SmsSim> {
  const apiKey = opts.apiKey ?? "sim-at-key";
  const username = opts.username ?? "sandbox";
  const config: { deliveryReportUrl: string | null; incomingUrl: string | null; deliveryDelayMs: number } = {
    deliveryReportUrl: opts.deliveryReportUrl ?? null,
    incomingUrl: opts.incomingUrl ?? null,
    deliveryDelayMs: opts.deliveryDelayMs ?? 200,
  };
  // username → API key
  const accounts = new Map<string, string>([[username, apiKey]]);
  for (const a of opts.accounts ?? []) accounts.set(a.username, a.apiKey);
  const perAccount = new Map<string, Callbacks>();
  const urlFor = (user: string, kind: keyof Callbacks): string | null => {
    const own = perAccount.get(user)?.[kind];
    return own !== undefined ? own : config[kind];
  };
  const failures = { times: 0, status: 500 };
  let incomingSeq = 0;
  const scripts = new Map<string, SmsOutcome>();
  // Oldest first internally; readers get newest first.
  let stored: StoredSms[] = [];
  const pendingReports = new Set<NodeJS.Timeout>();
  const changes = new EventEmitter();
  changes.setMaxListeners(0);

  const record = (sms: StoredSms) => {
    stored.push(sms);
    if (stored.length > MAX_STORED_MESSAGES) stored = stored.slice(stored.length - MAX_STORED_MESSAGES);
    changes.emit("change", sms);
  };

  const messages = (filter?: { to?: string }): StoredSms[] => {
    const wanted = filter?.to?.trim();
    const matching = wanted ? stored.filter((m) => m.to === wanted) : stored;
    return matching.map((m) => ({ ...m })).reverse();
  };

  const scheduleDeliveryReport = (sms: StoredSms, outcome: SmsOutcome) => {
    const timer = setTimeout(() => {
      pendingReports.delete(timer);
      const delivered = outcome !== "delivery_failed";
      sms.status = delivered ? "delivered" : "failed";
      changes.emit("change", sms);
      const url = urlFor(sms.username, "deliveryReportUrl");
      if (!url) return;
      const report = new URLSearchParams({ id: sms.id, status: delivered ? "Success" : "Failed", phoneNumber: sms.to, networkCode: NETWORK_CODE });
      if (!delivered) report.set("failureReason", "DeliveryFailure");
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: report.toString(),
        signal: AbortSignal.timeout(5000),
      })
        .then((res) => res.body?.cancel())
        .catch((err: unknown) => console.warn(`[sms-sim] delivery report to ${url} failed: ${err instanceof Error ? err.message : String(err)}`));
    }, config.deliveryDelayMs);
    pendingReports.add(timer);
  };

  const sendBulk = (fields: Record<string, string | undefined>, key: string, res: ServerResponse) => {
    const missing = (["username", "to", "message"] as const).filter((name) => !fields[name]?.trim());
    if (missing.length > 0) {
      sendText(res, 400, `Missing required field(s): ${missing.join(", ")}`);
      return;
    }
    // AT answers a username that does not own the key exactly like a bad key.
    const user = fields.username ?? "";
    if (opts.open && !accounts.has(user)) accounts.set(user, key);
    if (!accounts.has(user) || accounts.get(user) !== key) {
      sendText(res, 401, "The supplied authentication is invalid");
      return;
    }
    const message = fields.message ?? "";
    const from = fields.from?.trim() || DEFAULT_SENDER_ID;
    const parts = countSmsParts(message);
    const numbers = (fields.to ?? "").split(",").map((n) => n.trim()).filter((n) => n.length > 0);

    const recipients: Recipient[] = numbers.map((number) => {
      const receivedAt = new Date().toISOString();
      if (!KENYAN_MOBILE.test(number)) {
        record({ id: "None", username: user, to: number, from, message, parts, status: "failed", receivedAt });
        return { statusCode: 403, number, status: "InvalidPhoneNumber", cost: "0", messageId: "None" };
      }
      const outcome = scripts.get(number) ?? "success";
      if (outcome === "gateway_error") {
        record({ id: "None", username: user, to: number, from, message, parts, status: "failed", receivedAt });
        return { statusCode: 501, number, status: "GatewayError", cost: "0", messageId: "None" };
      }
      if (outcome === "insufficient_balance" || outcome === "user_in_blacklist") {
        record({ id: "None", username: user, to: number, from, message, parts, status: "failed", receivedAt });
        return outcome === "insufficient_balance"
          ? { statusCode: 405, number, status: "InsufficientBalance", cost: "0", messageId: "None" }
          : { statusCode: 406, number, status: "UserInBlacklist", cost: "0", messageId: "None" };
      }
      const sms: StoredSms = { id: `ATXid_${randomBytes(16).toString("hex")}`, username: user, to: number, from, message, parts, status: "sent", receivedAt };
      record(sms);
      scheduleDeliveryReport(sms, outcome);
      return { statusCode: 101, number, status: "Success", cost: formatKes(parts * KES_PER_PART), messageId: sms.id, messageParts: parts };
    });

    const accepted = recipients.filter((r) => r.statusCode === 101);
    const totalCost = accepted.reduce((sum, r) => sum + (r.messageParts ?? 0) * KES_PER_PART, 0);
    sendJson(res, 201, {
      SMSMessageData: {
        Message: `Sent to ${accepted.length}/${recipients.length} Total Cost: ${accepted.length > 0 ? formatKes(totalCost) : "0"}`,
        Recipients: recipients,
      },
    });
  };

  const deliverIncoming = async (msg: { username?: string; from: string; to: string; text: string; linkId?: string }): Promise<IncomingResult> => {
    incomingSeq += 1;
    const id = `ATSMSid_${randomBytes(12).toString("hex")}`;
    const url = urlFor(msg.username ?? username, "incomingUrl");
    if (!url) return { id, url: null, status: null, error: "no incoming-message URL is configured" };
    // AT's incoming-message callback: a form POST of from, to, text, date, id, linkId.
    const form = new URLSearchParams({ from: msg.from, to: msg.to, text: msg.text, date: new Date().toISOString(), id, linkId: msg.linkId ?? `SampleLinkId${incomingSeq}` });
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        signal: AbortSignal.timeout(5000),
      });
      await res.body?.cancel();
      return { id, url, status: res.status };
    } catch (err) {
      return { id, url, status: null, error: err instanceof Error ? err.message : String(err) };
    }
  };

  const applyConfig = (body: Record<string, unknown>): string | null => {
    const { username: user, deliveryReportUrl, incomingUrl, deliveryDelayMs } = body;
    if (user !== undefined && (typeof user !== "string" || user.trim() === "")) return "username must be a non-empty string";
    for (const [name, value] of [["deliveryReportUrl", deliveryReportUrl], ["incomingUrl", incomingUrl]] as const) {
      if (value !== undefined && value !== null && !isHttpUrl(value)) return `${name} must be an http(s) URL or null`;
    }
    if (deliveryDelayMs !== undefined && !(typeof deliveryDelayMs === "number" && Number.isFinite(deliveryDelayMs) && deliveryDelayMs >= 0)) {
      return "deliveryDelayMs must be a non-negative number";
    }
    if (typeof user === "string") {
      const own = perAccount.get(user.trim()) ?? {};
      if (deliveryReportUrl !== undefined) own.deliveryReportUrl = deliveryReportUrl as string | null;
      if (incomingUrl !== undefined) own.incomingUrl = incomingUrl as string | null;
      perAccount.set(user.trim(), own);
    } else {
      if (deliveryReportUrl !== undefined) config.deliveryReportUrl = deliveryReportUrl as string | null;
      if (incomingUrl !== undefined) config.incomingUrl = incomingUrl as string | null;
    }
    if (typeof deliveryDelayMs === "number") config.deliveryDelayMs = deliveryDelayMs;
    return null;
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      req.resume();
      sendJson(res, 404, { error: "Malformed request URL" });
      return;
    }
    const path = url.pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";

    if (path === "/version1/messaging" && method === "POST") {
      const body = await readBody(req, res);
      if (body === null) return;
      const key = typeof req.headers.apikey === "string" ? req.headers.apikey : "";
      if (!(opts.open && key !== "") && ![...accounts.values()].includes(key)) {
        sendText(res, 401, "The supplied authentication is invalid");
        return;
      }
      if (failures.times > 0) {
        failures.times -= 1;
        sendText(res, failures.status, failures.status === 429 ? "Too Many Requests" : "Internal Server Error");
        return;
      }
      const fields = parseFields(body, req.headers["content-type"]);
      if (!fields) {
        sendText(res, 400, "Malformed request body");
        return;
      }
      sendBulk(fields, key, res);
    } else if (path === "/_sim/messages" && method === "GET") {
      sendJson(res, 200, messages({ to: url.searchParams.get("to") ?? undefined }));
    } else if (path === "/_sim/messages" && method === "DELETE") {
      stored = [];
      res.writeHead(204).end();
    } else if (path === "/_sim/script" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { number, outcome } = body;
      if (typeof number !== "string" || !OUTCOMES.includes(outcome as SmsOutcome)) {
        sendJson(res, 400, { error: `Expected { number: string, outcome: ${OUTCOMES.join(" | ")} }` });
        return;
      }
      scripts.set(number.trim(), outcome as SmsOutcome);
      sendJson(res, 200, { number: number.trim(), outcome });
    } else if (path === "/_sim/config" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const error = applyConfig(body);
      if (error) {
        sendJson(res, 400, { error });
        return;
      }
      if (typeof body.username === "string") {
        const user = body.username.trim();
        sendJson(res, 200, { username: user, deliveryReportUrl: urlFor(user, "deliveryReportUrl"), incomingUrl: urlFor(user, "incomingUrl"), deliveryDelayMs: config.deliveryDelayMs });
      } else {
        sendJson(res, 200, config);
      }
    } else if (path === "/_sim/accounts" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { username: user, apiKey: key } = body;
      if (typeof user !== "string" || user.trim() === "" || typeof key !== "string" || key === "") {
        sendJson(res, 400, { error: "Expected { username: string, apiKey: string }" });
        return;
      }
      accounts.set(user.trim(), key);
      sendJson(res, 200, { username: user.trim() });
    } else if (path === "/_sim/incoming" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { username: user, from, to, text, linkId } = body;
      if (typeof from !== "string" || typeof to !== "string" || typeof text !== "string" || (user !== undefined && typeof user !== "string") || (linkId !== undefined && typeof linkId !== "string")) {
        sendJson(res, 400, { error: "Expected { username?: string, from: string, to: string, text: string, linkId?: string }" });
        return;
      }
      const result = await deliverIncoming({ username: user as string | undefined, from, to, text, linkId: linkId as string | undefined });
      sendJson(res, result.url === null ? 409 : result.status === null ? 502 : 200, result);
    } else if (path === "/_sim/fail" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { times, status } = body;
      if (!(typeof times === "number" && Number.isInteger(times) && times >= 0) || (status !== undefined && !(typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599))) {
        sendJson(res, 400, { error: "Expected { times: integer >= 0, status?: 400..599 }" });
        return;
      }
      failures.times = times;
      failures.status = typeof status === "number" ? status : 500;
      sendJson(res, 200, failures);
    } else {
      req.resume();
      sendJson(res, 404, { error: `No route for ${method} ${url.pathname}` });
    }
  };

  const { port, close } = await listen(opts.port, route);

  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    username,
    messages,
    clear() {
      stored = [];
    },
    script(number, outcome) {
      scripts.set(number.trim(), outcome);
    },
    addAccount(user, key) {
      accounts.set(user, key);
    },
    configure(update) {
      const error = applyConfig(update);
      if (error) throw new Error(error);
    },
    incoming: deliverIncoming,
    failNext(times, status = 500) {
      failures.times = times;
      failures.status = status;
    },
    waitFor: (pred, timeoutMs = 5000) => waitForChange<StoredSms>(changes, messages(), pred, timeoutMs, "SMS"),
    async stop() {
      for (const timer of pendingReports) clearTimeout(timer);
      pendingReports.clear();
      await close();
    },
  };
}

/** Parts an SMS is sent as (at least 1): see countSmsSegments, the one implementation. */
export function countSmsParts(message: string): number {
  return Math.max(1, countSmsSegments(message).segments);
}

function formatKes(amount: number): string {
  return `KES ${amount.toFixed(4)}`;
}

/** Form fields from a urlencoded or JSON body (AT accepts both); null when the body cannot be read as either. */
function parseFields(body: string, contentType: string | undefined): Record<string, string | undefined> | null {
  if (contentType?.toLowerCase().includes("application/json")) {
    const parsed = safeJsonParse(body);
    if (!isPlainObject(parsed)) return null;
    const fields: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string" || typeof value === "number") fields[key] = String(value);
      else if (Array.isArray(value) && value.every((v) => typeof v === "string")) fields[key] = value.join(",");
    }
    return fields;
  }
  const params = new URLSearchParams(body);
  return {
    username: params.get("username") ?? undefined,
    to: params.get("to") ?? undefined,
    message: params.get("message") ?? undefined,
    from: params.get("from") ?? undefined,
  };
}
