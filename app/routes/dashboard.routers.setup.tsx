import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import { useState, type ReactNode } from "react";
import { TRPCError } from "@trpc/server";
import type { Route } from "./+types/dashboard.routers.setup";
import { Alert, Button, Card, PageHeader, cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { ispCan } from "../../policies/permissions";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `Set up ${data?.router.name ?? "router"} · mnetifi` }];
}

function notFound(err: unknown): never {
  if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) throw new Response("Not found", { status: 404 });
  throw err;
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, viewer } = await requireIspUser(context, request, { permission: "routers.view" });
  const info = await caller.routerSetup.info({ id: params.id }).catch(notFound);
  return { ...info, canManage: ispCan(viewer.user.role, "routers.manage") };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "routers.manage" });
  const values = formValues(await readForm(request));
  try {
    const r = await caller.routerSetup.generateScript({ id: params.id });
    return { ok: true as const, script: r.script, filename: r.filename };
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") throw new Response("Not found", { status: 404 });
    return formFailure(err, values);
  }
}

const STATUS: Record<string, [string, string]> = {
  online: ["Online", "bg-emerald-100 text-emerald-800"],
  offline: ["Offline", "bg-red-100 text-red-800"],
  unverified: ["Not verified", "bg-amber-100 text-amber-800"],
};

function Step({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  return (
    <li className="flex gap-4">
      <span aria-hidden className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-brand-50 text-sm font-bold text-brand-700 ring-1 ring-brand-100">{n}</span>
      <div className="min-w-0">
        <h3 className="font-semibold">{title}</h3>
        <div className="mt-1 grid gap-2 text-sm text-slate-600">{children}</div>
      </div>
    </li>
  );
}

const linkButton = "inline-flex items-center justify-center gap-2 rounded-lg px-3 py-1.5 text-xs font-semibold shadow-sm ring-1 ring-slate-300 bg-white text-slate-800 hover:bg-slate-50";

function ScriptBlock({ script, filename }: { script: string; filename: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(script);
      setCopied("yes");
    } catch {
      // No clipboard (old browser, plain http): select the text so Ctrl+C works.
      const range = document.createRange();
      const pre = document.getElementById("setup-script");
      if (pre) {
        range.selectNodeContents(pre);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setCopied("no");
    }
  }
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="secondary" className="px-3 py-1.5 text-xs" onClick={copy}>
          {copied === "yes" ? "Copied" : "Copy script"}
        </Button>
        <a className={linkButton} href={`data:text/plain;charset=utf-8,${encodeURIComponent(script)}`} download={filename}>
          Download {filename}
        </a>
        <span role="status" className="text-xs text-slate-500">
          {copied === "yes" ? "Copied. Paste it into the router's terminal." : copied === "no" ? "Selected: press Ctrl+C to copy." : null}
        </span>
      </div>
      <pre id="setup-script" aria-label="Setup script" className="max-h-[32rem] overflow-auto whitespace-pre-wrap rounded-lg bg-slate-900 p-4 font-mono text-xs leading-relaxed text-slate-100 [overflow-wrap:anywhere]">
        {script}
      </pre>
    </div>
  );
}

