// MikroTik RouterOS API simulator (plain TCP, the `api` service) for development and tests. It follows
// /work/shared/reference/routeros.md: exact framing, post-6.43 login (MD5 challenge below 6.43), tags
// with concurrent commands, `print` with `.proplist`/queries/`count-only`, `listen` + `/cancel`,
// `!empty` from 7.18 on, and the menus an ISP billing system touches. One router per instance;
// state is in memory. Choices where the reference is UNVERIFIED are listed at the top of router.ts.
//
// Malformed input never throws: a reserved control byte (≥ 0xF8) or an oversized word closes the
// connection (reference §7); anything that parses as words gets a `!trap`.
//
// Connection-level choices the reference leaves open: a failed login keeps the connection (the
// client may retry); before login words are capped at 16 KiB and 16 sentences, then the connection
// is dropped; `!empty` is sent for print/getall only (commands like set/remove still answer `!done`);
// `/cancel` of an unknown tag just answers `!done`.
import { createServer as createTcpServer, type Server, type Socket, type AddressInfo } from "node:net";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { encodeSentence, parseAttributeWord, ProtocolError, SentenceDecoder, type DecoderLimits } from "./protocol";
import { matchesQuery, parseQuery, QueryError, type Row } from "./query";
import { RouterModel, TrapError, type Group } from "./router";

export { encodeLength, decodeLength, encodeWord, encodeSentence, SentenceDecoder } from "./protocol";
export { parseDurationMs, formatDuration } from "./values";

export type SimUser = { name: string; password: string; group?: Group };

export type RouterSimOptions = {
  port?: number;
  /** e.g. "6.49.15", "7.16.2", "7.18" (default 7.16.2). */
  version?: string;
  identity?: string;
  board?: string;
  users?: SimUser[];
  /** Also serve the control API over HTTP on this port (0 = any free port). */
  controlPort?: number;
};

export type SimConnection = {
  id: number;
  remote: string;
  user: string | null;
  since: string;
  /** Tags of running `listen`/monitor commands. */
  running: string[];
};

export type LoggedCommand = { connection: number; at: string; words: string[] };

export type RouterSim = {
  port: number;
  /** Set when the HTTP control server runs. */
  controlPort: number | null;
  users: SimUser[];
  /** Puts a device in /ip/hotspot/host, as when it joins the hotspot network. */
  deviceAppear(input: { mac: string; ip: string }): void;
  /** Logs a device in as the login page would; null on success, else the hotspot's refusal message. */
  deviceLogin(input: { user: string; mac: string; ip: string; password?: string }): string | null;
  /** Connects a PPP(oE) client for a secret; null on success, else why it was refused. */
  pppConnect(input: { user: string; password?: string; callerId?: string; service?: string }): string | null;
  /** Adds bytes to the user's live sessions (bytesIn = from the client). Returns sessions touched. */
  traffic(input: { user: string; bytesIn: number; bytesOut: number }): number;
  /** Ends hotspot and PPP sessions of a user or MAC. Returns how many ended. */
  disconnect(input: { user?: string; mac?: string }): number;
  /** Closes every API connection and refuses new ones (the port stops listening). */
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  /** Offline for `ms`, then back with sessions/hosts cleared and uptime reset. Resolves when back. */
  reboot(ms?: number): Promise<void>;
  setVersion(version: string): void;
  /** Accept connections but never answer (a hung router). */
  setUnresponsive(on: boolean): void;
  /** Delay every reply by ms. */
  setReplyDelay(ms: number): void;
  /** The next command with this command word (e.g. "/ip/hotspot/user/add") gets this trap instead. */
  failNext(command: string, message: string, category?: number): void;
  /** Sends `!fatal <reason>` on every connection and closes them. */
  sendFatal(reason: string): void;
  /** Deep copy of every menu: list menus as row arrays, settings menus as one row. */
  state(): Record<string, Row[] | Row>;
  /** Deletes a row by name (or user/MAC for sessions) as an admin would on the router. */
  removeItemByHand(menu: string, name: string): boolean;
  connections(): SimConnection[];
  commands(): LoggedCommand[];
  clearCommands(): void;
  stop(): Promise<void>;
};

