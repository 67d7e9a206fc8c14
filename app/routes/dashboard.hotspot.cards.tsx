import { useLoaderData } from "react-router";
import { TRPCError } from "@trpc/server";
import QRCode from "qrcode";
import type { Route } from "./+types/dashboard.hotspot.cards";
import { requireIspUser } from "../lib/session.server";
import { kes } from "../lib/money";
import { describeDuration, type DurationUnit } from "../../server/services/hotspot/rules";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `Cards · ${data?.batch.name ?? "Vouchers"} · mnetifi` }];
}

const PER_PAGE = 24; // 3 × 8 on A4

/**
 * A batch's printable cards: standalone (no dashboard chrome), A4 sheets of 3 × 8 cards with the
 * ISP's name, the plan, price and time, the code and a QR code of the code. Opening it is audited.
 */
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  const notFound = () => new Response("Not found", { status: 404 });
  let rows;
  try {
    rows = (await caller.vouchers.list({ batchId: params.id, limit: 1000 })).rows;
  } catch (err) {
    if (err instanceof TRPCError && err.code === "BAD_REQUEST") throw notFound();
    throw err;
  }
  if (rows.length === 0) throw notFound();
  // The newest first in lists; cards in the order they were generated.
  rows = [...rows].reverse();
  const d = await caller.vouchers.detail({ id: rows[0]!.id });
  const cards = await Promise.all(
    rows.map(async (r) => ({
      code: r.code,
      state: r.state,
      qr: await QRCode.toString(r.code, { type: "svg", margin: 0, errorCorrectionLevel: "M" }),
    })),
  );
  await caller.vouchers.exported({ format: "cards", rows: cards.length, batchId: params.id });
  return {
    business: tenant.businessName,
    plan: { name: d.plan.name, price: kes(d.plan.priceCents), duration: describeDuration(d.plan.durationValue, d.plan.durationUnit as DurationUnit), devices: d.plan.devices },
    batch: { name: d.batch?.name ?? "Vouchers", notes: d.batch?.notes ?? "" },
    cards,
  };
}

const CSS = `
@page { size: A4; margin: 8mm; }
.cards-body { background: #e2e8f0; min-height: 100dvh; padding: 16px 0 32px; }
.toolbar { max-width: 210mm; margin: 0 auto 16px; padding: 0 12px; display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; }
.sheet { width: 210mm; min-height: 297mm; margin: 0 auto 16px; padding: 8mm; background: #fff; box-shadow: 0 1px 4px rgb(15 23 42 / 0.15);
  display: grid; grid-template-columns: repeat(3, 1fr); grid-auto-rows: 35mm; align-content: start; box-sizing: border-box; }
.vcard { box-sizing: border-box; border: 1px dashed #94a3b8; margin: -0.5px; padding: 2.5mm 3mm; display: grid; grid-template-columns: 1fr 24mm; gap: 2.5mm;
  align-items: center; overflow: hidden; color: #0f172a; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.vcard .text { min-width: 0; display: grid; gap: 0.6mm; }
.vcard .isp { font-size: 8pt; font-weight: 700; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.vcard .plan { font-size: 7pt; color: #334155; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.vcard .price { font-size: 9pt; font-weight: 700; color: #047857; }
.vcard .code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 15pt; font-weight: 700; letter-spacing: 0.06em; line-height: 1.1; }
.vcard .hint { font-size: 5.5pt; color: #64748b; line-height: 1.2; }
.vcard .qr svg { display: block; width: 24mm; height: 24mm; }
@media screen and (max-width: 820px) {
  .cards-body { padding: 12px 0; }
  .sheet { width: auto; min-height: 0; margin: 0 12px 12px; padding: 12px; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); grid-auto-rows: 35mm; }
}
@media print {
  html, body, .cards-body { background: #fff !important; padding: 0; min-height: 0; }
  .toolbar { display: none !important; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; break-after: page; }
  .sheet:last-of-type { break-after: auto; }
}
`;

export default function Cards() {
  const { business, plan, batch, cards } = useLoaderData<typeof loader>();
  const pages: (typeof cards)[] = [];
  for (let i = 0; i < cards.length; i += PER_PAGE) pages.push(cards.slice(i, i + PER_PAGE));
  const notUnused = cards.filter((c) => c.state !== "unused").length;
  return (
    <div className="cards-body">
      <style>{CSS}</style>
      <div className="toolbar">
        <div>
          <h1 className="text-lg font-bold text-slate-900">{batch.name}</h1>
          <p className="text-sm text-slate-600">
            {cards.length} {cards.length === 1 ? "card" : "cards"} · {plan.name} · {plan.price} · {pages.length} A4 {pages.length === 1 ? "page" : "pages"}
            {notUnused > 0 ? ` · ${notUnused} already used or disabled` : ""}
          </p>
        </div>
        <button
          type="button"
          onClick={() => window.print()}
          className="rounded-lg bg-brand-600 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Print
        </button>
      </div>
      {pages.map((page, p) => (
        <section key={p} className="sheet" aria-label={`Page ${p + 1}`}>
          {page.map((c) => (
            <article key={c.code} className="vcard" data-code={c.code}>
              <div className="text">
                <div className="isp">{business}</div>
                <div className="plan">
                  {plan.name}
                  {plan.name.toLowerCase().includes(plan.duration.toLowerCase()) ? "" : ` · ${plan.duration}`}
                  {plan.devices > 1 ? ` · ${plan.devices} devices` : ""}
                </div>
                <div className="price">{plan.price}</div>
                <div className="code">{c.code}</div>
                <div className="hint">Join the Wi-Fi, open any page and enter the code (capitals matter).</div>
              </div>
              <div className="qr" role="img" aria-label={`QR code for ${c.code}`} dangerouslySetInnerHTML={{ __html: c.qr }} />
            </article>
          ))}
        </section>
      ))}
    </div>
  );
}
