import { describe, it, expect, beforeAll, afterAll } from "vitest";
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { startRouterSim, encodeLength, decodeLength, encodeSentence, type RouterSim } from "../sim/routeros";

// An independent wire client: its own length encoding/decoding, so the sim is checked against the
// reference rather than against itself.
function encLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([(n >> 8) | 0x80, n & 0xff]);
  if (n < 0x200000) return Buffer.from([(n >> 16) | 0xc0, (n >> 8) & 0xff, n & 0xff]);
  if (n < 0x10000000) return Buffer.from([(n >>> 24) | 0xe0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.from([0xf0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function encSentence(words: string[]): Buffer {
  return Buffer.concat([...words.flatMap((w) => [encLen(Buffer.byteLength(w, "latin1")), Buffer.from(w, "latin1")]), Buffer.from([0])]);
}

type Sentence = { words: string[]; prefixSizes: number[]; tag: string | undefined };

class Wire {
  private buf = Buffer.alloc(0);
  private current: { words: string[]; prefixSizes: number[] } = { words: [], prefixSizes: [] };
  readonly received: Sentence[] = [];
  readonly raw: Buffer[] = [];
  private cursor = 0;
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.raw.push(chunk);
      this.buf = Buffer.concat([this.buf, chunk]);
      this.parse();
      this.wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on("error", () => {});
  }

  static open(port: number): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(new Wire(socket)));
      socket.once("error", reject);
    });
  }

  private parse() {
    for (;;) {
      const b = this.buf[0];
      if (b === undefined) return;
      const size = b < 0x80 ? 1 : b < 0xc0 ? 2 : b < 0xe0 ? 3 : b < 0xf0 ? 4 : 5;
      if (this.buf.length < size) return;
      let len = size === 5 ? 0 : b & [0xff, 0xff, 0x3f, 0x1f, 0x0f][size]!;
      for (let i = 1; i < size; i++) len = len * 256 + this.buf[i]!;
      if (this.buf.length < size + len) return;
      const word = this.buf.subarray(size, size + len).toString("latin1");
      this.buf = this.buf.subarray(size + len);
      if (len === 0) {
        const words = this.current.words;
        this.received.push({ ...this.current, tag: words.find((w) => w.startsWith(".tag="))?.slice(5) });
        this.current = { words: [], prefixSizes: [] };
      } else {
        this.current.words.push(word);
        this.current.prefixSizes.push(size);
      }
    }
  }

  send(words: string[]) {
    this.socket.write(encSentence(words));
  }

  async next(timeoutMs = 3000): Promise<Sentence> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.received.length) {
      if (this.closed) throw new Error("connection closed");
      if (Date.now() > deadline) throw new Error("no sentence in time");
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.received[this.cursor++]!;
  }

  /** Sends a command and collects its replies up to its `!done` (matched by tag when given). */
  async command(words: string[], tag?: string): Promise<Sentence[]> {
    this.send(tag ? [...words, `.tag=${tag}`] : words);
    const out: Sentence[] = [];
    for (;;) {
      const s = await this.next();
      if (tag && s.tag !== tag) continue;
      out.push(s);
      if (s.words[0] === "!done") return out;
    }
  }

  async login(user = "admin", password = "admin") {
    const replies = await this.command(["/login", `=name=${user}`, `=password=${password}`]);
    expect(replies.map((r) => r.words[0])).toEqual(["!done"]);
  }

  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close() {
    this.socket.destroy();
  }
}

const attrs = (s: Sentence) => Object.fromEntries(s.words.filter((w) => w.startsWith("=")).map((w) => [w.slice(1, w.indexOf("=", 1)), w.slice(w.indexOf("=", 1) + 1)]));
const kinds = (ss: Sentence[]) => ss.map((s) => s.words[0]);
const hex = (b: Buffer) => b.toString("hex");

