import express, { type Request, type Response, type NextFunction } from "express";
import type { Logger } from "pino";
import type { Db } from "../db/client";
import { storeBillingCallback, applyBillingCallback } from "./services/billing/platform-mpesa";
import type { BillingLinks } from "./services/billing/subscriptions";

/**
 * Daraja's STK results for ISPs paying their subscription into the platform's paybill:
 * /hooks/billing/daraja/{secret}/{ispId}/stk. The secret (platform_settings) proves the URL came
 * from us; the raw body goes to the platform's inbox with its job, Daraja gets its answer, then
 * the result is applied in-process (the job is the safety net). Never a 500.
 */
export function billingHooks(db: Db, log: Logger, links?: BillingLinks) {
  const router = express.Router();
  router.use("/hooks/billing", express.text({ type: () => true, limit: "64kb" }));
  router.post("/hooks/billing/daraja/:secret/:tenantId/stk", async (req: Request<{ secret: string; tenantId: string }>, res: Response) => {
    const rlog = (res.locals.log as Logger | undefined) ?? log;
    try {
      const raw = typeof req.body === "string" ? req.body : "";
      const id = await storeBillingCallback(db, req.params.secret, req.params.tenantId, raw, { ip: req.ip ?? null });
      if (!id) {
        rlog.warn({ ip: req.ip }, "billing callback with an unknown secret or ISP refused");
        res.status(404).json({ ResultCode: 1, ResultDesc: "Not found" });
        return;
      }
      res.on("finish", () => {
        applyBillingCallback(db, id, new Date(), links).catch((err) => rlog.warn({ err, callbackId: id }, "billing callback left for the safety-net job"));
      });
      let json = true;
      try {
        JSON.parse(raw);
      } catch {
        json = false;
      }
      if (!json) {
        res.status(400).json({ ResultCode: 1, ResultDesc: "Body is not JSON" });
        return;
      }
      res.status(200).json({ ResultCode: 0, ResultDesc: "Accepted" });
    } catch (err) {
      rlog.error({ err }, "billing callback could not be stored");
      res.status(503).json({ ResultCode: 1, ResultDesc: "Temporarily unavailable" });
    }
  });
  router.use("/hooks/billing", (err: { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
    ((res.locals.log as Logger | undefined) ?? log).warn({ status, type: err.type, path: req.path }, "billing callback refused");
    res.status(status).json({ ResultCode: 1, ResultDesc: status === 413 ? "Body too large" : "Bad request" });
  });
  return router;
}
