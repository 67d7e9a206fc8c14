import { describe, it, expect, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { serve } from "./helpers/http";
import { silentLog } from "./helpers/fixtures";
import { createBaseApp } from "../server/http";
import { createDb } from "../db/client";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});

describe("GET /healthz", () => {
  it("answers 200 when the database answers", async () => {
    const srv = await serve(createBaseApp({ db: t.db, log: silentLog }));
    const res = await srv.request("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: "ok", database: "up" });
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 503 when the database is down", async () => {
    // Nothing listens on port 1: the same as a database server that has gone away.
    const deadDb = createDb("postgres://mnetifi_app:x@127.0.0.1:1/mnetifi", { max: 1 });
    const srv = await serve(createBaseApp({ db: deadDb, log: silentLog }));
    const res = await srv.request("GET", "/healthz");
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ status: "unavailable", database: "down" });
    await deadDb.$client.end();
  });

  it("keeps a caller's well-formed request id and replaces a malformed one", async () => {
    const srv = await serve(createBaseApp({ db: t.db, log: silentLog }));
    expect((await srv.request("GET", "/healthz", { headers: { "x-request-id": "abc12345-trace" } })).headers["x-request-id"]).toBe("abc12345-trace");
    expect((await srv.request("GET", "/healthz", { headers: { "x-request-id": "<script>" } })).headers["x-request-id"]).not.toBe("<script>");
  });
});

describe("same-origin rule for non-GET requests", () => {
  it("refuses a cross-site POST (browser form or fetch from another site)", async () => {
    const app = createBaseApp({ db: t.db, log: silentLog });
    app.post("/{*splat}", (_req, res) => void res.send("reached"));
    const srv = await serve(app);
    const host = "demo.localhost:3000";
    const evil = await srv.request("POST", "/api/trpc/zones.create", { host, headers: { origin: "http://evil.example" } });
    expect(evil.status).toBe(403);
    const otherIsp = await srv.request("POST", "/login", { host, headers: { origin: "http://other.localhost:3000" } });
    expect(otherIsp.status).toBe(403);
    const crossFetch = await srv.request("POST", "/login", { host, headers: { "sec-fetch-site": "cross-site" } });
    expect(crossFetch.status).toBe(403);
    const same = await srv.request("POST", "/login", { host, headers: { origin: "http://demo.localhost:3000", "sec-fetch-site": "same-origin" } });
    expect(same.body).toBe("reached");
    const noOrigin = await srv.request("POST", "/webhook"); // servers (M-Pesa callbacks) send no Origin
    expect(noOrigin.body).toBe("reached");
  });

  it("lets the router's login.html hand a device to the portal (as a GET of it), and nothing else of the portal", async () => {
    const app = createBaseApp({ db: t.db, log: silentLog });
    app.post("/{*splat}", (_req, res) => void res.send("reached"));
    const srv = await serve(app);
    const host = "demo.localhost:3000";
    const fromRouter = { origin: "http://10.5.50.1", "sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded" };
    const arrival = await srv.request("POST", "/hotspotportal", {
      host,
      headers: fromRouter,
      body: "mac=02%3AAA%3ABB%3ACC%3ADD%3AEE&ip=10.5.50.9&link-login-only=http%3A%2F%2F10.5.50.1%2Flogin&chap-id=%5C371&router=r1",
    });
    expect(arrival.status).toBe(303);
    expect(arrival.headers.location).toBe("/hotspotportal?mac=02%3AAA%3ABB%3ACC%3ADD%3AEE&ip=10.5.50.9&router=r1&link-login-only=http%3A%2F%2F10.5.50.1%2Flogin");
    // A portal form with an intent (pay, SMS my codes), the portal's other pages and lookalike paths stay same-origin only.
    expect((await srv.request("POST", "/hotspotportal", { host, headers: fromRouter, body: "intent=buy&planId=x&phone=0712345678" })).status).toBe(403);
    expect((await srv.request("POST", "/hotspotportal/purchase/x", { host, headers: fromRouter })).status).toBe(403);
    expect((await srv.request("POST", "/hotspotportalx", { host, headers: fromRouter })).status).toBe(403);
    // The portal's own forms are untouched.
    const own = await srv.request("POST", "/hotspotportal", { host, headers: { origin: `http://${host}`, "sec-fetch-site": "same-origin" }, body: "intent=buy" });
    expect(own.body).toBe("reached");
  });
});

describe("security headers", () => {
  it("every response carries a nonce CSP, frame-ancestors none and a strict referrer policy; HSTS on https", async () => {
    const srv = await serve(createBaseApp({ db: t.db, log: silentLog, https: true }));
    const a = await srv.request("GET", "/healthz");
    const b = await srv.request("GET", "/healthz");
    const csp = String(a.headers["content-security-policy"]);
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toBe(String(b.headers["content-security-policy"])); // a fresh nonce each time
    expect(a.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(a.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(a.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("portal pages may post the router login form to the router's http address; other pages may not", async () => {
    const app = createBaseApp({ db: t.db, log: silentLog, https: true });
    app.get("/{*splat}", (_req, res) => void res.send("page"));
    const srv = await serve(app);
    const portal = String((await srv.request("GET", "/hotspotportal?ctx=x")).headers["content-security-policy"]);
    expect(portal).toContain("form-action 'self' http: https:");
    expect(portal).not.toContain("upgrade-insecure-requests"); // it would make the router form https
    expect(portal).toContain("frame-ancestors 'none'");
    const dashboard = String((await srv.request("GET", "/dashboard")).headers["content-security-policy"]);
    expect(dashboard).toContain("form-action 'self';");
    expect(dashboard).toContain("upgrade-insecure-requests");
  });

  it("no HSTS and no upgrade-insecure-requests on plain-http local development", async () => {
    const srv = await serve(createBaseApp({ db: t.db, log: silentLog, https: false }));
    const res = await srv.request("GET", "/healthz");
    expect(res.headers["strict-transport-security"]).toBeUndefined();
    expect(String(res.headers["content-security-policy"])).not.toContain("upgrade-insecure-requests");
  });
});
