// A small, idempotent interface to one MikroTik router over the RouterOS API, built on
// routeros-client / node-routeros (docs/decisions/0009-routeros-client.md). One connection per
// withRouter() call; every failure becomes a RouterError with a plain-language message.
//
// Why the guards below: node-routeros never settles a pending command when the socket closes, its
// `timeout` is only a socket idle timer, and its close() waits for the peer. So every command here
// races the configured timeout and the connection's loss, and closing is bounded.
import { getSystemErrorName } from "node:util";
import { RouterOSAPI, RosApiMenu } from "routeros-client";
import { formatRouterTime, parseRouterTime, sameRouterTime, type RouterTime } from "./time";

export { parseRouterTime, formatRouterTime, sameRouterTime, type RouterTime } from "./time";

export type RouterCredentials = {
  host: string;
  port: number;
  username: string;
  password: string;
  /** api-ssl; the router's certificate is not verified (they are self-signed in practice). */
  tls?: boolean;
  /** Per command and for connecting; default 10. */
  timeoutSeconds?: number;
};

export type RouterErrorKind = "unreachable" | "refused" | "auth" | "timeout" | "protocol" | "trap";

export class RouterError extends Error {
  override name = "RouterError";
  constructor(
    readonly kind: RouterErrorKind,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export type EnsureResult = "created" | "updated" | "unchanged";
export type ToggleResult = "updated" | "unchanged" | "missing";
export type RemoveResult = "removed" | "missing";

export type RouterResource = {
  uptimeSeconds: number;
  cpuLoad: number;
  freeMemory: number;
  totalMemory: number;
  /** e.g. "7.16.2" (without the channel). */
  version: string;
  board: string;
};

export type HotspotProfileSpec = {
  name: string;
  /** RouterOS rate-limit, e.g. "2M/5M" (upload/download as the client sees it). */
  rateLimit: string;
  sharedUsers: number;
  /** "none" or a time. */
  idleTimeout: RouterTime;
  /** Omitted = no session limit (0s). */
  sessionTimeout?: RouterTime;
};

export type HotspotUserSpec = {
  name: string;
  password: string;
  profile: string;
  /** Omitted = unlimited (0s). */
  limitUptime?: RouterTime;
  /** Bytes up and down together the user may use (a plan's data cap); omitted or 0 = no cap. */
  limitBytesTotal?: number;
  comment: string;
};

export type HotspotUser = {
  id: string;
  name: string;
  profile: string;
  /** null = unlimited. */
  limitUptimeSeconds: number | null;
  /** null = no data cap. */
  limitBytesTotal: number | null;
  comment: string;
  disabled: boolean;
  uptimeSeconds: number;
  bytesIn: number;
  bytesOut: number;
};

/** A device logged in on the hotspot now (`/ip/hotspot/active`). */
export type HotspotSession = {
  id: string;
  user: string;
  /** The device's IP address. */
  address: string;
  macAddress: string;
  loginBy: string;
  uptimeSeconds: number;
  /** From the device (its upload). */
  bytesIn: number;
  /** To the device (its download). */
  bytesOut: number;
};

export type PppProfileSpec = {
  name: string;
  rateLimit: string;
  /** Omitted = not set on the profile. */
  localAddress?: string;
  remoteAddress?: string;
};

export type PppService = "any" | "async" | "isdn" | "l2tp" | "pppoe" | "pptp" | "ovpn" | "sstp";

export type PppSecretSpec = {
  name: string;
  password: string;
  profile: string;
  service: PppService;
  /** Omitted = address from the profile/pool. */
  remoteAddress?: string;
  comment: string;
};

export type PppSecret = {
  id: string;
  name: string;
  profile: string;
  service: string;
  remoteAddress: string | null;
  comment: string;
  disabled: boolean;
};

export type RouterApi = {
  identity(): Promise<string>;
  resource(): Promise<RouterResource>;
  hotspotActiveCount(): Promise<number>;
  pppActiveCount(): Promise<number>;
  ensureHotspotProfile(spec: HotspotProfileSpec): Promise<EnsureResult>;
  removeHotspotProfile(name: string): Promise<RemoveResult>;
  /** Does not touch `disabled`; see setHotspotUserDisabled. */
  ensureHotspotUser(spec: HotspotUserSpec): Promise<EnsureResult>;
  setHotspotUserDisabled(name: string, disabled: boolean): Promise<ToggleResult>;
  /** Removing does not end a live session (RouterOS keeps it); kick it too when that matters. */
  removeHotspotUser(name: string): Promise<RemoveResult>;
  listHotspotUsers(filter: { commentPrefix: string }): Promise<HotspotUser[]>;
  /** Logs a device in from the router side (after payment). "unchanged" when that MAC is already in as that user. */
  loginDevice(input: { user: string; password: string; mac: string; ip: string }): Promise<"created" | "unchanged">;
  /** Ends every active hotspot session of the user; returns how many. */
  /** Ends the user's live hotspot sessions (only the one of `mac` when given); returns how many. */
  kickHotspotUser(name: string, opts?: { mac?: string }): Promise<number>;
  /** The live hotspot sessions of one user (read-only). */
  hotspotSessions(filter: { user: string }): Promise<HotspotSession[]>;
  ensurePppProfile(spec: PppProfileSpec): Promise<EnsureResult>;
  removePppProfile(name: string): Promise<RemoveResult>;
  ensurePppSecret(spec: PppSecretSpec): Promise<EnsureResult>;
  setPppSecretDisabled(name: string, disabled: boolean): Promise<ToggleResult>;
  removePppSecret(name: string): Promise<RemoveResult>;
  listPppSecrets(filter: { commentPrefix: string }): Promise<PppSecret[]>;
  /** Ends every active PPP session of the secret; returns how many. */
  kickPpp(name: string): Promise<number>;
};

type Row = Record<string, string>;

/** Connects, runs fn, always closes. Errors from router commands are RouterErrors; fn's own errors pass through. */
export async function withRouter<T>(creds: RouterCredentials, fn: (api: RouterApi) => Promise<T>): Promise<T> {
  const timeoutSeconds = creds.timeoutSeconds ?? 10;
  const where = `${creds.host}:${creds.port}`;
  const conn = new RouterOSAPI({
    host: creds.host,
    port: creds.port,
    user: creds.username,
    password: creds.password,
    timeout: timeoutSeconds,
    // Self-signed certificates are the norm on routers; see the reference §1 for ADH-only routers.
    tls: creds.tls ? { rejectUnauthorized: false } : undefined,
  });
  const connection = new Connection(conn, where, timeoutSeconds);
  try {
    await connection.guard(
      "connecting",
      () => {
        const connected = conn.connect();
        connection.noDelay();
        return connected;
      },
      "connect",
    );
    return await fn(createRouterApi(connection));
  } finally {
    await connection.close();
  }
}

class Connection {
  lost: RouterError | null = null;
  private readonly waiting = new Set<(err: RouterError) => void>();
  readonly menu: RosApiMenu;

  constructor(
    readonly conn: RouterOSAPI,
    readonly where: string,
    readonly timeoutSeconds: number,
  ) {
    this.menu = new RosApiMenu(conn);
    // Without an 'error' listener node-routeros crashes the process (reference §5, gotcha 5).
    conn.on("error", (err: unknown) => this.fail(classify(err, this.where, "the connection", "command")));
    conn.on("close", () => this.fail(new RouterError("unreachable", `The connection to the router at ${this.where} was closed.`)));
  }

  /** Runs one router command (or a short sequence) against the timeout and the connection's loss. */
  guard<T>(what: string, op: () => Promise<T>, phase: "connect" | "command" = "command"): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.waiting.delete(onLost);
        settle();
      };
      const onLost = (err: RouterError) => finish(() => reject(err));
      const timer = setTimeout(() => {
        const err = new RouterError("timeout", `The router did not answer on ${this.where} within ${this.timeoutSeconds} s.`, what);
        // A router that stopped answering is not trusted for the rest of this connection.
        this.fail(err);
        this.destroy();
      }, this.timeoutSeconds * 1000);
      this.waiting.add(onLost);
      let promise: Promise<T>;
      try {
        promise = op();
      } catch (err) {
        promise = Promise.reject(err);
      }
      promise.then(
        (value) => finish(() => resolve(value)),
        (err: unknown) => finish(() => reject(classify(err, this.where, what, phase))),
      );
    });
  }

  fail(err: RouterError) {
    if (!this.lost) this.lost = err;
    for (const notify of [...this.waiting]) notify(err);
  }

  async close() {
    if (!this.lost) this.lost = new RouterError("protocol", `The connection to ${this.where} is closed.`);
    for (const notify of [...this.waiting]) notify(this.lost);
    if (this.conn.connected && !this.destroyed) {
      // close() waits for the router's FIN; do not let a hung router hold us.
      const closing = this.conn.close().catch(() => undefined);
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    this.destroy();
  }

  /** Sends each command at once instead of letting Nagle hold node-routeros' word-by-word writes. */
  noDelay() {
    this.internals().connector?.socket?.setNoDelay(true);
  }

  private destroyed = false;

  private destroy() {
    this.destroyed = true;
    const internals = this.internals();
    // Its "hold the connection" timer would otherwise fire once more into the dead socket.
    clearTimeout(internals.connectionHoldInterval);
    try {
      internals.connector?.destroy();
    } catch {
      // already gone
    }
  }

  /** node-routeros keeps the socket and its timers private; these are the only handles on them. */
  private internals() {
    return this.conn as unknown as {
      connector?: { destroy(): void; socket?: { setNoDelay(on: boolean): void } } | null;
      connectionHoldInterval?: NodeJS.Timeout;
    };
  }
}

