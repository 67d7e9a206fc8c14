// The simulated router's configuration and runtime state: menus as in-memory tables, the generic
// add/set/remove/print semantics of the API, and hotspot/PPP sessions. No networking here.
//
// Choices where shared/reference/routeros.md says UNVERIFIED or says nothing (kept in one place):
// - Trap texts: unknown menu "no such command prefix", unknown command in a known menu "no such command",
//   missing id "no such item", unknown property "unknown parameter" (category 1), missing name
//   "missing value(s) of argument(s) name", bad value "invalid value for argument <prop>",
//   duplicate PPP secret "failure: secret with the same name already exists", duplicate profile
//   "failure: profile with the same name already exists", duplicate queue
//   "failure: queue with the same name already exists", built-in profile
//   "failure: default profile can not be removed", dynamic item "failure: can not change dynamic item",
//   read-only group "not enough permissions (9)".
// - Categories: 0 for missing items/commands, 1 for argument errors, none on duplicate/"failure:" traps.
// - `/ip/hotspot/active/login`: needs the host in /ip/hotspot/host (by MAC, else by IP); "host not found" otherwise.
//   Refusals use the hotspot's own messages ("invalid username or password", "no more sessions are allowed for user", ...).
// - Disabling or removing a user does not end its active sessions (an admin kicks them separately).

import {
  formatDuration,
  isIPv4,
  normalizeBool,
  normalizeMac,
  parseDurationMs,
  parseVersion,
  versionAtLeast,
  type Version,
} from "./values";
import type { Row } from "./query";

export type Group = "full" | "read" | "write";

type PropKind = "text" | "bool" | "duration" | "duration-none" | "int" | "mac" | "enum" | "rate" | "shared-users" | "ip";

type PropSpec = {
  kind?: PropKind;
  /** Stored form of the default; absent means "not printed until set". */
  default?: string;
  readonly?: boolean;
  values?: readonly string[];
};

type Item = {
  id: number;
  values: Record<string, string>;
  /** Runtime bookkeeping of sessions/hosts (ms timestamps), never printed. */
  since?: number;
  lastActivity?: number;
};

type Table = {
  path: string;
  settings: boolean;
  key?: string;
  props: Record<string, PropSpec>;
  /** Loosely modelled menus accept any property. */
  loose: boolean;
  commands: ReadonlySet<string>;
  duplicate?: string;
  items: Item[];
  nextId: number;
};

export class TrapError extends Error {
  constructor(
    message: string,
    readonly category?: number,
  ) {
    super(message);
  }
}

export type ChangeListener = (path: string, id: string, row: Row | null) => void;

const RATE = /^\d+(\.\d+)?[kKmMgG]?(\/\d+(\.\d+)?[kKmMgG]?)?$/;
const READ_COMMANDS = new Set(["print", "getall", "listen", "monitor-traffic"]);

const HOTSPOT_USER_PROPS: Record<string, PropSpec> = {
  name: {},
  password: { default: "" },
  profile: { default: "default" },
  server: { default: "all" },
  "limit-uptime": { kind: "duration", default: "0" },
  "limit-bytes-in": { kind: "int", default: "0" },
  "limit-bytes-out": { kind: "int", default: "0" },
  "limit-bytes-total": { kind: "int", default: "0" },
  "mac-address": { kind: "mac", default: "00:00:00:00:00:00" },
  address: { kind: "ip", default: "0.0.0.0" },
  email: {},
  routes: {},
  comment: {},
  uptime: { kind: "duration", default: "0", readonly: true },
  "bytes-in": { kind: "int", default: "0", readonly: true },
  "bytes-out": { kind: "int", default: "0", readonly: true },
  "packets-in": { kind: "int", default: "0", readonly: true },
  "packets-out": { kind: "int", default: "0", readonly: true },
  dynamic: { kind: "bool", default: "false", readonly: true },
  disabled: { kind: "bool", default: "false" },
};

const HOTSPOT_PROFILE_PROPS: Record<string, PropSpec> = {
  name: {},
  "address-pool": { default: "none" },
  "shared-users": { kind: "shared-users", default: "1" },
  "rate-limit": { kind: "rate" },
  "idle-timeout": { kind: "duration-none", default: "none" },
  "keepalive-timeout": { kind: "duration-none", default: "120000" },
  "session-timeout": { kind: "duration", default: "0" },
  "status-autorefresh": { kind: "duration", default: "60000" },
  "transparent-proxy": { kind: "bool", default: "false" },
  "add-mac-cookie": { kind: "bool", default: "true" },
  "mac-cookie-timeout": { kind: "duration", default: "259200000" },
  "address-list": {},
  "incoming-filter": {},
  "outgoing-filter": {},
  "incoming-packet-mark": {},
  "outgoing-packet-mark": {},
  "on-login": {},
  "on-logout": {},
  "open-status-page": { default: "always" },
  "parent-queue": { default: "none" },
  default: { kind: "bool", default: "false", readonly: true },
};

const ACTIVE_PROPS: Record<string, PropSpec> = {
  server: { readonly: true },
  user: { readonly: true },
  domain: { readonly: true },
  address: { readonly: true },
  "mac-address": { kind: "mac", readonly: true },
  "login-by": { readonly: true },
  uptime: { kind: "duration", readonly: true },
  "idle-time": { kind: "duration", readonly: true },
  "session-time-left": { kind: "duration", readonly: true },
  "idle-timeout": { kind: "duration-none", readonly: true },
  "keepalive-timeout": { kind: "duration-none", readonly: true },
  "limit-bytes-in": { kind: "int", readonly: true },
  "limit-bytes-out": { kind: "int", readonly: true },
  "limit-bytes-total": { kind: "int", readonly: true },
  "bytes-in": { kind: "int", default: "0", readonly: true },
  "bytes-out": { kind: "int", default: "0", readonly: true },
  "packets-in": { kind: "int", default: "0", readonly: true },
  "packets-out": { kind: "int", default: "0", readonly: true },
  radius: { kind: "bool", default: "false", readonly: true },
};