describe("RouterOS wire encoding", () => {
  // The worked prefixes of reference §2.1.
  const table: Array<[number, string]> = [
    [0, "00"],
    [127, "7f"],
    [128, "8080"],
    [200, "80c8"],
    [16383, "bfff"],
    [16384, "c04000"],
    [2097151, "dfffff"],
    [2097152, "e0200000"],
    [268435455, "efffffff"],
    [268435456, "f010000000"],
  ];

  it.each(table)("length %i encodes as %s and decodes back, in the sim and in this test's client", (len, prefix) => {
    expect(hex(encodeLength(len))).toBe(prefix);
    expect(hex(encLen(len))).toBe(prefix);
    expect(decodeLength(Buffer.from(prefix, "hex"))).toEqual({ len, size: prefix.length / 2 });
    // A prefix cut short needs more bytes.
    if (prefix.length > 2) expect(decodeLength(Buffer.from(prefix.slice(0, 2), "hex"))).toBeNull();
  });

  it("treats bytes from 0xF8 as reserved control bytes", () => {
    expect(decodeLength(Buffer.from([0xf8]))).toBe("control");
    expect(decodeLength(Buffer.from([0xff, 0, 0, 0, 0]))).toBe("control");
  });

  it("produces the reference's byte-exact login and reply sentences", () => {
    expect(hex(encodeSentence(["/login", "=name=admin", "=password=secret"]))).toBe("062f6c6f67696e0b3d6e616d653d61646d696e103d70617373776f72643d73656372657400");
    expect(hex(encodeSentence(["!done", "=ret=*1A", ".tag=t1"]))).toBe("0521646f6e65083d7265743d2a3141072e7461673d743100");
  });
});

