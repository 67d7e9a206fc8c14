// Router onboarding (docs/decisions/0010-router-onboarding-credentials.md): the RouterOS script an
// ISP pastes into the router's terminal, and the hotspot login.html that sends every
// unauthenticated device to the ISP's captive portal. The generators are pure; only
// rotateRouterCredentials touches the database.
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { routers } from "../../db/schema";
import type { Tx } from "../../db/client";
import type { Env } from "../env";
import { siteUrl } from "../context";
import type { SecretBox } from "./secrets";
import { parseAllowedAddresses } from "./addresses";
export { parseAllowedAddresses };

/** The API user the script creates on the router, and its group. */
export const ROUTER_API_USER = "mnetifi";
export const ROUTER_API_GROUP = "mnetifi-api";
/** Marks what the script adds (walled garden) so running it again replaces, never piles up. */
export const SCRIPT_COMMENT = "mnetifi";
/** Minutes of inactivity after which the hotspot logs a device out (design §7, reusable vouchers). */
export const HOTSPOT_IDLE_TIMEOUT = "15m";
export const WAITING_FOR_SCRIPT = "Waiting for the setup script to be run on the router.";

/**
 * API, read, write and test; nothing else: no terminal, Winbox, web, FTP, reboot, user
 * management or reading other users' passwords. Every name exists on RouterOS v6 and v7.
 */
export const API_GROUP_POLICY = "api,read,write,test,!local,!telnet,!ssh,!ftp,!reboot,!policy,!winbox,!password,!web,!sniff,!sensitive,!romon";

const PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/**
 * A strong random password (32 characters from 57, ~186 bits) of letters and digits only, so
 * nothing in it can be mistaken for RouterOS syntax when typed or pasted.
 */