const HOST_PROPS: Record<string, PropSpec> = {
  "mac-address": { kind: "mac", readonly: true },
  address: { readonly: true },
  "to-address": { readonly: true },
  server: { readonly: true },
  "bridge-port": { readonly: true },
  uptime: { kind: "duration", readonly: true },
  "idle-time": { kind: "duration", readonly: true },
  "idle-timeout": { kind: "duration-none", readonly: true },
  "keepalive-timeout": { kind: "duration-none", readonly: true },
  "bytes-in": { kind: "int", default: "0", readonly: true },
  "bytes-out": { kind: "int", default: "0", readonly: true },
  "packets-in": { kind: "int", default: "0", readonly: true },
  "packets-out": { kind: "int", default: "0", readonly: true },
  "found-by": { readonly: true },
  authorized: { kind: "bool", default: "false", readonly: true },
  bypassed: { kind: "bool", default: "false", readonly: true },
  dynamic: { kind: "bool", default: "true", readonly: true },
};

const PPP_SERVICES = ["any", "async", "isdn", "l2tp", "pppoe", "pptp", "ovpn", "sstp"] as const;

const PPP_SECRET_PROPS: Record<string, PropSpec> = {
  name: {},
  password: { default: "" },
  service: { kind: "enum", values: PPP_SERVICES, default: "any" },
  "caller-id": { default: "" },
  profile: { default: "default" },
  "local-address": {},
  "remote-address": {},
  "remote-ipv6-prefix": {},
  routes: {},
  "limit-bytes-in": { kind: "int", default: "0" },
  "limit-bytes-out": { kind: "int", default: "0" },
  "last-logged-out": { readonly: true },
  "last-caller-id": { readonly: true },
  comment: {},
  disabled: { kind: "bool", default: "false" },
};

const PPP_PROFILE_PROPS: Record<string, PropSpec> = {
  name: {},
  "local-address": {},
  "remote-address": {},
  "rate-limit": { kind: "rate" },
  "dns-server": {},
  "only-one": { kind: "enum", values: ["yes", "no", "default"], default: "default" },
  "session-timeout": { kind: "duration", default: "0" },
  "idle-timeout": { kind: "duration", default: "0" },
  "address-list": {},
  "parent-queue": {},
  "queue-type": {},
  "insert-queue-before": {},
  "on-up": {},
  "on-down": {},
  "change-tcp-mss": { kind: "enum", values: ["yes", "no", "default"], default: "default" },
  "use-encryption": { kind: "enum", values: ["yes", "no", "default", "required"], default: "default" },
  "use-compression": { kind: "enum", values: ["yes", "no", "default"], default: "default" },
  comment: {},
  default: { kind: "bool", default: "false", readonly: true },
};

const PPP_ACTIVE_PROPS: Record<string, PropSpec> = {
  name: { readonly: true },
  service: { readonly: true },
  "caller-id": { readonly: true },
  address: { readonly: true },
  uptime: { kind: "duration", readonly: true },
  encoding: { readonly: true },
  "session-id": { readonly: true },
  "limit-bytes-in": { kind: "int", default: "0", readonly: true },
  "limit-bytes-out": { kind: "int", default: "0", readonly: true },
  radius: { kind: "bool", default: "false", readonly: true },
};

const QUEUE_PROPS: Record<string, PropSpec> = {
  name: {},
  target: {},
  parent: { default: "none" },
  "packet-marks": { default: "" },
  priority: { default: "8/8" },
  queue: { default: "default-small/default-small" },
  "limit-at": { default: "0/0" },
  "max-limit": { default: "0/0" },
  "burst-limit": { default: "0/0" },
  "burst-threshold": { default: "0/0" },
  "burst-time": { default: "0s/0s" },
  "bucket-size": { default: "0.1/0.1" },
  comment: {},
  bytes: { default: "0/0", readonly: true },
  packets: { default: "0/0", readonly: true },
  rate: { default: "0bps/0bps", readonly: true },
  dynamic: { kind: "bool", default: "false", readonly: true },
  disabled: { kind: "bool", default: "false" },
};

const RADIUS_PROPS: Record<string, PropSpec> = {
  service: { default: "" },
  "called-id": {},
  domain: {},
  address: { default: "0.0.0.0" },
  secret: { default: "" },
  "authentication-port": { kind: "int", default: "1812" },
  "accounting-port": { kind: "int", default: "1813" },
  timeout: { kind: "duration", default: "1100" },
  "accounting-backup": { kind: "bool", default: "false" },
  realm: {},
  "src-address": { default: "0.0.0.0" },
  protocol: { kind: "enum", values: ["udp", "radsec"], default: "udp" },
  certificate: {},
  "require-message-auth": { kind: "enum", values: ["no", "yes-for-request-resp"], default: "yes-for-request-resp" },
  comment: {},
  disabled: { kind: "bool", default: "false" },
};

const INTERFACE_PROPS: Record<string, PropSpec> = {
  name: {},
  "default-name": { readonly: true },
  type: { readonly: true },
  mtu: { default: "1500" },
  "actual-mtu": { readonly: true, default: "1500" },
  "mac-address": { kind: "mac", readonly: true },
  "last-link-up-time": { readonly: true },
  "link-downs": { kind: "int", default: "0", readonly: true },
  "rx-byte": { kind: "int", default: "0", readonly: true },
  "tx-byte": { kind: "int", default: "0", readonly: true },
  "rx-packet": { kind: "int", default: "0", readonly: true },
  "tx-packet": { kind: "int", default: "0", readonly: true },
  "rx-drop": { kind: "int", default: "0", readonly: true },
  "tx-drop": { kind: "int", default: "0", readonly: true },
  "rx-error": { kind: "int", default: "0", readonly: true },
  "tx-error": { kind: "int", default: "0", readonly: true },
  running: { kind: "bool", default: "true", readonly: true },
  dynamic: { kind: "bool", default: "false", readonly: true },
  comment: {},
  disabled: { kind: "bool", default: "false" },
};

const RESOURCE_PROPS: Record<string, PropSpec> = {
  uptime: { kind: "duration", readonly: true },
  version: { readonly: true },
  "build-time": { readonly: true },
  "factory-software": { readonly: true },
  "free-memory": { kind: "int", readonly: true },
  "total-memory": { kind: "int", readonly: true },
  cpu: { readonly: true },
  "cpu-count": { kind: "int", readonly: true },
  "cpu-frequency": { kind: "int", readonly: true },
  "cpu-load": { kind: "int", readonly: true },
  "free-hdd-space": { kind: "int", readonly: true },
  "total-hdd-space": { kind: "int", readonly: true },
  "write-sect-since-reboot": { kind: "int", readonly: true },
  "write-sect-total": { kind: "int", readonly: true },
  "bad-blocks": { readonly: true },
  "architecture-name": { readonly: true },
  "board-name": { readonly: true },
  platform: { readonly: true },
};