export default function RouterSetup() {
  const { router, portal, allowedAddresses, apiUser, scriptFilename, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const generating = nav.state !== "idle" && nav.formMethod?.toLowerCase() === "post";
  const [label, style] = STATUS[router.status] ?? ["?", ""];
  const service = router.tls ? "api-ssl" : "api";
  const generated = result?.ok ? result : null;
  return (
    <div className="grid gap-6">
      <Link to="/dashboard/routers" className="text-sm font-medium text-brand-700 hover:underline">
        ← Routers
      </Link>
      <PageHeader
        title={`Set up ${router.name}`}
        description="Three steps connect this MikroTik to mnetifi: its hotspot sends customers to your portal, and mnetifi gets its own restricted API user."
      />
      <Card className="flex flex-wrap items-center justify-between gap-3 p-4">
        <p className="min-w-0 text-sm text-slate-600">
          <span className="font-semibold text-slate-900">{router.name}</span> · {router.host}:{router.apiPort}
          {router.tls ? " (TLS)" : ""} · API user {router.username}
          {router.lastError && router.status !== "online" ? <span className="mt-1 block text-amber-800">{router.lastError}</span> : null}
        </p>
        <span className={cx("rounded px-2 py-0.5 text-xs font-medium", style)}>{label}</span>
      </Card>

      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <Card className="min-w-0 p-5">
          <h2 className="font-semibold">Steps</h2>
          <ol className="mt-4 grid gap-6">
            <Step n={1} title="Put mnetifi's login page on the router">
              <p>
                Download <span className="font-mono">login.html</span>. In Winbox open <b>Files</b> and drag it into the <span className="font-mono">hotspot</span> folder
                (<span className="font-mono">flash/hotspot</span> on routers that have a flash folder), replacing the login.html already there.
              </p>
              <p>
                <a className={linkButton} href={`/dashboard/routers/${router.id}/login.html`} download="login.html">
                  Download login.html
                </a>
              </p>
            </Step>
            <Step n={2} title="Run the setup script">
              <p>
                Generate the script below, copy it, open <b>New Terminal</b> in Winbox and paste it. Or drag the downloaded <span className="font-mono">.rsc</span> file into{" "}
                <b>Files</b> and type <span className="font-mono [overflow-wrap:anywhere]">/import file-name={scriptFilename}</span>.
              </p>
              {!canManage ? <p className="text-slate-500">Only your ISP's owner or an admin can generate the script.</p> : null}
            </Step>
            <Step n={3} title="Test the connection">
              <p>
                Come back to <Link to="/dashboard/routers" className="font-medium text-brand-700 hover:underline">Routers</Link> and press <b>Test connection</b>. Until then this router shows as
                “Not verified”.
              </p>
            </Step>
          </ol>
        </Card>

        <Card className="order-last self-start p-5 text-sm lg:order-none">
          <h2 className="font-semibold">What the script sets</h2>
          <ul className="mt-3 grid gap-2 text-slate-600">
            <li>
              User <span className="font-mono">{apiUser}</span> in group <span className="font-mono">mnetifi-api</span>: API, read and write only (no Winbox, SSH or web login).
            </li>
            <li>
              The <span className="font-mono">{service}</span> service on port {router.apiPort},{" "}
              {allowedAddresses.length ? (
                <>
                  reachable only from <span className="font-mono">{allowedAddresses.join(", ")}</span>.
                </>
              ) : (
                <span className="text-amber-800">reachable from any address: restrict it to the address mnetifi connects from.</span>
              )}
            </li>
            <li>Hotspot logins by CHAP, plain password or MAC cookie, with pages from the hotspot folder.</li>
            <li>Devices logged out after 15 minutes without traffic.</li>
            <li className="min-w-0">
              Walled garden for your portal <span className="font-mono [overflow-wrap:anywhere]">{portal.host}</span>, so customers reach{" "}
              <span className="font-mono [overflow-wrap:anywhere]">{portal.url}</span> before paying.
            </li>
          </ul>
          <p className="mt-3 text-sm">
            {/* What a phone sees when this router's login.html sends it to the portal (a made-up device). */}
            <a
              className="text-brand-700 hover:underline"
              target="_blank"
              rel="noreferrer"
              href={`${portal.url}?${new URLSearchParams({ mac: "02:00:00:00:00:01", ip: "10.5.50.9", router: router.id, identity: router.name, "link-login-only": "http://10.5.50.1/login" })}`}
            >
              Preview your portal as a device on this router
            </a>
          </p>
        </Card>

        {canManage ? (
          <Card className="min-w-0 p-5 lg:col-span-2">
            <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
              <div className="max-w-2xl">
                <h2 className="font-semibold">Setup script</h2>
                <p className="mt-1 text-sm text-slate-600">
                  The script contains a new password for the router's API user. It is shown only once: mnetifi keeps it encrypted and cannot show it again.
                  Generating a script again replaces the password, and mnetifi cannot reach this router until the new script has run on it.
                </p>
              </div>
              <Form
                method="post"
                className="shrink-0"
                onSubmit={(e) => {
                  if (router.verifiedAt && !confirm(`This replaces the API password of “${router.name}”. mnetifi cannot reach it until you run the new script on it. Continue?`)) e.preventDefault();
                }}
              >
                <Button type="submit" variant={generated ? "secondary" : "primary"} disabled={generating}>
                  {generating ? "Generating…" : generated ? "Generate again" : "Generate setup script"}
                </Button>
              </Form>
            </div>
            {result && !result.ok && result.formError ? (
              <div className="mt-4">
                <Alert>{result.formError}</Alert>
              </div>
            ) : null}
            {generated ? (
              <div className="mt-5 grid gap-4">
                <Alert tone="success">
                  New password set. Run this script on the router now, then test the connection. Leaving this page hides the script for good.
                </Alert>
                <ScriptBlock script={generated.script} filename={generated.filename} />
              </div>
            ) : null}
          </Card>
        ) : null}
      </div>
    </div>
  );
}
