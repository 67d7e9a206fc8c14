import { isIP } from "node:net";

/**
 * ROUTER_API_ALLOWED_ADDRESS ("203.0.113.10, 10.8.0.0/16") as a list; throws on anything
 * that is not an IPv4/IPv6 address with an optional prefix length.
 */
export function parseAllowedAddresses(raw: string): string[] {
  const parts = raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of parts) {
    const [ip, prefix, extra] = p.split("/");
    const family = isIP(ip ?? "");
    const max = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (!family || !prefixOk || extra !== undefined) throw new Error(`ROUTER_API_ALLOWED_ADDRESS: "${p}" is not an IP address or network (e.g. 203.0.113.10 or 10.8.0.0/16).`);
  }
  return parts;
}
