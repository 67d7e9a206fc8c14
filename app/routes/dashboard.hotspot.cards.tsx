import { useLoaderData } from "react-router";
import { TRPCError } from "@trpc/server";
import QRCode from "qrcode";
import type { Route } from "./+types/dashboard.hotspot.cards";
import { requireIspUser } from "../lib/session.server";
import { kes, phoneForDisplay } from "../lib/money";
import { dataText } from "../components/plan-card";
import { describeDuration, type DurationUnit } from "../../server/services/hotspot/rules";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `Cards · ${data?.batch.name ?? "Vouchers"} · mnetifi` }];
}

const PER_PAGE = 24; // 3 × 8 on A4

/**
 * A batch's printable cards: standalone (no dashboard chrome), A4 sheets of 3 × 8 cards with the
 * ISP's name and contact, the plan, price and time, the code and a QR code of the code. Opening
 * it is audited (an export of codes).
 */
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  let b;
  try {
    b = await caller.vouchers.batchCards({ id: params.id });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "BAD_REQUEST" || err.code === "NOT_FOUND")) throw new Response("Not found", { status: 404 });
    throw err;
  }
  const cards = await Promise.all(
    b.cards.map(async (c) => ({
      code: c.code,
      state: c.state,
      qr: await QRCode.toString(c.code, { type: "svg", margin: 0, errorCorrectionLevel: "M" }),
    })),
  );
  await caller.vouchers.exported({ format: "cards", rows: cards.length, batchId: b.batch.id });
  return {
    business: b.business,
    contact: b.contactPhone ? phoneForDisplay(b.contactPhone) || b.contactPhone : "",
    plan: {
      name: b.plan.name,
      price: kes(b.plan.priceCents),
      duration: describeDuration(b.plan.durationValue, b.plan.durationUnit as DurationUnit),
      devices: b.plan.devices,
      data: b.plan.dataCapMb ? dataText(b.plan.dataCapMb) : null,
    },
    batch: { name: b.batch.name, notes: b.batch.notes, createdAt: b.batch.createdAt },
    cards,
  };
}

// Card size: A4 minus 8 mm margins is 194 × 281 mm; 3 columns × 8 rows of 34 mm leave room for
// printers that round up, so a sheet never spills onto a mostly blank page.
const CSS = `
@page { size: A4; margin: 8mm; }
.cards-body { background: #e2e8f0; min-height: 100dvh; padding: 16px 0 32px; }
.toolbar { max-width: 210mm; margin: 0 auto 16px; padding: 0 12px; display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: flex-start; justify-content: space-between; }
.toolbar .actions { display: grid; justify-items: end; gap: 4px; }
.sheet { width: 210mm; min-height: 297mm; margin: 0 auto 16px; padding: 8mm; background: #fff; box-shadow: 0 1px 4px rgb(15 23 42 / 0.15);
  display: grid; grid-template-columns: repeat(3, 1fr); grid-auto-rows: 34mm; align-content: start; box-sizing: border-box; }
.vcard { position: relative; box-sizing: border-box; border: 0.3mm dashed #94a3b8; margin: -0.15mm; padding: 2.2mm 2.5mm 2.2mm 4mm; display: grid;
  grid-template-columns: minmax(0, 1fr) 21mm; gap: 2mm; align-items: center; overflow: hidden; color: #0f172a; background: #fff;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; break-inside: avoid; }
.vcard::before { content: ""; position: absolute; inset: 0 auto 0 0; width: 1.3mm; background: #059669; }
.vcard .text { min-width: 0; display: grid; gap: 0.5mm; }
.vcard .isp { font-size: 7.5pt; font-weight: 800; letter-spacing: 0.03em; text-transform: uppercase; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.vcard .plan { font-size: 7pt; color: #334155; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.vcard .price { font-weight: 800; color: #047857; font-size: 9.5pt; }
.vcard .label { margin-top: 0.6mm; font-size: 5pt; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase; color: #64748b; }
.vcard .code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 14pt; font-weight: 700;
  letter-spacing: 0.08em; line-height: 1.05; white-space: nowrap; }
.vcard .foot { font-size: 5.5pt; color: #475569; line-height: 1.25; }
.vcard .help { font-size: 6pt; color: #334155; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.vcard .help b { color: #0f172a; }
.vcard .qr svg { display: block; width: 21mm; height: 21mm; }
@media screen and (max-width: 820px) {
  .cards-body { padding: 12px 0; }
  .toolbar .actions { justify-items: start; }
  .sheet { width: auto; min-height: 0; margin: 0 12px 12px; padding: 12px; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); grid-auto-rows: 34mm; gap: 8px; }
  .vcard { margin: 0; }
}
@media print {
  html, body, .cards-body { background: #fff !important; padding: 0; min-height: 0; }
  .toolbar { display: none !important; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; break-after: page; }
  .sheet:last-of-type { break-after: auto; }
}
`;

