import { describe, it, expect, beforeEach, afterEach } from "vitest";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { startRouterSim, type RouterSim } from "../sim/routeros";
import { withRouter, RouterError, parseRouterTime, type RouterCredentials, type RouterErrorKind } from "../server/integrations/routeros";

const ROOT = path.resolve(__dirname, "..");

async function routerError(promise: Promise<unknown>): Promise<RouterError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RouterError);
    return err as RouterError;
  }
  throw new Error("expected a RouterError");
}

/** Commands the sim received whose command word ends with one of the given actions. */
function writes(sim: RouterSim, from: number): string[] {
  return sim
    .commands()
    .slice(from)
    .map((c) => c.words[0] ?? "")
    .filter((w) => /\/(add|set|remove|unset|enable|disable|login)$/.test(w) && w !== "/login");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

describe.each(["7.16.2", "7.18"])("withRouter against a RouterOS %s simulator", (version) => {
  let sim: RouterSim;
  let creds: RouterCredentials;

  beforeEach(async () => {
    sim = await startRouterSim({ version, identity: "Kahawa-West", board: "hAP ac^2" });
    creds = { host: "127.0.0.1", port: sim.port, username: "mnetifi-api", password: "mnetifi-api-pass", timeoutSeconds: 2 };
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("reads identity and resources, and closes the connection afterwards", async () => {
    const { identity, resource } = await withRouter(creds, async (api) => ({ identity: await api.identity(), resource: await api.resource() }));
    expect(identity).toBe("Kahawa-West");
    expect(resource).toEqual({ uptimeSeconds: expect.any(Number), cpuLoad: expect.any(Number), freeMemory: expect.any(Number), totalMemory: 1073741824, version, board: "hAP ac^2" });
    expect(resource.freeMemory).toBeLessThan(resource.totalMemory);
    await expect.poll(() => sim.connections().length).toBe(0);
  });

  it("lists by comment prefix on an empty menu: [] and no crash (the !empty patch at work on 7.18)", async () => {
    const result = await withRouter(creds, async (api) => ({
      users: await api.listHotspotUsers({ commentPrefix: "mnetifi:" }),
      secrets: await api.listPppSecrets({ commentPrefix: "mnetifi:" }),
      active: await api.hotspotActiveCount(),
      ppp: await api.pppActiveCount(),
    }));
    expect(result).toEqual({ users: [], secrets: [], active: 0, ppp: 0 });
  });

  it("ensures a hotspot profile idempotently, updates only what differs, removes it", async () => {
    const spec = { name: "1day-2M", rateLimit: "2M/5M", sharedUsers: 1, idleTimeout: "5m", sessionTimeout: "1d" };
    expect(await withRouter(creds, (api) => api.ensureHotspotProfile(spec))).toBe("created");
    const mark = sim.commands().length;
    expect(await withRouter(creds, (api) => api.ensureHotspotProfile({ ...spec, idleTimeout: 300, sessionTimeout: 86400 }))).toBe("unchanged");
    expect(writes(sim, mark)).toEqual([]);
    expect(await withRouter(creds, (api) => api.ensureHotspotProfile({ ...spec, rateLimit: "3M/6M", idleTimeout: "none" }))).toBe("updated");
    const profile = (sim.state()["/ip/hotspot/user/profile"] as Array<Record<string, string>>).find((p) => p.name === "1day-2M");
    expect(profile).toMatchObject({ "rate-limit": "3M/6M", "shared-users": "1", "idle-timeout": "none", "session-timeout": "1d" });
    expect(await withRouter(creds, (api) => api.removeHotspotProfile("1day-2M"))).toBe("removed");
    expect(await withRouter(creds, (api) => api.removeHotspotProfile("1day-2M"))).toBe("missing");
  });

  it("ensures hotspot users idempotently, toggles disabled, lists by prefix and removes", async () => {
    await withRouter(creds, async (api) => {
      await api.ensureHotspotProfile({ name: "1h-1M", rateLimit: "1M/1M", sharedUsers: 1, idleTimeout: "none" });
      const spec = { name: "HS-A1B2C3", password: "8h3k2", profile: "1h-1M", limitUptime: "1h", comment: "mnetifi:voucher:1" };
      expect(await api.ensureHotspotUser(spec)).toBe("created");
      const mark = sim.commands().length;
      expect(await api.ensureHotspotUser({ ...spec, limitUptime: 3600 })).toBe("unchanged");
      expect(writes(sim, mark)).toEqual([]);
      expect(await api.ensureHotspotUser({ ...spec, password: "new-pass" })).toBe("updated");
      // A data cap (limit-bytes-total) is set, compared and cleared like the rest.
      expect(await api.ensureHotspotUser({ ...spec, password: "new-pass", limitBytesTotal: 1_073_741_824 })).toBe("updated");
      expect(await api.ensureHotspotUser({ ...spec, password: "new-pass", limitBytesTotal: 1_073_741_824 })).toBe("unchanged");
      expect(await api.ensureHotspotUser({ ...spec, password: "new-pass", limitBytesTotal: 2_147_483_648 })).toBe("updated");
      await api.ensureHotspotUser({ name: "HS-OTHER", password: "x", profile: "default", comment: "admin:manual" });

      expect(await api.setHotspotUserDisabled("HS-A1B2C3", true)).toBe("updated");
      expect(await api.setHotspotUserDisabled("HS-A1B2C3", true)).toBe("unchanged");
      expect(await api.setHotspotUserDisabled("HS-NOBODY", true)).toBe("missing");

      const listed = await api.listHotspotUsers({ commentPrefix: "mnetifi:" });
      expect(listed).toEqual([
        { id: expect.stringMatching(/^\*[0-9A-F]+$/), name: "HS-A1B2C3", profile: "1h-1M", limitUptimeSeconds: 3600, limitBytesTotal: 2_147_483_648, comment: "mnetifi:voucher:1", disabled: true, uptimeSeconds: 0, bytesIn: 0, bytesOut: 0 },
      ]);
      expect(await api.setHotspotUserDisabled("HS-A1B2C3", false)).toBe("updated");
      expect(await api.removeHotspotUser("HS-A1B2C3")).toBe("removed");
      expect(await api.removeHotspotUser("HS-A1B2C3")).toBe("missing");
      expect(await api.listHotspotUsers({ commentPrefix: "mnetifi:" })).toEqual([]);
    });
    const users = sim.state()["/ip/hotspot/user"] as Array<Record<string, string>>;
    expect(users.map((u) => u.name)).toEqual(["HS-OTHER"]);
  });

  it("re-creates a user an admin deleted by hand on the router", async () => {
    const spec = { name: "HS-GONE", password: "pw", profile: "default", comment: "mnetifi:2" };
    await withRouter(creds, (api) => api.ensureHotspotUser(spec));
    expect(sim.removeItemByHand("/ip/hotspot/user", "HS-GONE")).toBe(true);
    expect(await withRouter(creds, (api) => api.setHotspotUserDisabled("HS-GONE", true))).toBe("missing");
    expect(await withRouter(creds, (api) => api.ensureHotspotUser(spec))).toBe("created");
  });

  it("logs a device in from the router side, counts it, and kicks it", async () => {
    await withRouter(creds, (api) => api.ensureHotspotUser({ name: "HS-PAID", password: "pw", profile: "default", comment: "mnetifi:3" }));
    sim.deviceAppear({ mac: "AA:BB:CC:DD:EE:01", ip: "10.5.50.23" });
    await withRouter(creds, async (api) => {
      expect(await api.loginDevice({ user: "HS-PAID", password: "pw", mac: "aa:bb:cc:dd:ee:01", ip: "10.5.50.23" })).toBe("created");
      expect(await api.loginDevice({ user: "HS-PAID", password: "pw", mac: "AA:BB:CC:DD:EE:01", ip: "10.5.50.23" })).toBe("unchanged");
      expect(await api.hotspotActiveCount()).toBe(1);
      // shared-users=1 on the default profile: a second device is refused by the router.
      expect(sim.deviceLogin({ user: "HS-PAID", mac: "AA:BB:CC:DD:EE:02", ip: "10.5.50.24" })).toBe("no more sessions are allowed for user");
      expect(await api.kickHotspotUser("HS-PAID")).toBe(1);
      expect(await api.kickHotspotUser("HS-PAID")).toBe(0);
      expect(await api.hotspotActiveCount()).toBe(0);
    });
  });

  it("reports router refusals as trap errors with the router's text", async () => {
    const err = await routerError(withRouter(creds, (api) => api.ensureHotspotUser({ name: "HS-X", password: "p", profile: "no-such-profile", comment: "mnetifi:4" })));
    expect(err.kind).toBe<RouterErrorKind>("trap");
    expect(err.detail).toBe("input does not match any value of profile");
    expect(err.message).toContain("adding hotspot user HS-X");
    sim.deviceAppear({ mac: "AA:BB:CC:DD:EE:09", ip: "10.5.50.29" });
    const login = await routerError(withRouter(creds, (api) => api.loginDevice({ user: "nobody", password: "x", mac: "AA:BB:CC:DD:EE:09", ip: "10.5.50.29" })));
    expect(login).toMatchObject({ kind: "trap", detail: "invalid username or password" });
  });

  it("manages PPP profiles and secrets idempotently, and kicks PPP sessions", async () => {
    await withRouter(creds, async (api) => {
      const profile = { name: "home-10M", rateLimit: "5M/10M", localAddress: "10.20.0.1", remoteAddress: "pppoe-pool" };
      expect(await api.ensurePppProfile(profile)).toBe("created");
      let mark = sim.commands().length;
      expect(await api.ensurePppProfile(profile)).toBe("unchanged");
      expect(writes(sim, mark)).toEqual([]);

      const secret = { name: "cust-0042", password: "s3cret", profile: "home-10M", service: "pppoe" as const, remoteAddress: "10.20.0.42", comment: "mnetifi:sub:42" };
      expect(await api.ensurePppSecret(secret)).toBe("created");
      mark = sim.commands().length;
      expect(await api.ensurePppSecret(secret)).toBe("unchanged");
      expect(writes(sim, mark)).toEqual([]);
      // Dropping the fixed address unsets it on the router.
      const { remoteAddress: _dropped, ...withoutAddress } = secret;
      expect(await api.ensurePppSecret(withoutAddress)).toBe("updated");
      expect(await api.ensurePppSecret(withoutAddress)).toBe("unchanged");

      expect(await api.setPppSecretDisabled("cust-0042", true)).toBe("updated");
      expect(await api.setPppSecretDisabled("cust-0042", true)).toBe("unchanged");
      expect(await api.listPppSecrets({ commentPrefix: "mnetifi:sub:" })).toEqual([
        { id: expect.stringMatching(/^\*[0-9A-F]+$/), name: "cust-0042", profile: "home-10M", service: "pppoe", remoteAddress: null, comment: "mnetifi:sub:42", disabled: true },
      ]);
      expect(sim.pppConnect({ user: "cust-0042", password: "s3cret" })).toBe("authentication failed: user disabled");
      expect(await api.setPppSecretDisabled("cust-0042", false)).toBe("updated");
      expect(sim.pppConnect({ user: "cust-0042", password: "s3cret", callerId: "AA:00:00:00:00:42" })).toBeNull();
      expect(await api.pppActiveCount()).toBe(1);
      expect(await api.kickPpp("cust-0042")).toBe(1);
      expect(await api.pppActiveCount()).toBe(0);
      expect(await api.removePppSecret("cust-0042")).toBe("removed");
      expect(await api.removePppSecret("cust-0042")).toBe("missing");
    });
    const profiles = sim.state()["/ppp/profile"] as Array<Record<string, string>>;
    expect(profiles.find((p) => p.name === "home-10M")).toMatchObject({ "rate-limit": "5M/10M", "local-address": "10.20.0.1", "remote-address": "pppoe-pool" });
  });

  describe("error classification", () => {
    it("wrong password → auth", async () => {
      const err = await routerError(withRouter({ ...creds, password: "wrong" }, (api) => api.identity()));
      expect(err.kind).toBe<RouterErrorKind>("auth");
      expect(err.message).toMatch(/did not accept the API username or password/);
    });

    it("nothing listening → refused", async () => {
      const port = await freePort();
      const err = await routerError(withRouter({ ...creds, port }, (api) => api.identity()));
      expect(err.kind).toBe<RouterErrorKind>("refused");
      expect(err.message).toContain(`127.0.0.1:${port}`);
    });

    it("router offline before connecting → refused, and fine again once it is back", async () => {
      await sim.goOffline();
      const err = await routerError(withRouter(creds, (api) => api.identity()));
      expect(["refused", "unreachable"]).toContain(err.kind);
      await sim.goOnline();
      expect(await withRouter(creds, (api) => api.identity())).toBe("Kahawa-West");
    });

    it("a router that accepts but never answers → timeout within the configured seconds", async () => {
      const sockets = new Set<net.Socket>();
      const silent = net.createServer((s) => {
        sockets.add(s);
        s.on("error", () => {});
      });
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const port = (silent.address() as net.AddressInfo).port;
      const started = Date.now();
      const err = await routerError(withRouter({ ...creds, port, timeoutSeconds: 1 }, (api) => api.identity()));
      const elapsed = Date.now() - started;
      expect(err.kind).toBe<RouterErrorKind>("timeout");
      expect(err.message).toBe(`The router did not answer on 127.0.0.1:${port} within 1 s.`);
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(2500);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it("a router that stops answering mid-operation → timeout", async () => {
      const started = Date.now();
      const err = await routerError(
        withRouter({ ...creds, timeoutSeconds: 1 }, async (api) => {
          await api.identity();
          sim.setUnresponsive(true);
          return api.listHotspotUsers({ commentPrefix: "" });
        }),
      );
      expect(err.kind).toBe<RouterErrorKind>("timeout");
      expect(Date.now() - started).toBeLessThan(2500);
      sim.setUnresponsive(false);
    });

    it("a router going offline mid-operation → error; back online, the same operation succeeds", async () => {
      const operation = (api: Parameters<Parameters<typeof withRouter>[1]>[0]) => api.ensureHotspotUser({ name: "HS-MID", password: "pw", profile: "default", comment: "mnetifi:5" });
      const err = await routerError(
        withRouter(creds, async (api) => {
          await api.identity();
          await sim.goOffline();
          return operation(api);
        }),
      );
      expect(err.kind).toBe<RouterErrorKind>("unreachable");

      // Offline while a command is in flight: the reply never comes, the connection drops.
      await sim.goOnline();
      sim.setReplyDelay(300);
      const inFlight = withRouter(creds, async (api) => {
        await api.identity();
        const pending = operation(api);
        setTimeout(() => void sim.goOffline(), 100);
        return pending;
      });
      const err2 = await routerError(inFlight);
      expect(err2.kind).toBe<RouterErrorKind>("unreachable");
      sim.setReplyDelay(0);

      await sim.goOnline();
      expect(await withRouter(creds, operation)).toBe("created");
      expect(await withRouter(creds, operation)).toBe("unchanged");
    });

    it("passes the caller's own errors through untouched", async () => {
      const own = new TypeError("my bug");
      await expect(withRouter(creds, async () => Promise.reject(own))).rejects.toBe(own);
      await expect.poll(() => sim.connections().length).toBe(0);
    });
  });
});

describe("the node-routeros !empty patch", () => {
  it("is applied to node_modules/node-routeros and recorded under patches/", () => {
    const channel = fs.readFileSync(path.join(ROOT, "node_modules/node-routeros/dist/Channel.js"), "utf8");
    expect(channel).toContain("case '!empty':");
    const patch = fs.readFileSync(path.join(ROOT, "patches/node-routeros+1.6.9.patch"), "utf8");
    expect(patch).toContain("+            case '!empty':");
  });

  it("turns a process crash on RouterOS 7.18 into an empty result (unpatched copy vs patched)", async () => {
    const sim = await startRouterSim({ version: "7.18" });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ros-unpatched-"));
    try {
      fs.cpSync(path.join(ROOT, "node_modules/node-routeros"), path.join(tmp, "node_modules/node-routeros"), { recursive: true });
      // Undo the patch on the copy to get stock node-routeros 1.6.9.
      execFileSync("git", ["apply", "-R", path.join(ROOT, "patches/node-routeros+1.6.9.patch")], { cwd: tmp });
      const script = `
        const { RouterOSAPI } = require(process.env.ROS_MODULE);
        const api = new RouterOSAPI({ host: "127.0.0.1", port: Number(process.env.ROS_PORT), user: "admin", password: "admin", timeout: 3 });
        api.on("error", () => {});
        api.connect()
          .then(() => api.write("/ip/hotspot/user/print"))
          .then((rows) => { console.log("ROWS " + JSON.stringify(rows)); return api.close(); })
          .then(() => process.exit(0));
      `;
      // Async on purpose: the simulator answering the child lives in this process.
      const run = (modulePath: string) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ["-e", script], {
            env: { ...process.env, ROS_MODULE: modulePath, ROS_PORT: String(sim.port), NODE_PATH: path.join(ROOT, "node_modules") },
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
          child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
          const timer = setTimeout(() => child.kill(), 10_000);
          child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
          });
        });
      const stock = await run(path.join(tmp, "node_modules/node-routeros"));
      expect(stock.status).not.toBe(0);
      expect(stock.stderr).toContain("Tried to process unknown reply: !empty");
      const patched = await run(path.join(ROOT, "node_modules/node-routeros"));
      expect(patched.status).toBe(0);
      expect(patched.stdout).toContain("ROWS []");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      await sim.stop();
    }
  });
});

describe("RouterOS times", () => {
  it.each([
    ["1w2d3h4m5s", 788645],
    ["00:05:00", 300],
    ["1d00:00:00", 86400],
    ["2w", 1209600],
    ["59s", 59],
    ["1s500ms", 1.5],
    ["none", null],
    ["bogus", null],
  ])("parses %s", (text, seconds) => {
    expect(parseRouterTime(text)).toBe(seconds);
  });
});