const LIST_COMMANDS = ["add", "set", "remove", "unset"];
const TOGGLE = ["enable", "disable"];

type TableDef = Omit<Table, "items" | "nextId" | "commands" | "loose" | "settings"> & {
  commands: readonly string[];
  loose?: boolean;
  settings?: boolean;
};

const TABLES: TableDef[] = [
  { path: "/system/resource", settings: true, props: RESOURCE_PROPS, commands: [] },
  { path: "/system/identity", settings: true, props: { name: { default: "MikroTik" } }, commands: ["set"] },
  { path: "/interface", key: "name", props: INTERFACE_PROPS, commands: ["set", "unset", ...TOGGLE, "monitor-traffic"] },
  {
    path: "/ip/hotspot",
    key: "name",
    loose: true,
    props: { name: {}, interface: {}, "address-pool": { default: "none" }, profile: { default: "default" }, "idle-timeout": { kind: "duration-none", default: "300000" }, "addresses-per-mac": { default: "2" }, disabled: { kind: "bool", default: "false" } },
    commands: [...LIST_COMMANDS, ...TOGGLE],
    duplicate: "failure: already have hotspot server with this name",
  },
  {
    path: "/ip/hotspot/profile",
    key: "name",
    loose: true,
    props: { name: {}, "dns-name": { default: "" }, "hotspot-address": { default: "0.0.0.0" }, "html-directory": { default: "hotspot" }, "login-by": { default: "cookie,http-chap" }, "use-radius": { kind: "bool", default: "false" }, "radius-accounting": { kind: "bool", default: "true" }, "radius-interim-update": { default: "received" }, "nas-port-type": { default: "wireless-802.11" }, "rate-limit": {}, default: { kind: "bool", default: "false", readonly: true } },
    commands: LIST_COMMANDS,
    duplicate: "failure: profile with the same name already exists",
  },
  { path: "/ip/hotspot/user", key: "name", props: HOTSPOT_USER_PROPS, commands: [...LIST_COMMANDS, ...TOGGLE, "reset-counters"], duplicate: "failure: already have user with this name for this server" },
  { path: "/ip/hotspot/user/profile", key: "name", props: HOTSPOT_PROFILE_PROPS, commands: LIST_COMMANDS, duplicate: "failure: profile with the same name already exists" },
  { path: "/ip/hotspot/active", props: ACTIVE_PROPS, commands: ["remove", "login"] },
  { path: "/ip/hotspot/host", props: HOST_PROPS, commands: ["remove"] },
  { path: "/ip/hotspot/walled-garden", loose: true, props: { action: { default: "allow" }, "dst-host": {}, path: {}, "dst-port": {}, method: {}, "src-address": {}, server: {}, comment: {}, disabled: { kind: "bool", default: "false" } }, commands: [...LIST_COMMANDS, ...TOGGLE] },
  { path: "/ip/hotspot/walled-garden/ip", loose: true, props: { action: { default: "accept" }, "dst-host": {}, "dst-address": {}, "src-address": {}, protocol: {}, "dst-port": {}, server: {}, comment: {}, disabled: { kind: "bool", default: "false" } }, commands: [...LIST_COMMANDS, ...TOGGLE] },
  { path: "/ip/hotspot/ip-binding", loose: true, props: { "mac-address": {}, address: {}, "to-address": {}, server: { default: "all" }, type: { kind: "enum", values: ["regular", "bypassed", "blocked"], default: "regular" }, comment: {}, disabled: { kind: "bool", default: "false" } }, commands: [...LIST_COMMANDS, ...TOGGLE] },
  { path: "/ppp/secret", key: "name", props: PPP_SECRET_PROPS, commands: [...LIST_COMMANDS, ...TOGGLE], duplicate: "failure: secret with the same name already exists" },
  { path: "/ppp/profile", key: "name", props: PPP_PROFILE_PROPS, commands: LIST_COMMANDS, duplicate: "failure: profile with the same name already exists" },
  { path: "/ppp/active", props: PPP_ACTIVE_PROPS, commands: ["remove"] },
  { path: "/ppp/aaa", settings: true, props: { "use-radius": { kind: "bool", default: "false" }, accounting: { kind: "bool", default: "true" }, "interim-update": { kind: "duration", default: "0" }, "use-circuit-id-in-nas-port-id": { kind: "bool", default: "false" } }, commands: ["set"] },
  { path: "/queue/simple", key: "name", props: QUEUE_PROPS, commands: [...LIST_COMMANDS, ...TOGGLE], duplicate: "failure: queue with the same name already exists" },
  { path: "/radius", props: RADIUS_PROPS, commands: [...LIST_COMMANDS, ...TOGGLE] },
  { path: "/radius/incoming", settings: true, props: { accept: { kind: "bool", default: "false" }, port: { kind: "int", default: "1700" }, vrf: { default: "main" } }, commands: ["set"] },
];

export type RouterModelOptions = {
  version: string;
  identity: string;
  board: string;
};

export type LoginDeviceInput = { user: string; password?: string; mac?: string; ip?: string; loginBy: string; requireHost: boolean };

const DEFAULT_SERVER = "hotspot1";

export class RouterModel {
  version: Version;
  versionText: string;
  board: string;
  bootAt = Date.now();
  private readonly tables = new Map<string, Table>();
  private readonly listeners = new Set<ChangeListener>();
  private pppSessionCounter = 0x81100000;
  private pppAddressCounter = 2;

  constructor(opts: RouterModelOptions) {
    this.versionText = opts.version;
    this.version = parseVersion(opts.version);
    this.board = opts.board;
    for (const def of TABLES) {
      this.tables.set(def.path, {
        ...def,
        settings: def.settings ?? false,
        loose: def.loose ?? false,
        commands: new Set(def.commands),
        items: [],
        nextId: 1,
      });
    }
    this.seed(opts.identity);
  }

