import { redirect } from "react-router";
import { formFailure, formValues, readForm } from "./forms.server";

type Caller = Awaited<ReturnType<typeof import("../../server/trpc/root").getCaller>>;

/** What the billing pages (the payment page of a closed dashboard, and Billing) load. */
export async function loadBillingPage(caller: Caller, request: Request) {
  const url = new URL(request.url);
  const paymentId = url.searchParams.get("payment");
  const [overview, payment] = await Promise.all([
    caller.billing.overview(),
    paymentId && /^[0-9a-f-]{36}$/i.test(paymentId) ? caller.billing.paymentStatus({ id: paymentId }).catch(() => null) : Promise.resolve(null),
  ]);
  return { overview, payment, changing: url.searchParams.get("change") === "1" };
}

export type BillingActionResult = { intent: string; ok: false; fieldErrors: Record<string, string[] | undefined>; formError: string | null; values: Record<string, string> };

/** choose (a plan → its invoice) and pay (STK push for the open invoice). Success redirects. */
export async function billingAction(caller: Caller, request: Request, path: string): Promise<BillingActionResult> {
  const values = formValues(await readForm(request));
  const intent = values.intent ?? "";
  try {
    if (intent === "choose") {
      await caller.billing.chooseTier({ tierId: values.tierId ?? "", service: values.service || null });
      throw redirect(path);
    }
    if (intent === "pay") {
      const r = await caller.billing.pay({ phone: values.phone ?? "" });
      throw redirect(`${path}?payment=${r.paymentId}`);
    }
    return { intent, ok: false, fieldErrors: {}, formError: "Unknown action.", values };
  } catch (err) {
    if (err instanceof Response) throw err;
    const f = formFailure(err, values).data;
    return { intent, ...f };
  }
}
