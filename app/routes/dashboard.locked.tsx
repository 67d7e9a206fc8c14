import { Form, Link, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/dashboard.locked";
import { Alert, Button, Card } from "../components/ui";
import { BillingFlow, BillingHistory } from "../components/billing-ui";
import { requireIspUser } from "../lib/session.server";
import { billingAction, loadBillingPage } from "../lib/billing.server";
import { needsPayment } from "../../server/services/billing/state";
import { nowOf } from "../../server/context";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Dashboard closed · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer, locked, caller } = await requireIspUser(context, request, { allowLocked: true });
  // Open again (paid, or never closed): straight into the dashboard.
  if (!locked) throw redirect("/dashboard");
  const needsEmail = !viewer.user.emailVerified;
  const payment = !needsEmail && needsPayment(viewer.billing, nowOf(context.app));
  const canPay = payment && ispCan(viewer.user.role, "billing.manage");
  const canChat = !needsEmail && ispCan(viewer.user.role, "support.chat");
  return { reason: locked, needsEmail, email: viewer.user.email, payment, canPay, canChat, page: canPay ? await loadBillingPage(caller, request) : null };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller, viewer } = await requireIspUser(context, request, { allowLocked: true });
  if (viewer.user.emailVerified && needsPayment(viewer.billing, nowOf(context.app))) return { billing: await billingAction(caller, request, "/dashboard/locked") };
  return { resend: await caller.account.resendVerification() };
}

export default function Locked() {
  const { reason, needsEmail, email, payment, canPay, canChat, page } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state !== "idle";
  if (payment) {
    return (
      <div className="grid gap-6">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Choose a plan to open your dashboard</h1>
          <p className="mt-1 max-w-3xl text-slate-600">{reason}</p>
          <p className="mt-2 max-w-3xl text-sm text-slate-500">
            Your hotspot keeps selling, vouchers and PPPoE keep working, payments and routers keep being handled. Only this dashboard waits for the payment.
          </p>
        </div>
        {canPay && page ? (
          <>
            <BillingFlow page={page} result={result && "billing" in result ? result.billing : undefined} busyIntent={busy ? String(nav.formData?.get("intent") ?? "") : null} basePath="/dashboard/locked" />
            <BillingHistory o={page.overview} />
          </>
        ) : (
          <Card className="max-w-lg p-6">
            <p className="text-slate-700">Only your ISP&apos;s owner can choose the plan and pay. Ask them to sign in.</p>
          </Card>
        )}
      </div>
    );
  }
  const resend = result && "resend" in result ? result.resend : null;
  return (
    <Card className="mx-auto max-w-lg p-6">
      <h1 className="text-xl font-bold tracking-tight">{needsEmail ? "Confirm your email to open the dashboard" : "Dashboard closed"}</h1>
      <p className="mt-2 text-slate-600">{reason}</p>
      {needsEmail ? (
        <Form method="post" className="mt-6 grid gap-3">
          {resend ? <Alert tone={resend.ok ? "success" : "error"}>{resend.message}</Alert> : null}
          <p className="text-sm text-slate-600">
            We sent the link to <strong>{email}</strong>. Nothing arrived?
          </p>
          <Button type="submit" variant="secondary" disabled={busy}>
            {busy ? "Sending…" : "Send the link again"}
          </Button>
        </Form>
      ) : null}
      {!needsEmail && canChat ? (
        <div className="mt-6">
          <Link to="/dashboard/support" className="inline-flex items-center rounded-lg bg-brand-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700">
            Write to mnetifi support
          </Link>
        </div>
      ) : null}
    </Card>
  );
}