  private seed(identity: string) {
    this.settingsItem("/system/identity").values.name = identity;
    for (const path of ["/system/resource", "/ppp/aaa", "/radius/incoming"]) this.settingsItem(path);
    const macBase = [0x48, 0x8f, 0x5a, 0x10, 0x20];
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
    const ifaces: Array<[string, string]> = [
      ["ether1", "ether"],
      ["ether2", "ether"],
      ["ether3", "ether"],
      ["ether4", "ether"],
      ["ether5", "ether"],
      ["bridge-hotspot", "bridge"],
    ];
    ifaces.forEach(([name, type], i) => {
      const values: Record<string, string> = { name, type, "mac-address": [...macBase, 0x30 + i].map(hex).join(":") };
      if (type === "ether") values["default-name"] = name;
      this.insert("/interface", values);
    });
    this.insert("/ip/hotspot/profile", { name: "default", default: "true" }, 0);
    this.insert("/ip/hotspot/profile", { name: "hsprof1", "dns-name": "login.wifi", "hotspot-address": "10.5.50.1" });
    this.insert("/ip/hotspot", { name: DEFAULT_SERVER, interface: "bridge-hotspot", "address-pool": "hs-pool-1", profile: "hsprof1" });
    this.insert("/ip/hotspot/user/profile", { name: "default", default: "true" }, 0);
    this.insert("/ppp/profile", { name: "default", default: "true" }, 0);
    this.insert("/ppp/profile", { name: "default-encryption", default: "true", "use-encryption": "yes" }, 0xfffffffe);
  }

  setVersion(v: string) {
    this.version = parseVersion(v);
    this.versionText = v;
  }

  /** RouterOS ≥ 7.18 answers a print without rows with `!empty` before `!done`. */
  get sendsEmpty(): boolean {
    return versionAtLeast(this.version, { major: 7, minor: 18, patch: 0 });
  }