const DEFAULT_USERS: SimUser[] = [
  { name: "admin", password: "admin", group: "full" },
  { name: "mnetifi-api", password: "mnetifi-api-pass", group: "full" },
];
const PRE_LOGIN_LIMITS: DecoderLimits = { maxWordBytes: 16 * 1024, maxSentenceBytes: 32 * 1024 };
const LOGGED_IN_LIMITS: DecoderLimits = { maxWordBytes: 16 * 1024 * 1024, maxSentenceBytes: 32 * 1024 * 1024 };
/** Sentences a client may send before logging in; then the connection is dropped. */
const PRE_LOGIN_SENTENCES = 16;
const MAX_LOGGED_COMMANDS = 5000;
const PRINT_OPTIONS = new Set(["count-only", "from", "detail", "without-paging", "terse", "brief", "stats", "follow", "follow-only", "interval"]);

type Running = { stop(): void };

type Conn = {
  id: number;
  socket: Socket;
  decoder: SentenceDecoder;
  user: SimUser | null;
  challenge: string | null;
  preLoginSentences: number;
  running: Map<string, Running>;
  since: number;
  /** Replies wait for earlier ones when a delay is set. */
  outbox: Promise<void>;
};

type Command = {
  word: string;
  menu: string;
  action: string;
  attrs: Record<string, string>;
  queries: string[];
  proplist: string[] | null;
  tag: string;
  badWord: string | null;
};