describe("RouterOS simulator over TCP", () => {
  let sim: RouterSim;
  let wire: Wire;

  beforeAll(async () => {
    sim = await startRouterSim({ version: "7.16.2", identity: "Site-1", users: [{ name: "admin", password: "secret" }, { name: "viewer", password: "view", group: "read" }] });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("logs in with the byte-exact reference sentence and answers with a bare !done", async () => {
    wire = await Wire.open(sim.port);
    wire.socket.write(Buffer.from("062f6c6f67696e0b3d6e616d653d61646d696e103d70617373776f72643d73656372657400", "hex"));
    const reply = await wire.next();
    expect(reply.words).toEqual(["!done"]);
    expect(hex(Buffer.concat(wire.raw))).toBe("0521646f6e6500");
    expect(sim.connections()).toEqual([expect.objectContaining({ user: "admin" })]);
  });

  it("refuses commands before login, and wrong credentials keep the connection open for a retry", async () => {
    const w = await Wire.open(sim.port);
    const early = await w.command(["/system/identity/print"]);
    expect(early.map((s) => s.words)).toEqual([["!trap", "=category=5", "=message=not logged in"], ["!done"]]);
    const wrong = await w.command(["/login", "=name=admin", "=password=nope"], "l1");
    expect(wrong.map((s) => s.words)).toEqual([["!trap", "=message=invalid user name or password (6)", ".tag=l1"], ["!done", ".tag=l1"]]);
    const unknownUser = await w.command(["/login", "=name=ghost", "=password=secret"]);
    expect(attrs(unknownUser[0]!).message).toBe("invalid user name or password (6)");
    expect(w.closed).toBe(false);
    const ok = await w.command(["/login", "=name=admin", "=password=secret"]);
    expect(kinds(ok)).toEqual(["!done"]);
    const identity = await w.command(["/system/identity/print"]);
    expect(identity.map((s) => s.words)).toEqual([["!re", "=name=Site-1"], ["!done"]]);
    w.close();
  });

  it("never logs passwords in the command log", () => {
    const logins = sim.commands().filter((c) => c.words[0] === "/login");
    expect(logins.length).toBeGreaterThan(0);
    for (const c of logins) expect(c.words.some((w) => w.startsWith("=password=") && w !== "=password=***")).toBe(false);
  });

  it("echoes words of every length class both ways (1, 2, 3 and 4 byte prefixes)", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    // Lengths are of the whole word "=comment=<text>".
    const sizes: Array<[number, number]> = [
      [100, 1],
      [300, 2],
      [20_000, 3],
      [2_200_000, 4],
    ];
    for (const [wordLength, prefixSize] of sizes) {
      const name = `len-${wordLength}`;
      const comment = "c".repeat(wordLength - "=comment=".length);
      const added = await w.command(["/ip/hotspot/user/add", `=name=${name}`, "=password=p", `=comment=${comment}`]);
      expect(kinds(added)).toEqual(["!done"]);
      const printed = await w.command(["/ip/hotspot/user/print", "=.proplist=comment", `?name=${name}`]);
      expect(kinds(printed)).toEqual(["!re", "!done"]);
      const re = printed[0]!;
      expect(re.words[1]).toHaveLength(wordLength);
      expect(re.words[1]).toBe(`=comment=${comment}`);
      expect(re.prefixSizes[1]).toBe(prefixSize);
    }
    w.close();
  });

  it("refuses a word whose length needs the 5-byte prefix by closing the connection, and keeps serving others", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    w.socket.write(Buffer.from("f010000000", "hex"));
    expect(await w.waitClosed()).toBe(true);
    const other = await Wire.open(sim.port);
    await other.login("admin", "secret");
    other.close();
  });

  it("reassembles sentences split across TCP reads at every byte", async () => {
    const w = await Wire.open(sim.port);
    w.socket.setNoDelay(true);
    const bytes = encSentence(["/login", "=name=admin", "=password=secret", ".tag=split"]);
    for (const byte of bytes) {
      w.socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect((await w.next()).words).toEqual(["!done", ".tag=split"]);
    // Two sentences in one write are two commands.
    w.socket.write(Buffer.concat([encSentence(["/system/identity/print", ".tag=a"]), encSentence(["/interface/print", "=count-only=", ".tag=b"])]));
    const first = await w.next();
    const second = await w.next();
    const third = await w.next();
    expect([first.tag, second.tag, third.tag]).toEqual(["a", "a", "b"]);
    expect(third.words).toEqual(["!done", "=ret=6", ".tag=b"]);
    w.close();
  });

  it("tags every reply and interleaves concurrent commands (listen runs while other commands complete)", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    w.send(["/ip/hotspot/user/listen", "?profile=default", ".tag=L"]);
    w.send(["/ip/hotspot/user/add", "=name=listen-1", "=password=x", ".tag=A"]);
    w.send(["/ip/hotspot/user/print", "=.proplist=name", "?name=listen-1", ".tag=P"]);
    const seen: Sentence[] = [];
    while (seen.filter((s) => s.words[0] === "!done").length < 2) seen.push(await w.next());
    expect(seen.map((s) => `${s.words[0]}:${s.tag}`)).toEqual(["!re:L", "!done:A", "!re:P", "!done:P"]);
    expect(attrs(seen[0]!)).toMatchObject({ name: "listen-1", profile: "default" });
    const id = attrs(seen[1]!).ret!;
    expect(id).toMatch(/^\*[0-9A-F]+$/);

    w.send(["/ip/hotspot/user/remove", `=.id=${id}`, ".tag=R"]);
    const dead = await w.next();
    expect(dead.words).toEqual(["!re", `=.id=${id}`, "=.dead=yes", ".tag=L"]);
    expect((await w.next()).words).toEqual(["!done", ".tag=R"]);

    const cancelled = await w.command(["/cancel", "=tag=L", ".tag=C"], undefined);
    expect(cancelled.map((s) => s.words)).toEqual([["!trap", "=category=2", "=message=interrupted", ".tag=L"], ["!done", ".tag=L"]]);
    expect((await w.next()).words).toEqual(["!done", ".tag=C"]);
    w.close();
  });

  it("limits print output to .proplist, in its order, leaving out absent properties", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    await w.command(["/ip/hotspot/user/add", "=name=prop-1", "=password=pw", "=limit-uptime=1d"]);
    const rows = await w.command(["/ip/hotspot/user/print", "=.proplist=profile,.id,comment,name,limit-uptime", "?name=prop-1"]);
    expect(rows[0]!.words.slice(1).map((w) => w.slice(1, w.indexOf("=", 1)))).toEqual(["profile", ".id", "name", "limit-uptime"]);
    expect(attrs(rows[0]!)["limit-uptime"]).toBe("1d");
    // The .proplist API-attribute spelling works too.
    const alt = await w.command(["/system/resource/print", ".proplist=board-name,version"]);
    expect(alt[0]!.words).toEqual(["!re", "=board-name=RB4011iGS+", "=version=7.16.2 (stable)"]);
    w.close();
  });

  it("filters print with ? queries: equality, presence, comparisons and the # stack operations", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    for (const [name, comment, limit] of [
      ["q-a", "mnetifi:1", "1000"],
      ["q-b", "mnetifi:2", "5000"],
      ["q-c", "", "0"],
    ] as const) {
      await w.command(["/ip/hotspot/user/add", `=name=${name}`, "=password=x", `=limit-bytes-total=${limit}`, ...(comment ? [`=comment=${comment}`] : [])]);
    }
    const names = async (...query: string[]) =>
      (await w.command(["/ip/hotspot/user/print", "=.proplist=name", ...query]))
        .filter((s) => s.words[0] === "!re")
        .map((s) => attrs(s).name)
        .filter((n) => n?.startsWith("q-"));
    expect(await names("?name=q-b")).toEqual(["q-b"]);
    expect(await names("?comment=mnetifi:1")).toEqual(["q-a"]);
    expect(await names("?name=q-a", "?name=q-c", "?#|")).toEqual(["q-a", "q-c"]);
    expect(await names("?name=q-a", "?#!")).toEqual(["q-b", "q-c"]);
    expect(await names("?comment")).toEqual(["q-a", "q-b"]);
    expect(await names("?-comment")).toEqual(["q-c"]);
    expect(await names("?>limit-bytes-total=1000")).toEqual(["q-b"]);
    expect(await names("?<limit-bytes-total=1000")).toEqual(["q-c"]);
    expect(await names("?>comment=")).toEqual(["q-a", "q-b"]);
    expect(await names("?=name=q-c")).toEqual(["q-c"]);
    // NOT (limit > 1000 AND has comment) → q-a, q-c
    expect(await names("?>limit-bytes-total=1000", "?comment", "?#&!")).toEqual(["q-a", "q-c"]);
    const idOfB = attrs((await w.command(["/ip/hotspot/user/print", "?name=q-b"]))[0]!)[".id"]!;
    expect(await names(`?.id=${idOfB}`)).toEqual(["q-b"]);
    expect(await names("?disabled=no", "?name=q-a")).toEqual(["q-a"]);
    const counted = await w.command(["/ip/hotspot/user/print", "=count-only=", "?comment=mnetifi:1", "?comment=mnetifi:2", "?#|"]);
    expect(counted.map((s) => s.words)).toEqual([["!done", "=ret=2"]]);

    sim.deviceAppear({ mac: "aa:bb:cc:00:00:01", ip: "10.5.50.11" });
    expect(sim.deviceLogin({ user: "q-a", mac: "aa:bb:cc:00:00:01", ip: "10.5.50.11" })).toBeNull();
    const byUser = await w.command(["/ip/hotspot/active/print", "=.proplist=user,mac-address,address", "?user=q-a"]);
    expect(byUser.map((s) => s.words)).toEqual([["!re", "=user=q-a", "=mac-address=AA:BB:CC:00:00:01", "=address=10.5.50.11"], ["!done"]]);
    const byMac = await w.command(["/ip/hotspot/host/print", "=.proplist=mac-address,authorized", "?mac-address=aa:bb:cc:00:00:01"]);
    expect(byMac[0]!.words).toEqual(["!re", "=mac-address=AA:BB:CC:00:00:01", "=authorized=true"]);
    w.close();
  });

  it("answers errors with the reference's traps, each followed by !done", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    await w.command(["/ip/hotspot/user/add", "=name=HS-A1B2C3", "=password=8h3k2"]);
    const dup = await w.command(["/ip/hotspot/user/add", "=name=HS-A1B2C3", "=password=x", ".tag=17"]);
    expect(dup.map((s) => s.words)).toEqual([["!trap", "=message=failure: already have user with this name for this server", ".tag=17"], ["!done", ".tag=17"]]);
    const missing = await w.command(["/ip/hotspot/user/remove", "=.id=*FFFF"]);
    expect(missing.map((s) => s.words)).toEqual([["!trap", "=category=0", "=message=no such item"], ["!done"]]);
    const missingSet = await w.command(["/ppp/secret/set", "=numbers=nobody", "=password=x"]);
    expect(attrs(missingSet[0]!).message).toBe("no such item");
    const unknown = await w.command(["/ip/hotspot/frobnicate/print"]);
    expect(unknown.map((s) => s.words)).toEqual([["!trap", "=category=0", "=message=no such command prefix"], ["!done"]]);
    const keepalive = await w.command(["#"]);
    expect(kinds(keepalive)).toEqual(["!trap", "!done"]);
    const badProfile = await w.command(["/ip/hotspot/user/add", "=name=x1", "=profile=ghost"]);
    expect(attrs(badProfile[0]!)).toEqual({ category: "1", message: "input does not match any value of profile" });
    const badProp = await w.command(["/ip/hotspot/user/add", "=name=x2", "=colour=red"]);
    expect(attrs(badProp[0]!)).toEqual({ category: "1", message: "unknown parameter" });
    await w.command(["/ppp/secret/add", "=name=pp", "=password=x"]);
    const dupSecret = await w.command(["/ppp/secret/add", "=name=pp", "=password=y"]);
    expect(attrs(dupSecret[0]!).message).toBe("failure: secret with the same name already exists");
    const builtin = await w.command(["/ppp/profile/remove", "=numbers=default"]);
    expect(kinds(builtin)).toEqual(["!trap", "!done"]);
    w.close();
  });

  it("accepts .id, numbers (comma lists) and names for set/remove/enable/disable", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    const ids = [];
    for (const n of ["n-1", "n-2", "n-3"]) ids.push(attrs((await w.command(["/ppp/secret/add", `=name=${n}`, "=password=x"]))[0]!).ret!);
    expect(kinds(await w.command(["/ppp/secret/disable", `=numbers=${ids[0]},${ids[1]}`]))).toEqual(["!done"]);
    expect(kinds(await w.command(["/ppp/secret/set", "=.id=n-3", "=comment=named"]))).toEqual(["!done"]);
    const rows = await w.command(["/ppp/secret/print", "=.proplist=name,disabled,comment", "?#", "?name=n-1", "?name=n-2", "?name=n-3", "?#||"]);
    expect(rows.filter((s) => s.words[0] === "!re").map(attrs)).toEqual([
      { name: "n-1", disabled: "true" },
      { name: "n-2", disabled: "true" },
      { name: "n-3", comment: "named", disabled: "false" },
    ]);
    expect(kinds(await w.command(["/ppp/secret/remove", `=numbers=${ids.join(",")}`]))).toEqual(["!done"]);
    w.close();
  });

  it("keeps read-only users to reading", async () => {
    const w = await Wire.open(sim.port);
    await w.login("viewer", "view");
    expect(kinds(await w.command(["/ip/hotspot/user/print", "=count-only="]))).toEqual(["!done"]);
    const denied = await w.command(["/ip/hotspot/user/add", "=name=nope"]);
    expect(attrs(denied[0]!).message).toBe("not enough permissions (9)");
    w.close();
  });

  it("answers /quit with !fatal and closes", async () => {
    const w = await Wire.open(sim.port);
    await w.login("admin", "secret");
    w.send(["/quit"]);
    expect((await w.next()).words).toEqual(["!fatal", "session terminated on request"]);
    expect(await w.waitClosed()).toBe(true);
  });

  it("survives garbage: random bytes, control bytes, truncated words, endless pre-login chatter", async () => {
    for (let round = 0; round < 20; round++) {
      const w = await Wire.open(sim.port);
      w.socket.write(randomBytes(64 + round * 97));
      await new Promise((r) => setTimeout(r, 10));
      w.close();
    }
    const control = await Wire.open(sim.port);
    control.socket.write(Buffer.from([0x05, 0x2f, 0x71, 0x75, 0x69, 0x74, 0xf8, 0x00]));
    expect(await control.waitClosed()).toBe(true);

    const truncated = await Wire.open(sim.port);
    truncated.socket.write(Buffer.from([0x80, 0xff, 0x2f, 0x6c]));
    truncated.close();

    const chatter = await Wire.open(sim.port);
    for (let i = 0; i < 40; i++) chatter.send(["/system/identity/print"]);
    expect(await chatter.waitClosed()).toBe(true);

    const bigBeforeLogin = await Wire.open(sim.port);
    bigBeforeLogin.socket.write(Buffer.from("c1000000", "hex"));
    expect(await bigBeforeLogin.waitClosed()).toBe(true);

    const fine = await Wire.open(sim.port);
    await fine.login("admin", "secret");
    expect(kinds(await fine.command(["/system/identity/print"]))).toEqual(["!re", "!done"]);
    fine.close();
  });
});

