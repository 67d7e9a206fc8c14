import express, { type Request, type Response, type NextFunction } from "express";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/client";
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
