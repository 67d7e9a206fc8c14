import { data } from "react-router";
import type { Route } from "./+types/dashboard.billing.document";
import { requireIspUser } from "../lib/session.server";
import { renderBillingPdf, billingDocumentFilename } from "../../server/services/billing/pdf";
import { siteUrl } from "../../server/context";

/** An invoice or receipt as PDF (also while the dashboard is closed for non-payment). */
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { allowLocked: true, permission: "billing.manage" });
  const kind = params.kind === "invoice" || params.kind === "receipt" ? params.kind : null;
  if (!kind || !/^[0-9a-f-]{36}$/i.test(params.id)) throw data(null, { status: 404 });
  let doc;
  try {
    doc = await caller.billing.document({ kind, id: params.id });
  } catch {
    throw data(null, { status: 404 });
  }
  const pdf = await renderBillingPdf({ ...doc, ispAddress: siteUrl(context.app.env, tenant.slug).replace(/^https?:\/\//, "") });
  return new Response(new Uint8Array(pdf), {
    headers: {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="${billingDocumentFilename(doc)}"`,
      "cache-control": "private, no-store",
    },
  });
}
