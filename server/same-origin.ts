import { DEVICE_FIELDS } from "./services/hotspot/portal";

/**
 * The same-origin rule for every non-GET request (tRPC included): a cross-site form or fetch is
 * refused. Browsers say where a request comes from in Sec-Fetch-Site and Origin; non-browser
 * clients (webhooks, curl) send neither and are judged by their own authentication.
 */
export function isCrossSite(method: string, header: (name: string) => string | null | undefined): boolean {
  if (["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase())) return false;
  const origin = header("origin");
  const fetchSite = header("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  if (!origin) return false;
  try {
    return new URL(origin).host !== header("host");
  } catch {
    return true;
  }
}

/**
 * The one cross-site POST the product accepts: the router's own login.html (served from the
 * router's LAN address) handing a device to the captive portal. React Router refuses actions from
 * another origin, and nothing else of the portal may be posted from another site, so the arrival
 * is answered here: its device fields become the query of a GET of the portal, which signs them.
 */
export const CROSS_SITE_ARRIVAL_PATH = "/hotspotportal";

export function crossSiteArrival(fields: Record<string, unknown>): { ok: true; location: string } | { ok: false } {
  if (fields.intent !== undefined) return { ok: false };
  const q = new URLSearchParams();
  for (const k of DEVICE_FIELDS) {
    const v = fields[k];
    if (typeof v === "string" && v !== "") q.set(k, v.slice(0, 600));
  }
  return { ok: true, location: q.size ? `${CROSS_SITE_ARRIVAL_PATH}?${q}` : CROSS_SITE_ARRIVAL_PATH };
}
