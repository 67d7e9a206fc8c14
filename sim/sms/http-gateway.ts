// A generic HTTP SMS gateway simulator, for the app's "Other SMS gateway (HTTP)" provider. Any
// path outside /_sim/ is the send endpoint; it takes GET (query) or POST (form or JSON) with any
// parameter names, records each request, and answers {"status":"ok","data":{"id":"…"}}, or what a
// script says: HTTP errors, a 200 {"status":"error","message":"…"}, or no answer at all (hang).
// Optionally it demands an API key in a header or a parameter, and named parameters.
//
// Control API: GET/DELETE /_sim/messages, POST /_sim/script {mode, times?, status?, message?},
// POST /_sim/config {apiKey?: {in, name, value} | null, requiredParams?: string[]}.
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, readBody, readJsonObject, requestFields, requestUrl, sendJson, sendText } from "./shared";

export type HttpGatewayScript =
  | { mode: "ok" }
  /** Answer this HTTP status (default 500). */
  | { mode: "http_error"; status?: number; times?: number }
  /** Answer 200 {"status":"error","message": message}. */
  | { mode: "error"; message?: string; times?: number }
  /** Never answer (until the simulator stops): for client timeouts. */
  | { mode: "hang"; times?: number };

export type HttpGatewayApiKey = { in: "header" | "param"; name: string; value: string };

export type HttpGatewayRequest = {
  /** The id answered, when the message was accepted. */
  id: string | null;
  method: string;
  path: string;
  contentType: string | null;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Query and body fields together (the body wins). */
  fields: Record<string, string>;
  body: string;
  outcome: "ok" | "error" | "http_error" | "hang" | "unauthorized" | "bad_request";
  receivedAt: string;
};

export type HttpGatewaySim = {
  port: number;
  baseUrl: string;
  /** A ready send URL (any path works). */
  sendUrl: string;
  /** Requests to the send endpoint, newest first. */
  messages(): HttpGatewayRequest[];
  clear(): void;
  script(script: HttpGatewayScript): void;
  configure(opts: { apiKey?: HttpGatewayApiKey | null; requiredParams?: string[] }): void;
  stop(): Promise<void>;
};

export type HttpGatewaySimOptions = { port?: number; apiKey?: HttpGatewayApiKey; requiredParams?: string[] };

const MODES = ["ok", "http_error", "error", "hang"] as const;
const MAX_STORED = 1000;

