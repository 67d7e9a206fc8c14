// UltraMsg WhatsApp gateway simulator (api.ultramsg.com) for development and tests. It speaks
// POST /{instanceId}/messages/chat (form or JSON; token in the body or the query string), answers
// {"sent":"true","message":"ok","id":N} or {"error": …}, and POSTs the instance's webhooks:
// "message_ack" (ack server → device → read) for sent messages and "message_received" for
// customer messages, so the app's UltraMsg client and webhook handler run unchanged against it.
//
// Choices where UltraMsg's behaviour is not pinned down: refusals answer HTTP 200 with {"error":…}
// (a string for token/instance problems, a list of {field: message} for bad input); an unknown
// instance answers 404; webhooks carry the UltraMsg message id as the top-level "id" and
// WhatsApp's id as data.id; webhook delivery is 1 attempt + 2 retries 200 ms apart.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { WebhookPoster, closeServer, formFields, isHttpUrl, listen, readBody, readJsonObject, sendJson, sendText, str, type WebhookDelivery } from "./http";

export type UltraMsgInstance = {
  /** As in the URL, e.g. "instance12345". */
  instanceId: string;
  token: string;
  webhookUrl: string | null;
  /** The linked WhatsApp number (the "from" of sent messages). */
  phone: string;
  /** False: the phone is logged out (QR not scanned); sends are refused. */
  authenticated: boolean;
};

export type UltraMsgInstanceInput = Pick<UltraMsgInstance, "instanceId" | "token"> & Partial<Omit<UltraMsgInstance, "instanceId" | "token">>;

/**
 * delivered (default): acks server, device; read: server, device, read; invalid_number: refused
 * as not a WhatsApp number. rate_limited_N / server_error_N: the next N sends answer HTTP 429 /
 * HTTP 502, then the delivered/read/invalid_number script applies again.
 */
export type UltraMsgOutcome = "delivered" | "read" | "invalid_number" | `rate_limited_${number}` | `server_error_${number}`;

export type UltraMsgStoredMessage = {
  id: number;
  /** WhatsApp's id, as data.id in webhooks. */
  waId: string;
  instanceId: string;
  to: string;
  body: string;
  ack: "pending" | "server" | "device" | "read";
  receivedAt: string;
};

export type UltraMsgWebhookMeta = { instanceId: string; eventType: "message_ack" | "message_received"; messageId: string; ack?: string };
export type UltraMsgWebhookDelivery = WebhookDelivery<UltraMsgWebhookMeta>;

export type UltraMsgSimConfig = { ackDelayMs: number };

export type UltraMsgSim = {
  port: number;
  baseUrl: string;
  addInstance(instance: UltraMsgInstanceInput): UltraMsgInstance;
  instances(): UltraMsgInstance[];
  script(to: string, outcome: UltraMsgOutcome): void;
  clearScripts(): void;
  /** A customer message to the instance's number: POSTs "message_received" (awaited). */
  inbound(input: { instanceId: string; from: string; text: string; name?: string }): Promise<{ id: string; webhook: UltraMsgWebhookDelivery | null }>;
  messages(filter?: { to?: string; instanceId?: string }): UltraMsgStoredMessage[];
  webhooks(filter?: { instanceId?: string; messageId?: string }): UltraMsgWebhookDelivery[];
  waitForWebhook(pred: (d: UltraMsgWebhookDelivery) => boolean, timeoutMs?: number): Promise<UltraMsgWebhookDelivery>;
  config(): UltraMsgSimConfig;
  configure(patch: Partial<UltraMsgSimConfig>): UltraMsgSimConfig;
  /** Forgets messages, webhooks and scripts; keeps instances. */
  reset(): void;
  stop(): Promise<void>;
};

type Transient = { kind: "rate_limited" | "server_error"; remaining: number };
type Script = { final: "delivered" | "read" | "invalid_number"; transient: Transient | null };

const OUTCOME = /^(delivered|read|invalid_number|(rate_limited|server_error)_(\d{1,4}))$/;
const MAX_STORED = 1000;
const MAX_BODY_CHARS = 4096;

export function isUltraMsgOutcome(value: unknown): value is UltraMsgOutcome {
  return typeof value === "string" && OUTCOME.test(value);
}

