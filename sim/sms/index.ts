// Africa's Talking bulk SMS simulator for development and tests. It speaks the real
// POST /version1/messaging shape (auth, form body, 201 JSON response, status codes) and
// sends delivery callbacks, so the app's AT client runs unchanged against it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import { safeJsonParse, isPlainObject } from "../json";

export type SmsOutcome = "success" | "insufficient_balance" | "user_in_blacklist" | "delivery_failed";

export type StoredSms = {
  id: string;
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
  stop(): Promise<void>;
};

type SmsSimOptions = {
  port?: number;
  apiKey?: string;
  username?: string;
  deliveryReportUrl?: string;
  deliveryDelayMs?: number;
};

type Recipient = {
  statusCode: number;
  number: string;
  status: string;
  cost: string;
  messageId: string;
  messageParts?: number;
};

const OUTCOMES: readonly SmsOutcome[] = ["success", "insufficient_balance", "user_in_blacklist", "delivery_failed"];
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
  const config: { deliveryReportUrl: string | null; deliveryDelayMs: number } = {
    deliveryReportUrl: opts.deliveryReportUrl ?? null,
    deliveryDelayMs: opts.deliveryDelayMs ?? 200,
  };
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
      const url = config.deliveryReportUrl;
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

  const sendBulk = (fields: Record<string, string | undefined>, res: ServerResponse) => {
    const missing = (["username", "to", "message"] as const).filter((name) => !fields[name]?.trim());
    if (missing.length > 0) {
      sendText(res, 400, `Missing required field(s): ${missing.join(", ")}`);
      return;
    }
    // AT answers a username that does not own the key exactly like a bad key.
    if (fields.username !== username) {
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
        record({ id: "None", to: number, from, message, parts, status: "failed", receivedAt });
        return { statusCode: 403, number, status: "InvalidPhoneNumber", cost: "0", messageId: "None" };
      }
      const outcome = scripts.get(number) ?? "success";
      if (outcome === "insufficient_balance" || outcome === "user_in_blacklist") {
        record({ id: "None", to: number, from, message, parts, status: "failed", receivedAt });
        return outcome === "insufficient_balance"
          ? { statusCode: 405, number, status: "InsufficientBalance", cost: "0", messageId: "None" }
          : { statusCode: 406, number, status: "UserInBlacklist", cost: "0", messageId: "None" };
      }
      const sms: StoredSms = { id: `ATXid_${randomBytes(16).toString("hex")}`, to: number, from, message, parts, status: "sent", receivedAt };
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
      if (req.headers.apikey !== apiKey) {
        sendText(res, 401, "The supplied authentication is invalid");
        return;
      }
      const fields = parseFields(body, req.headers["content-type"]);
      if (!fields) {
        sendText(res, 400, "Malformed request body");
        return;
      }
      sendBulk(fields, res);
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
      const { deliveryReportUrl, deliveryDelayMs } = body;
      if (deliveryReportUrl !== undefined && deliveryReportUrl !== null && !isHttpUrl(deliveryReportUrl)) {
        sendJson(res, 400, { error: "deliveryReportUrl must be an http(s) URL or null" });
        return;
      }
      if (deliveryDelayMs !== undefined && !(typeof deliveryDelayMs === "number" && Number.isFinite(deliveryDelayMs) && deliveryDelayMs >= 0)) {
        sendJson(res, 400, { error: "deliveryDelayMs must be a non-negative number" });
        return;
      }
      if (deliveryReportUrl !== undefined) config.deliveryReportUrl = deliveryReportUrl as string | null;
      if (typeof deliveryDelayMs === "number") config.deliveryDelayMs = deliveryDelayMs;
      sendJson(res, 200, config);
    } else {
      req.resume();
      sendJson(res, 404, { error: `No route for ${method} ${url.pathname}` });
    }
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      sendJson(res, 500, { error: err instanceof Error ? err.message : "internal error" });
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

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
    waitFor(pred, timeoutMs = 5000) {
      const already = messages().find(pred);
      if (already) return Promise.resolve(already);
      return new Promise<StoredSms>((resolve, reject) => {
        const onChange = (sms: StoredSms) => {
          if (!pred({ ...sms })) return;
          clearTimeout(timer);
          changes.off("change", onChange);
          resolve({ ...sms });
        };
        const timer = setTimeout(() => {
          changes.off("change", onChange);
          reject(new Error(`No matching SMS within ${timeoutMs}ms`));
        }, timeoutMs);
        changes.on("change", onChange);
      });
    },
    async stop() {
      for (const timer of pendingReports) clearTimeout(timer);
      pendingReports.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

// GSM 03.38 basic set (one septet each) and extension set (escape + char = two septets).
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

/** Parts an SMS is split into: GSM-7 is 160 septets alone or 153 per part; anything else goes as UCS-2, 70 alone or 67 per part. */
export function countSmsParts(message: string): number {
  let septets = 0;
  for (const ch of message) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      const units = message.length; // UTF-16 code units, as UCS-2 counts them
      return units <= 70 ? 1 : Math.ceil(units / 67);
    }
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

function formatKes(amount: number): string {
  return `KES ${amount.toFixed(4)}`;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** The body as text, or null after answering 413 when it is too large. */
function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        res.setHeader("connection", "close");
        sendText(res, 413, "Request body too large");
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!tooLarge) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
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

async function readJsonObject(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  const body = await readBody(req, res);
  if (body === null) return null;
  const parsed = safeJsonParse(body);
  if (!isPlainObject(parsed)) {
    sendJson(res, 400, { error: "Expected a JSON object body" });
    return null;
  }
  return parsed;
}

function sendText(res: ServerResponse, status: number, text: string) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}
