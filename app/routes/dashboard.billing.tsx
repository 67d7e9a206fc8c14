import { useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/dashboard.billing";
import { PageHeader } from "../components/ui";
import { BillingFlow, BillingHistory, PlanStatus } from "../components/billing-ui";
import { requireIspUser } from "../lib/session.server";
import { billingAction, loadBillingPage } from "../lib/billing.server";

export function meta() {
  return [{ title: "Billing · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "billing.manage" });
  return loadBillingPage(caller, request);
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "billing.manage" });
  return billingAction(caller, request, "/dashboard/billing");
}

/** The ISP's mnetifi subscription: its plan, renewing or changing it, invoices and receipts. */
export default function Billing() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const o = page.overview;
  const renewing = o.phase === "paid";
  return (
    <div className="grid gap-6">
      <PageHeader title="Billing" description="Your mnetifi plan, paid by M-Pesa. Invoices and receipts download as PDF." />
      <PlanStatus o={o} />
      <BillingFlow
        page={page}
        result={result}
        busyIntent={nav.state !== "idle" ? String(nav.formData?.get("intent") ?? "") : null}
        basePath="/dashboard/billing"
        pickerTitle={renewing ? "Renew or change your plan" : "Choose a plan"}
      />
      <BillingHistory o={o} />
    </div>
  );
}
