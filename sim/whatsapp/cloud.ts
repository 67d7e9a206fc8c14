// WhatsApp Business Cloud API simulator (graph.facebook.com) for development and tests. It speaks
// POST /{version}/{phone-number-id}/messages with a Bearer token, answers in Graph's shapes
// ({messaging_product, contacts, messages:[{id:"wamid…"}]} or {error:{message, type, code,
// error_subcode, error_data:{details}, fbtrace_id}}), and POSTs the "messages" webhooks (statuses
// and inbound texts) signed with X-Hub-Signature-256 like Meta, so the app's Cloud API client and
// webhook handler run unchanged against it.
//
// Modelled: per-account tokens and phone number IDs; approved templates with their number of
// body parameters (132001 unknown template/language, 132000 wrong parameter count); the 24-hour
// customer service window for free text (131047, synchronously by default, or asynchronously as a
// "failed" status like Meta mostly does: POST /_sim/config {reengagement:"async"}); scripted
// outcomes per recipient. Choices where Meta's behaviour is not pinned down: missing token → 401
// code 190; rate limits answer HTTP 429; webhook delivery is 1 attempt + 2 retries 200 ms apart;
// non-ASCII in webhook bodies is \u-escaped (as Meta does; the signature is over those bytes).
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHmac, randomBytes } from "node:crypto";
import { isPlainObject, safeJsonParse } from "../json";
import { WebhookPoster, closeServer, isHttpUrl, listen, readBody, readJsonObject, sendJson, str, type WebhookDelivery } from "./http";

export type CloudTemplate = { name: string; language: string; bodyParams: number };

export type CloudAccount = {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  webhookUrl: string | null;
  approvedTemplates: CloudTemplate[];
  businessAccountId: string;
  displayPhoneNumber: string;
  /** Set by expireToken: the token answers 190/463 until the account is registered again. */
  tokenExpired: boolean;
};

export type CloudAccountInput = Omit<CloudAccount, "webhookUrl" | "approvedTemplates" | "businessAccountId" | "displayPhoneNumber" | "tokenExpired"> &
  Partial<Pick<CloudAccount, "webhookUrl" | "approvedTemplates" | "businessAccountId" | "displayPhoneNumber">>;

/**
 * What happens to messages to one recipient. delivered (default): sent, delivered; read: sent,
 * delivered, read; failed_undeliverable: a "failed" status with 131026. rate_limited_N /
 * pair_rate_limited_N / server_error_N: the next N sends answer 130429 / 131056 / HTTP 500 131000,
 * then the recipient's delivered/read/failed script applies again.
 */
export type CloudOutcome = "delivered" | "read" | "failed_undeliverable" | `rate_limited_${number}` | `pair_rate_limited_${number}` | `server_error_${number}`;

export type CloudStoredMessage = {
  id: string;
  phoneNumberId: string;
  to: string;
  type: "text" | "template";
  text: string | null;
  template: { name: string; language: string; parameters: string[] } | null;
  status: "accepted" | "sent" | "delivered" | "read" | "failed";
  errorCode: number | null;
  receivedAt: string;
};

export type CloudWebhookMeta = { phoneNumberId: string; kind: "status" | "message"; messageId: string; status?: string };
export type CloudWebhookDelivery = WebhookDelivery<CloudWebhookMeta>;

export type CloudSimConfig = {
  /** Time between a send and its "sent" status, and between later statuses. Default 50 ms. */
  statusDelayMs: number;
  /** How free text outside the 24-hour window fails: an HTTP 400 answer (default) or a "failed" status. */
  reengagement: "sync" | "async";
};

export type WhatsAppCloudSim = {
  port: number;
  baseUrl: string;
  addAccount(account: CloudAccountInput): CloudAccount;
  accounts(): CloudAccount[];
  /** The account's token answers "Session has expired" (190/463) until addAccount again. */
  expireToken(phoneNumberId: string): void;
  script(to: string, outcome: CloudOutcome): void;
  clearScripts(): void;
  /** A customer message: opens the 24-hour window and POSTs the signed webhook (awaited). */
  inbound(input: { phoneNumberId: string; from: string; text: string; name?: string; ageSeconds?: number }): Promise<{ id: string; webhook: CloudWebhookDelivery | null }>;
  messages(filter?: { to?: string; phoneNumberId?: string }): CloudStoredMessage[];
  webhooks(filter?: { phoneNumberId?: string; messageId?: string }): CloudWebhookDelivery[];
  waitForWebhook(pred: (d: CloudWebhookDelivery) => boolean, timeoutMs?: number): Promise<CloudWebhookDelivery>;
  config(): CloudSimConfig;
  configure(patch: Partial<CloudSimConfig>): CloudSimConfig;
  /** Forgets messages, webhooks, scripts and windows; keeps accounts. */
  reset(): void;
  stop(): Promise<void>;
};