export default function Cards() {
  const { business, contact, plan, batch, cards } = useLoaderData<typeof loader>();
  const pages: (typeof cards)[] = [];
  for (let i = 0; i < cards.length; i += PER_PAGE) pages.push(cards.slice(i, i + PER_PAGE));
  const notUnused = cards.filter((c) => c.state !== "unused").length;
  const planLine = [plan.name, plan.name.toLowerCase().includes(plan.duration.toLowerCase()) ? "" : plan.duration, plan.devices > 1 ? `${plan.devices} devices` : "", plan.data ?? ""].filter(Boolean).join(" · ");
  return (
    <div className="cards-body">
      <style>{CSS}</style>
      <div className="toolbar">
        <div className="min-w-0">
          <h1 className="text-lg font-bold text-slate-900">{batch.name}</h1>
          <p className="text-sm text-slate-600">
            {cards.length} {cards.length === 1 ? "card" : "cards"} · {plan.name} · {plan.price} · {pages.length} A4 {pages.length === 1 ? "page" : "pages"}
          </p>
          {batch.notes ? <p className="mt-1 max-w-prose text-sm text-slate-700" data-testid="batch-notes">{batch.notes}</p> : null}
          {notUnused > 0 ? (
            <p className="mt-2 rounded-md bg-amber-50 px-2.5 py-1.5 text-sm text-amber-900 ring-1 ring-amber-200">
              {notUnused} of these {notUnused === 1 ? "code is" : "codes are"} already used, over or disabled.
            </p>
          ) : null}
          {!contact ? (
            <p className="mt-2 text-xs text-slate-500">
              Add a contact number under Messaging → Notifications and it is printed on every card.
            </p>
          ) : null}
        </div>
        <div className="actions">
          <button
            type="button"
            onClick={() => window.print()}
            className="rounded-lg bg-brand-600 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
          >
            Print
          </button>
          <span className="text-xs text-slate-500">A4, scale 100%, {PER_PAGE} cards a page</span>
        </div>
      </div>
      {pages.map((page, p) => (
        <section key={p} className="sheet" aria-label={`Page ${p + 1} of ${pages.length}`}>
          {page.map((c) => (
            <article key={c.code} className="vcard" data-code={c.code}>
              <div className="text">
                <div className="isp">{business}</div>
                <div className="plan">{planLine}</div>
                <div className="price">{plan.price}</div>
                <div className="label">Voucher code</div>
                <div className="code">{c.code}</div>
                <div className="foot">Join the Wi-Fi, open any page and enter the code (capitals matter).</div>
                {contact ? (
                  <div className="help">
                    Help: <b>{contact}</b>
                  </div>
                ) : null}
              </div>
              <div className="qr" role="img" aria-label={`QR code for ${c.code}`} dangerouslySetInnerHTML={{ __html: c.qr }} />
            </article>
          ))}
        </section>
      ))}
    </div>
  );
}
