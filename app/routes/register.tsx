import { Form, Link, data, useActionData, useFetcher, useNavigation } from "react-router";
import { useEffect, useRef, useState } from "react";
import type { Route } from "./+types/register";
import { Alert, Button, Field, Logo, NewPasswordFields, cx } from "../components/ui";
import { readForm, formFailure, formValues } from "../lib/forms.server";
import { getCaller } from "../../server/trpc/root";
import type { action as checkAction } from "./register.check";

export function meta() {
  return [{ title: "Register your ISP · mnetifi" }];
}

export function loader({ context }: Route.LoaderArgs) {
  if (context.app.site.kind !== "public") throw data(null, { status: 404 });
  return { appDomain: context.app.env.APP_DOMAIN };
}

export async function action({ request, context }: Route.ActionArgs) {
  const values = formValues(await readForm(request));
  const caller = await getCaller(context.app, request);
  try {
    const r = await caller.registration.register({
      businessName: values.businessName ?? "",
      slug: values.slug ?? "",
      username: values.username ?? "",
      email: values.email ?? "",
      password: values.password ?? "",
      confirmPassword: values.confirmPassword ?? "",
    });
    return { ok: true as const, email: r.email, slug: r.slug };
  } catch (err) {
    // Passwords are never sent back into the form.
    return formFailure(err, { ...values, password: "", confirmPassword: "" });
  }
}

type Check = Awaited<ReturnType<typeof checkAction>>;

export default function Register({ loaderData }: Route.ComponentProps) {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const check = useFetcher<Check>();
  const formRef = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const [slug, setSlug] = useState("");

  // Availability and password advice while typing (debounced; the server decides anyway).
  function onChange() {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (!formRef.current) return;
      const fd = new FormData(formRef.current);
      setSlug(String(fd.get("slug") ?? ""));
      check.submit(fd, { method: "post", action: "/register/check" });
    }, 300);
  }
  useEffect(() => () => clearTimeout(timer.current), []);

  if (result?.ok) {
    return (
      <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center px-6 py-10">
        <Logo className="text-lg" />
        <h1 className="mt-6 text-2xl font-bold tracking-tight">Check your email</h1>
        <p className="mt-3 text-slate-600">
          We sent a confirmation link to <strong>{result.email}</strong>. Open it to confirm your address; your free trial starts then, and your
          dashboard will be at <span className="font-mono">{result.slug}.{loaderData.appDomain}</span>.
        </p>
        <p className="mt-4 text-sm text-slate-500">No email after a few minutes? Look in spam, or sign in at your address and ask for a new link.</p>
      </main>
    );
  }

  const failed = result && !result.ok ? result : null;
  const v = failed?.values ?? {};
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const live = check.data;
  const slugNote = live?.slug && slug ? (live.slug.available ? `${slug}.${loaderData.appDomain} is available.` : live.slug.reason) : null;
  const pw = live?.password;

  return (
    <main className="mx-auto max-w-lg px-6 py-10">
      <Link to="/">
        <Logo className="text-lg" />
      </Link>
      <h1 className="mt-6 text-2xl font-bold tracking-tight">Register your ISP</h1>
      <p className="mt-2 text-slate-600">Free trial, no payment needed to start. You confirm your email, then you are in.</p>
      <Form method="post" ref={formRef} onChange={onChange} className="mt-8 grid gap-5" noValidate>
        {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
        <Field label="Business name" name="businessName" defaultValue={v.businessName} error={fe.businessName?.[0]} autoComplete="organization" required />
        <div>
          <Field
            label="Your address (subdomain)"
            name="slug"
            defaultValue={v.slug}
            error={fe.slug?.[0]}
            autoCapitalize="none"
            spellCheck={false}
            hint={`Lowercase letters, digits and hyphens, 3–30 characters: yourname.${loaderData.appDomain}`}
            required
          />
          {!fe.slug && slugNote ? (
            <p role="status" className={cx("mt-1 text-sm", live?.slug?.available ? "text-emerald-700" : "text-red-600")}>
              {slugNote}
            </p>
          ) : null}
        </div>
        <Field label="Username" name="username" defaultValue={v.username} error={fe.username?.[0]} autoComplete="username" autoCapitalize="none" required />
        <Field label="Email" name="email" type="email" defaultValue={v.email} error={fe.email?.[0]} autoComplete="email" required />
        <NewPasswordFields errors={fe} meter={pw && !fe.password ? <PasswordMeter score={pw.score} problems={pw.problems} /> : null} />
        <Button type="submit" disabled={busy} className="w-full py-2.5">
          {busy ? "Creating your account…" : "Create my account"}
        </Button>
        <p className="text-center text-sm text-slate-600">
          Already registered? Sign in at your own address, e.g. <span className="font-mono">yourname.{loaderData.appDomain}/login</span>.
        </p>
      </Form>
    </main>
  );
}

function PasswordMeter({ score, problems }: { score: number; problems: string[] }) {
  const ok = problems.length === 0;
  const labels = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];
  return (
    <div className="mt-2" aria-live="polite">
      <div className="flex gap-1" aria-hidden>
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={cx("h-1.5 flex-1 rounded", i < Math.max(1, score) ? (ok ? "bg-emerald-500" : score >= 2 ? "bg-amber-400" : "bg-red-500") : "bg-slate-200")} />
        ))}
      </div>
      <p className={cx("mt-1 text-sm", ok ? "text-emerald-700" : "text-slate-600")}>{ok ? `${labels[score]} password.` : problems[0]}</p>
    </div>
  );
}