describe.each([
  ["6.49.15", false],
  ["7.16.2", false],
  ["7.17", false],
  ["7.18", true],
  ["7.19.1", true],
])("empty print on RouterOS %s", (version, empty) => {
  it(empty ? "sends !empty then !done, both tagged" : "sends just !done", async () => {
    const sim = await startRouterSim({ version });
    const w = await Wire.open(sim.port);
    await w.login();
    const replies = await w.command(["/ip/hotspot/active/print", "?user=nobody", ".tag=e1"], "e1");
    expect(replies.map((s) => s.words)).toEqual(empty ? [["!empty", ".tag=e1"], ["!done", ".tag=e1"]] : [["!done", ".tag=e1"]]);
    // count-only still answers with a number.
    expect((await w.command(["/ppp/active/print", "=count-only="]))[0]!.words).toEqual(["!done", "=ret=0"]);
    w.close();
    await sim.stop();
  });
});

describe("version switching and legacy login", () => {
  it("switches between plain !done and !empty at runtime", async () => {
    const sim = await startRouterSim({ version: "7.16.2" });
    const w = await Wire.open(sim.port);
    await w.login();
    expect(kinds(await w.command(["/radius/print"]))).toEqual(["!done"]);
    sim.setVersion("7.18");
    expect(kinds(await w.command(["/radius/print"]))).toEqual(["!empty", "!done"]);
    expect(attrs((await w.command(["/system/resource/print", "=.proplist=version"]))[0]!).version).toBe("7.18 (stable)");
    w.close();
    await sim.stop();
  });

  it("prints times in each version's style", async () => {
    for (const [version, shown] of [
      ["6.49.15", "1d02:00:00"],
      ["7.16.2", "1d2h"],
    ] as const) {
      const sim = await startRouterSim({ version });
      const w = await Wire.open(sim.port);
      await w.login();
      await w.command(["/ip/hotspot/user/add", "=name=t", "=limit-uptime=26h"]);
      expect(attrs((await w.command(["/ip/hotspot/user/print", "=.proplist=limit-uptime"]))[0]!)["limit-uptime"]).toBe(shown);
      w.close();
      await sim.stop();
    }
  });

  it("uses the MD5 challenge login before 6.43", async () => {
    const sim = await startRouterSim({ version: "6.40.9" });
    const w = await Wire.open(sim.port);
    const challenge = await w.command(["/login"]);
    const ret = attrs(challenge[0]!).ret!;
    expect(ret).toMatch(/^[0-9a-f]{32}$/);
    const response = "00" + createHash("md5").update(Buffer.concat([Buffer.from([0]), Buffer.from("admin"), Buffer.from(ret, "hex")])).digest("hex");
    expect(kinds(await w.command(["/login", "=name=admin", `=response=${response}`]))).toEqual(["!done"]);
    expect(kinds(await w.command(["/system/identity/print"]))).toEqual(["!re", "!done"]);
    w.close();
    await sim.stop();
  });
});

