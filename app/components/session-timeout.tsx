import { useEffect, useState } from "react";
import { useFetcher } from "react-router";
import { Button } from "./ui";

const WARN_SECONDS = 120;

/**
 * Counts down to the end of the session (20 minutes without activity). Two minutes before,
 * it asks "stay signed in?"; at zero it goes to the sign-in page, which says why.
 */
export function SessionTimeout({ expiresAt }: { expiresAt: string }) {
  const keepAlive = useFetcher<{ idleExpiresAt: string | null }>();
  const [deadline, setDeadline] = useState(() => Date.parse(expiresAt));
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => setDeadline((d) => Math.max(d, Date.parse(expiresAt))), [expiresAt]);
  useEffect(() => {
    const fresh = keepAlive.data?.idleExpiresAt;
    if (fresh) setDeadline(Date.parse(fresh));
  }, [keepAlive.data]);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);

  const left = Math.floor((deadline - now) / 1000);
  useEffect(() => {
    if (left <= 0 || keepAlive.data?.idleExpiresAt === null) window.location.assign("/login?notice=expired");
  }, [left, keepAlive.data]);
  if (left > WARN_SECONDS || left <= 0) return null;
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, "0");
  return (
    <div role="alertdialog" aria-labelledby="st-title" aria-describedby="st-body" className="fixed inset-0 z-50 flex items-end justify-center bg-slate-900/40 p-4 sm:items-center">
      <div className="w-full max-w-sm rounded-xl bg-white p-6 shadow-xl">
        <h2 id="st-title" className="text-lg font-semibold">Still there?</h2>
        <p id="st-body" className="mt-2 text-sm text-slate-600">
          For your security you will be signed out in <strong className="tabular-nums">{mm}:{ss}</strong> because nothing has happened for a while.
        </p>
        <div className="mt-5 flex gap-3">
          <keepAlive.Form method="post" action="/session/keepalive" className="flex-1">
            <Button type="submit" className="w-full" disabled={keepAlive.state !== "idle"}>
              Stay signed in
            </Button>
          </keepAlive.Form>
          <form method="post" action="/logout" className="flex-1">
            <Button variant="secondary" className="w-full">
              Sign out
            </Button>
          </form>
        </div>
      </div>
    </div>
  );
}