export async function startRouterSim(opts: RouterSimOptions = {}): Promise<RouterSim> {
  const users = (opts.users ?? DEFAULT_USERS).map((u) => ({ group: "full" as Group, ...u }));
  const model = new RouterModel({ version: opts.version ?? "7.16.2", identity: opts.identity ?? "MikroTik", board: opts.board ?? "RB4011iGS+" });
  const conns = new Set<Conn>();
  const log: LoggedCommand[] = [];
  const failures: Array<{ command: string; message: string; category?: number }> = [];
  let nextConnId = 1;
  let unresponsive = false;
  let replyDelayMs = 0;
  let stopped = false;
  let rebootTimer: NodeJS.Timeout | null = null;
  let rebootDone: (() => void) | null = null;

  const server: Server = createTcpServer((socket) => accept(socket));
  server.on("error", () => {});

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once("error", onError);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", onError);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(opts.port ?? 0);

  const sweepTimer = setInterval(() => model.sweep(), 1000);
  sweepTimer.unref();

  // ---------- connections ----------

  function accept(socket: Socket) {
    if (stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn: Conn = {
      id: nextConnId++,
      socket,
      decoder: new SentenceDecoder(() => (conn.user ? LOGGED_IN_LIMITS : PRE_LOGIN_LIMITS)),
      user: null,
      challenge: null,
      preLoginSentences: 0,
      running: new Map(),
      since: Date.now(),
      outbox: Promise.resolve(),
    };
    conns.add(conn);
    socket.on("data", (chunk: Buffer) => {
      let sentences: string[][];
      try {
        sentences = conn.decoder.push(chunk);
      } catch (err) {
        if (!(err instanceof ProtocolError)) console.warn(`[routeros-sim] decoder failed: ${String(err)}`);
        drop(conn);
        return;
      }
      for (const words of sentences) {
        if (socket.destroyed) return;
        try {
          handleSentence(conn, words);
        } catch (err) {
          // A bug in the sim must not take the process down; answer like a router would.
          console.warn(`[routeros-sim] command failed: ${err instanceof Error ? err.stack : String(err)}`);
          reply(conn, "", [["!trap", "=message=failure: internal error"], ["!done"]]);
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      for (const r of conn.running.values()) r.stop();
      conn.running.clear();
      conns.delete(conn);
    });
  }

  function drop(conn: Conn) {
    for (const r of conn.running.values()) r.stop();
    conn.running.clear();
    conn.socket.destroy();
    conns.delete(conn);
  }

  function reply(conn: Conn, tag: string, sentences: string[][]) {
    if (unresponsive || conn.socket.destroyed || sentences.length === 0) return;
    const tagged = tag ? sentences.map((s) => [...s, `.tag=${tag}`]) : sentences;
    // One write per reply so a command's sentences arrive together.
    const bytes = Buffer.concat(tagged.map(encodeSentence));
    if (replyDelayMs <= 0) {
      conn.socket.write(bytes);
      return;
    }
    const delay = replyDelayMs;
    conn.outbox = conn.outbox.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (!conn.socket.destroyed) conn.socket.write(bytes);
            resolve();
          }, delay),
        ),
    );
  }

  const trap = (message: string, category?: number) => [["!trap", ...(category === undefined ? [] : [`=category=${category}`]), `=message=${message}`], ["!done"]];

  function parseCommand(words: string[]): Command {
    const word = words[0] ?? "";
    const slash = word.lastIndexOf("/");
    const cmd: Command = {
      word,
      menu: slash > 0 ? word.slice(0, slash) : "",
      action: word.slice(slash + 1),
      attrs: {},
      queries: [],
      proplist: null,
      tag: "",
      badWord: null,
    };
    for (const w of words.slice(1)) {
      if (w.startsWith("=")) {
        const [key, value] = parseAttributeWord(w);
        if (key === ".proplist") cmd.proplist = value.split(",").filter(Boolean);
        else cmd.attrs[key] = value;
      } else if (w.startsWith(".tag=")) cmd.tag = w.slice(5);
      else if (w.startsWith(".proplist=")) cmd.proplist = w.slice(10).split(",").filter(Boolean);
      else if (w.startsWith("?")) cmd.queries.push(w);
      else if (!w.startsWith(".")) cmd.badWord ??= w;
    }
    return cmd;
  }

  function handleSentence(conn: Conn, words: string[]) {
    const cmd = parseCommand(words);
    const logged = cmd.word === "/login" ? words.map((w) => (w.startsWith("=password=") ? "=password=***" : w)) : [...words];
    log.push({ connection: conn.id, at: new Date().toISOString(), words: logged });
    if (log.length > MAX_LOGGED_COMMANDS) log.splice(0, log.length - MAX_LOGGED_COMMANDS);

    if (!conn.user) {
      conn.preLoginSentences++;
      if (conn.preLoginSentences > PRE_LOGIN_SENTENCES) {
        drop(conn);
        return;
      }
    }
    if (cmd.word === "/quit") {
      reply(conn, "", [["!fatal", "session terminated on request"]]);
      conn.socket.end();
      return;
    }
    if (cmd.word === "/login") return login(conn, cmd);
    if (!conn.user) return reply(conn, cmd.tag, trap("not logged in", 5));
    if (cmd.word === "/cancel") return cancel(conn, cmd);

    const failIndex = failures.findIndex((f) => f.command === cmd.word);
    if (failIndex !== -1) {
      const [failure] = failures.splice(failIndex, 1);
      return reply(conn, cmd.tag, trap(failure!.message, failure!.category));
    }
    const commands = model.menuCommands(cmd.menu);
    if (!commands) return reply(conn, cmd.tag, trap("no such command prefix", 0));
    if (!commands.has(cmd.action)) return reply(conn, cmd.tag, trap("no such command", 0));
    if (cmd.badWord !== null) return reply(conn, cmd.tag, trap("unknown parameter", 1));
    if (RouterModel.needsWrite(cmd.action) && conn.user.group === "read") return reply(conn, cmd.tag, trap("not enough permissions (9)"));
    try {
      reply(conn, cmd.tag, run(conn, cmd));
    } catch (err) {
      if (err instanceof TrapError) reply(conn, cmd.tag, trap(err.message, err.category));
      else if (err instanceof QueryError) reply(conn, cmd.tag, trap(err.message, 1));
      else throw err;
    }
  }

  function login(conn: Conn, cmd: Command) {
    const name = cmd.attrs.name;
    const user = users.find((u) => u.name === name);
    if (model.legacyLogin && cmd.attrs.response === undefined) {
      conn.challenge = randomBytes(16).toString("hex");
      return reply(conn, cmd.tag, [["!done", `=ret=${conn.challenge}`]]);
    }
    let ok = false;
    if (user && cmd.attrs.response !== undefined && conn.challenge) {
      const expected = "00" + createHash("md5").update(Buffer.concat([Buffer.from([0]), Buffer.from(user.password, "latin1"), Buffer.from(conn.challenge, "hex")])).digest("hex");
      ok = cmd.attrs.response === expected;
      conn.challenge = null;
    } else if (user && cmd.attrs.password !== undefined && !model.legacyLogin) {
      ok = cmd.attrs.password === user.password;
    }
    if (!ok) return reply(conn, cmd.tag, trap("invalid user name or password (6)"));
    conn.user = user ?? null;
    reply(conn, cmd.tag, [["!done"]]);
  }

  function cancel(conn: Conn, cmd: Command) {
    const target = cmd.attrs.tag;
    const tags = target === undefined ? [...conn.running.keys()] : conn.running.has(target) ? [target] : [];
    for (const tag of tags) {
      conn.running.get(tag)?.stop();
      conn.running.delete(tag);
      reply(conn, tag, trap("interrupted", 2));
    }
    reply(conn, cmd.tag, [["!done"]]);
  }

  function run(conn: Conn, cmd: Command): string[][] {
    const { menu, action, attrs } = cmd;
    const ref = attrs[".id"] ?? attrs.numbers ?? null;
    const onlyRef = () => {
      for (const key of Object.keys(attrs)) if (key !== ".id" && key !== "numbers") throw new TrapError("unknown parameter", 1);
      if (ref === null) throw new TrapError("no such item", 0);
      return ref;
    };
    const withoutRef = () => {
      const rest = { ...attrs };
      delete rest[".id"];
      delete rest.numbers;
      return rest;
    };
    switch (action) {
      case "print":
      case "getall":
        return print(conn, cmd);
      case "listen":
        startListen(conn, cmd);
        return [];
      case "add":
        return [["!done", `=ret=${model.add(menu, attrs)}`]];
      case "set":
        model.set(menu, ref, withoutRef());
        return [["!done"]];
      case "unset": {
        const prop = attrs["value-name"];
        if (!prop) throw new TrapError("missing value(s) of argument(s) value-name", 1);
        model.unset(menu, ref, prop);
        return [["!done"]];
      }
      case "remove":
        model.remove(menu, onlyRef());
        return [["!done"]];
      case "enable":
      case "disable":
        model.set(menu, onlyRef(), { disabled: action === "disable" ? "yes" : "no" });
        return [["!done"]];
      case "reset-counters":
        model.resetCounters(menu, onlyRef());
        return [["!done"]];
      case "login": {
        for (const key of Object.keys(attrs)) if (!["user", "password", "mac-address", "ip", "server", "domain"].includes(key)) throw new TrapError("unknown parameter", 1);
        if (!attrs.user) throw new TrapError("missing value(s) of argument(s) user", 1);
        if (!attrs.ip && !attrs["mac-address"]) throw new TrapError("missing value(s) of argument(s) ip", 1);
        const result = model.hotspotLogin({ user: attrs.user, password: attrs.password ?? "", mac: attrs["mac-address"], ip: attrs.ip, loginBy: "http-pap", requireHost: true });
        if ("error" in result) throw new TrapError(result.error);
        return [["!done"]];
      }
      case "monitor-traffic":
        return monitorTraffic(conn, cmd);
      default:
        throw new TrapError("no such command", 0);
    }
  }

  function print(conn: Conn, cmd: Command): string[][] {
    for (const key of Object.keys(cmd.attrs)) if (!PRINT_OPTIONS.has(key)) throw new TrapError("unknown parameter", 1);
    if (cmd.attrs["follow-only"] !== undefined) {
      startListen(conn, cmd);
      return [];
    }
    const rows = selectRows(cmd);
    if (cmd.attrs["count-only"] !== undefined) return [["!done", `=ret=${rows.length}`]];
    const out = rows.map((row) => ["!re", ...project(row, cmd.proplist)]);
    if (cmd.attrs.follow !== undefined) {
      reply(conn, cmd.tag, out);
      startListen(conn, cmd);
      return [];
    }
    if (out.length === 0) return model.sendsEmpty ? [["!empty"], ["!done"]] : [["!done"]];
    return [...out, ["!done"]];
  }

  function selectRows(cmd: Command): Row[] {
    const ops = parseQuery(cmd.queries);
    let rows = model.print(cmd.menu);
    if (cmd.attrs.from) {
      const ids = new Set(model.resolve(cmd.menu, cmd.attrs.from).map((item) => `*${item.id.toString(16).toUpperCase()}`));
      rows = rows.filter((r) => ids.has(r[".id"] ?? ""));
    }
    return rows.filter((row) => matchesQuery(row, ops, (prop, a, b) => model.queryEquals(cmd.menu, prop, a, b)));
  }

  function project(row: Row, proplist: string[] | null): string[] {
    const keys = proplist ?? Object.keys(row);
    const words: string[] = [];
    for (const key of keys) {
      const value = row[key];
      if (value !== undefined) words.push(`=${key}=${value}`);
    }
    return words;
  }

  function startListen(conn: Conn, cmd: Command) {
    const ops = parseQuery(cmd.queries);
    const key = cmd.tag || `untagged-${conn.running.size}`;
    const unsubscribe = model.onChange((path, id, row) => {
      if (path !== cmd.menu) return;
      if (row === null) return reply(conn, cmd.tag, [["!re", `=.id=${id}`, "=.dead=yes"]]);
      if (matchesQuery(row, ops, (prop, a, b) => model.queryEquals(cmd.menu, prop, a, b))) reply(conn, cmd.tag, [["!re", ...project(row, cmd.proplist)]]);
    });
    conn.running.get(key)?.stop();
    conn.running.set(key, { stop: unsubscribe });
  }

  function monitorTraffic(conn: Conn, cmd: Command): string[][] {
    const names = (cmd.attrs.interface ?? cmd.attrs.numbers ?? "").split(",").filter(Boolean);
    if (names.length === 0) throw new TrapError("missing value(s) of argument(s) interface", 1);
    const ifaces = names.map((n) => model.resolve("/interface", n)[0]!);
    const last = new Map(ifaces.map((i) => [i.id, { at: Date.now(), rx: Number(i.values["rx-byte"] ?? 0), tx: Number(i.values["tx-byte"] ?? 0) }]));
    const sample = () =>
      ifaces.map((i) => {
        const now = { at: Date.now(), rx: Number(i.values["rx-byte"] ?? 0), tx: Number(i.values["tx-byte"] ?? 0) };
        const prev = last.get(i.id) ?? now;
        const secs = Math.max(1, (now.at - prev.at) / 1000);
        last.set(i.id, now);
        const rx = Math.round(((now.rx - prev.rx) * 8) / secs);
        const tx = Math.round(((now.tx - prev.tx) * 8) / secs);
        return ["!re", `=name=${i.values.name ?? ""}`, `=rx-packets-per-second=${Math.round(rx / 8000)}`, `=rx-bits-per-second=${rx}`, `=fp-rx-packets-per-second=0`, `=fp-rx-bits-per-second=0`, `=rx-drops-per-second=0`, `=rx-errors-per-second=0`, `=tx-packets-per-second=${Math.round(tx / 8000)}`, `=tx-bits-per-second=${tx}`, `=fp-tx-packets-per-second=0`, `=fp-tx-bits-per-second=0`, `=tx-drops-per-second=0`, `=tx-queue-drops-per-second=0`, `=tx-errors-per-second=0`];
      });
    if (cmd.attrs.once !== undefined) return [...sample(), ["!done"]];
    // Without =once= it reports every second until /cancel.
    const timer = setInterval(() => reply(conn, cmd.tag, sample()), 1000);
    timer.unref();
    conn.running.get(cmd.tag)?.stop();
    conn.running.set(cmd.tag || `untagged-${conn.running.size}`, { stop: () => clearInterval(timer) });
    return sample();
  }

  // ---------- control ----------

  let online = true;
  const goOffline = async () => {
    if (!online) return;
    online = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const conn of [...conns]) drop(conn);
    await closed;
  };
  const goOnline = async () => {
    if (online || stopped) return;
    await listen(port);
    online = true;
  };

  const sim: RouterSim = {
    port,
    controlPort: null,
    users,
    deviceAppear({ mac, ip }) {
      const error = model.deviceAppear(mac, ip);
      if (error) throw new Error(error);
    },
    deviceLogin({ user, mac, ip, password }) {
      const result = model.hotspotLogin({ user, password, mac, ip, loginBy: "http-chap", requireHost: false });
      return "error" in result ? result.error : null;
    },
    pppConnect(input) {
      const result = model.pppConnect(input);
      return "error" in result ? result.error : null;
    },
    traffic({ user, bytesIn, bytesOut }) {
      return model.traffic(user, Math.max(0, Math.floor(bytesIn)), Math.max(0, Math.floor(bytesOut)));
    },
    disconnect(input) {
      return model.disconnect(input);
    },
    goOffline,
    goOnline,
    async reboot(ms = 1000) {
      await goOffline();
      model.reboot();
      await new Promise<void>((resolve) => {
        rebootDone = resolve;
        rebootTimer = setTimeout(resolve, ms);
      });
      rebootTimer = null;
      rebootDone = null;
      model.bootAt = Date.now();
      await goOnline();
    },
    setVersion(version) {
      model.setVersion(version);
    },
    setUnresponsive(on) {
      unresponsive = on;
    },
    setReplyDelay(ms) {
      replyDelayMs = Math.max(0, ms);
    },
    failNext(command, message, category) {
      failures.push({ command, message, category });
    },
    sendFatal(reason) {
      for (const conn of [...conns]) {
        if (!conn.socket.destroyed) conn.socket.end(encodeSentence(["!fatal", reason]));
      }
    },
    state() {
      return structuredClone(model.snapshot());
    },
    removeItemByHand(menu, name) {
      return model.removeByHand(menu, name);
    },
    connections() {
      return [...conns].map((c) => ({
        id: c.id,
        remote: `${c.socket.remoteAddress ?? "?"}:${c.socket.remotePort ?? 0}`,
        user: c.user?.name ?? null,
        since: new Date(c.since).toISOString(),
        running: [...c.running.keys()],
      }));
    },
    commands() {
      return log.map((c) => ({ ...c, words: [...c.words] }));
    },
    clearCommands() {
      log.length = 0;
    },
    async stop() {
      stopped = true;
      clearInterval(sweepTimer);
      if (rebootTimer) clearTimeout(rebootTimer);
      // A reboot in progress ends now (goOnline is a no-op once stopped).
      rebootDone?.();
      await stopControl?.();
      for (const conn of [...conns]) drop(conn);
      if (online) await new Promise<void>((resolve) => server.close(() => resolve()));
      online = false;
    },
  };

  let stopControl: (() => Promise<void>) | null = null;
  if (opts.controlPort !== undefined) {
    const control = await startControlServer(sim, opts.controlPort);
    sim.controlPort = control.port;
    stopControl = control.stop;
  }
  return sim;
}