  /** Before 6.43 `/login` is the MD5 challenge. */
  get legacyLogin(): boolean {
    return !versionAtLeast(this.version, { major: 6, minor: 43, patch: 0 });
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  menuCommands(path: string): ReadonlySet<string> | null {
    const table = this.tables.get(path);
    if (!table) return null;
    return new Set(["print", "getall", "listen", ...table.commands]);
  }

  static needsWrite(command: string): boolean {
    return !READ_COMMANDS.has(command);
  }

  // ---------- generic API commands ----------

  print(path: string): Row[] {
    this.sweep();
    const table = this.table(path);
    return table.items.map((item) => this.render(table, item));
  }

  /** Rows selected by `.id`/`numbers` (ids, names, comma lists). */
  resolve(path: string, ref: string): Item[] {
    const table = this.table(path);
    const found: Item[] = [];
    for (const one of ref.split(",").map((s) => s.trim())) {
      if (one === "") continue;
      const item = this.findByRef(table, one);
      if (!item) throw new TrapError("no such item", 0);
      if (!found.includes(item)) found.push(item);
    }
    if (found.length === 0) throw new TrapError("no such item", 0);
    return found;
  }

  add(path: string, attrs: Record<string, string>): string {
    const table = this.table(path);
    const values = this.parseValues(table, attrs, null);
    if (table.key && !values[table.key]) throw new TrapError(`missing value(s) of argument(s) ${table.key}`, 1);
    this.validate(table, values, null);
    const item = this.insert(path, values);
    return `*${item.id.toString(16).toUpperCase()}`;
  }

  set(path: string, ref: string | null, attrs: Record<string, string>) {
    const table = this.table(path);
    if (table.settings) {
      const item = this.settingsItem(path);
      Object.assign(item.values, this.parseValues(table, attrs, item));
      this.emit(table, item);
      return;
    }
    if (ref === null) throw new TrapError("no such item", 0);
    const items = this.resolve(path, ref);
    const parsed = items.map((item) => {
      this.refuseDynamic(item);
      const values = this.parseValues(table, attrs, item);
      this.validate(table, { ...item.values, ...values }, item);
      return values;
    });
    items.forEach((item, i) => {
      const before = item.values[table.key ?? ""];
      Object.assign(item.values, parsed[i]);
      if (table.key === "name" && before !== undefined && before !== item.values.name) this.renamed(path, before, item.values.name ?? "");
      this.emit(table, item);
    });
  }

  unset(path: string, ref: string | null, prop: string) {
    const table = this.table(path);
    const spec = table.props[prop];
    if ((!spec && !table.loose) || spec?.readonly || prop === table.key) throw new TrapError("unknown parameter", 1);
    const items = table.settings ? [this.settingsItem(path)] : this.resolve(path, ref ?? "");
    for (const item of items) {
      delete item.values[prop];
      this.emit(table, item);
    }
  }

  remove(path: string, ref: string) {
    const table = this.table(path);
    const items = this.resolve(path, ref);
    for (const item of items) {
      if (item.values.default === "true") throw new TrapError("failure: default profile can not be removed");
      this.refuseDynamic(item);
    }
    for (const item of items) {
      if (path === "/ip/hotspot/active") this.endHotspotSession(item);
      else if (path === "/ppp/active") this.endPppSession(item);
      else if (path === "/ip/hotspot/host") this.removeHost(item);
      else this.deleteItem(table, item);
    }
  }

  resetCounters(path: string, ref: string) {
    const table = this.table(path);
    for (const item of this.resolve(path, ref)) {
      for (const prop of ["uptime", "bytes-in", "bytes-out", "packets-in", "packets-out"]) item.values[prop] = "0";
      this.emit(table, item);
    }
  }

  /** Equality used by `?prop=value` queries: booleans, times, MACs and ids compare by meaning. */
  queryEquals(path: string, prop: string, rowValue: string, queryValue: string): boolean {
    if (prop === ".id") return rowValue.toUpperCase() === queryValue.toUpperCase();
    const kind = this.tables.get(path)?.props[prop]?.kind;
    if (kind === "bool") return normalizeBool(rowValue) === normalizeBool(queryValue);
    if (kind === "mac") return normalizeMac(rowValue) !== null && normalizeMac(rowValue) === normalizeMac(queryValue);
    if (kind === "duration" || kind === "duration-none") {
      if (rowValue === queryValue) return true;
      const a = parseDurationMs(rowValue);
      return a !== null && a === parseDurationMs(queryValue);
    }
    return rowValue === queryValue;
  }

  // ---------- hotspot ----------

  deviceAppear(mac: string, ip: string, server = DEFAULT_SERVER): string | null {
    const normalized = normalizeMac(mac);
    if (!normalized) return `invalid MAC address: ${mac}`;
    if (!isIPv4(ip)) return `invalid IP address: ${ip}`;
    const hosts = this.table("/ip/hotspot/host");
    const existing = hosts.items.find((h) => h.values["mac-address"] === normalized);
    if (existing) {
      existing.values.address = ip;
      existing.values["to-address"] = ip;
      existing.lastActivity = Date.now();
      this.emit(hosts, existing);
      return null;
    }
    const item = this.insert("/ip/hotspot/host", {
      "mac-address": normalized,
      address: ip,
      "to-address": ip,
      server,
      "bridge-port": "ether2",
      "found-by": `DHCP ${ip}`,
      "idle-timeout": "300000",
      "keepalive-timeout": "none",
    });
    item.since = Date.now();
    item.lastActivity = item.since;
    return null;
  }

  /** Logs a device in; returns the hotspot's refusal message, or the new session's id. */
  hotspotLogin(input: LoginDeviceInput): { error: string } | { id: string } {
    this.sweep();
    const hosts = this.table("/ip/hotspot/host");
    const mac = input.mac ? normalizeMac(input.mac) : null;
    if (input.mac && !mac) return { error: "invalid value of mac-address, mac address required" };
    if (input.ip && !isIPv4(input.ip)) return { error: `invalid value for argument ip` };
    let host = mac ? hosts.items.find((h) => h.values["mac-address"] === mac) : hosts.items.find((h) => h.values.address === input.ip);
    if (!host) {
      if (input.requireHost || !mac || !input.ip) return { error: "host not found" };
      this.deviceAppear(mac, input.ip);
      host = hosts.items.find((h) => h.values["mac-address"] === mac);
      if (!host) return { error: "host not found" };
    }
    const hostMac = host.values["mac-address"] ?? "";
    const ip = input.ip ?? host.values.address ?? "";
    const users = this.table("/ip/hotspot/user");
    const user = users.items.find((u) => u.values.name === input.user);
    if (!user) return { error: "invalid username or password" };
    if (input.password !== undefined && (user.values.password ?? "") !== input.password) return { error: "invalid username or password" };
    if (user.values.disabled === "true") return { error: `user ${input.user} is disabled` };
    const boundMac = user.values["mac-address"];
    if (boundMac && boundMac !== "00:00:00:00:00:00" && boundMac !== hostMac) return { error: "invalid username or password" };
    const active = this.table("/ip/hotspot/active");
    if (active.items.some((s) => s.values["mac-address"] === hostMac)) return { error: "already authorized" };
    const profile = this.table("/ip/hotspot/user/profile").items.find((p) => p.values.name === (user.values.profile ?? "default"));
    const totals = this.hotspotUserTotals(user);
    const limitUptime = Number(user.values["limit-uptime"] ?? 0);
    if (limitUptime > 0 && totals.uptimeMs >= limitUptime) return { error: `user ${input.user} has reached uptime limit` };
    const limitBytes = Number(user.values["limit-bytes-total"] ?? 0);
    if (limitBytes > 0 && totals.bytesIn + totals.bytesOut >= limitBytes) return { error: `user ${input.user} has reached traffic limit` };
    const shared = profile?.values["shared-users"] ?? "1";
    const sessions = active.items.filter((s) => s.values.user === input.user).length;
    if (shared !== "unlimited" && sessions >= Number(shared)) return { error: "no more sessions are allowed for user" };

    const server = user.values.server && user.values.server !== "all" ? user.values.server : (host.values.server ?? DEFAULT_SERVER);
    const session = this.insert("/ip/hotspot/active", {
      server,
      user: input.user,
      address: ip,
      "mac-address": hostMac,
      "login-by": input.loginBy,
      "idle-timeout": profile?.values["idle-timeout"] ?? "none",
      "keepalive-timeout": profile?.values["keepalive-timeout"] ?? "120000",
      ...(limitBytes > 0 ? { "limit-bytes-total": String(limitBytes - totals.bytesIn - totals.bytesOut) } : {}),
    });
    session.since = Date.now();
    session.lastActivity = session.since;
    host.values.authorized = "true";
    host.values.address = ip;
    this.emit(hosts, host);
    this.addDynamicQueue(`<hotspot-${input.user}>`, `${ip}/32`, profile?.values["rate-limit"]);
    return { id: `*${session.id.toString(16).toUpperCase()}` };
  }

  /** Ends hotspot and PPP sessions of a user or a MAC; returns how many ended. */
  disconnect(by: { user?: string; mac?: string }): number {
    const mac = by.mac ? normalizeMac(by.mac) : null;
    let ended = 0;
    for (const s of [...this.table("/ip/hotspot/active").items]) {
      if ((by.user !== undefined && s.values.user === by.user) || (mac && s.values["mac-address"] === mac)) {
        this.endHotspotSession(s);
        ended++;
      }
    }
    for (const s of [...this.table("/ppp/active").items]) {
      if ((by.user !== undefined && s.values.name === by.user) || (mac && s.values["caller-id"] === mac)) {
        this.endPppSession(s);
        ended++;
      }
    }
    return ended;
  }

  /** Adds traffic to a user's live sessions (hotspot first, else PPP); returns the sessions touched. */
  traffic(user: string, bytesIn: number, bytesOut: number): number {
    const now = Date.now();
    const hotspot = this.table("/ip/hotspot/active").items.filter((s) => s.values.user === user);
    const ppp = this.table("/ppp/active").items.filter((s) => s.values.name === user);
    const sessions = hotspot.length > 0 ? hotspot : ppp;
    if (sessions.length === 0) return 0;
    const inEach = Math.floor(bytesIn / sessions.length);
    const outEach = Math.floor(bytesOut / sessions.length);
    const bump = (values: Record<string, string>, prop: string, by: number) => {
      values[prop] = String(Number(values[prop] ?? 0) + by);
    };
    for (const s of sessions) {
      s.lastActivity = now;
      const isHotspot = hotspot.length > 0;
      if (isHotspot) {
        bump(s.values, "bytes-in", inEach);
        bump(s.values, "bytes-out", outEach);
        bump(s.values, "packets-in", Math.ceil(inEach / 1000));
        bump(s.values, "packets-out", Math.ceil(outEach / 1000));
        const host = this.table("/ip/hotspot/host").items.find((h) => h.values["mac-address"] === s.values["mac-address"]);
        if (host) {
          bump(host.values, "bytes-in", inEach);
          bump(host.values, "bytes-out", outEach);
          host.lastActivity = now;
        }
        this.emit(this.table("/ip/hotspot/active"), s);
      } else {
        const iface = this.table("/interface").items.find((i) => i.values.name === `<pppoe-${user}>`);
        if (iface) {
          bump(iface.values, "rx-byte", inEach);
          bump(iface.values, "tx-byte", outEach);
        }
        this.emit(this.table("/ppp/active"), s);
      }
      const queue = this.table("/queue/simple").items.find((q) => q.values.target === `${s.values.address}/32` && q.values.dynamic === "true");
      if (queue) {
        const [up, down] = (queue.values.bytes ?? "0/0").split("/").map(Number);
        queue.values.bytes = `${(up ?? 0) + inEach}/${(down ?? 0) + outEach}`;
      }
    }
    this.sweep();
    return sessions.length;
  }

  pppConnect(input: { user: string; password?: string; callerId?: string; service?: string }): { error: string } | { id: string } {
    const secret = this.table("/ppp/secret").items.find((s) => s.values.name === input.user);
    if (!secret || (input.password !== undefined && (secret.values.password ?? "") !== input.password)) return { error: "authentication failed" };
    if (secret.values.disabled === "true") return { error: "authentication failed: user disabled" };
    const service = input.service ?? "pppoe";
    if ((secret.values.service ?? "any") !== "any" && secret.values.service !== service) return { error: "authentication failed: service not allowed" };
    const callerId = input.callerId ? (normalizeMac(input.callerId) ?? input.callerId) : "";
    if (secret.values["caller-id"] && secret.values["caller-id"] !== callerId) return { error: "authentication failed: caller-id mismatch" };
    const profile = this.table("/ppp/profile").items.find((p) => p.values.name === (secret.values.profile ?? "default"));
    const active = this.table("/ppp/active");
    if (profile?.values["only-one"] === "yes" && active.items.some((s) => s.values.name === input.user)) return { error: "authentication failed: only one session allowed" };
    const fixed = [secret.values["remote-address"], profile?.values["remote-address"]].find((a) => a && isIPv4(a));
    const address = fixed ?? `10.10.${Math.floor(this.pppAddressCounter / 250)}.${(this.pppAddressCounter++ % 250) + 2}`;
    const session = this.insert("/ppp/active", {
      name: input.user,
      service,
      "caller-id": callerId,
      address,
      encoding: "",
      "session-id": `0x${(this.pppSessionCounter++).toString(16).toUpperCase()}`,
      "limit-bytes-in": secret.values["limit-bytes-in"] ?? "0",
      "limit-bytes-out": secret.values["limit-bytes-out"] ?? "0",
    });
    session.since = Date.now();
    session.lastActivity = session.since;
    const ifaceName = `<${service === "any" ? "pppoe" : service}-${input.user}>`;
    this.insert("/interface", { name: ifaceName, type: `${service === "any" ? "pppoe" : service}-in`, dynamic: "true", mtu: "1480", "actual-mtu": "1480" });
    this.addDynamicQueue(ifaceName, ifaceName, profile?.values["rate-limit"]);
    return { id: `*${session.id.toString(16).toUpperCase()}` };
  }

  /** What a reboot loses: sessions, hosts and everything dynamic. */
  reboot() {
    for (const s of [...this.table("/ip/hotspot/active").items]) this.endHotspotSession(s);
    for (const s of [...this.table("/ppp/active").items]) this.endPppSession(s);
    const hosts = this.table("/ip/hotspot/host");
    for (const h of [...hosts.items]) this.deleteItem(hosts, h);
    this.bootAt = Date.now();
  }

  /** Removes a named row as an admin would in Winbox; false when there is none. */
  removeByHand(path: string, name: string): boolean {
    const table = this.tables.get(path);
    if (!table) return false;
    const item = table.items.find((i) => i.values.name === name || i.values.user === name || i.values["mac-address"] === normalizeMac(name));
    if (!item) return false;
    if (path === "/ip/hotspot/active") this.endHotspotSession(item);
    else if (path === "/ppp/active") this.endPppSession(item);
    else this.deleteItem(table, item);
    return true;
  }

  snapshot(): Record<string, Row[] | Row> {
    this.sweep();
    const out: Record<string, Row[] | Row> = {};
    for (const [path, table] of this.tables) {
      const rows = table.items.map((item) => this.render(table, item));
      out[path] = table.settings ? (rows[0] ?? {}) : rows;
    }
    return out;
  }

  /** Ends sessions past their session-timeout, idle-timeout, limit-uptime or byte limit. */
  sweep() {
    const now = Date.now();
    const users = this.tables.get("/ip/hotspot/user");
    const profiles = this.tables.get("/ip/hotspot/user/profile");
    const active = this.tables.get("/ip/hotspot/active");
    if (!users || !profiles || !active) return;
    for (const s of [...active.items]) {
      const user = users.items.find((u) => u.values.name === s.values.user);
      const profile = profiles.items.find((p) => p.values.name === (user?.values.profile ?? "default"));
      const sessionMs = now - (s.since ?? now);
      const sessionTimeout = Number(profile?.values["session-timeout"] ?? 0);
      const idle = s.values["idle-timeout"];
      const idleMs = now - (s.lastActivity ?? now);
      let expired = sessionTimeout > 0 && sessionMs >= sessionTimeout;
      if (idle && idle !== "none" && Number(idle) > 0 && idleMs >= Number(idle)) expired = true;
      if (user) {
        const totals = this.hotspotUserTotals(user);
        const limitUptime = Number(user.values["limit-uptime"] ?? 0);
        const limitBytes = Number(user.values["limit-bytes-total"] ?? 0);
        if (limitUptime > 0 && totals.uptimeMs >= limitUptime) expired = true;
        if (limitBytes > 0 && totals.bytesIn + totals.bytesOut >= limitBytes) expired = true;
      }
      if (expired) this.endHotspotSession(s);
    }
  }

  // ---------- internals ----------

  private table(path: string): Table {
    const table = this.tables.get(path);
    if (!table) throw new TrapError("no such command prefix", 0);
    return table;
  }

  private settingsItem(path: string): Item {
    const table = this.table(path);
    const first = table.items[0];
    if (first) return first;
    const item: Item = { id: 0, values: {} };
    table.items.push(item);
    return item;
  }

  private insert(path: string, values: Record<string, string>, id?: number): Item {
    const table = this.table(path);
    const item: Item = { id: id ?? table.nextId++, values: { ...values } };
    table.items.push(item);
    this.emit(table, item);
    return item;
  }

  private deleteItem(table: Table, item: Item) {
    table.items = table.items.filter((i) => i !== item);
    for (const listener of this.listeners) listener(table.path, `*${item.id.toString(16).toUpperCase()}`, null);
  }

  private emit(table: Table, item: Item) {
    if (this.listeners.size === 0 || !table.items.includes(item)) return;
    const row = this.render(table, item);
    for (const listener of this.listeners) listener(table.path, `*${item.id.toString(16).toUpperCase()}`, row);
  }

  private findByRef(table: Table, ref: string): Item | undefined {
    if (/^\*[0-9a-fA-F]+$/.test(ref)) {
      const id = parseInt(ref.slice(1), 16);
      return table.items.find((i) => i.id === id);
    }
    // Named items may be addressed by name (the doc example uses `=.id=ether1`).
    if (table.key) return table.items.find((i) => i.values[table.key as string] === ref);
    return undefined;
  }

  private refuseDynamic(item: Item) {
    if (item.values.dynamic === "true") throw new TrapError("failure: can not change dynamic item");
  }

  private parseValues(table: Table, attrs: Record<string, string>, existing: Item | null): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [prop, raw] of Object.entries(attrs)) {
      const spec = table.props[prop];
      if (!spec) {
        if (table.loose) {
          out[prop] = raw;
          continue;
        }
        throw new TrapError("unknown parameter", 1);
      }
      if (spec.readonly) throw new TrapError("unknown parameter", 1);
      out[prop] = this.parseValue(prop, spec, raw);
    }
    if (existing === null && table.key && out[table.key] === "") throw new TrapError(`missing value(s) of argument(s) ${table.key}`, 1);
    return out;
  }

  private parseValue(prop: string, spec: PropSpec, raw: string): string {
    const invalid = () => new TrapError(`invalid value for argument ${prop}`, 1);
    switch (spec.kind ?? "text") {
      case "bool": {
        const b = normalizeBool(raw);
        if (!b) throw new TrapError(`input does not match any value of ${prop}`, 1);
        return b;
      }
      case "duration":
      case "duration-none": {
        if (spec.kind === "duration-none" && raw.trim() === "none") return "none";
        const ms = parseDurationMs(raw);
        if (ms === null) throw invalid();
        return String(ms);
      }
      case "int":
        if (!/^\d+$/.test(raw.trim())) throw invalid();
        return String(Number(raw.trim()));
      case "mac": {
        const mac = normalizeMac(raw);
        if (!mac) throw new TrapError(`invalid value of ${prop}, mac address required`, 1);
        return mac;
      }
      case "ip":
        if (!isIPv4(raw)) throw invalid();
        return raw.trim();
      case "enum":
        if (!spec.values?.includes(raw.trim())) throw new TrapError(`input does not match any value of ${prop}`, 1);
        return raw.trim();
      case "rate": {
        const tokens = raw.trim().split(/\s+/).filter(Boolean);
        if (tokens.length > 6 || !tokens.every((t) => RATE.test(t))) throw invalid();
        return tokens.join(" ");
      }
      case "shared-users":
        if (raw.trim() === "unlimited") return "unlimited";
        if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw invalid();
        return String(Number(raw.trim()));
      default:
        return raw;
    }
  }

  /** Cross-row rules: unique names, profiles and servers that must exist. */
  private validate(table: Table, values: Record<string, string>, self: Item | null) {
    if (table.key && table.duplicate) {
      const name = values[table.key];
      const clash = table.items.find((i) => {
        if (i === self || i.values[table.key as string] !== name) return false;
        if (table.path !== "/ip/hotspot/user") return true;
        // Hotspot user names are unique per server ("all" overlaps every server).
        const a = i.values.server ?? "all";
        const b = values.server ?? "all";
        return a === b || a === "all" || b === "all";
      });
      if (clash) throw new TrapError(table.duplicate);
    }
    const mustExist = (prop: string, path: string, extra: string[] = []) => {
      const value = values[prop];
      if (value === undefined || extra.includes(value)) return;
      if (!this.table(path).items.some((i) => i.values.name === value)) throw new TrapError(`input does not match any value of ${prop}`, 1);
    };
    if (table.path === "/ip/hotspot/user") {
      mustExist("profile", "/ip/hotspot/user/profile");
      mustExist("server", "/ip/hotspot", ["all"]);
    } else if (table.path === "/ppp/secret") {
      mustExist("profile", "/ppp/profile");
    }
  }

  private renamed(path: string, from: string, to: string) {
    const refs: Record<string, string> = { "/ip/hotspot/user/profile": "/ip/hotspot/user", "/ppp/profile": "/ppp/secret" };
    const dependent = refs[path];
    if (!dependent) return;
    const table = this.table(dependent);
    for (const item of table.items) {
      if (item.values.profile === from) {
        item.values.profile = to;
        this.emit(table, item);
      }
    }
  }

  private hotspotUserTotals(user: Item): { uptimeMs: number; bytesIn: number; bytesOut: number } {
    const now = Date.now();
    let uptimeMs = Number(user.values.uptime ?? 0);
    let bytesIn = Number(user.values["bytes-in"] ?? 0);
    let bytesOut = Number(user.values["bytes-out"] ?? 0);
    for (const s of this.tables.get("/ip/hotspot/active")?.items ?? []) {
      if (s.values.user !== user.values.name) continue;
      uptimeMs += now - (s.since ?? now);
      bytesIn += Number(s.values["bytes-in"] ?? 0);
      bytesOut += Number(s.values["bytes-out"] ?? 0);
    }
    return { uptimeMs, bytesIn, bytesOut };
  }

  private endHotspotSession(session: Item) {
    const active = this.table("/ip/hotspot/active");
    if (!active.items.includes(session)) return;
    const users = this.table("/ip/hotspot/user");
    const user = users.items.find((u) => u.values.name === session.values.user);
    // Detach first so the totals below do not count this session twice.
    this.deleteItem(active, session);
    if (user) {
      const add = (prop: string, by: number) => (user.values[prop] = String(Number(user.values[prop] ?? 0) + by));
      add("uptime", Date.now() - (session.since ?? Date.now()));
      add("bytes-in", Number(session.values["bytes-in"] ?? 0));
      add("bytes-out", Number(session.values["bytes-out"] ?? 0));
      add("packets-in", Number(session.values["packets-in"] ?? 0));
      add("packets-out", Number(session.values["packets-out"] ?? 0));
      this.emit(users, user);
    }
    const hosts = this.table("/ip/hotspot/host");
    const host = hosts.items.find((h) => h.values["mac-address"] === session.values["mac-address"]);
    if (host) {
      host.values.authorized = "false";
      this.emit(hosts, host);
    }
    this.removeDynamicQueue((q) => q.values.target === `${session.values.address}/32` && q.values.name?.startsWith("<hotspot-") === true);
  }

  private endPppSession(session: Item) {
    const active = this.table("/ppp/active");
    if (!active.items.includes(session)) return;
    this.deleteItem(active, session);
    const secrets = this.table("/ppp/secret");
    const secret = secrets.items.find((s) => s.values.name === session.values.name);
    if (secret) {
      secret.values["last-caller-id"] = session.values["caller-id"] ?? "";
      secret.values["last-logged-out"] = new Date().toISOString().replace("T", " ").slice(0, 19);
      this.emit(secrets, secret);
    }
    const service = session.values.service === "any" ? "pppoe" : session.values.service;
    const ifaceName = `<${service}-${session.values.name}>`;
    const ifaces = this.table("/interface");
    const iface = ifaces.items.find((i) => i.values.name === ifaceName);
    if (iface) this.deleteItem(ifaces, iface);
    this.removeDynamicQueue((q) => q.values.target === ifaceName);
  }

  private removeHost(host: Item) {
    const active = this.table("/ip/hotspot/active");
    for (const s of [...active.items]) if (s.values["mac-address"] === host.values["mac-address"]) this.endHotspotSession(s);
    this.deleteItem(this.table("/ip/hotspot/host"), host);
  }

  private addDynamicQueue(name: string, target: string, rateLimit: string | undefined) {
    if (!rateLimit) return;
    const queues = this.table("/queue/simple");
    let unique = name;
    for (let n = 2; queues.items.some((q) => q.values.name === unique); n++) unique = `${name.slice(0, -1)}-${n}>`;
    const [rates, burst, threshold, time, priority, min] = rateLimit.split(/\s+/);
    const pair = (v: string | undefined, fallback: string) => {
      if (!v) return fallback;
      return v.includes("/") ? v : `${v}/${v}`;
    };
    const values: Record<string, string> = { name: unique, target, "max-limit": pair(rates, "0/0"), dynamic: "true" };
    if (burst) values["burst-limit"] = pair(burst, "0/0");
    if (burst) values["burst-threshold"] = pair(threshold, pair(rates, "0/0"));
    if (burst) values["burst-time"] = pair(time ?? "1", "1/1").split("/").map((t) => `${t}s`).join("/");
    if (priority) values.priority = `${priority}/${priority}`;
    if (min) values["limit-at"] = pair(min, "0/0");
    this.insert("/queue/simple", values);
  }

  private removeDynamicQueue(match: (q: Item) => boolean) {
    const queues = this.table("/queue/simple");
    const queue = queues.items.find((q) => q.values.dynamic === "true" && match(q));
    if (queue) this.deleteItem(queues, queue);
  }

  /** A row as `print` shows it: `.id` first, then properties in menu order, times in this version's style. */
  private render(table: Table, item: Item): Row {
    // Uptimes and counters of time are shown in whole seconds.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const computed: Record<string, string> = {};
    if (table.path === "/ip/hotspot/active" || table.path === "/ppp/active" || table.path === "/ip/hotspot/host") {
      computed.uptime = String(now - (item.since ?? now));
      computed["idle-time"] = String(now - (item.lastActivity ?? now));
    }
    if (table.path === "/ip/hotspot/active") {
      const user = this.tables.get("/ip/hotspot/user")?.items.find((u) => u.values.name === item.values.user);
      const profile = this.tables.get("/ip/hotspot/user/profile")?.items.find((p) => p.values.name === (user?.values.profile ?? "default"));
      const left: number[] = [];
      const sessionTimeout = Number(profile?.values["session-timeout"] ?? 0);
      if (sessionTimeout > 0) left.push(sessionTimeout - (now - (item.since ?? now)));
      const limitUptime = Number(user?.values["limit-uptime"] ?? 0);
      if (user && limitUptime > 0) left.push(limitUptime - this.hotspotUserTotals(user).uptimeMs);
      if (left.length > 0) computed["session-time-left"] = String(Math.max(0, Math.min(...left)));
    }
    if (table.path === "/ip/hotspot/user") {
      const totals = this.hotspotUserTotals(item);
      computed.uptime = String(totals.uptimeMs);
      computed["bytes-in"] = String(totals.bytesIn);
      computed["bytes-out"] = String(totals.bytesOut);
    }
    if (table.path === "/system/resource") Object.assign(computed, this.resource(now));

    const row: Row = {};
    if (!table.settings) row[".id"] = `*${item.id.toString(16).toUpperCase()}`;
    const props = table.loose ? [...Object.keys(table.props), ...Object.keys(item.values).filter((k) => !(k in table.props))] : Object.keys(table.props);
    for (const prop of props) {
      const spec = table.props[prop] ?? {};
      const value = computed[prop] ?? item.values[prop] ?? spec.default;
      if (value === undefined || (value === "" && prop !== table.key && spec.default === undefined)) continue;
      row[prop] = this.present(spec, value);
    }
    return row;
  }

  private present(spec: PropSpec, stored: string): string {
    if ((spec.kind === "duration" || spec.kind === "duration-none") && /^\d+$/.test(stored)) return formatDuration(Number(stored), this.version);
    return stored;
  }

  private resource(now: number): Record<string, string> {
    const v7 = this.version.major >= 7;
    const bootSecond = Math.floor(this.bootAt / 1000) * 1000;
    const sessions = (this.tables.get("/ip/hotspot/active")?.items.length ?? 0) + (this.tables.get("/ppp/active")?.items.length ?? 0);
    const total = 1024 * 1024 * 1024;
    return {
      uptime: String(Math.max(0, now - bootSecond)),
      version: `${this.versionText} (${v7 ? "stable" : "long-term"})`,
      "build-time": v7 ? "2024-10-08 10:54:58" : "Jun/02/2024 11:15:32",
      "factory-software": v7 ? "7.1.1" : "6.44.6",
      "free-memory": String(total - 180 * 1024 * 1024 - sessions * 64 * 1024),
      "total-memory": String(total),
      cpu: "ARMv7",
      "cpu-count": "4",
      "cpu-frequency": "1400",
      "cpu-load": String(Math.min(100, 2 + sessions)),
      "free-hdd-space": String(400 * 1024 * 1024),
      "total-hdd-space": String(512 * 1024 * 1024),
      "write-sect-since-reboot": "1200",
      "write-sect-total": "250000",
      "bad-blocks": "0%",
      "architecture-name": "arm",
      "board-name": this.board,
      platform: "MikroTik",
    };
  }
}
