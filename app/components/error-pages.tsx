export function NotFoundPage({ unknownIsp }: { unknownIsp?: string }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-lg flex-col items-center justify-center px-6 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      {unknownIsp !== undefined ? (
        <>
          <h1 className="mt-2 text-2xl font-bold tracking-tight">There is no ISP at this address</h1>
          <p className="mt-3 text-slate-600">
            <span className="font-mono">{unknownIsp}</span> is not an mnetifi ISP. Check the address your provider gave you, or
            ask them for their link.
          </p>
        </>
      ) : (
        <>
          <h1 className="mt-2 text-2xl font-bold tracking-tight">Page not found</h1>
          <p className="mt-3 text-slate-600">The page you asked for does not exist or has moved.</p>
        </>
      )}
      <a href="/" className="mt-6 rounded-lg bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
        Go to the home page
      </a>
    </main>
  );
}

export function ErrorPage({ status, detail }: { status: number; detail?: string }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-lg flex-col items-center justify-center px-6 text-center">
      <p className="text-sm font-semibold text-red-600">{status}</p>
      <h1 className="mt-2 text-2xl font-bold tracking-tight">Something went wrong</h1>
      <p className="mt-3 text-slate-600">We could not finish that. Please try again in a moment; if it keeps happening, contact support.</p>
      {detail ? <pre className="mt-6 max-w-full overflow-auto rounded bg-slate-900 p-4 text-left text-xs text-slate-100">{detail}</pre> : null}
    </main>
  );
}

export function ForbiddenPage() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-lg flex-col items-center justify-center px-6 text-center">
      <p className="text-sm font-semibold text-amber-600">403</p>
      <h1 className="mt-2 text-2xl font-bold tracking-tight">Your role cannot open this page</h1>
      <p className="mt-3 text-slate-600">Ask your ISP&apos;s owner or an admin if you need it.</p>
      <a href="/dashboard" className="mt-6 rounded-lg bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
        Back to the dashboard
      </a>
    </main>
  );
}