type Transient = { kind: "rate_limited" | "pair_rate_limited" | "server_error"; remaining: number };
type Script = { final: "delivered" | "read" | "failed_undeliverable"; transient: Transient | null };

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_TEXT_CHARS = 4096;
const MAX_STORED = 1000;
const ERROR_CODES_URL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";
const OUTCOME = /^(delivered|read|failed_undeliverable|(rate_limited|pair_rate_limited|server_error)_(\d{1,4}))$/;

export function isCloudOutcome(value: unknown): value is CloudOutcome {
  return typeof value === "string" && OUTCOME.test(value);
}

/** "sha256=" + hex HMAC-SHA256(app secret, body), the X-Hub-Signature-256 header. */
export function signCloudWebhook(appSecret: string, body: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(body, "utf8").digest("hex")}`;
}

/** JSON with non-ASCII characters \u-escaped, as Meta serializes webhook bodies. */
function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function recipientDigits(value: unknown): string | null {
  const raw = str(value);
  if (!raw) return null;
  const digits = raw.replace(/[\s\-()]/g, "").replace(/^\+/, "");
  return /^\d{7,15}$/.test(digits) ? digits : null;
}

function newWamid(to: string): string {
  return `wamid.${Buffer.from(`HBgM${to}FQIAERgS${randomBytes(9).toString("hex").toUpperCase()}`).toString("base64")}`;
}

const unixNow = () => String(Math.floor(Date.now() / 1000));

export async function startWhatsAppCloudSim(opts: { port?: number; accounts?: CloudAccountInput[]; statusDelayMs?: number; reengagement?: "sync" | "async" } = {}): Promise<WhatsAppCloudSim> {
  const accounts = new Map<string, CloudAccount>();
  const scripts = new Map<string, Script>();
  /** `${phoneNumberId}:${customer}` → ms of the customer's last message. */
  const lastInbound = new Map<string, number>();
  let stored: CloudStoredMessage[] = [];
  const config: CloudSimConfig = { statusDelayMs: opts.statusDelayMs ?? 50, reengagement: opts.reengagement ?? "sync" };
  const poster = new WebhookPoster<CloudWebhookMeta>("whatsapp-cloud-sim");

  const addAccount = (input: CloudAccountInput): CloudAccount => {
    const account: CloudAccount = {
      phoneNumberId: input.phoneNumberId,
      accessToken: input.accessToken,
      appSecret: input.appSecret,
      webhookUrl: input.webhookUrl ?? null,
      approvedTemplates: (input.approvedTemplates ?? []).map((t) => ({ ...t })),
      businessAccountId: input.businessAccountId ?? `10${input.phoneNumberId.slice(-13).padStart(13, "0")}`,
      displayPhoneNumber: input.displayPhoneNumber ?? "254700000000",
      tokenExpired: false,
    };
    accounts.set(account.phoneNumberId, account);
    return { ...account, approvedTemplates: account.approvedTemplates.map((t) => ({ ...t })) };
  };
  for (const account of opts.accounts ?? []) addAccount(account);

  const webhookBody = (account: CloudAccount, value: Record<string, unknown>) =>
    metaJson({
      object: "whatsapp_business_account",
      entry: [
        {
          id: account.businessAccountId,
          changes: [{ value: { messaging_product: "whatsapp", metadata: { display_phone_number: account.displayPhoneNumber, phone_number_id: account.phoneNumberId }, ...value }, field: "messages" }],
        },
      ],
    });

  const signedHeaders = (account: CloudAccount, body: string) => ({
    "content-type": "application/json",
    "user-agent": "facebookexternalua",
    "x-hub-signature-256": signCloudWebhook(account.appSecret, body),
  });

  const queueStatus = (message: CloudStoredMessage, status: "sent" | "delivered" | "read" | "failed", errorCode?: number) => {
    poster.later(message.id, config.statusDelayMs, () => {
      const account = accounts.get(message.phoneNumberId);
      if (!account) return null;
      message.status = status;
      if (errorCode) message.errorCode = errorCode;
      const entry: Record<string, unknown> = { id: message.id, status, timestamp: unixNow(), recipient_id: message.to };
      if (status === "sent" || status === "delivered") {
        entry.pricing = { billable: true, pricing_model: "PMP", category: message.type === "template" ? "utility" : "service" };
      }
      if (status === "failed" && errorCode) entry.errors = [failureDetails(errorCode)];
      const body = webhookBody(account, { statuses: [entry] });
      return { url: account.webhookUrl, body, headers: signedHeaders(account, body), meta: { phoneNumberId: account.phoneNumberId, kind: "status", messageId: message.id, status } };
    });
  };

  const store = (message: CloudStoredMessage) => {
    stored.push(message);
    if (stored.length > MAX_STORED) stored = stored.slice(stored.length - MAX_STORED);
  };

  const inbound: WhatsAppCloudSim["inbound"] = async ({ phoneNumberId, from, text, name, ageSeconds }) => {
    const account = accounts.get(phoneNumberId);
    if (!account) throw new Error(`No simulated account with phone number ID ${phoneNumberId}`);
    const customer = recipientDigits(from);
    if (!customer) throw new Error(`"${from}" is not a phone number`);
    const at = Date.now() - Math.max(0, ageSeconds ?? 0) * 1000;
    lastInbound.set(`${phoneNumberId}:${customer}`, Math.max(at, lastInbound.get(`${phoneNumberId}:${customer}`) ?? 0));
    const id = newWamid(customer);
    if (!account.webhookUrl) return { id, webhook: null };
    const body = webhookBody(account, {
      contacts: [{ profile: { name: name ?? "Customer" }, wa_id: customer }],
      messages: [{ from: customer, id, timestamp: String(Math.floor(at / 1000)), type: "text", text: { body: text } }],
    });
    const webhook = await poster.post(account.webhookUrl, body, signedHeaders(account, body), { phoneNumberId, kind: "message", messageId: id });
    return { id, webhook };
  };

  const handleSend = async (req: IncomingMessage, res: ServerResponse, version: string, phoneNumberId: string) => {
    const raw = await readBody(req);
    const graphError = (http: number, code: number, message: string, extra: { type?: string; subcode?: number; details?: string } = {}) => {
      const error: Record<string, unknown> = { message, type: extra.type ?? "OAuthException", code };
      if (extra.subcode !== undefined) error.error_subcode = extra.subcode;
      if (extra.details) error.error_data = { messaging_product: "whatsapp", details: extra.details };
      error.fbtrace_id = randomBytes(12).toString("base64url");
      sendJson(res, http, { error });
    };
    if (!/^v\d{1,3}\.\d{1,2}$/.test(version)) return graphError(400, 2500, `Unknown path components: /${version}/${phoneNumberId}/messages`);

    const auth = req.headers.authorization ?? "";
    const token = auth.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : new URL(req.url ?? "/", "http://x").searchParams.get("access_token") ?? "";
    if (!token) return graphError(401, 190, "An active access token must be used to query information about the current user.");
    const account = [...accounts.values()].find((a) => a.accessToken === token);
    if (!account) return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    if (account.tokenExpired) return graphError(401, 190, "Error validating access token: Session has expired.", { subcode: 463 });
    if (account.phoneNumberId !== phoneNumberId) {
      return graphError(400, 100, `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { type: "GraphMethodException", subcode: 33 });
    }
    if (raw === null) return graphError(400, 100, "(#100) Invalid parameter", { details: "Request body too large" });
    const body = safeJsonParse(raw);
    if (!isPlainObject(body)) return graphError(400, 100, "(#100) Invalid parameter", { details: "The request body must be a JSON object" });
    if (body.messaging_product !== "whatsapp") return graphError(400, 100, "(#100) The parameter messaging_product is required.");
    if (body.to === undefined || body.to === "") return graphError(400, 100, "(#100) The parameter to is required.");
    const to = recipientDigits(body.to);
    if (!to) return graphError(400, 100, "(#100) Invalid parameter", { details: "Parameter 'to' is not a valid phone number" });

    const script = scripts.get(to);
    if (script?.transient && script.transient.remaining > 0) {
      const { kind } = script.transient;
      script.transient.remaining -= 1;
      if (script.transient.remaining === 0) script.transient = null;
      if (kind === "rate_limited") return graphError(429, 130429, "(#130429) Rate limit hit", { details: "Cloud API message throughput has been reached." });
      if (kind === "pair_rate_limited") return graphError(429, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit", { details: "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time." });
      return graphError(500, 131000, "(#131000) Something went wrong", { details: "Something went wrong" });
    }

    const type = body.type === undefined ? "text" : body.type;
    let message: CloudStoredMessage;
    let reengagementFailure = false;
    if (type === "text") {
      const text = isPlainObject(body.text) && typeof body.text.body === "string" ? body.text.body : "";
      if (!text.trim()) return graphError(400, 100, "(#100) The parameter text['body'] is required.");
      if (text.length > MAX_TEXT_CHARS) return graphError(400, 100, "(#100) Param text['body'] must be at most 4096 characters long.");
      const last = lastInbound.get(`${phoneNumberId}:${to}`);
      const windowOpen = last !== undefined && Date.now() - last < WINDOW_MS;
      if (!windowOpen) {
        if (config.reengagement === "sync") {
          return graphError(400, 131047, "(#131047) Re-engagement message", { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." });
        }
        reengagementFailure = true;
      }
      message = { id: newWamid(to), phoneNumberId, to, type: "text", text, template: null, status: "accepted", errorCode: null, receivedAt: new Date().toISOString() };
    } else if (type === "template") {
      const template = isPlainObject(body.template) ? body.template : null;
      const name = str(template?.name) ?? "";
      const language = template && isPlainObject(template.language) ? (str(template.language.code) ?? "") : "";
      if (!name) return graphError(400, 100, "(#100) The parameter template['name'] is required.");
      if (!language) return graphError(400, 100, "(#100) The parameter template['language']['code'] is required.");
      const approved = account.approvedTemplates.find((t) => t.name === name && t.language === language);
      if (!approved) return graphError(404, 132001, "(#132001) Template name does not exist in the translation", { details: `template name (${name}) does not exist in ${language}` });
      const components = Array.isArray(template?.components) ? template.components : [];
      const bodyComponent = components.find((c) => isPlainObject(c) && c.type === "body");
      const params = isPlainObject(bodyComponent) && Array.isArray(bodyComponent.parameters) ? bodyComponent.parameters : [];
      const values: string[] = [];
      for (const param of params) {
        if (!isPlainObject(param) || param.type !== "text" || typeof param.text !== "string" || !param.text.trim()) {
          return graphError(400, 131008, "(#131008) Required parameter is missing", { details: "Each body parameter needs type \"text\" and a non-empty text." });
        }
        values.push(param.text);
      }
      if (values.length !== approved.bodyParams) {
        return graphError(400, 132000, "(#132000) Number of parameters does not match the expected number of params", {
          details: `body: number of localizable_params (${values.length}) does not match the expected number of params (${approved.bodyParams})`,
        });
      }
      message = { id: newWamid(to), phoneNumberId, to, type: "template", text: null, template: { name, language, parameters: values }, status: "accepted", errorCode: null, receivedAt: new Date().toISOString() };
    } else {
      return graphError(400, 100, "(#100) Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}");
    }

    store(message);
    const answer: Record<string, unknown> = {
      messaging_product: "whatsapp",
      contacts: [{ input: String(body.to), wa_id: to }],
      messages: [message.type === "template" ? { id: message.id, message_status: "accepted" } : { id: message.id }],
    };
    sendJson(res, 200, answer);

    const final = script?.final ?? "delivered";
    if (reengagementFailure) queueStatus(message, "failed", 131047);
    else if (final === "failed_undeliverable") queueStatus(message, "failed", 131026);
    else {
      queueStatus(message, "sent");
      queueStatus(message, "delivered");
      if (final === "read") queueStatus(message, "read");
    }
  };

  const setScript = (to: string, outcome: CloudOutcome) => {
    const match = OUTCOME.exec(outcome);
    if (!match) throw new Error(`Unknown outcome ${outcome}`);
    const current = scripts.get(to) ?? { final: "delivered", transient: null };
    if (match[2]) current.transient = { kind: match[2] as Transient["kind"], remaining: Number(match[3]) };
    else current.final = outcome as Script["final"];
    scripts.set(to, current);
  };

  const messages = (filter?: { to?: string; phoneNumberId?: string }) =>
    stored
      .filter((m) => (!filter?.to || m.to === recipientDigits(filter.to)) && (!filter?.phoneNumberId || m.phoneNumberId === filter.phoneNumberId))
      .map((m) => ({ ...m, template: m.template ? { ...m.template, parameters: [...m.template.parameters] } : null }))
      .reverse();

  const configure = (patch: Partial<CloudSimConfig>) => {
    if (patch.statusDelayMs !== undefined) config.statusDelayMs = patch.statusDelayMs;
    if (patch.reengagement !== undefined) config.reengagement = patch.reengagement;
    return { ...config };
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL, path: string) => {
    const route = `${req.method ?? "GET"} ${path}`;
    switch (route) {
      case "GET /_sim/accounts":
        return sendJson(res, 200, sim.accounts());
      case "POST /_sim/accounts": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const phoneNumberId = str(body.phoneNumberId);
        const accessToken = str(body.accessToken);
        const appSecret = str(body.appSecret);
        if (!phoneNumberId || !/^\d{1,25}$/.test(phoneNumberId) || !accessToken || !appSecret) {
          return sendJson(res, 400, { error: "Expected { phoneNumberId: digits, accessToken, appSecret, webhookUrl?, approvedTemplates?: [{ name, language, bodyParams }] }" });
        }
        if (body.webhookUrl !== undefined && body.webhookUrl !== null && !isHttpUrl(body.webhookUrl)) return sendJson(res, 400, { error: "webhookUrl must be an http(s) URL or null" });
        const templates: CloudTemplate[] = [];
        if (body.approvedTemplates !== undefined) {
          if (!Array.isArray(body.approvedTemplates)) return sendJson(res, 400, { error: "approvedTemplates must be a list" });
          for (const t of body.approvedTemplates) {
            const name = isPlainObject(t) ? str(t.name) : undefined;
            const language = isPlainObject(t) ? (str(t.language) ?? "en") : undefined;
            const bodyParams = isPlainObject(t) ? (t.bodyParams ?? 0) : undefined;
            if (!name || !language || typeof bodyParams !== "number" || !Number.isInteger(bodyParams) || bodyParams < 0) {
              return sendJson(res, 400, { error: "Each template needs { name, language, bodyParams: whole number ≥ 0 }" });
            }
            templates.push({ name, language, bodyParams });
          }
        }
        const account = addAccount({
          phoneNumberId,
          accessToken,
          appSecret,
          webhookUrl: (body.webhookUrl as string | null | undefined) ?? null,
          approvedTemplates: templates,
          businessAccountId: str(body.businessAccountId),
          displayPhoneNumber: str(body.displayPhoneNumber),
        });
        return sendJson(res, 201, account);
      }
      case "POST /_sim/accounts/expire-token": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const phoneNumberId = str(body.phoneNumberId);
        if (!phoneNumberId || !accounts.has(phoneNumberId)) return sendJson(res, 404, { error: "Unknown phoneNumberId" });
        sim.expireToken(phoneNumberId);
        return sendJson(res, 204, null);
      }
      case "POST /_sim/inbound": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const phoneNumberId = str(body.phoneNumberId);
        const from = str(body.from);
        const text = typeof body.text === "string" ? body.text : undefined;
        const ageSeconds = body.ageSeconds === undefined ? 0 : body.ageSeconds;
        if (!phoneNumberId || !accounts.has(phoneNumberId) || !from || !recipientDigits(from) || text === undefined || typeof ageSeconds !== "number" || !(ageSeconds >= 0)) {
          return sendJson(res, 400, { error: "Expected { phoneNumberId (registered), from: phone digits, text, name?, ageSeconds?: number ≥ 0 }" });
        }
        const result = await inbound({ phoneNumberId, from, text, name: str(body.name), ageSeconds });
        return sendJson(res, 200, { id: result.id, webhook: result.webhook ? { url: result.webhook.url, status: result.webhook.status, error: result.webhook.error } : null });
      }
      case "POST /_sim/script": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const to = recipientDigits(body.to);
        if (!to || !isCloudOutcome(body.outcome)) {
          return sendJson(res, 400, { error: "Expected { to: phone digits, outcome: delivered | read | failed_undeliverable | rate_limited_N | pair_rate_limited_N | server_error_N }" });
        }
        setScript(to, body.outcome);
        return sendJson(res, 200, { to, ...scripts.get(to) });
      }
      case "DELETE /_sim/script":
        scripts.clear();
        return sendJson(res, 204, null);
      case "GET /_sim/messages":
        return sendJson(res, 200, messages({ to: url.searchParams.get("to") ?? undefined, phoneNumberId: url.searchParams.get("phoneNumberId") ?? undefined }));
      case "DELETE /_sim/messages":
        stored = [];
        return sendJson(res, 204, null);
      case "GET /_sim/webhooks":
        return sendJson(res, 200, sim.webhooks({ phoneNumberId: url.searchParams.get("phoneNumberId") ?? undefined, messageId: url.searchParams.get("messageId") ?? undefined }));
      case "GET /_sim/config":
        return sendJson(res, 200, { ...config });
      case "POST /_sim/config": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const { statusDelayMs, reengagement } = body;
        if (statusDelayMs !== undefined && !(typeof statusDelayMs === "number" && Number.isFinite(statusDelayMs) && statusDelayMs >= 0)) return sendJson(res, 400, { error: "statusDelayMs must be a number ≥ 0" });
        if (reengagement !== undefined && reengagement !== "sync" && reengagement !== "async") return sendJson(res, 400, { error: 'reengagement must be "sync" or "async"' });
        return sendJson(res, 200, configure({ statusDelayMs: statusDelayMs as number | undefined, reengagement: reengagement as CloudSimConfig["reengagement"] | undefined }));
      }
      case "POST /_sim/reset":
        sim.reset();
        return sendJson(res, 204, null);
      default:
        await readBody(req);
        return sendJson(res, 404, { error: `No route for ${route}` });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      await readBody(req);
      return sendJson(res, 400, { error: { message: "Malformed request URL", type: "OAuthException", code: 2500 } });
    }
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path.startsWith("/_sim/")) return handleControl(req, res, url, path);
    const match = /^\/([^/]+)\/([^/]+)\/messages$/.exec(path);
    if (match && req.method === "POST") return handleSend(req, res, decodeURIComponent(match[1] ?? ""), decodeURIComponent(match[2] ?? ""));
    await readBody(req);
    return sendJson(res, 400, { error: { message: `Unknown path components: ${path}`, type: "OAuthException", code: 2500, fbtrace_id: randomBytes(12).toString("base64url") } });
  };

  const { server, port } = await listen(opts.port ?? 0, handle, (res, err) =>
    sendJson(res, 500, { error: { message: `(#131000) Something went wrong: ${err instanceof Error ? err.message : String(err)}`, type: "OAuthException", code: 131000 } }),
  );

  const sim: WhatsAppCloudSim = {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    addAccount,
    accounts: () => [...accounts.values()].map((a) => ({ ...a, approvedTemplates: a.approvedTemplates.map((t) => ({ ...t })) })),
    expireToken(phoneNumberId) {
      const account = accounts.get(phoneNumberId);
      if (account) account.tokenExpired = true;
    },
    script(to, outcome) {
      const digits = recipientDigits(to);
      if (!digits) throw new Error(`"${to}" is not a phone number`);
      setScript(digits, outcome);
    },
    clearScripts: () => scripts.clear(),
    inbound,
    messages,
    webhooks: (filter) => poster.deliveries((d) => (!filter?.phoneNumberId || d.meta.phoneNumberId === filter.phoneNumberId) && (!filter?.messageId || d.meta.messageId === filter.messageId)),
    waitForWebhook: (pred, timeoutMs) => poster.waitFor(pred, timeoutMs),
    config: () => ({ ...config }),
    configure,
    reset() {
      poster.cancel();
      poster.clear();
      scripts.clear();
      lastInbound.clear();
      stored = [];
    },
    async stop() {
      poster.stop();
      await closeServer(server);
    },
  };
  return sim;
}

function failureDetails(code: number): Record<string, unknown> {
  if (code === 131047) {
    return {
      code,
      title: "Re-engagement message",
      message: "Re-engagement message",
      error_data: { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
      href: ERROR_CODES_URL,
    };
  }
  return { code, title: "Message undeliverable", message: "Message undeliverable", error_data: { details: "Message Undeliverable." }, href: ERROR_CODES_URL };
}