function classify(err: unknown, where: string, what: string, phase: "connect" | "command"): RouterError {
  if (err instanceof RouterError) return err;
  const code = errorCode(err);
  const text = err instanceof Error ? err.message : String(err);
  switch (code) {
    case "ECONNREFUSED":
      return new RouterError("refused", `The router at ${where} refused the connection. Is the API service enabled on that port?`, code);
    case "SOCKTMOUT":
    case "ETIMEDOUT":
      return new RouterError("timeout", `The router did not answer on ${where} within the time allowed.`, code);
    case "CANTLOGIN":
      return new RouterError("auth", `The router at ${where} did not accept the API username or password.`, text);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EHOSTDOWN":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ECONNRESET":
    case "ECONNABORTED":
    case "EPIPE":
      return new RouterError("unreachable", `The router at ${where} could not be reached (${code}).`, text || code);
    case "UNKNOWNREPLY":
    case "UNREGISTEREDTAG":
    case "ALRDYCONNECTING":
    case "ALRDYCLOSNG":
      return new RouterError("protocol", `The router at ${where} answered in a way this system does not understand.`, text || code);
  }
  // node-routeros rejects a `!trap` with a plain Error carrying the router's message.
  if (err instanceof Error && err.constructor === Error) {
    if (phase === "connect") return new RouterError("auth", `The router at ${where} refused the login: ${text}`, text);
    return new RouterError("trap", `The router at ${where} refused ${what}: ${text}`, text);
  }
  return new RouterError("protocol", `Unexpected failure talking to the router at ${where} (${what}).`, text || code || undefined);
}