export async function startHttpGatewaySim(opts: HttpGatewaySimOptions = {}): Promise<HttpGatewaySim> {
  let apiKey: HttpGatewayApiKey | null = opts.apiKey ?? null;
  let requiredParams: string[] = opts.requiredParams ?? [];
  let script: { mode: Exclude<HttpGatewayScript["mode"], "ok">; status: number; message: string; remaining: number | null } | null = null;
  let stored: HttpGatewayRequest[] = [];
  let seq = 0;
  const hanging = new Set<ServerResponse>();

  const setScript = (s: HttpGatewayScript) => {
    if (s.mode === "ok") script = null;
    else
      script = {
        mode: s.mode,
        status: s.mode === "http_error" ? (s.status ?? 500) : 200,
        message: s.mode === "error" ? (s.message ?? "Message rejected") : "",
        remaining: s.times ?? null,
      };
  };

  const handleSend = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const body = await readBody(req, res);
    if (body === null) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
    const fields = requestFields(url, body, req.headers["content-type"]);
    const entry: HttpGatewayRequest = {
      id: null,
      method: req.method ?? "GET",
      path: url.pathname,
      contentType: req.headers["content-type"] ?? null,
      headers,
      query: Object.fromEntries(url.searchParams),
      fields: fields ?? {},
      body,
      outcome: "ok",
      receivedAt: new Date().toISOString(),
    };
    stored.push(entry);
    if (stored.length > MAX_STORED) stored = stored.slice(stored.length - MAX_STORED);

    if (!fields) {
      entry.outcome = "bad_request";
      sendJson(res, 400, { status: "error", message: "Malformed body" });
      return;
    }
    if (apiKey) {
      const given = apiKey.in === "header" ? headers[apiKey.name.toLowerCase()] : fields[apiKey.name];
      if (given !== apiKey.value) {
        entry.outcome = "unauthorized";
        sendJson(res, 401, { status: "error", message: "Invalid API key" });
        return;
      }
    }
    const missing = requiredParams.filter((p) => !fields[p]);
    if (missing.length > 0) {
      entry.outcome = "bad_request";
      sendJson(res, 400, { status: "error", message: `Missing parameter(s): ${missing.join(", ")}` });
      return;
    }
    if (script) {
      const current = script;
      if (current.remaining !== null) {
        current.remaining -= 1;
        if (current.remaining <= 0) script = null;
      }
      entry.outcome = current.mode;
      if (current.mode === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      if (current.mode === "http_error") {
        sendText(res, current.status, current.status >= 500 ? "Internal Server Error" : "Error");
        return;
      }
      sendJson(res, 200, { status: "error", message: current.message });
      return;
    }
    seq += 1;
    entry.id = `gw-${String(seq).padStart(6, "0")}`;
    sendJson(res, 200, { status: "ok", data: { id: entry.id } });
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    if (!url) {
      req.resume();
      sendJson(res, 404, { error: "Malformed request URL" });
      return;
    }
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "");
    if (!path.startsWith("/_sim/")) {
      if (method !== "GET" && method !== "POST") {
        req.resume();
        sendJson(res, 405, { status: "error", message: "GET or POST" });
        return;
      }
      await handleSend(req, res, url);
    } else if (path === "/_sim/messages" && method === "GET") {
      sendJson(res, 200, [...stored].reverse());
    } else if (path === "/_sim/messages" && method === "DELETE") {
      stored = [];
      res.writeHead(204).end();
    } else if (path === "/_sim/script" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { mode, times, status, message } = body;
      const validTimes = times === undefined || (typeof times === "number" && Number.isInteger(times) && times > 0);
      const validStatus = status === undefined || (typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599);
      if (!MODES.includes(mode as (typeof MODES)[number]) || !validTimes || !validStatus || (message !== undefined && typeof message !== "string")) {
        sendJson(res, 400, { error: `Expected { mode: ${MODES.join(" | ")}, times?: positive integer, status?: 400..599, message?: string }` });
        return;
      }
      setScript(body as HttpGatewayScript);
      sendJson(res, 200, { script });
    } else if (path === "/_sim/config" && method === "POST") {
      const body = await readJsonObject(req, res);
      if (!body) return;
      const { apiKey: key, requiredParams: required } = body;
      const validKey =
        key === undefined ||
        key === null ||
        (typeof key === "object" && !Array.isArray(key) && ["header", "param"].includes((key as Record<string, unknown>).in as string) && typeof (key as Record<string, unknown>).name === "string" && typeof (key as Record<string, unknown>).value === "string");
      if (!validKey || (required !== undefined && !(Array.isArray(required) && required.every((p) => typeof p === "string")))) {
        sendJson(res, 400, { error: "Expected { apiKey?: { in: header | param, name, value } | null, requiredParams?: string[] }" });
        return;
      }
      if (key !== undefined) apiKey = key as HttpGatewayApiKey | null;
      if (required !== undefined) requiredParams = required as string[];
      sendJson(res, 200, { apiKey: apiKey ? { in: apiKey.in, name: apiKey.name } : null, requiredParams });
    } else {
      req.resume();
      sendJson(res, 404, { error: `No route for ${method} ${url.pathname}` });
    }
  };

  const http = await listen(opts.port, route);
  const baseUrl = `http://127.0.0.1:${http.port}`;

  return {
    port: http.port,
    baseUrl,
    sendUrl: `${baseUrl}/api/send`,
    messages: () => [...stored].reverse().map((m) => ({ ...m })),
    clear() {
      stored = [];
    },
    script: setScript,
    configure(update) {
      if (update.apiKey !== undefined) apiKey = update.apiKey;
      if (update.requiredParams !== undefined) requiredParams = update.requiredParams;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      await http.close();
    },
  };
}
