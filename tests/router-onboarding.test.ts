import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { eq } from "drizzle-orm";
import { RouterOSAPI } from "routeros-client";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, requestWithSession, testEnv, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant } from "../db/client";
import { routers, auditEvents } from "../db/schema";
import { getCaller } from "../server/trpc/root";
import { parseEnv } from "../server/env";
import { checkRouter, credentialsOf } from "../server/services/routers";
import {
  API_GROUP_POLICY,
  LOGIN_FIELDS,
  WAITING_FOR_SCRIPT,
  buildLoginHtml,
  buildSetupScript,
  generateRouterPassword,
  hotspotPortal,
  parseAllowedAddresses,
  rosString,
  setupScriptFilename,
  type SetupScriptInput,
} from "../server/services/router-onboarding";
import { startRouterSim, type RouterSim } from "../sim/routeros";

// ---------- helpers: read the script back as a router would ----------

/** The value of a RouterOS double-quoted string (inverse of rosString). */
function rosUnescape(quoted: string): string {
  expect(quoted.startsWith('"') && quoted.endsWith('"')).toBe(true);
  const body = quoted.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '"') throw new Error(`unescaped quote in ${quoted}`);
    if (ch === "$") throw new Error(`unescaped $ in ${quoted}`);
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const next = body[++i]!;
    const simple: Record<string, string> = { "\\": "\\", '"': '"', $: "$", "?": "?", n: "\n", r: "\r", t: "\t", _: " " };
    if (next in simple) bytes.push(simple[next]!.charCodeAt(0));
    else if (/^[0-9A-F]{2}$/.test(body.slice(i, i + 2))) bytes.push(parseInt(body.slice(i, ++i + 1), 16));
    else throw new Error(`bad escape \\${next} in ${quoted}`);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Splits a CLI command into words, keeping "quoted strings" and [bracketed] parts whole. */
function cliWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted && ch === "\\") {
      cur += ch + line[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === "[") depth++;
    else if (!quoted && ch === "]") depth--;
    if (ch === " " && !quoted && depth === 0) {
      if (cur) words.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}

const value = (v: string) => (v.startsWith('"') ? rosUnescape(v) : v);

/** `name="mnetifi"`-style properties of a command. */
function props(words: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const i = w.indexOf("=");
    if (i > 0 && !w.startsWith("[")) out[w.slice(0, i)] = value(w.slice(i + 1));
  }
  return out;
}

/** The user the script creates: its `/user add ...` command read back. */
function scriptUser(script: string) {
  const line = script.split("\n").find((l) => l.startsWith(":if ([:len [/user find"))!;
  const add = line.slice(line.indexOf("do={ ") + 5, line.indexOf(" } else={"));
  return props(cliWords(add));
}

/**
 * Runs the script's hotspot and walled-garden commands through the RouterOS API as an admin (the
 * simulator has no /user, /ip service or /file menus: the user is added to the simulator by hand,
 * which is what steps 1-3 of the script do on a real router).
 */
async function runHotspotPart(script: string, sim: RouterSim, admin: { user: string; password: string }) {
  const conn = new RouterOSAPI({ host: "127.0.0.1", port: sim.port, user: admin.user, password: admin.password, timeout: 5 });
  await conn.connect();
  try {
    for (let line of script.split("\n")) {
      // The router has no flash folder: the `else` branch runs.
      if (line.startsWith(':if ([:len [/file find name="flash/hotspot"]]')) line = line.slice(line.indexOf("else={ ") + 7, -2);
      if (!line.startsWith("/ip hotspot")) continue;
      const words = cliWords(line);
      const verbAt = words.findIndex((w) => w === "add" || w === "set" || w === "remove");
      const menu = words.slice(0, verbAt).join("/");
      const verb = words[verbAt]!;
      const rest = words.slice(verbAt + 1);
      const find = rest[0]?.startsWith("[find") ? rest.shift()! : null;
      const attrs = Object.entries(props(rest)).map(([k, v]) => `=${k}=${v}`);
      if (!find) {
        await conn.write([`${menu}/${verb}`, ...attrs]);
        continue;
      }
      const query = Object.entries(props(cliWords(find.slice(5, -1).trim()))).map(([k, v]) => `?${k}=${v}`);
      const rows = (await conn.write([`${menu}/print`, "=.proplist=.id", ...query])) as Array<Record<string, string>>;
      for (const row of rows) await conn.write([`${menu}/${verb}`, `=.id=${row[".id"]}`, ...attrs]);
    }
  } finally {
    await conn.close();
  }
}