/** node-routeros wraps socket errors in RosException with Node's numeric errno; map it back to a name. */
function errorCode(err: unknown): string | null {
  if (typeof err === "string") return err;
  if (!(err instanceof Error)) return null;
  const errno = (err as { errno?: unknown; code?: unknown }).errno;
  if (typeof errno === "string") return errno;
  if (typeof errno === "number" && errno < 0) {
    try {
      return getSystemErrorName(errno);
    } catch {
      return null;
    }
  }
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

function createRouterApi(c: Connection): RouterApi {
  const write = (what: string, words: string[]) => c.guard(what, () => c.conn.write(words) as Promise<Row[]>);

  /** Print with exact string values (routeros-client would turn "0712..." into a number). */
  const print = (menu: string, query: Record<string, string>, props: string[], what: string) =>
    write(what, [`${menu}/print`, `=.proplist=${props.join(",")}`, ...Object.entries(query).map(([k, v]) => `?${k}=${v}`)]);

  const findOne = async (menu: string, key: string, value: string, props: string[], what: string): Promise<Row | null> => {
    const rows = await print(menu, { [key]: value }, [".id", key, ...props.filter((p) => p !== key)], what);
    return rows.find((r) => r[key] === value) ?? null;
  };

  /** Create or converge one named row; only the changed properties are sent. */
  const ensure = async (menu: string, label: string, name: string, desired: Record<string, string | null>, same: Record<string, (have: string | undefined, want: string) => boolean> = {}): Promise<EnsureResult> => {
    const row = await findOne(menu, "name", name, Object.keys(desired), `reading ${label} ${name}`);
    if (!row) {
      const data = Object.fromEntries(Object.entries(desired).filter((e): e is [string, string] => e[1] !== null));
      await c.guard(`adding ${label} ${name}`, () => c.menu.menu(menu).add({ name, ...data }));
      return "created";
    }
    const changes: Record<string, string> = {};
    const unset: string[] = [];
    for (const [prop, want] of Object.entries(desired)) {
      const have = row[prop];
      if (want === null) {
        if (have !== undefined && have !== "") unset.push(prop);
      } else if (have === undefined && prop === "password") {
        // Routers hide passwords from API users without the `sensitive` policy: we cannot compare, so send it.
        changes[prop] = want;
      } else if (!(same[prop] ?? ((h, w) => h === w))(have, want)) {
        changes[prop] = want;
      }
    }
    const id = row[".id"] as string;
    if (Object.keys(changes).length > 0) await c.guard(`updating ${label} ${name}`, () => c.menu.menu(menu).update(changes, id));
    if (unset.length > 0) await c.guard(`updating ${label} ${name}`, () => c.menu.menu(menu).unset(unset, id));
    return Object.keys(changes).length > 0 || unset.length > 0 ? "updated" : "unchanged";
  };

  const setDisabled = async (menu: string, label: string, name: string, disabled: boolean): Promise<ToggleResult> => {
    const row = await findOne(menu, "name", name, ["disabled"], `reading ${label} ${name}`);
    if (!row) return "missing";
    if (isTrue(row.disabled) === disabled) return "unchanged";
    const id = row[".id"] as string;
    await c.guard(`${disabled ? "disabling" : "enabling"} ${label} ${name}`, () => (disabled ? c.menu.menu(menu).disable(id) : c.menu.menu(menu).enable(id)));
    return "updated";
  };

  const remove = async (menu: string, label: string, name: string): Promise<RemoveResult> => {
    const row = await findOne(menu, "name", name, [], `reading ${label} ${name}`);
    if (!row) return "missing";
    await write(`removing ${label} ${name}`, [`${menu}/remove`, `=.id=${row[".id"] as string}`]);
    return "removed";
  };

  const kick = async (menu: string, key: string, name: string, label: string, mac?: string): Promise<number> => {
    const sameMac = (r: Record<string, unknown>) => !mac || String(r["mac-address"] ?? "").toUpperCase() === mac.toUpperCase();
    const rows = (await print(menu, { [key]: name }, [".id", key, ...(mac ? ["mac-address"] : [])], `reading ${label} of ${name}`)).filter((r) => r[key] === name && sameMac(r));
    for (const row of rows) {
      try {
        await write(`ending ${label} of ${name}`, [`${menu}/remove`, `=.id=${row[".id"] as string}`]);
      } catch (err) {
        // The session may have ended on its own between print and remove.
        if (!(err instanceof RouterError && err.kind === "trap" && /no such item/i.test(err.detail ?? ""))) throw err;
      }
    }
    return rows.length;
  };

  const count = async (menu: string, what: string) => (await print(menu, {}, [".id"], what)).length;
  const sameRate = (have: string | undefined, want: string) => normalizeSpaces(have) === normalizeSpaces(want);
  const sameTime = (have: string | undefined, want: string) => sameRouterTime(have, want);

  return {
    async identity() {
      const [row] = await write("reading the identity", ["/system/identity/print"]);
      return row?.name ?? "";
    },

    async resource() {
      const [row] = await write("reading system resources", ["/system/resource/print"]);
      if (!row) throw new RouterError("protocol", `The router at ${c.where} returned no system resources.`);
      return {
        uptimeSeconds: Math.floor(parseRouterTime(row.uptime ?? "") ?? 0),
        cpuLoad: toInt(row["cpu-load"]),
        freeMemory: toInt(row["free-memory"]),
        totalMemory: toInt(row["total-memory"]),
        version: (row.version ?? "").split(" ")[0] ?? "",
        board: row["board-name"] ?? "",
      };
    },

    hotspotActiveCount: () => count("/ip/hotspot/active", "counting hotspot sessions"),
    pppActiveCount: () => count("/ppp/active", "counting PPP sessions"),

    ensureHotspotProfile(spec) {
      return ensure(
        "/ip/hotspot/user/profile",
        "hotspot profile",
        spec.name,
        {
          "rate-limit": normalizeSpaces(spec.rateLimit),
          "shared-users": String(spec.sharedUsers),
          "idle-timeout": formatRouterTime(spec.idleTimeout),
          "session-timeout": formatRouterTime(spec.sessionTimeout ?? 0),
        },
        { "rate-limit": sameRate, "idle-timeout": sameTime, "session-timeout": sameTime },
      );
    },

    removeHotspotProfile: (name) => remove("/ip/hotspot/user/profile", "hotspot profile", name),

    ensureHotspotUser(spec) {
      return ensure(
        "/ip/hotspot/user",
        "hotspot user",
        spec.name,
        {
          password: spec.password,
          profile: spec.profile,
          "limit-uptime": formatRouterTime(spec.limitUptime ?? 0),
          "limit-bytes-total": String(Math.max(0, Math.floor(spec.limitBytesTotal ?? 0))),
          comment: spec.comment,
        },
        { "limit-uptime": sameTime, "limit-bytes-total": (h, w) => toInt(h) === Number(w), comment: (h, w) => (h ?? "") === w },
      );
    },

    setHotspotUserDisabled: (name, disabled) => setDisabled("/ip/hotspot/user", "hotspot user", name, disabled),
    removeHotspotUser: (name) => remove("/ip/hotspot/user", "hotspot user", name),

    async listHotspotUsers({ commentPrefix }) {
      const rows = await print("/ip/hotspot/user", {}, [".id", "name", "profile", "limit-uptime", "limit-bytes-total", "comment", "disabled", "uptime", "bytes-in", "bytes-out"], "listing hotspot users");
      return rows
        .filter((r) => (r.comment ?? "").startsWith(commentPrefix))
        .map((r) => {
          const limit = parseRouterTime(r["limit-uptime"] ?? "");
          return {
            id: r[".id"] ?? "",
            name: r.name ?? "",
            profile: r.profile ?? "",
            limitUptimeSeconds: limit ? limit : null,
            limitBytesTotal: toInt(r["limit-bytes-total"]) || null,
            comment: r.comment ?? "",
            disabled: isTrue(r.disabled),
            uptimeSeconds: Math.floor(parseRouterTime(r.uptime ?? "") ?? 0),
            bytesIn: toInt(r["bytes-in"]),
            bytesOut: toInt(r["bytes-out"]),
          };
        });
    },

    async loginDevice({ user, password, mac, ip }) {
      const sessions = await print("/ip/hotspot/active", { "mac-address": mac.toUpperCase() }, [".id", "user", "mac-address"], `reading the session of ${mac}`);
      if (sessions.some((s) => s.user === user)) return "unchanged";
      await write(`logging in ${mac} as ${user}`, ["/ip/hotspot/active/login", `=user=${user}`, `=password=${password}`, `=mac-address=${mac}`, `=ip=${ip}`]);
      return "created";
    },

    kickHotspotUser: (name, opts) => kick("/ip/hotspot/active", "user", name, "hotspot sessions", opts?.mac),

    async hotspotSessions({ user }) {
      const rows = await print("/ip/hotspot/active", { user }, [".id", "user", "address", "mac-address", "login-by", "uptime", "bytes-in", "bytes-out"], `reading the sessions of ${user}`);
      return rows
        .filter((r) => r.user === user)
        .map((r) => ({
          id: r[".id"] ?? "",
          user: r.user ?? "",
          address: r.address ?? "",
          macAddress: r["mac-address"] ?? "",
          loginBy: r["login-by"] ?? "",
          uptimeSeconds: Math.floor(parseRouterTime(r.uptime ?? "") ?? 0),
          bytesIn: toInt(r["bytes-in"]),
          bytesOut: toInt(r["bytes-out"]),
        }));
    },

    ensurePppProfile(spec) {
      return ensure(
        "/ppp/profile",
        "PPP profile",
        spec.name,
        { "rate-limit": normalizeSpaces(spec.rateLimit), "local-address": spec.localAddress ?? null, "remote-address": spec.remoteAddress ?? null },
        { "rate-limit": sameRate },
      );
    },

    removePppProfile: (name) => remove("/ppp/profile", "PPP profile", name),

    ensurePppSecret(spec) {
      return ensure(
        "/ppp/secret",
        "PPP secret",
        spec.name,
        { password: spec.password, profile: spec.profile, service: spec.service, "remote-address": spec.remoteAddress ?? null, comment: spec.comment },
        { comment: (h, w) => (h ?? "") === w },
      );
    },

    setPppSecretDisabled: (name, disabled) => setDisabled("/ppp/secret", "PPP secret", name, disabled),
    removePppSecret: (name) => remove("/ppp/secret", "PPP secret", name),

    async listPppSecrets({ commentPrefix }) {
      const rows = await print("/ppp/secret", {}, [".id", "name", "profile", "service", "remote-address", "comment", "disabled"], "listing PPP secrets");
      return rows
        .filter((r) => (r.comment ?? "").startsWith(commentPrefix))
        .map((r) => ({
          id: r[".id"] ?? "",
          name: r.name ?? "",
          profile: r.profile ?? "",
          service: r.service ?? "",
          remoteAddress: r["remote-address"] || null,
          comment: r.comment ?? "",
          disabled: isTrue(r.disabled),
        }));
    },

    kickPpp: (name) => kick("/ppp/active", "name", name, "PPP sessions"),
  };
}

function isTrue(value: string | undefined): boolean {
  return value === "true" || value === "yes";
}

function toInt(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function normalizeSpaces(value: string | undefined): string {
  return (value ?? "").trim().replace(/\s+/g, " ");
}
