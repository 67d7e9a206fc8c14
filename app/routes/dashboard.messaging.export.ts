import type { Route } from "./+types/dashboard.messaging.export";
import { requireIspUser } from "../lib/session.server";
import { exportFormat, exportResponse, type ExportColumn } from "../../server/services/exports";

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof requireIspUser>>["caller"]["messaging"]["history"]>>["rows"][number];

const COLUMNS: ExportColumn<Row>[] = [
  { header: "Created", value: (m) => new Date(m.createdAt), width: 22 },
  { header: "Direction", value: (m) => (m.direction === "in" ? "received" : "sent") },
  { header: "Phone", value: (m) => m.phone, width: 16 },
  { header: "Event", value: (m) => m.event },
  { header: "Status", value: (m) => m.status },
  { header: "Message", value: (m) => m.body, width: 60 },
  { header: "Error", value: (m) => m.error, width: 40 },
  { header: "Provider", value: (m) => m.provider },
  { header: "Provider message id", value: (m) => m.providerMessageId, width: 24 },
  { header: "SMS parts", value: (m) => m.segments },
  { header: "Cost", value: (m) => m.cost },
  { header: "Sent at", value: (m) => (m.sentAt ? new Date(m.sentAt) : null), width: 22 },
  { header: "Delivered at", value: (m) => (m.deliveredAt ? new Date(m.deliveredAt) : null), width: 22 },
];

/** One channel's message history (with the page's filters) as CSV or Excel; audited. */
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const channel = params.channel;
  if (channel !== "sms" && channel !== "whatsapp") throw new Response("Not found", { status: 404 });
  const { caller, tenant } = await requireIspUser(context, request, { permission: "messaging.view" });
  const url = new URL(request.url);
  const q = url.searchParams;
  const format = exportFormat(url);
  const statuses = ["queued", "sent", "delivered", "read", "failed", "skipped", "received"] as const;
  const { rows } = await caller.messaging.history({
    channel,
    status: statuses.find((s) => s === q.get("status")),
    phone: q.get("phone") || undefined,
    from: q.get("from") ? new Date(`${q.get("from")}T00:00:00+03:00`) : undefined,
    to: q.get("to") ? new Date(new Date(`${q.get("to")}T00:00:00+03:00`).getTime() + 86_400_000) : undefined,
    limit: 5000,
  });
  await caller.messaging.exported({ channel, format, rows: rows.length });
  return exportResponse(rows, COLUMNS, { format, slug: tenant.slug, what: `${channel}-messages`, sheet: channel === "sms" ? "SMS" : "WhatsApp" });
}
