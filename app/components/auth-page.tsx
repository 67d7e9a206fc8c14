import type { ReactNode } from "react";

/** The narrow centred layout of every sign-in style page on an ISP's host. */
export function AuthPage({ kicker, title, children }: { kicker: string; title: string; children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center px-6 py-10">
      <p className="text-sm font-semibold text-brand-700">{kicker}</p>
      <h1 className="mt-1 text-2xl font-bold tracking-tight">{title}</h1>
      {children}
    </main>
  );
}
