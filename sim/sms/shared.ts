// HTTP plumbing the SMS gateway simulators (advanta.ts, http-gateway.ts) share. Nothing here
// throws on what a client sends.
import type { IncomingMessage, ServerResponse } from "node:http";
import { safeJsonParse, isPlainObject } from "../json";
import { sendJson, sendText } from "../http";

export { isHttpUrl, listen, sendJson, sendText } from "../http";

const MAX_BODY_BYTES = 1024 * 1024;

/** The body as text, or null after answering 413 when it is too large. */
export function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
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

/**
 * Flat fields of a request: the query string, overlaid with a JSON object body (nested values as
 * JSON text) or a form body. Null when a body that says it is JSON is not a JSON object.
 */
export function requestFields(url: URL, body: string, contentType: string | undefined): Record<string, string> | null {
  const fields: Record<string, string> = Object.fromEntries(url.searchParams);
  if (body.trim() === "") return fields;
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("json") || (!type.includes("form") && /^\s*[{[]/.test(body))) {
    const parsed = safeJsonParse(body);
    if (!isPlainObject(parsed)) return null;
    for (const [key, value] of Object.entries(parsed)) {
      if (value === null || value === undefined) continue;
      fields[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return fields;
  }
  for (const [key, value] of new URLSearchParams(body)) fields[key] = value;
  return fields;
}

export async function readJsonObject(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  const body = await readBody(req, res);
  if (body === null) return null;
  const parsed = safeJsonParse(body);
  if (!isPlainObject(parsed)) {
    sendJson(res, 400, { error: "Expected a JSON object body" });
    return null;
  }
  return parsed;
}

export function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? "/", "http://localhost");
  } catch {
    return null;
  }
}

/** "2025-09-12 10:16:10" in Kenyan time (EAT, UTC+3), as the Kenyan gateways write timestamps. */
export function eatTimestamp(date: Date): string {
  return new Date(date.getTime() + 3 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

/** Kenyan mobile numbers (07.., 01.., 2547.., +2547..) as 2547XXXXXXXX, or null. */
export function kenyanMsisdn(input: string): string | null {
  const digits = input.replace(/[\s-]/g, "").replace(/^\+/, "");
  const m = /^(?:254|0)([17]\d{8})$/.exec(digits);
  return m ? `254${m[1]}` : null;
}

/** Resolves with the first stored message matching pred, now or when `changes` emits one; rejects after timeoutMs. */
export function waitForChange<T extends object>(changes: import("node:events").EventEmitter, current: T[], pred: (m: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const already = current.find(pred);
  if (already) return Promise.resolve(already);
  return new Promise<T>((resolve, reject) => {
    const onChange = (m: T) => {
      if (!pred({ ...m })) return;
      clearTimeout(timer);
      changes.off("change", onChange);
      resolve({ ...m });
    };
    const timer = setTimeout(() => {
      changes.off("change", onChange);
      reject(new Error(`No matching ${what} within ${timeoutMs}ms`));
    }, timeoutMs);
    changes.on("change", onChange);
  });
}