describe("simulator control API", () => {
  let sim: RouterSim;
  beforeAll(async () => {
    sim = await startRouterSim({ version: "7.16.2", controlPort: 0 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  async function admin() {
    const w = await Wire.open(sim.port);
    await w.login();
    return w;
  }

  it("logs devices in respecting shared-users, disabled users and MAC-bound users", async () => {
    const w = await admin();
    await w.command(["/ip/hotspot/user/profile/add", "=name=2M", "=rate-limit=2M/5M", "=shared-users=1"]);
    await w.command(["/ip/hotspot/user/add", "=name=u1", "=password=p", "=profile=2M"]);
    await w.command(["/ip/hotspot/user/add", "=name=u2", "=password=p", "=disabled=yes"]);
    expect(sim.deviceLogin({ user: "u1", mac: "AA:00:00:00:00:01", ip: "10.5.50.21" })).toBeNull();
    expect(sim.deviceLogin({ user: "u1", mac: "AA:00:00:00:00:02", ip: "10.5.50.22" })).toBe("no more sessions are allowed for user");
    expect(sim.deviceLogin({ user: "u2", mac: "AA:00:00:00:00:03", ip: "10.5.50.23" })).toBe("user u2 is disabled");
    expect(sim.deviceLogin({ user: "ghost", mac: "AA:00:00:00:00:04", ip: "10.5.50.24" })).toBe("invalid username or password");
    const state = sim.state();
    expect(state["/ip/hotspot/active"]).toEqual([expect.objectContaining({ user: "u1", address: "10.5.50.21", "mac-address": "AA:00:00:00:00:01" })]);
    // Each session gets a dynamic queue from the profile's rate-limit.
    expect(state["/queue/simple"]).toEqual([expect.objectContaining({ name: "<hotspot-u1>", target: "10.5.50.21/32", "max-limit": "2M/5M", dynamic: "true" })]);
    w.close();
  });

  it("logs in from the API only for hosts the hotspot has seen", async () => {
    const w = await admin();
    await w.command(["/ip/hotspot/user/add", "=name=api-u", "=password=pw"]);
    const unseen = await w.command(["/ip/hotspot/active/login", "=user=api-u", "=password=pw", "=mac-address=AA:00:00:00:01:01", "=ip=10.5.50.31"]);
    expect(attrs(unseen[0]!).message).toBe("host not found");
    sim.deviceAppear({ mac: "AA:00:00:00:01:01", ip: "10.5.50.31" });
    const badPassword = await w.command(["/ip/hotspot/active/login", "=user=api-u", "=password=no", "=mac-address=AA:00:00:00:01:01", "=ip=10.5.50.31"]);
    expect(attrs(badPassword[0]!).message).toBe("invalid username or password");
    const ok = await w.command(["/ip/hotspot/active/login", "=user=api-u", "=password=pw", "=mac-address=AA:00:00:00:01:01", "=ip=10.5.50.31"]);
    expect(kinds(ok)).toEqual(["!done"]);
    w.close();
  });

  it("counts traffic, ends sessions at the byte limit, disconnects, and lets an admin remove things by hand", async () => {
    const w = await admin();
    await w.command(["/ip/hotspot/user/add", "=name=t1", "=password=p", "=limit-bytes-total=1000"]);
    expect(sim.deviceLogin({ user: "t1", mac: "AA:00:00:00:02:01", ip: "10.5.50.41" })).toBeNull();
    expect(sim.traffic({ user: "t1", bytesIn: 100, bytesOut: 300 })).toBe(1);
    const active = await w.command(["/ip/hotspot/active/print", "=.proplist=bytes-in,bytes-out", "?user=t1"]);
    expect(attrs(active[0]!)).toEqual({ "bytes-in": "100", "bytes-out": "300" });
    sim.traffic({ user: "t1", bytesIn: 200, bytesOut: 500 });
    expect(kinds(await w.command(["/ip/hotspot/active/print", "?user=t1"]))).toEqual(["!done"]);
    expect(attrs((await w.command(["/ip/hotspot/user/print", "=.proplist=bytes-in,bytes-out", "?name=t1"]))[0]!)).toEqual({ "bytes-in": "300", "bytes-out": "800" });
    expect(sim.deviceLogin({ user: "t1", mac: "AA:00:00:00:02:01", ip: "10.5.50.41" })).toBe("user t1 has reached traffic limit");

    await w.command(["/ppp/secret/add", "=name=pp1", "=password=p", "=remote-address=10.20.0.5"]);
    expect(sim.pppConnect({ user: "pp1", callerId: "aa:00:00:00:03:01" })).toBeNull();
    expect(attrs((await w.command(["/ppp/active/print", "=.proplist=name,address,caller-id"]))[0]!)).toEqual({ name: "pp1", address: "10.20.0.5", "caller-id": "AA:00:00:00:03:01" });
    expect(sim.disconnect({ user: "pp1" })).toBe(1);
    expect(sim.state()["/ppp/active"]).toEqual([]);

    expect(sim.removeItemByHand("/ppp/secret", "pp1")).toBe(true);
    expect(sim.removeItemByHand("/ppp/secret", "pp1")).toBe(false);
    w.close();
  });

  it("goes offline (refusing connections), comes back, and reboots with uptime reset", async () => {
    const w = await admin();
    sim.deviceAppear({ mac: "AA:00:00:00:04:01", ip: "10.5.50.51" });
    await sim.goOffline();
    expect(await w.waitClosed()).toBe(true);
    await expect(Wire.open(sim.port)).rejects.toThrow(/ECONNREFUSED/);
    await sim.goOnline();
    const again = await admin();
    again.close();

    await new Promise((r) => setTimeout(r, 1100));
    const before = (sim.state()["/system/resource"] as Record<string, string>).uptime;
    expect(before).not.toBe("0s");
    const rebooting = sim.reboot(200);
    await new Promise((r) => setTimeout(r, 50));
    await expect(Wire.open(sim.port)).rejects.toThrow(/ECONNREFUSED/);
    await rebooting;
    expect((sim.state()["/system/resource"] as Record<string, string>).uptime).toMatch(/^[01]s$/);
    expect(sim.state()["/ip/hotspot/host"]).toEqual([]);
    const after = await admin();
    after.close();
  });

  it("records connections and commands, and serves the same controls over HTTP", async () => {
    sim.clearCommands();
    const w = await admin();
    await w.command(["/interface/print", "=.proplist=name"]);
    expect(sim.commands().map((c) => c.words[0])).toEqual(["/login", "/interface/print"]);
    expect(sim.connections().some((c) => c.user === "admin")).toBe(true);
    const base = `http://127.0.0.1:${sim.controlPort}`;
    const appear = await fetch(`${base}/_sim/device/appear`, { method: "POST", body: JSON.stringify({ mac: "AA:00:00:00:05:01", ip: "10.5.50.61" }) });
    expect(appear.status).toBe(200);
    const state = (await (await fetch(`${base}/_sim/state`)).json()) as Record<string, unknown>;
    expect(state["/ip/hotspot/host"]).toEqual(expect.arrayContaining([expect.objectContaining({ "mac-address": "AA:00:00:00:05:01" })]));
    const bad = await fetch(`${base}/_sim/device/appear`, { method: "POST", body: "not json" });
    expect(bad.status).toBe(400);
    w.close();
  });

  it("injects faults: a scripted trap and !fatal", async () => {
    const w = await admin();
    sim.failNext("/ip/hotspot/user/add", "failure: out of memory", 4);
    expect(attrs((await w.command(["/ip/hotspot/user/add", "=name=f1"]))[0]!)).toEqual({ category: "4", message: "failure: out of memory" });
    expect(kinds(await w.command(["/ip/hotspot/user/add", "=name=f1"]))).toEqual(["!done"]);
    sim.sendFatal("router shutting down");
    expect((await w.next()).words).toEqual(["!fatal", "router shutting down"]);
    expect(await w.waitClosed()).toBe(true);
  });
});