// ---------- the generators ----------

const portal = hotspotPortal(testEnv, "kasarani-net");
const input = (over: Partial<SetupScriptInput> = {}): SetupScriptInput => ({
  routerName: "Kasarani tower",
  businessName: "Kasarani Net",
  username: "mnetifi",
  password: "Abc123def456",
  apiPort: 8728,
  tls: false,
  allowedAddresses: [],
  portal,
  generatedAt: new Date("2026-03-01T08:00:00Z"),
  ...over,
});

describe("the setup script", () => {
  it("creates the restricted API group and user, idempotently", () => {
    const script = buildSetupScript(input());
    expect(script).toContain(`/user group add name="mnetifi-api" policy=${API_GROUP_POLICY}`);
    expect(script).toContain(`/user group set [find name="mnetifi-api"] policy=${API_GROUP_POLICY}`);
    expect(API_GROUP_POLICY).toBe("api,read,write,test,!local,!telnet,!ssh,!ftp,!reboot,!policy,!winbox,!password,!web,!sniff,!sensitive,!romon");
    expect(script).toMatch(/^:if \(\[:len \[\/user find name="mnetifi"\]\] = 0\) do=\{ \/user add name="mnetifi" group="mnetifi-api" password="Abc123def456" disabled=no .*\} else=\{ \/user set \[find name="mnetifi"\] group="mnetifi-api" password="Abc123def456" disabled=no .*\}$/m);
    expect(scriptUser(script)).toMatchObject({ name: "mnetifi", group: "mnetifi-api", password: "Abc123def456" });
    expect(script).toContain("/ip service set api port=8728 disabled=no");
    expect(script).not.toContain("api-ssl");
  });

  it("restricts the user and the API service to ROUTER_API_ALLOWED_ADDRESS when it is set", () => {
    const script = buildSetupScript(input({ allowedAddresses: parseAllowedAddresses(" 203.0.113.10, 10.8.0.0/16 ") }));
    expect(scriptUser(script).address).toBe("203.0.113.10,10.8.0.0/16");
    expect(script).toContain("/ip service set api port=8728 address=203.0.113.10,10.8.0.0/16 disabled=no");
    expect(script).not.toContain("WARNING");
  });

  it("says to restrict them when no address is configured, and leaves them unrestricted", () => {
    const script = buildSetupScript(input());
    expect(script).toMatch(/^# +WARNING: this user may log in from any address/m);
    expect(script).toMatch(/^# +WARNING: reachable from any address/m);
    expect(script.split("\n").filter((l) => !l.startsWith("#")).join("\n")).not.toContain("address=");
  });

  it("lets devices reach the ISP's portal host through the walled garden, replacing earlier entries", () => {
    const script = buildSetupScript(input());
    expect(portal).toEqual({ url: "https://kasarani-net.mnetifi.test/hotspotportal", host: "kasarani-net.mnetifi.test", port: 443 });
    const lines = script.split("\n");
    const at = (s: string) => lines.indexOf(s);
    expect(at('/ip hotspot walled-garden add dst-host="kasarani-net.mnetifi.test" action=allow comment="mnetifi"')).toBeGreaterThan(at('/ip hotspot walled-garden remove [find comment="mnetifi"]'));
    expect(at('/ip hotspot walled-garden ip add dst-host="kasarani-net.mnetifi.test" protocol=tcp dst-port=443 action=accept comment="mnetifi"')).toBeGreaterThan(
      at('/ip hotspot walled-garden ip remove [find comment="mnetifi"]'),
    );
    expect(at('/ip hotspot walled-garden remove [find comment="mnetifi"]')).toBeGreaterThan(-1);
  });

  it("sets every hotspot server profile's logins and html directory, and a 15-minute idle logout", () => {
    const script = buildSetupScript(input());
    expect(script).toContain("/ip hotspot profile set [find] login-by=http-chap,http-pap,mac-cookie html-directory=flash/hotspot");
    expect(script).toContain("/ip hotspot profile set [find] login-by=http-chap,http-pap,mac-cookie html-directory=hotspot");
    expect(script).toContain('/ip hotspot user profile set [find name="default"] idle-timeout=15m');
    expect(script.trimEnd().split("\n").at(-1)).toMatch(/^:put "mnetifi: setup done\./);
  });

  it("uses api-ssl on the router's port when it connects with TLS", () => {
    const script = buildSetupScript(input({ tls: true, apiPort: 8729, allowedAddresses: ["203.0.113.10"] }));
    expect(script).toContain("/ip service set api-ssl port=8729 address=203.0.113.10 disabled=no");
    expect(script).not.toMatch(/^\/ip service set api /m);
    expect(script).toMatch(/^# .*certificate/m);
  });

  it("escapes quotes, dollars, backslashes and question marks in values", () => {
    const nasty = 'pa"ss$word\\x?y\tz';
    expect(rosString(nasty)).toBe('"pa\\"ss\\$word\\\\x\\?y\\tz"');
    expect(rosString("Café")).toBe('"Caf\\C3\\A9"');
    expect(rosUnescape(rosString(nasty))).toBe(nasty);
    const script = buildSetupScript(input({ password: nasty }));
    expect(script).toContain('password="pa\\"ss\\$word\\\\x\\?y\\tz"');
    expect(scriptUser(script).password).toBe(nasty);
  });

  it("keeps names out of the commands: a router name cannot inject a line", () => {
    const script = buildSetupScript(input({ routerName: 'Evil\n/system reset-configuration\r"$x"?', businessName: "Acme\n:put 1" }));
    for (const line of script.split("\n")) {
      if (!line) continue;
      expect(line.startsWith("#") || line.startsWith("/") || line.startsWith(":")).toBe(true);
      expect(line).not.toMatch(/^\/system/);
      expect(line).not.toMatch(/^:put 1/);
      if (line.startsWith("#")) expect(line).not.toMatch(/[?$]/);
    }
    // Every command line has balanced quotes and braces.
    for (const line of script.split("\n").filter((l) => l && !l.startsWith("#"))) {
      const unquoted = line.replace(/"(?:\\.|[^"\\])*"/g, '""');
      expect((unquoted.match(/\{/g) ?? []).length).toBe((unquoted.match(/\}/g) ?? []).length);
      expect((unquoted.match(/\[/g) ?? []).length).toBe((unquoted.match(/\]/g) ?? []).length);
    }
  });

  it("refuses allowed addresses that are not IP addresses or networks", () => {
    expect(parseAllowedAddresses("")).toEqual([]);
    expect(parseAllowedAddresses("2001:db8::/32,192.0.2.1")).toEqual(["2001:db8::/32", "192.0.2.1"]);
    for (const bad of ["example.com", "10.0.0.0/33", "1.2.3.4 /x", "1.2.3.4; /system reboot", "1.2.3.4/8/9"]) expect(() => parseAllowedAddresses(bad)).toThrow(/ROUTER_API_ALLOWED_ADDRESS/);
    expect(() => buildSetupScript(input({ allowedAddresses: ["1.2.3.4 /system reboot"] }))).toThrow();
  });

  it("makes strong letter-and-digit passwords and safe file names", () => {
    const a = generateRouterPassword();
    expect(a).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(generateRouterPassword()).not.toBe(a);
    expect(setupScriptFilename("Kasarani tower #2")).toBe("mnetifi-setup-kasarani-tower-2.rsc");
    expect(setupScriptFilename("ÄÖ")).toBe("mnetifi-setup-router.rsc");
  });
});

describe("the portal address", () => {
  it("takes the scheme from PUBLIC_BASE_URL and the ISP's host from APP_DOMAIN", () => {
    const local = parseEnv({ NODE_ENV: "test", APP_DOMAIN: "localhost:3100", PORT: "3100" });
    expect(hotspotPortal(local, "demo")).toEqual({ url: "http://demo.localhost:3100/hotspotportal", host: "demo.localhost", port: 3100 });
    const prod = parseEnv({ NODE_ENV: "test", APP_DOMAIN: "mnetifi.co.ke" });
    expect(hotspotPortal(prod, "kasarani")).toEqual({ url: "https://kasarani.mnetifi.co.ke/hotspotportal", host: "kasarani.mnetifi.co.ke", port: 443 });
  });
});

describe("login.html", () => {
  const routerId = "0b6f2d4e-1b7a-4c1e-9d43-5c0e2f1a9b77";
  const page = buildLoginHtml({ portalUrl: portal.url, routerId, businessName: 'Kasarani <Net> "$(mac)" & Café' });

  it("posts every hotspot variable, the router id and nothing else to the ISP's portal", () => {
    expect(page).toContain(`<form name="mnetifi" action="https://kasarani-net.mnetifi.test/hotspotportal" method="post">`);
    for (const f of LOGIN_FIELDS) expect(page).toContain(`<input type="hidden" name="${f}" value="$(${f})">`);
    expect(["mac", "ip", "identity", "link-login-only", "link-orig", "chap-id", "chap-challenge", "error"]).toEqual([...LOGIN_FIELDS]);
    expect(page).toContain(`<input type="hidden" name="router" value="${routerId}">`);
    expect(page).toContain("document.mnetifi.submit()");
    expect(page).toMatch(/<button type="submit">Continue<\/button>/);
  });

  it("shows the ISP's name escaped (no HTML, no router variables) and stays under 2 KB", () => {
    expect(page).toContain("<h1>Kasarani &lt;Net&gt; &quot;&#36;(mac)&quot; &amp; Caf&#233;</h1>");
    // The only $( are the router's own variables.
    expect(page.match(/\$\(/g)).toHaveLength(LOGIN_FIELDS.length);
    expect(Buffer.byteLength(page, "utf8")).toBeLessThan(2048);
    expect(page).toMatch(/^[\x09\x0a\x0d\x20-\x7e]*$/);
  });
});

// ---------- through the API, with the real database ----------

describe("generating the setup script (tRPC, embedded Postgres)", () => {
  let t: TestDatabase;
  let A: TenantFixture;
  let B: TenantFixture;
  let sim: RouterSim;
  const ctxFor = (f: TenantFixture, env = testEnv) => ({ ...appContext(t.db, { kind: "tenant", tenant: f.tenant }), env });
  const caller = (f: TenantFixture, token = f.token, env = testEnv) => getCaller(ctxFor(f, env), requestWithSession(`${f.tenant.slug}.mnetifi.test`, token));
  const row = (f: TenantFixture, id: string) => withTenant(t.db, f.tenant.id, null, async (tx) => (await tx.select().from(routers).where(eq(routers.id, id)))[0]!);

  beforeAll(async () => {
    t = await createTestDatabase();
    A = await createTenantFixture(t.db, "isp-onboard-a");
    B = await createTenantFixture(t.db, "isp-onboard-b");
    // Default users: admin/admin and mnetifi-api (the credentials the router was first added with).
    sim = await startRouterSim({ port: 0, version: "7.18", identity: "Onboard-hAP" });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const addRouter = async (name: string) => {
    const r = await (await caller(A)).routers.add({ name, host: "127.0.0.1", apiPort: String(sim.port), username: "mnetifi-api", password: "mnetifi-api-pass" });
    expect(r.check.ok).toBe(true);
    return r.id;
  };

  it("rotates the sealed password to the one in the script and marks the router not verified", async () => {
    const id = await addRouter("Rotating");
    const c = await caller(A);
    const { script, filename, username } = await c.routerSetup.generateScript({ id });
    expect(filename).toBe("mnetifi-setup-rotating.rsc");
    expect(username).toBe("mnetifi");
    const user = scriptUser(script);
    const after = await row(A, id);
    expect(after).toMatchObject({ username: "mnetifi", status: "unverified", lastError: WAITING_FOR_SCRIPT, verifiedAt: null });
    expect(testSecrets.decrypt(after.passwordEnc)).toBe(user.password);
    expect(user.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(script).toContain('dst-host="isp-onboard-a.mnetifi.test"');

    // Regenerating rotates again.
    const again = await c.routerSetup.generateScript({ id });
    expect(scriptUser(again.script).password).not.toBe(user.password);
    expect(testSecrets.decrypt((await row(A, id)).passwordEnc)).toBe(scriptUser(again.script).password);

    // Audited: the app event and the row change, with no password in either.
    const audit = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.tenantId, A.tenant.id)));
    const events = audit.filter((e) => e.action === "router.setup_script_generated");
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ actorId: A.owner.id, details: { routerId: id, username: "mnetifi" } });
    const text = JSON.stringify(audit);
    expect(text).not.toContain(user.password);
    expect(text).not.toContain(scriptUser(again.script).password);
    expect(audit.some((e) => e.rowId === id && JSON.stringify(e.changes).includes("unverified"))).toBe(true);
  });

  it("restricts to ROUTER_API_ALLOWED_ADDRESS from the environment and can take another user name, never admin", async () => {
    const id = await addRouter("Restricted");
    const env = { ...testEnv, ROUTER_API_ALLOWED_ADDRESS: "198.51.100.7" };
    const c = await caller(A, A.token, env);
    const { script } = await c.routerSetup.generateScript({ id, username: "billing-api" });
    expect(scriptUser(script)).toMatchObject({ name: "billing-api", address: "198.51.100.7" });
    expect((await row(A, id)).username).toBe("billing-api");
    expect(await c.routerSetup.info({ id })).toMatchObject({ allowedAddresses: ["198.51.100.7"], scriptFilename: "mnetifi-setup-restricted.rsc" });
    await expect(c.routerSetup.generateScript({ id, username: "admin" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(c.routerSetup.generateScript({ id, username: 'x" y' })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("technicians and staff see the steps and login.html but cannot generate; resellers see nothing", async () => {
    const id = await addRouter("Roles");
    const before = await row(A, id);
    for (const role of ["technician", "staff"] as const) {
      const u = await addUser(t.db, A, role, `onboard-${role}`);
      const c = await caller(A, u.token);
      await expect(c.routerSetup.generateScript({ id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect((await c.routerSetup.info({ id })).router.name).toBe("Roles");
      expect((await c.routerSetup.loginHtml({ id })).html).toContain(`value="${id}"`);
    }
    const reseller = await withTenant(t.db, A.tenant.id, null, async (tx) => {
      const { createUser } = await import("../server/services/tenants");
      const { createUserSession } = await import("../server/services/sessions");
      const u = await createUser(tx, A.tenant.id, { username: "onboard-reseller", email: "r@onboard.test", fullName: "r", role: "reseller", password: "Correct-Horse-Battery-9", verified: true });
      return (await createUserSession(tx, A.tenant.id, u.id)).token;
    });
    await expect((await caller(A, reseller)).routerSetup.loginHtml({ id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await row(A, id)).passwordEnc).toBe(before.passwordEnc);
  });

  it("another ISP cannot generate for, read or download A's router (NOT_FOUND), and A's router is untouched", async () => {
    const id = await addRouter("Isolated");
    const before = await row(A, id);
    const b = await caller(B);
    await expect(b.routerSetup.generateScript({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routerSetup.info({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routerSetup.loginHtml({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const after = await row(A, id);
    expect(after.passwordEnc).toBe(before.passwordEnc);
    expect(after.status).toBe("online");
  });

  it("login.html carries the ISP's portal, business name and the router's id", async () => {
    const id = await addRouter("Portal page");
    const { html, filename } = await (await caller(A)).routerSetup.loginHtml({ id });
    expect(filename).toBe("login.html");
    expect(html).toContain('action="https://isp-onboard-a.mnetifi.test/hotspotportal"');
    expect(html).toContain("<h1>isp-onboard-a Networks</h1>");
    expect(html).toContain(`<input type="hidden" name="router" value="${id}">`);
  });

  it("the rotated credentials work once the script has run on the router (RouterOS simulator)", async () => {
    const id = await addRouter("Simulated");
    const c = await caller(A);
    const { script } = await c.routerSetup.generateScript({ id });

    // Before the script runs, the router does not know the new user: the test says so.
    const early = await c.routers.test({ id });
    expect(early).toMatchObject({ ok: false, kind: "auth" });
    expect((await row(A, id)).status).toBe("unverified");

    // What the script does on the router: the user (steps 1-3), then the hotspot (4-6), twice.
    const user = scriptUser(script);
    sim.users.push({ name: user.name!, password: user.password!, group: "write" });
    await runHotspotPart(script, sim, { user: "admin", password: "admin" });
    await runHotspotPart(script, sim, { user: "admin", password: "admin" });

    const state = sim.state();
    const garden = (state["/ip/hotspot/walled-garden"] as Array<Record<string, string>>).filter((r) => r.comment === "mnetifi");
    expect(garden).toEqual([expect.objectContaining({ "dst-host": "isp-onboard-a.mnetifi.test", action: "allow" })]);
    const gardenIp = (state["/ip/hotspot/walled-garden/ip"] as Array<Record<string, string>>).filter((r) => r.comment === "mnetifi");
    expect(gardenIp).toEqual([expect.objectContaining({ "dst-host": "isp-onboard-a.mnetifi.test", protocol: "tcp", "dst-port": "443", action: "accept" })]);
    for (const p of state["/ip/hotspot/profile"] as Array<Record<string, string>>) expect(p).toMatchObject({ "login-by": "http-chap,http-pap,mac-cookie", "html-directory": "hotspot" });
    expect((state["/ip/hotspot/user/profile"] as Array<Record<string, string>>).find((p) => p.name === "default")).toMatchObject({ "idle-timeout": "15m" });

    // The existing connection test, with the credentials mnetifi now holds.
    const direct = await checkRouter(credentialsOf(await row(A, id), testSecrets));
    expect(direct).toMatchObject({ ok: true, identity: "Onboard-hAP" });
    expect(await c.routers.test({ id })).toMatchObject({ ok: true, identity: "Onboard-hAP" });
    const verified = await row(A, id);
    expect(verified).toMatchObject({ status: "online", lastError: null, username: "mnetifi" });
    expect(verified.verifiedAt).not.toBeNull();
    // The old credentials are no longer what mnetifi uses.
    expect(testSecrets.decrypt(verified.passwordEnc)).not.toBe("mnetifi-api-pass");
  });

  it("an unknown router id is NOT_FOUND and a malformed one BAD_REQUEST", async () => {
    const c = await caller(A);
    await expect(c.routerSetup.generateScript({ id: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(c.routerSetup.loginHtml({ id: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
