import { data, useLoaderData } from "react-router";
import type { Route } from "./+types/dev.inbox";
import { Card, EmptyState, PageHeader } from "../components/ui";
import { formatDateTime } from "../lib/format";

export function meta() {
  return [{ title: "Dev inbox · mnetifi" }];
}

/** The local SMTP simulator's inbox. Exists only while the simulators run (never in a real deployment). */
export function loader({ context }: Route.LoaderArgs) {
  const sims = context.app.integrations.sims;
  if (!sims || context.app.site.kind !== "public") throw data(null, { status: 404 });
  return { mails: sims.smtp.messages().slice(0, 50).map((m) => ({ id: m.id, to: m.to.join(", "), subject: m.subject, receivedAt: m.receivedAt, text: m.text, links: m.links })) };
}

export default function DevInbox() {
  const { mails } = useLoaderData<typeof loader>();
  return (
    <main className="mx-auto grid max-w-4xl gap-6 px-4 py-8">
      <PageHeader title="Dev inbox" description="Emails the product sent, caught by the local SMTP simulator. Newest first." />
      {mails.length === 0 ? (
        <EmptyState title="No emails yet">Register an ISP or ask for a password reset, then reload.</EmptyState>
      ) : (
        mails.map((m) => (
          <Card key={m.id} className="p-5">
            <p className="text-xs text-slate-500">
              {formatDateTime(m.receivedAt)} · to {m.to}
            </p>
            <h2 className="mt-1 font-semibold">{m.subject}</h2>
            <pre className="mt-3 whitespace-pre-wrap text-sm text-slate-700">{m.text}</pre>
            {m.links.length ? (
              <ul className="mt-3 grid gap-1 text-sm">
                {m.links.map((l) => (
                  <li key={l}>
                    <a href={l} className="break-all font-medium text-brand-700 hover:underline">{l}</a>
                  </li>
                ))}
              </ul>
            ) : null}
          </Card>
        ))
      )}
    </main>
  );
}
