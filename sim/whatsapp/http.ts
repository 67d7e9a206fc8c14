// HTTP plumbing the WhatsApp simulators share: bodies, answers, webhook deliveries with a log.
import type { IncomingMessage, ServerResponse } from "node:http";
import { EventEmitter } from "node:events";
import { isPlainObject, safeJsonParse } from "../json";
import { sendJson } from "../http";

export { closeServer, isHttpUrl, listen, sendJson, sendText } from "../http";

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LOG_ENTRIES = 1000;

/** The body as text; null when larger than 1 MiB (the rest is drained, not kept). */
export function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(null));
  });
}

/** A JSON object body, or null after answering 400. */
export async function readJsonObject(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  const raw = await readBody(req);
  const parsed = raw === null ? undefined : safeJsonParse(raw);
  if (isPlainObject(parsed)) return parsed;
  sendJson(res, 400, { error: "Expected a JSON object body" });
  return null;
}

/** Fields of a urlencoded or JSON body (plus the query string); null when unreadable. */
export function formFields(raw: string, contentType: string | undefined, query: URLSearchParams): Record<string, string> | null {
  const fields: Record<string, string> = {};
  for (const [key, value] of query) fields[key] = value;
  if (!raw.trim()) return fields;
  if (contentType?.toLowerCase().includes("application/json")) {
    const parsed = safeJsonParse(raw);
    if (!isPlainObject(parsed)) return null;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = String(value);
    }
    return fields;
  }
  for (const [key, value] of new URLSearchParams(raw)) fields[key] = value;
  return fields;
}

export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** One webhook POST the simulator made (the last attempt's result). */
export type WebhookDelivery<Meta> = {
  seq: number;
  at: string;
  url: string;
  /** The exact body posted (signatures are over it). */
  body: string;
  headers: Record<string, string>;
  attempts: number;
  /** HTTP status of the last attempt; null when it could not connect. */
  status: number | null;
  error?: string;
  meta: Meta;
};

/**
 * Posts webhooks (1 attempt + `retries`, `retryDelayMs` apart, on connection failure or non-2xx)
 * and keeps the log. Deliveries for one key (a message) are posted in order.
 */
export class WebhookPoster<Meta> {
  private log: WebhookDelivery<Meta>[] = [];
  private seq = 1;
  private readonly events = new EventEmitter();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly finished = new WeakSet<WebhookDelivery<Meta>>();

  constructor(
    private readonly label: string,
    private readonly retries = 2,
    private readonly retryDelayMs = 200,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Posts now; resolves with the delivery once the last attempt is done. */
  post(url: string, body: string, headers: Record<string, string>, meta: Meta): Promise<WebhookDelivery<Meta>> {
    const delivery: WebhookDelivery<Meta> = { seq: this.seq++, at: new Date().toISOString(), url, body, headers, attempts: 0, status: null, meta };
    return this.attempt(delivery);
  }

  /** Posts after `delayMs`, after everything queued earlier for the same key. */
  later(key: string, delayMs: number, build: () => { url: string | null; body: string; headers: Record<string, string>; meta: Meta } | null): void {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(
      () =>
        new Promise<void>((resolve) => {
          if (this.stopped) return resolve();
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            const built = this.stopped ? null : build();
            if (!built || !built.url) return resolve();
            this.post(built.url, built.body, built.headers, built.meta).then(() => resolve(), () => resolve());
          }, delayMs);
          this.timers.add(timer);
        }),
    );
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  deliveries(filter?: (d: WebhookDelivery<Meta>) => boolean): WebhookDelivery<Meta>[] {
    return (filter ? this.log.filter(filter) : this.log).map((d) => ({ ...d }));
  }

  waitFor(pred: (d: WebhookDelivery<Meta>) => boolean, timeoutMs = 5000): Promise<WebhookDelivery<Meta>> {
    const already = this.log.find((d) => this.finished.has(d) && pred(d));
    if (already) return Promise.resolve({ ...already });
    return new Promise((resolve, reject) => {
      const onDone = (d: WebhookDelivery<Meta>) => {
        if (!pred(d)) return;
        clearTimeout(timer);
        this.events.off("done", onDone);
        resolve({ ...d });
      };
      const timer = setTimeout(() => {
        this.events.off("done", onDone);
        reject(new Error(`No matching ${this.label} webhook within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on("done", onDone);
    });
  }

  clear() {
    this.log = [];
  }

  /** Cancels queued deliveries (those already posting finish). */
  cancel() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.chains.clear();
  }

  stop() {
    this.stopped = true;
    this.cancel();
  }

  private async attempt(delivery: WebhookDelivery<Meta>): Promise<WebhookDelivery<Meta>> {
    this.log.push(delivery);
    if (this.log.length > MAX_LOG_ENTRIES) this.log = this.log.slice(this.log.length - MAX_LOG_ENTRIES);
    for (let i = 0; i <= this.retries && !this.stopped; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.retryDelayMs));
      delivery.attempts = i + 1;
      try {
        const res = await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body, signal: AbortSignal.timeout(5000) });
        await res.body?.cancel();
        delivery.status = res.status;
        delete delivery.error;
        if (res.ok) break;
      } catch (err) {
        delivery.status = null;
        delivery.error = err instanceof Error ? ((err as Error & { cause?: Error }).cause?.message ?? err.message) : String(err);
      }
    }
    if (delivery.status === null || delivery.status >= 300) {
      console.warn(`[${this.label}] webhook to ${delivery.url} failed: ${delivery.error ?? `HTTP ${delivery.status}`}`);
    }
    this.finished.add(delivery);
    this.events.emit("done", delivery);
    return delivery;
  }
}