export function generateRouterPassword(length = 32): string {
  let out = "";
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[crypto.randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/**
 * A value as a RouterOS double-quoted string. `\`, `"` and `$` (variables) are escaped, `?`
 * too (typed into the terminal it opens the help), control characters and non-ASCII bytes as
 * `\XX` (upper-case hex, as the scripting manual asks).
 */
export function rosString(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (ch === "\\" || ch === '"' || ch === "$" || ch === "?") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** Text safe inside a `#` comment line: no line breaks, nothing the terminal would act on. */
function commentText(value: string): string {
  return value.replace(/[^A-Za-z0-9 .,:;()'/_+=@-]/g, "_").slice(0, 120);
}

/** Where the hotspot sends devices: the ISP's captive portal, and the host/port the walled garden must let through. */
export type PortalTarget = { url: string; host: string; port: number };

/**
 * {scheme}://{slug}.APP_DOMAIN/hotspotportal. The host is the ISP's site (siteUrl); the
 * scheme follows PUBLIC_BASE_URL (http locally, https in production).
 */
export function hotspotPortal(env: Pick<Env, "APP_DOMAIN" | "PUBLIC_BASE_URL">, slug: string): PortalTarget {
  const scheme = new URL(env.PUBLIC_BASE_URL).protocol; // "https:"
  const site = new URL(siteUrl(env as Env, slug));
  const url = new URL(`${scheme}//${site.host}/hotspotportal`);
  return { url: url.toString(), host: url.hostname, port: url.port ? Number(url.port) : scheme === "https:" ? 443 : 80 };
}

export type SetupScriptInput = {
  routerName: string;
  businessName: string;
  username: string;
  password: string;
  apiPort: number;
  tls: boolean;
  /** Parsed ROUTER_API_ALLOWED_ADDRESS; empty = the API stays reachable from anywhere. */
  allowedAddresses: string[];
  portal: PortalTarget;
  generatedAt?: Date;
};

/**
 * The RouterOS CLI script (v6 and v7) that prepares a router for mnetifi. Safe to run again:
 * every step updates what an earlier run created instead of adding a second copy.
 */
export function buildSetupScript(input: SetupScriptInput): string {
  const { username, password, apiPort, tls, allowedAddresses, portal } = input;
  if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65535) throw new Error("apiPort must be 1-65535");
  const addresses = allowedAddresses.join(",");
  if (addresses && parseAllowedAddresses(addresses).length !== allowedAddresses.length) throw new Error("bad allowed address");
  const address = addresses ? ` address=${addresses}` : "";
  const user = rosString(username);
  const group = rosString(ROUTER_API_GROUP);
  const comment = rosString(SCRIPT_COMMENT);
  const host = rosString(portal.host);
  const service = tls ? "api-ssl" : "api";
  const userProps = `group=${group} password=${rosString(password)}${address} disabled=no comment=${rosString("mnetifi API access")}`;
  const hotspotProps = `login-by=http-chap,http-pap,mac-cookie`;
  const at = (input.generatedAt ?? new Date()).toISOString().replace(/\.\d+Z$/, "Z");

  const lines = [
    `# mnetifi setup for router ${commentText(input.routerName)} (${commentText(input.businessName)})`,
    `# Generated ${at}. It contains the password of the mnetifi API user: keep it private.`,
    `# Running it again is safe. Generating a new script in mnetifi replaces the password.`,
    ``,
    `# 1. A user group that may only use the API to read and change settings:`,
    `#    no Winbox, SSH, web, FTP, reboot, user management, and no reading of passwords.`,
    `:if ([:len [/user group find name=${group}]] = 0) do={ /user group add name=${group} policy=${API_GROUP_POLICY} } else={ /user group set [find name=${group}] policy=${API_GROUP_POLICY} }`,
    ``,
    `# 2. The user mnetifi logs in with, in that group${addresses ? `, allowed only from ${addresses}` : ""}.`,
    ...(addresses
      ? []
      : [
          `#    WARNING: this user may log in from any address. Restrict it to the address mnetifi`,
          `#    connects from, e.g.: /user set [find name=${user}] address=203.0.113.10/32`,
        ]),
    `:if ([:len [/user find name=${user}]] = 0) do={ /user add name=${user} ${userProps} } else={ /user set [find name=${user}] ${userProps} }`,
    ``,
    `# 3. The RouterOS API service (${service}) on port ${apiPort}${addresses ? `, reachable only from ${addresses}` : ""}.`,
    ...(tls ? [`#    api-ssl uses the certificate set on the service: /ip service set api-ssl certificate=<name>`] : []),
    ...(addresses ? [] : [`#    WARNING: reachable from any address. Restrict it, e.g.: /ip service set ${service} address=203.0.113.10/32`]),
    `/ip service set ${service} port=${apiPort}${address} disabled=no`,
    ``,
    `# 4. Every hotspot server profile: CHAP or plain login from the portal, remember devices`,
    `#    by MAC cookie, and pages (login.html) from the hotspot folder (flash/hotspot if present).`,
    `:if ([:len [/file find name="flash/hotspot"]] > 0) do={ /ip hotspot profile set [find] ${hotspotProps} html-directory=flash/hotspot } else={ /ip hotspot profile set [find] ${hotspotProps} html-directory=hotspot }`,
    ``,
    `# 5. Log a device out after ${HOTSPOT_IDLE_TIMEOUT.replace("m", " minutes")} without traffic (its voucher keeps its remaining time).`,
    `/ip hotspot user profile set [find name="default"] idle-timeout=${HOTSPOT_IDLE_TIMEOUT}`,
    ``,
    `# 6. Let devices that have not logged in reach the portal ${commentText(portal.host)}:`,
    `#    by name for HTTP, and by address for HTTPS. Earlier mnetifi entries are replaced.`,
    `/ip hotspot walled-garden remove [find comment=${comment}]`,
    `/ip hotspot walled-garden add dst-host=${host} action=allow comment=${comment}`,
    `/ip hotspot walled-garden ip remove [find comment=${comment}]`,
    `/ip hotspot walled-garden ip add dst-host=${host} protocol=tcp dst-port=${portal.port} action=accept comment=${comment}`,
    ``,
    `:put ${rosString("mnetifi: setup done. Go back to mnetifi and press Test connection.")}`,
    ``,
  ];
  return lines.join("\n");
}

const htmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", $: "&#36;" };
/** HTML-escaped, `$` included (the router would read `$(` as one of its variables), non-ASCII as entities. */
function html(value: string): string {
  return value.replace(/[&<>"'$]|[^\x20-\x7e]/gu, (c) => htmlEscapes[c] ?? (/\s/.test(c) ? " " : `&#${c.codePointAt(0)};`));
}

/** The hotspot variables the portal needs, as the router substitutes them in login.html. */
export const LOGIN_FIELDS = ["mac", "ip", "identity", "link-login-only", "link-orig", "chap-id", "chap-challenge", "error"] as const;

/**
 * The router's login.html: posts the device's hotspot details straight to the ISP's portal
 * (at once with JavaScript; with a Continue button on phones without it).
 */
export function buildLoginHtml(input: { portalUrl: string; routerId: string; businessName: string }): string {
  const name = html(input.businessName);
  const fields = LOGIN_FIELDS.map((f) => `<input type="hidden" name="${f}" value="$(${f})">`).join("\n");
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="pragma" content="no-cache"><meta http-equiv="expires" content="-1">
<title>${name} Wi-Fi</title>
<style>body{font-family:sans-serif;text-align:center;padding:3em 1em;color:#0f172a}button{font-size:1.1em;padding:.7em 2em;border:0;border-radius:.5em;background:#059669;color:#fff}</style>
</head><body>
<h1>${name}</h1>
<p>Opening the Wi-Fi portal&hellip;</p>
<form name="mnetifi" action="${html(input.portalUrl)}" method="post">
${fields}
<input type="hidden" name="router" value="${html(input.routerId)}">
<button type="submit">Continue</button>
</form>
<script>document.mnetifi.submit();</script>
</body></html>
`;
}

/** "Kasarani tower #2" → "mnetifi-setup-kasarani-tower-2.rsc". */
export function setupScriptFilename(routerName: string): string {
  const base = routerName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "router";
  return `mnetifi-setup-${base}.rsc`;
}

/**
 * New API credentials for a router: a fresh random password (sealed) for the `mnetifi` user,
 * and the router back to "not verified" until the ISP has run the script and tested it. The
 * routers audit trigger records the change (password redacted). Returns null for an unknown
 * router (another ISP's included, by RLS and the tenant filter).
 */
export async function rotateRouterCredentials(tx: Tx, tenantId: string, routerId: string, box: SecretBox, opts: { username?: string } = {}) {
  const password = generateRouterPassword();
  const username = opts.username ?? ROUTER_API_USER;
  const [row] = await tx
    .update(routers)
    .set({
      username,
      passwordEnc: box.encrypt(password),
      status: "unverified",
      lastError: WAITING_FOR_SCRIPT,
      // Monitoring polls only verified routers: it waits for the ISP's "Test connection".
      verifiedAt: null,
      failedPolls: 0,
    })
    .where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId)))
    .returning();
  return row ? { router: row, username, password } : null;
}