// ---------- HTTP control API (optional) ----------

async function startControlServer(sim: RouterSim, port: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const routes: Record<string, (body: Record<string, unknown>) => unknown> = {
    "GET /_sim/state": () => sim.state(),
    "GET /_sim/commands": () => sim.commands(),
    "GET /_sim/connections": () => sim.connections(),
    "POST /_sim/device/appear": (b) => (sim.deviceAppear({ mac: str(b.mac), ip: str(b.ip) }), { ok: true }),
    "POST /_sim/device/login": (b) => ({ error: sim.deviceLogin({ user: str(b.user), mac: str(b.mac), ip: str(b.ip), password: optStr(b.password) }) }),
    "POST /_sim/ppp/connect": (b) => ({ error: sim.pppConnect({ user: str(b.user), password: optStr(b.password), callerId: optStr(b.callerId), service: optStr(b.service) }) }),
    "POST /_sim/traffic": (b) => ({ sessions: sim.traffic({ user: str(b.user), bytesIn: Number(b.bytesIn ?? 0), bytesOut: Number(b.bytesOut ?? 0) }) }),
    "POST /_sim/disconnect": (b) => ({ ended: sim.disconnect({ user: optStr(b.user), mac: optStr(b.mac) }) }),
    "POST /_sim/offline": async () => (await sim.goOffline(), { online: false }),
    "POST /_sim/online": async () => (await sim.goOnline(), { online: true }),
    "POST /_sim/reboot": (b) => (void sim.reboot(Number(b.ms ?? 1000)), { rebooting: true }),
    "POST /_sim/version": (b) => (sim.setVersion(str(b.version)), { version: str(b.version) }),
    "POST /_sim/remove-by-hand": (b) => ({ removed: sim.removeItemByHand(str(b.menu), str(b.name)) }),
  };

  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]?.replace(/\/+$/, "") ?? "";
      const handler = routes[`${req.method ?? "GET"} ${path}`];
      const send = (status: number, body: unknown) => {
        if (!res.headersSent) res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
      };
      if (!handler) return send(404, { error: `No route for ${req.method} ${path}`, routes: Object.keys(routes) });
      let body: Record<string, unknown> = {};
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        const parsed: unknown = text ? JSON.parse(text) : {};
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        return send(400, { error: "Expected a JSON object body" });
      }
      Promise.resolve()
        .then(() => handler(body))
        .then(
          (out) => send(200, out),
          (err: unknown) => send(400, { error: err instanceof Error ? err.message : String(err) }),
        );
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  const actual = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  return {
    port: actual,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function str(value: unknown): string {
  if (typeof value !== "string") throw new Error("expected a string");
  return value;
}

function optStr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
