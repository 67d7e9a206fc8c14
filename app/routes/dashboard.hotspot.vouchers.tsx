import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "react-router";
import { useEffect, useRef, type ReactNode } from "react";
import type { Route } from "./+types/dashboard.hotspot.vouchers";
import { Alert, Button, Card, EmptyState, Field, SelectField, cx } from "../components/ui";
import { ExportLinks } from "../components/filters";
import { BatchLinks, VoucherStateBadge, VOUCHER_STATES, shortDateTime, stateLabel, voucherFilterFrom, type VoucherStateName } from "../components/voucher-ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { kes, phoneForDisplay } from "../lib/money";

export function meta() {
  return [{ title: "Vouchers · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  const filter = voucherFilterFrom(new URL(request.url));
  const [list, options] = await Promise.all([caller.vouchers.list(filter), caller.vouchers.batchOptions()]);
  return { ...list, ...options, filter, timezone: tenant.timezone };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  const values = formValues(await readForm(request));
  try {
    const { intent: _intent, ...input } = values;
    const r = await caller.vouchers.generateBatch(input);
    return { ok: true as const, batchId: r.batchId, count: r.count, name: values.name ?? "" };
  } catch (err) {
    return formFailure(err, values);
  }
}

const TABS: Array<{ state: string; label: string }> = [{ state: "", label: "All" }, ...VOUCHER_STATES.map((s) => ({ state: s, label: stateLabel(s) }))];

export default function Vouchers() {
  const { rows, counts, total, plans, codeLength, batches, filter, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const [params] = useSearchParams();
  const generating = nav.state !== "idle" && nav.formMethod === "POST";
  const failed = result && !result.ok ? result : null;
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const v = failed?.values ?? {};
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok) form.current?.reset();
  }, [result]);

  // The counts follow the search and batch, so "all" is everything those select.
  const all = Object.values(counts).reduce<number>((a, n) => a + (n ?? 0), 0);
  const narrowed = Boolean(filter.search || filter.batchId);
  const none = all === 0 && !narrowed;
  /** This list's URL with some parameters changed (null removes one); any change but the page goes back to page 1. */
  const href = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    if (!("page" in changes)) p.delete("page");
    for (const [k, v] of Object.entries(changes)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    const s = p.toString();
    return s ? `/dashboard/hotspot/vouchers?${s}` : "/dashboard/hotspot/vouchers";
  };
  const batchName = filter.batchId ? (batches.find((b) => b.id === filter.batchId)?.name ?? "this batch") : null;
  const page = Math.floor(filter.offset / filter.limit) + 1;
  const pages = Math.max(1, Math.ceil(total / filter.limit));

  return (
    <div className="grid gap-6">
      <div className="flex flex-col gap-3 lg:flex-row lg:items-end lg:justify-between">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold tracking-tight">Vouchers</h1>
          <p className="mt-1 text-sm text-slate-600">Every code: bought on your hotspot portal or printed in batches. Open one to see who is online with it, extend, modify or disable it.</p>
        </div>
        <div className="flex flex-wrap gap-2 lg:shrink-0 lg:flex-nowrap">
          <ExportLinks path="/dashboard/hotspot/vouchers/export" />
        </div>
      </div>

      <Card className="overflow-hidden">
        <details id="generate" className="group" open={Boolean(result) || none}>
          <summary className="flex cursor-pointer list-none items-center justify-between gap-3 p-5 hover:bg-slate-50 [&::-webkit-details-marker]:hidden">
            <span>
              <span className="block font-semibold text-slate-900">Generate vouchers</span>
              <span className="mt-0.5 block text-sm text-slate-600">Printed cards to sell in a shop or give away, and your recent batches to print again.</span>
            </span>
            <span aria-hidden className="grid h-8 w-8 shrink-0 place-items-center rounded-full bg-brand-600 text-lg font-bold text-white transition group-open:rotate-45">
              +
            </span>
          </summary>
          <div className="grid gap-6 border-t border-slate-100 p-5 lg:grid-cols-2">
            <div className="grid content-start gap-4">
              {result?.ok ? (
                <Alert tone="success">
                  <p className="font-semibold">
                    {result.count} {result.count === 1 ? "voucher" : "vouchers"} generated
                  </p>
                  <p className="mt-0.5">Batch “{result.name}”. Print the cards or download the codes.</p>
                  <BatchLinks batchId={result.batchId} className="mt-3" />
                </Alert>
              ) : null}
              {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
              {plans.length === 0 ? (
                <Alert tone="info">
                  Add a hotspot plan first: vouchers are generated for a plan (its time, price and devices).{" "}
                  <Link to="/dashboard/hotspot/plans" className="font-semibold underline">
                    Go to Plans
                  </Link>
                </Alert>
              ) : (
                <Form method="post" ref={form} className="grid gap-4" noValidate preventScrollReset>
                  <input type="hidden" name="intent" value="generate" />
                  <SelectField label="Plan" name="planId" defaultValue={v.planId ?? (plans.length === 1 ? plans[0]!.id : "")} error={fe.planId?.[0]}>
                    <option value="">Choose a plan…</option>
                    {plans.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name} · {kes(p.priceCents)}
                      </option>
                    ))}
                  </SelectField>
                  <div className="grid grid-cols-2 gap-4">
                    <Field label="How many" name="count" type="number" inputMode="numeric" min={1} max={1000} defaultValue={v.count ?? "25"} error={fe.count?.[0]} hint="1 to 1,000" />
                    <SelectField label="Code length" name="codeLength" defaultValue={v.codeLength ?? String(codeLength)} error={fe.codeLength?.[0]}>
                      {[6, 7, 8].map((n) => (
                        <option key={n} value={n}>
                          {n} characters
                        </option>
                      ))}
                    </SelectField>
                  </div>
                  <Field label="Batch name" name="name" placeholder="e.g. Shop cards December" defaultValue={v.name} error={fe.name?.[0]} />
                  <Field label="Notes (optional)" name="notes" placeholder="Who has them, where they are sold" defaultValue={v.notes} error={fe.notes?.[0]} />
                  <Button type="submit" disabled={generating}>
                    {generating ? "Generating…" : "Generate"}
                  </Button>
                </Form>
              )}
            </div>

            <div className="lg:border-l lg:border-slate-100 lg:pl-6">
              <h3 className="font-semibold">Recent batches</h3>
              {batches.length === 0 ? (
                <p className="mt-2 text-sm text-slate-600">No batches yet. Generated batches are listed here with their cards and codes.</p>
              ) : (
                <div data-testid="batches">
                  <ul className="mt-1 divide-y divide-slate-100">
                    {batches.slice(0, 5).map((b) => (
                      <BatchItem key={b.id} batch={b} timezone={timezone} />
                    ))}
                  </ul>
                  {batches.length > 5 ? (
                    <details className="border-t border-slate-100 pt-3">
                      <summary className="cursor-pointer text-sm font-medium text-brand-700">{batches.length - 5} older batches</summary>
                      <ul className="divide-y divide-slate-100">
                        {batches.slice(5).map((b) => (
                          <BatchItem key={b.id} batch={b} timezone={timezone} />
                        ))}
                      </ul>
                    </details>
                  ) : null}
                </div>
              )}
            </div>
          </div>
        </details>
      </Card>

      <nav className="-mx-1 flex gap-1 overflow-x-auto px-1 pb-1" aria-label="Voucher states">
        {TABS.map((t) => {
          const current = (filter.state ?? "") === t.state;
          const n = t.state ? (counts[t.state] ?? 0) : all;
          return (
            <Link
              key={t.label}
              to={href({ state: t.state || null })}
              aria-current={current ? "page" : undefined}
              className={cx(
                "inline-flex items-center gap-2 whitespace-nowrap rounded-full px-3.5 py-1.5 text-sm font-medium ring-1",
                current ? "bg-slate-900 text-white ring-slate-900" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50",
              )}
            >
              {t.label}
              <span className={cx("rounded-full px-1.5 text-xs tabular-nums", current ? "bg-white/20" : "bg-slate-100 text-slate-600")}>{n.toLocaleString("en-KE")}</span>
            </Link>
          );
        })}
      </nav>

      <Form method="get" className="flex gap-2" role="search">
        {filter.state ? <input type="hidden" name="state" value={filter.state} /> : null}
        {filter.batchId ? <input type="hidden" name="batchId" value={filter.batchId} /> : null}
        <label htmlFor="voucher-search" className="sr-only">
          Search by code or phone
        </label>
        <input
          id="voucher-search"
          type="search"
          name="search"
          defaultValue={filter.search ?? ""}
          placeholder="Code or phone number"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          className="block w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-2 text-base shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100 sm:max-w-sm sm:text-sm"
        />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </Form>

      {filter.search || batchName ? (
        <div className="-mt-3 flex flex-wrap gap-2 text-sm">
          {filter.search ? (
            <Link to={href({ search: null })} className="rounded-full bg-slate-100 px-3 py-1 text-slate-700 hover:bg-slate-200">
              Search “{filter.search}” <span aria-hidden>×</span>
              <span className="sr-only">clear the search</span>
            </Link>
          ) : null}
          {batchName ? (
            <Link to={href({ batchId: null })} className="rounded-full bg-slate-100 px-3 py-1 text-slate-700 hover:bg-slate-200">
              Batch: {batchName} <span aria-hidden>×</span>
              <span className="sr-only">show all batches</span>
            </Link>
          ) : null}
        </div>
      ) : null}

      {none ? (
        <EmptyState title="No vouchers yet">
          Vouchers appear here when customers buy time on your hotspot portal with M-Pesa, or when you generate a batch of printed cards above to sell in a shop.
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyList state={filter.state} search={filter.search} batchName={batchName} all={all} allHref={href({ state: null })} clearHref={href({ search: null, batchId: null })} />
      ) : (
        <Card className="overflow-hidden">
          <div className="hidden grid-cols-[9rem_minmax(0,1fr)_8rem_7rem_7rem_10rem_3.5rem] gap-3 bg-slate-50 px-4 py-3 text-xs font-semibold uppercase tracking-wide text-slate-500 lg:grid">
            <span>Code</span>
            <span>Plan</span>
            <span>Phone</span>
            <span>Purchased</span>
            <span>First used</span>
            <span>Expires</span>
            <span className="text-right">Devices</span>
          </div>
          <ul className="divide-y divide-slate-100" data-testid="voucher-list">
            {rows.map((r) => (
              <li key={r.id} data-code={r.code}>
                <Link
                  to={`/dashboard/hotspot/vouchers/${r.id}`}
                  className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1 px-4 py-3 text-sm hover:bg-slate-50 lg:grid-cols-[9rem_minmax(0,1fr)_8rem_7rem_7rem_10rem_3.5rem] lg:items-center"
                >
                  <span className="flex items-center gap-2 lg:flex-col lg:items-start lg:gap-1">
                    <span className="font-mono text-base font-semibold tracking-wider text-slate-900">{r.code}</span>
                    <VoucherStateBadge state={r.state} />
                  </span>
                  <span className="text-right text-xs tabular-nums text-slate-500 lg:hidden">
                    {r.devices}/{r.devicesAllowed} devices
                  </span>
                  <span className="col-span-2 min-w-0 text-slate-700 lg:col-span-1">
                    <span className="block truncate">
                      {r.planName}
                      {r.phone ? <span className="text-slate-500 lg:hidden"> · {phoneForDisplay(r.phone)}</span> : null}
                    </span>
                    {r.notes ? (
                      <span className="block truncate text-xs text-slate-500" title={r.notes}>
                        {r.notes}
                      </span>
                    ) : null}
                  </span>
                  <span className="hidden text-slate-600 lg:block">{phoneForDisplay(r.phone) || "—"}</span>
                  <span className="col-span-2 text-xs text-slate-500 lg:col-span-1 lg:text-sm lg:text-slate-600">
                    <span className="lg:hidden">Bought </span>
                    {shortDateTime(r.purchasedAt, timezone)}
                    <span className="lg:hidden">{r.firstUsedAt ? ` · first used ${shortDateTime(r.firstUsedAt, timezone)}` : ""}</span>
                    <span className="lg:hidden">
                      {r.expiresAt
                        ? ` · ${r.state === "active" ? "ends" : "ended"} ${shortDateTime(r.expiresAt, timezone)}`
                        : r.state === "unused"
                          ? ` · lapses ${shortDateTime(r.lapsesAt, timezone)}`
                          : ""}
                    </span>
                  </span>
                  <span className="hidden text-slate-600 lg:block">{shortDateTime(r.firstUsedAt, timezone)}</span>
                  <span className="hidden text-slate-600 lg:block">
                    {r.expiresAt ? (
                      shortDateTime(r.expiresAt, timezone)
                    ) : (
                      <span className="text-xs text-slate-500">
                        {r.state === "lapsed" ? "Lapsed" : "Lapses"} {shortDateTime(r.lapsesAt, timezone)}
                      </span>
                    )}
                  </span>
                  <span className="hidden text-right tabular-nums text-slate-600 lg:block">
                    {r.devices}/{r.devicesAllowed}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          <nav className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 px-4 py-3 text-sm" aria-label="Pages">
            <p className="text-slate-600" data-testid="list-range">
              {(filter.offset + 1).toLocaleString("en-KE")}–{(filter.offset + rows.length).toLocaleString("en-KE")} of {total.toLocaleString("en-KE")}
            </p>
            {pages > 1 ? (
              <div className="flex items-center gap-2">
                <PageLink to={page > 1 ? href({ page: page > 2 ? String(page - 1) : null }) : null} rel="prev">
                  ← Newer
                </PageLink>
                <span className="tabular-nums text-slate-500">
                  Page {page} of {pages}
                </span>
                <PageLink to={page < pages ? href({ page: String(page + 1) }) : null} rel="next">
                  Older →
                </PageLink>
              </div>
            ) : null}
          </nav>
        </Card>
      )}
    </div>
  );
}

function PageLink({ to, rel, children }: { to: string | null; rel: "prev" | "next"; children: ReactNode }) {
  const style = "rounded-lg px-3 py-1.5 font-medium ring-1";
  if (!to) return <span className={cx(style, "cursor-not-allowed text-slate-400 ring-slate-200")} aria-disabled="true">{children}</span>;
  return (
    <Link to={to} rel={rel} className={cx(style, "bg-white text-slate-800 ring-slate-300 hover:bg-slate-50")}>
      {children}
    </Link>
  );
}

const EMPTY_TAB: Record<VoucherStateName, [string, string]> = {
  unused: ["No unused vouchers", "Codes that nobody has used yet appear here: printed cards still in the shop, or bought codes not yet entered."],
  active: ["No active vouchers", "A voucher is active from its first use until its time is over."],
  expired: ["No expired vouchers", "Vouchers whose time is over appear here. Extend one to give it time again."],
  lapsed: ["No lapsed vouchers", "Codes never used within your lapse period (Hotspot settings) appear here."],
  disabled: ["No disabled vouchers", "Vouchers you disable appear here, and can be enabled again."],
};

/** Why this tab (with this search or batch) lists nothing, and the way to the rest. */
function EmptyList({ state, search, batchName, all, allHref, clearHref }: { state?: VoucherStateName; search?: string; batchName: string | null; all: number; allHref: string; clearHref: string }) {
  const [title, body] = state ? EMPTY_TAB[state] : ["No vouchers", "Search by the first characters of the code (capitals matter) or by the phone number."];
  const where = [search ? `that match “${search}”` : "", batchName ? `in “${batchName}”` : ""].filter(Boolean).join(" ");
  return (
    <EmptyState title={where ? `${title} ${where}` : title}>
      <p>{body}</p>
      <p className="mt-3 flex flex-wrap justify-center gap-x-4 gap-y-1">
        {state && all > 0 ? (
          <Link to={allHref} className="font-semibold text-brand-700 hover:underline">
            See the other {all.toLocaleString("en-KE")}
            {where ? ` ${where}` : ""} under All
          </Link>
        ) : null}
        {search || batchName ? (
          <Link to={clearHref} className="font-semibold text-brand-700 hover:underline">
            Clear the {search ? "search" : "batch filter"}
          </Link>
        ) : null}
      </p>
    </EmptyState>
  );
}

type Batch = ReturnType<typeof useLoaderData<typeof loader>>["batches"][number];

function BatchItem({ batch: b, timezone }: { batch: Batch; timezone: string }) {
  return (
    <li className="grid gap-2 py-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3">
        <Link to={`/dashboard/hotspot/vouchers?batchId=${b.id}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
          {b.name}
        </Link>
        <span className="text-xs text-slate-500">{shortDateTime(b.createdAt, timezone)}</span>
      </div>
      <p className="text-sm text-slate-600">
        {b.count} × {b.planName}
        {b.notes ? <span className="text-slate-500"> · {b.notes}</span> : null}
      </p>
      <BatchLinks batchId={b.id} />
    </li>
  );
}
