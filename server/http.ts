import express, { type Request as ExpressRequest } from "express";
import compression from "compression";
import helmet from "helmet";
import crypto from "node:crypto";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createRequestHandler } from "@react-router/express";
import type { ServerBuild } from "react-router";
import type { Logger } from "pino";
import type { Db } from "../db/client";
import type { Env } from "./env";
import { resolveSite } from "./services/hosts";
import { darajaHooks, messagingHooks } from "./hooks";
import { billingHooks } from "./billing-hooks";
import type { BillingLinks } from "./services/billing/subscriptions";
import { isLocalDomain, siteUrl, type AppContext } from "./context";
import type { SecretBox } from "./services/secrets";
import type { Integrations } from "./integrations";
import { CROSS_SITE_ARRIVAL_PATH, crossSiteArrival, isCrossSite } from "./same-origin";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

async function databaseIsUp(db: Db): Promise<boolean> {
  const check = db.execute(sql`select 1`).then(() => true, () => false);
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref());
  return Promise.race([check, timeout]);
}

/** Pages that send the device's browser on to the router's own http address (its link-login-only). */
const PORTAL_PAGES = /^\/hotspotportal(\/|$)/;

/**
 * Security headers on every response (helmet): a nonce-based Content-Security-Policy,
 * frame-ancestors 'none', a strict referrer policy, and HSTS wherever the product runs on https.
 * In development the CSP only reports, so Vite's hot reload keeps working. Captive-portal pages
 * may post a form to the router (plain http on the hotspot's LAN), so they allow any form target and
 * do not upgrade insecure requests (which would turn that form into https the router cannot answer).
 */
function securityHeaders(opts: { dev: boolean; https: boolean }) {
  const headers = (portal: boolean) =>
    helmet({
      contentSecurityPolicy: {
        reportOnly: opts.dev,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as express.Response).locals.cspNonce}'`],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'", ...(opts.dev ? ["ws:"] : [])],
          formAction: portal ? ["'self'", "http:", "https:"] : ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: opts.https && !portal ? [] : null,
        },
      },
      strictTransportSecurity: opts.https ? { maxAge: 31536000, includeSubDomains: true } : false,
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
      crossOriginEmbedderPolicy: false,
    });
  const app = headers(false);
  const portal = headers(true);
  return (req: express.Request, res: express.Response, next: express.NextFunction) => {
    res.locals.cspNonce = crypto.randomBytes(16).toString("base64");
    (PORTAL_PAGES.test(req.path) ? portal : app)(req, res, next);
  };
}

const arrivalForm = express.urlencoded({ extended: false, limit: "16kb", parameterLimit: 50 });

/** The router's login.html posting a device to the portal (see server/same-origin.ts). */
function arrivalFromRouter(req: express.Request, res: express.Response) {
  arrivalForm(req, res, (err?: unknown) => {
    const arrival = err ? { ok: false as const } : crossSiteArrival((req.body ?? {}) as Record<string, unknown>);
    if (!arrival.ok) {
      res.locals.log.warn({ origin: req.get("origin"), host: req.get("host") }, "cross-site portal form refused");
      return void res.status(403).type("text/plain").send("Cross-site requests are not allowed.");
    }
    res.redirect(303, arrival.location);
  });
}

/** Request ids and logs, /healthz, security headers and the same-origin check: everything in front of the app. */
export function createBaseApp(opts: { db: Db; log: Logger; dev?: boolean; https?: boolean; secrets?: SecretBox; billingLinks?: BillingLinks }) {
  const { db, log } = opts;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.use(compression());
  app.use(securityHeaders({ dev: opts.dev ?? false, https: opts.https ?? false }));

  app.use((req, res, next) => {
    const incoming = req.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    res.locals.requestId = requestId;
    res.locals.log = log.child({ requestId });
    res.setHeader("x-request-id", requestId);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (req.path.startsWith("/assets/") || req.path.startsWith("/@") || req.path.startsWith("/node_modules/")) return;
      res.locals.log[res.statusCode >= 500 ? "error" : "info"]({ method: req.method, host: req.get("host"), url: req.originalUrl, status: res.statusCode, ms: Math.round(ms) }, "request");
    });
    next();
  });

  app.get("/healthz", async (_req, res) => {
    const ok = await databaseIsUp(db);
    res.status(ok ? 200 : 503).set("cache-control", "no-store").json({ status: ok ? "ok" : "unavailable", database: ok ? "up" : "down" });
  });

  app.use(darajaHooks(db, log));
  app.use(billingHooks(db, log, opts.billingLinks));
  if (opts.secrets) app.use(messagingHooks(db, log, opts.secrets));

  app.use((req, res, next) => {
    if (!isCrossSite(req.method, (h) => req.get(h))) return next();
    if (req.method === "POST" && req.path === CROSS_SITE_ARRIVAL_PATH) return arrivalFromRouter(req, res);
    res.locals.log.warn({ origin: req.get("origin"), host: req.get("host") }, "cross-site request refused");
    res.status(403).type("text/plain").send("Cross-site requests are not allowed.");
  });
  return app;
}

/**
 * The web server: the base app, static files, and the React Router app (Vite middleware in
 * development, the production build otherwise).
 */
export async function createHttpApp(opts: { db: Db; env: Env; log: Logger; root: string; secrets: SecretBox; integrations: Integrations }) {
  const { db, env, log, root, secrets, integrations } = opts;
  const app = createBaseApp({ db, log, dev: env.NODE_ENV !== "production", https: !isLocalDomain(env.APP_DOMAIN), secrets, billingLinks: { billingUrl: (slug) => siteUrl(env, slug, "/dashboard/billing") } });

  let build: ServerBuild | (() => Promise<ServerBuild>);
  if (env.NODE_ENV === "production") {
    const client = path.resolve(root, env.BUILD_DIR, "client");
    app.use("/assets", express.static(path.join(client, "assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(client, { maxAge: "1h", index: false }));
    build = (await import(path.resolve(root, env.BUILD_DIR, "server", "index.js"))) as ServerBuild;
  } else {
    const vite = await import("vite");
    const devServer = await vite.createServer({ root, server: { middlewareMode: true, hmr: { port: env.PORT + 10000 } }, appType: "custom" });
    app.use(devServer.middlewares);
    build = () => devServer.ssrLoadModule("virtual:react-router/server-build") as Promise<ServerBuild>;
    app.locals.closeVite = () => devServer.close();
  }

  app.all(
    "/{*splat}",
    createRequestHandler({
      build,
      mode: env.NODE_ENV === "production" ? "production" : "development",
      getLoadContext: async (req, res) => {
        const site = await resolveSite(db, req.get("host"), env.APP_DOMAIN);
        const context: AppContext = {
          db,
          env,
          log: res.locals.log,
          requestId: res.locals.requestId,
          site,
          ip: req.ip ?? null,
          userAgent: req.get("user-agent")?.slice(0, 400) ?? null,
          secrets,
          integrations,
          cspNonce: res.locals.cspNonce,
        };
        return { app: context };
      },
    }),
  );
  return app;
}
