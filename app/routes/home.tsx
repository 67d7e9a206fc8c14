import { Link, redirect, useLoaderData } from "react-router";
import type { Route } from "./+types/home";
import { Card, Logo } from "../components/ui";
import { optionalViewer } from "../lib/session.server";

export function meta({ data }: Route.MetaArgs) {
  const name = data?.kind === "tenant" ? data.name : "mnetifi — run your ISP";
  return [{ title: name }, { name: "description", content: "Hotspot vouchers, PPPoE subscriptions and M-Pesa payments for Kenyan ISPs." }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { site } = context.app;
  // The console's home is its ISP list (app/routes/console.tenants.tsx).
  if (site.kind === "admin") throw redirect((await optionalViewer(context, request)) ? "/tenants" : "/login");
  if (site.kind === "tenant") {
    const viewer = await optionalViewer(context, request);
    return { kind: "tenant" as const, name: site.tenant.businessName, signedIn: viewer?.kind === "user" };
  }
  return { kind: "public" as const, appDomain: context.app.env.APP_DOMAIN };
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  if (data.kind === "tenant") return <IspHome name={data.name} signedIn={data.signedIn} />;
  return <Landing appDomain={data.appDomain} />;
}

function Landing({ appDomain }: { appDomain: string }) {
  const features = [
    ["Hotspot vouchers by M-Pesa", "Customers pick a plan on your branded captive portal, pay by STK push and are online in seconds."],
    ["PPPoE and static plans", "Monthly subscriptions that suspend themselves when unpaid and come back the moment M-Pesa says paid."],
    ["Your MikroTik routers", "Provisioning, live status and drift repair across every router you run."],
    ["SMS and WhatsApp", "Vouchers, receipts and reminders sent with your own branding."],
  ];
  return (
    <div className="min-h-dvh bg-gradient-to-b from-brand-50 to-white">
      <header className="mx-auto flex max-w-5xl items-center justify-between px-6 py-5">
        <Logo className="text-lg" />
        <nav className="flex items-center gap-4 text-sm font-medium">
          <a href="#features" className="text-slate-600 hover:text-slate-900">Features</a>
        </nav>
      </header>
      <main className="mx-auto max-w-5xl px-6 pb-20">
        <section className="py-12 sm:py-20">
          <h1 className="max-w-2xl text-4xl font-extrabold tracking-tight text-slate-900 sm:text-5xl">
            Run your ISP. <span className="text-brand-600">Get paid by M-Pesa.</span>
          </h1>
          <p className="mt-5 max-w-xl text-lg text-slate-600">
            mnetifi runs the business side of small Internet Service Providers in Kenya: hotspot vouchers, monthly subscriptions,
            MikroTik routers, technicians and customer messages, in one place.
          </p>
          <p className="mt-8 text-sm text-slate-500">Already with us? Sign in at your ISP&apos;s own address, e.g. <span className="font-mono">yourisp.{appDomain}</span>.</p>
        </section>
        <section id="features" className="grid gap-4 sm:grid-cols-2">
          {features.map(([title, text]) => (
            <Card key={title} className="p-6">
              <h2 className="font-semibold">{title}</h2>
              <p className="mt-2 text-sm text-slate-600">{text}</p>
            </Card>
          ))}
        </section>
      </main>
    </div>
  );
}

function IspHome({ name, signedIn }: { name: string; signedIn: boolean }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center px-6 py-10">
      <h1 className="text-3xl font-bold tracking-tight">{name}</h1>
      <p className="mt-2 text-slate-600">Internet service powered by mnetifi.</p>
      <div className="mt-8 grid gap-3">
        <Link to={signedIn ? "/dashboard" : "/login"} className="rounded-lg bg-brand-600 px-4 py-3 text-center font-semibold text-white hover:bg-brand-700">
          {signedIn ? "Open the dashboard" : "Staff sign in"}
        </Link>
      </div>
    </main>
  );
}