function instanceKey(value: unknown): string | null {
  const raw = str(value)?.toLowerCase() ?? "";
  const digits = raw.startsWith("instance") ? raw.slice(8) : raw;
  return /^\d{1,12}$/.test(digits) ? `instance${digits}` : null;
}

/** "254712345678" from "+254712345678", "254712345678" or "254712345678@c.us". */
function phoneOf(value: unknown): string | null {
  const raw = (str(value) ?? "").replace(/@c\.us$/i, "").replace(/[\s\-()]/g, "").replace(/^\+/, "");
  return /^\d{7,15}$/.test(raw) ? raw : null;
}

export async function startUltraMsgSim(opts: { port?: number; instances?: UltraMsgInstanceInput[]; ackDelayMs?: number } = {}): Promise<UltraMsgSim> {
  const instances = new Map<string, UltraMsgInstance>();
  const scripts = new Map<string, Script>();
  let stored: UltraMsgStoredMessage[] = [];
  let nextId = 1000 + Math.floor(Math.random() * 9000);
  const config: UltraMsgSimConfig = { ackDelayMs: opts.ackDelayMs ?? 50 };
  const poster = new WebhookPoster<UltraMsgWebhookMeta>("ultramsg-sim");

  const addInstance = (input: UltraMsgInstanceInput): UltraMsgInstance => {
    const key = instanceKey(input.instanceId);
    if (!key) throw new Error(`"${input.instanceId}" is not an UltraMsg instance ID (instance12345)`);
    const instance: UltraMsgInstance = {
      instanceId: key,
      token: input.token,
      webhookUrl: input.webhookUrl ?? null,
      phone: input.phone ?? "254700000001",
      authenticated: input.authenticated ?? true,
    };
    instances.set(key, instance);
    return { ...instance };
  };
  for (const instance of opts.instances ?? []) addInstance(instance);

  const webhookPayload = (instance: UltraMsgInstance, eventType: string, topId: string, data: Record<string, unknown>) => {
    const payload = { event_type: eventType, instanceId: instance.instanceId.slice(8), id: topId, referenceId: "", hash: "", data };
    payload.hash = createHash("md5").update(JSON.stringify(data)).digest("hex");
    return JSON.stringify(payload);
  };

  const queueAck = (message: UltraMsgStoredMessage, ack: "server" | "device" | "read") => {
    poster.later(String(message.id), config.ackDelayMs, () => {
      const instance = instances.get(message.instanceId);
      if (!instance) return null;
      message.ack = ack;
      const body = webhookPayload(instance, "message_ack", String(message.id), {
        id: message.waId,
        from: `${instance.phone}@c.us`,
        to: `${message.to}@c.us`,
        author: "",
        pushname: "",
        ack,
        type: "chat",
        body: message.body,
        media: "",
        fromMe: true,
        self: false,
        isForwarded: false,
        isMentioned: false,
        quotedMsg: {},
        mentionedIds: [],
        time: Math.floor(Date.now() / 1000),
      });
      return { url: instance.webhookUrl, body, headers: { "content-type": "application/json" }, meta: { instanceId: instance.instanceId, eventType: "message_ack", messageId: String(message.id), ack } };
    });
  };

  const inbound: UltraMsgSim["inbound"] = async ({ instanceId, from, text, name }) => {
    const key = instanceKey(instanceId);
    const instance = key ? instances.get(key) : undefined;
    if (!instance) throw new Error(`No simulated UltraMsg instance ${instanceId}`);
    const customer = phoneOf(from);
    if (!customer) throw new Error(`"${from}" is not a phone number`);
    const id = `false_${customer}@c.us_${randomBytes(10).toString("hex").toUpperCase()}`;
    if (!instance.webhookUrl) return { id, webhook: null };
    const body = webhookPayload(instance, "message_received", "", {
      id,
      from: `${customer}@c.us`,
      to: `${instance.phone}@c.us`,
      author: "",
      pushname: name ?? "Customer",
      ack: "",
      type: "chat",
      body: text,
      media: "",
      fromMe: false,
      self: false,
      isForwarded: false,
      isMentioned: false,
      quotedMsg: {},
      mentionedIds: [],
      time: Math.floor(Date.now() / 1000),
    });
    const webhook = await poster.post(instance.webhookUrl, body, { "content-type": "application/json" }, { instanceId: instance.instanceId, eventType: "message_received", messageId: id });
    return { id, webhook };
  };

  const handleChat = async (req: IncomingMessage, res: ServerResponse, url: URL, rawInstance: string) => {
    const raw = await readBody(req);
    const key = instanceKey(rawInstance);
    const instance = key ? instances.get(key) : undefined;
    if (!instance) return sendJson(res, 404, { error: "instance not found" });
    if (raw === null) return sendJson(res, 413, { error: "Request body too large" });
    const fields = formFields(raw, req.headers["content-type"], url.searchParams);
    if (!fields) return sendJson(res, 200, { error: "Invalid request body" });
    if (!fields.token) return sendJson(res, 200, { error: "Wrong token. Please provide token as a GET parameter." });
    if (fields.token !== instance.token) return sendJson(res, 200, { error: "Wrong token. Please provide token as a GET parameter." });
    if (!instance.authenticated) return sendJson(res, 200, { error: "instance not authenticated. Please scan the QR code from your phone." });
    const problems: Array<Record<string, string>> = [];
    const to = phoneOf(fields.to);
    if (!fields.to) problems.push({ to: "The to field is required." });
    else if (!to) problems.push({ to: "The to field must be a phone number in international format, e.g. +14155552671, or a chat ID." });
    const body = fields.body ?? "";
    if (!body.trim()) problems.push({ body: "The body field is required." });
    else if (body.length > MAX_BODY_CHARS) problems.push({ body: `The body may not be greater than ${MAX_BODY_CHARS} characters.` });
    if (problems.length > 0 || !to) return sendJson(res, 200, { error: problems });

    const script = scripts.get(to);
    if (script?.transient && script.transient.remaining > 0) {
      const { kind } = script.transient;
      script.transient.remaining -= 1;
      if (script.transient.remaining === 0) script.transient = null;
      if (kind === "rate_limited") return sendJson(res, 429, { error: "Too many requests, please slow down." });
      return sendText(res, 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>", "text/html");
    }
    const final = script?.final ?? "delivered";
    if (final === "invalid_number") return sendJson(res, 200, { error: [{ to: `${to} is not a valid WhatsApp number.` }] });

    const message: UltraMsgStoredMessage = {
      id: nextId++,
      waId: `true_${to}@c.us_${randomBytes(10).toString("hex").toUpperCase()}`,
      instanceId: instance.instanceId,
      to,
      body,
      ack: "pending",
      receivedAt: new Date().toISOString(),
    };
    stored.push(message);
    if (stored.length > MAX_STORED) stored = stored.slice(stored.length - MAX_STORED);
    sendJson(res, 200, { sent: "true", message: "ok", id: message.id });
    queueAck(message, "server");
    queueAck(message, "device");
    if (final === "read") queueAck(message, "read");
  };

  const setScript = (to: string, outcome: UltraMsgOutcome) => {
    const match = OUTCOME.exec(outcome);
    if (!match) throw new Error(`Unknown outcome ${outcome}`);
    const current = scripts.get(to) ?? { final: "delivered", transient: null };
    if (match[2]) current.transient = { kind: match[2] as Transient["kind"], remaining: Number(match[3]) };
    else current.final = outcome as Script["final"];
    scripts.set(to, current);
  };

  const messages = (filter?: { to?: string; instanceId?: string }) => {
    const to = filter?.to ? phoneOf(filter.to) : null;
    const instance = filter?.instanceId ? instanceKey(filter.instanceId) : null;
    return stored.filter((m) => (!to || m.to === to) && (!instance || m.instanceId === instance)).map((m) => ({ ...m })).reverse();
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL, path: string) => {
    const route = `${req.method ?? "GET"} ${path}`;
    switch (route) {
      case "GET /_sim/instances":
        return sendJson(res, 200, sim.instances());
      case "POST /_sim/instances": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const instanceId = instanceKey(body.instanceId);
        const token = str(body.token);
        if (!instanceId || !token) return sendJson(res, 400, { error: "Expected { instanceId: \"instance12345\", token, webhookUrl?, phone?, authenticated?: boolean }" });
        if (body.webhookUrl !== undefined && body.webhookUrl !== null && !isHttpUrl(body.webhookUrl)) return sendJson(res, 400, { error: "webhookUrl must be an http(s) URL or null" });
        if (body.authenticated !== undefined && typeof body.authenticated !== "boolean") return sendJson(res, 400, { error: "authenticated must be a boolean" });
        const phone = body.phone === undefined ? undefined : phoneOf(body.phone);
        if (phone === null) return sendJson(res, 400, { error: "phone must be digits in international format" });
        return sendJson(res, 201, addInstance({ instanceId, token, webhookUrl: (body.webhookUrl as string | null | undefined) ?? null, phone, authenticated: body.authenticated as boolean | undefined }));
      }
      case "POST /_sim/inbound": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const key = instanceKey(body.instanceId);
        const from = phoneOf(body.from);
        if (!key || !instances.has(key) || !from || typeof body.text !== "string") return sendJson(res, 400, { error: "Expected { instanceId (registered), from: phone, text, name? }" });
        const result = await inbound({ instanceId: key, from, text: body.text, name: str(body.name) });
        return sendJson(res, 200, { id: result.id, webhook: result.webhook ? { url: result.webhook.url, status: result.webhook.status, error: result.webhook.error } : null });
      }
      case "POST /_sim/script": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const to = phoneOf(body.to);
        if (!to || !isUltraMsgOutcome(body.outcome)) return sendJson(res, 400, { error: "Expected { to: phone, outcome: delivered | read | invalid_number | rate_limited_N | server_error_N }" });
        setScript(to, body.outcome);
        return sendJson(res, 200, { to, ...scripts.get(to) });
      }
      case "DELETE /_sim/script":
        scripts.clear();
        return sendJson(res, 204, null);
      case "GET /_sim/messages":
        return sendJson(res, 200, messages({ to: url.searchParams.get("to") ?? undefined, instanceId: url.searchParams.get("instanceId") ?? undefined }));
      case "DELETE /_sim/messages":
        stored = [];
        return sendJson(res, 204, null);
      case "GET /_sim/webhooks":
        return sendJson(res, 200, sim.webhooks({ instanceId: url.searchParams.get("instanceId") ?? undefined, messageId: url.searchParams.get("messageId") ?? undefined }));
      case "GET /_sim/config":
        return sendJson(res, 200, { ...config });
      case "POST /_sim/config": {
        const body = await readJsonObject(req, res);
        if (!body) return;
        const { ackDelayMs } = body;
        if (ackDelayMs !== undefined && !(typeof ackDelayMs === "number" && Number.isFinite(ackDelayMs) && ackDelayMs >= 0)) return sendJson(res, 400, { error: "ackDelayMs must be a number ≥ 0" });
        return sendJson(res, 200, sim.configure({ ackDelayMs: ackDelayMs as number | undefined }));
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
      return sendJson(res, 404, { error: "Malformed request URL" });
    }
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path.startsWith("/_sim/")) return handleControl(req, res, url, path);
    const match = /^\/([^/]+)\/messages\/chat$/.exec(path);
    if (match && req.method === "POST") return handleChat(req, res, url, decodeURIComponent(match[1] ?? ""));
    await readBody(req);
    return sendJson(res, 404, { error: `No route for ${req.method ?? "GET"} ${path}` });
  };

  const { server, port } = await listen(opts.port ?? 0, handle, (res, err) => sendJson(res, 500, { error: err instanceof Error ? err.message : "internal error" }));

  const sim: UltraMsgSim = {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    addInstance,
    instances: () => [...instances.values()].map((i) => ({ ...i })),
    script(to, outcome) {
      const digits = phoneOf(to);
      if (!digits) throw new Error(`"${to}" is not a phone number`);
      setScript(digits, outcome);
    },
    clearScripts: () => scripts.clear(),
    inbound,
    messages,
    webhooks: (filter) => {
      const instance = filter?.instanceId ? instanceKey(filter.instanceId) : null;
      return poster.deliveries((d) => (!instance || d.meta.instanceId === instance) && (!filter?.messageId || d.meta.messageId === filter.messageId));
    },
    waitForWebhook: (pred, timeoutMs) => poster.waitFor(pred, timeoutMs),
    config: () => ({ ...config }),
    configure(patch) {
      if (patch.ackDelayMs !== undefined) config.ackDelayMs = patch.ackDelayMs;
      return { ...config };
    },
    reset() {
      poster.cancel();
      poster.clear();
      scripts.clear();
      stored = [];
    },
    async stop() {
      poster.stop();
      await closeServer(server);
    },
  };
  return sim;
}
