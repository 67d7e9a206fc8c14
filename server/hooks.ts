import express, { type Request, type Response, type NextFunction } from "express";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import { withTenant, type Db } from "../db/client";
import type { SecretBox } from "./services/secrets";
import { activeProvider } from "./services/messaging/settings";
import { applyWebhookEvents, webhookStatus, type WebhookRequest } from "./services/messaging/outbox";
import { storeCallback, applyStoredCallback, type CallbackKind } from "./services/payments";

const KINDS: Record<string, CallbackKind> = {
  stk: "stk",
  "c2b/validate": "c2b_validation",
  "c2b/confirm": "c2b_confirmation",
  "status/result": "status_result",
  "status/timeout": "status_timeout",
};

/** Largest body Daraja sends is a few KB; anything bigger is refused before it is read. */
const MAX_BODY = "64kb";

async function tenantForToken(db: Db, token: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{32,64}$/.test(token)) return null;
  const res = await db.execute<{ id: string | null }>(sql`select app_public.tenant_by_mpesa_callback_token(${token}) as id`);
  return res.rows[0]?.id ?? null;
}

/**
 * Daraja's callbacks: /hooks/daraja/{token}/{stk | c2b/validate | c2b/confirm | status/result | status/timeout}.
 * The raw body is stored first (with its application enqueued in the same transaction) and
 * Daraja gets its answer at once; a job applies it. A wrong token is a logged 404; a body that
 * is not JSON is stored for the exceptions view and answered 400. Nothing here answers 500.
 */
export function darajaHooks(db: Db, log: Logger) {
  const router = express.Router();
  router.use("/hooks/daraja", express.text({ type: () => true, limit: MAX_BODY }));
  for (const [path, kind] of Object.entries(KINDS)) {
    router.post(`/hooks/daraja/:token/${path}`, async (req: Request<{ token: string }>, res: Response) => {
      const rlog = (res.locals.log as Logger | undefined) ?? log;
      try {
        const tenantId = await tenantForToken(db, req.params.token);
        if (!tenantId) {
          rlog.warn({ kind, ip: req.ip }, "Daraja callback with an unknown token refused");
          res.status(404).json({ ResultCode: 1, ResultDesc: "Not found" });
          return;
        }
        const raw = typeof req.body === "string" ? req.body : "";
        const callbackId = await storeCallback(db, tenantId, kind, raw, { ip: req.ip ?? null, contentType: req.get("content-type") ?? null });
        // Answer first, then apply in-process; the stored job is the safety net.
        res.on("finish", () => {
          if (kind === "c2b_validation") return;
          applyStoredCallback(db, tenantId, callbackId).catch((err) => rlog.warn({ err, callbackId }, "callback left for the safety-net job"));
        });
        if (!raw.trim() || !isJson(raw)) {
          rlog.warn({ kind, tenantId, bytes: raw.length }, "Daraja callback body is not JSON; stored as an exception");
          res.status(400).json({ ResultCode: 1, ResultDesc: "Body is not JSON" });
          return;
        }
        // Validation replies decide whether M-Pesa completes the payment: accept, reconcile later.
        res.status(200).json(kind === "c2b_validation" ? { ResultCode: "0", ResultDesc: "Accepted" } : { ResultCode: 0, ResultDesc: "Accepted" });
      } catch (err) {
        rlog.error({ err, kind }, "Daraja callback could not be stored");
        // Not stored: say so, so Daraja (or the STK query job) tries again.
        res.status(503).json({ ResultCode: 1, ResultDesc: "Temporarily unavailable" });
      }
    });
  }
  // Oversized or undecodable bodies: a clear 4xx, never the default 500 page.
  router.use("/hooks/daraja", (err: { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
    ((res.locals.log as Logger | undefined) ?? log).warn({ status, type: err.type, path: req.path }, "Daraja callback refused");
    res.status(status).json({ ResultCode: 1, ResultDesc: status === 413 ? "Body too large" : "Bad request" });
  });
  return router;
}

function isJson(raw: string) {
  try {
    JSON.parse(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * SMS and WhatsApp providers' delivery reports and customers' replies:
 * /hooks/messaging/{token}/{sms | whatsapp} (GET for the WhatsApp Cloud API's verification
 * handshake and gateways that report by GET; POST otherwise). The provider's module reads the
 * request (signature checks included); delivery updates and STOP replies are applied at once.
 * A wrong token is a 404, a body the provider module does not understand a 400, a bad signature
 * a 403, a database hiccup a 503 (providers retry); never a 500.
 */
export function messagingHooks(db: Db, log: Logger, secrets: SecretBox) {
  const router = express.Router();
  router.use("/hooks/messaging", express.text({ type: () => true, limit: "256kb" }));
  const handle = async (req: Request<{ token: string; channel: string }>, res: Response) => {
    const rlog = (res.locals.log as Logger | undefined) ?? log;
    const channel = req.params.channel;
    if (channel !== "sms" && channel !== "whatsapp") {
      res.status(404).json({ error: "Unknown channel" });
      return;
    }
    try {
      const tenantId = await tenantForMessagingToken(db, req.params.token);
      if (!tenantId) {
        rlog.warn({ channel, ip: req.ip }, "messaging webhook with an unknown token refused");
        res.status(404).json({ error: "Not found" });
        return;
      }
      const request: WebhookRequest = {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(",") : v])),
        query: Object.fromEntries(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === "string")),
        rawBody: typeof req.body === "string" ? req.body : "",
      };
      const outcome = await withTenant(db, tenantId, { actorKind: "system", requestId: res.locals.requestId as string | undefined }, async (tx) => {
        const provider = await activeProvider(tx, tenantId, channel, secrets);
        if (!provider) return { result: { kind: "invalid" as const, reason: `No ${channel} provider is set up for this ISP.` }, applied: null };
        const result = provider.module.parseWebhook(request, provider.settings);
        const applied = result.kind === "events" ? await applyWebhookEvents(tx, tenantId, channel, provider.module.kind, result) : null;
        return { result, applied };
      });
      const { result } = outcome;
      if (result.kind === "challenge") {
        res.status(200).type("text/plain").send(result.body);
        return;
      }
      if (result.kind !== "events") rlog.warn({ channel, tenantId, kind: result.kind, reason: result.reason }, "messaging webhook not applied");
      res.status(webhookStatus(result)).json(result.kind === "events" ? { ok: true, ...outcome.applied } : { error: result.reason });
    } catch (err) {
      rlog.error({ err, channel }, "messaging webhook could not be applied");
      res.status(503).json({ error: "Temporarily unavailable" });
    }
  };
  router.get("/hooks/messaging/:token/:channel", handle);
  router.post("/hooks/messaging/:token/:channel", handle);
  router.use("/hooks/messaging", (err: { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
    ((res.locals.log as Logger | undefined) ?? log).warn({ status, type: err.type, path: req.path }, "messaging webhook refused");
    res.status(status).json({ error: status === 413 ? "Body too large" : "Bad request" });
  });
  return router;
}

async function tenantForMessagingToken(db: Db, token: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{32,64}$/.test(token)) return null;
  const res = await db.execute<{ id: string | null }>(sql`select app_public.tenant_by_messaging_token(${token}) as id`);
  return res.rows[0]?.id ?? null;
}
