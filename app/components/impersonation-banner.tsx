import { useEffect, useRef, useState } from "react";

/**
 * Shown on every dashboard page while a platform admin views the ISP from the console: who,
 * as which ISP, why, and the time left, with a one-click Exit. The countdown runs on this
 * device's clock from the seconds the server said were left; at zero it exits by itself (the
 * server has already stopped honouring the session by then).
 */
export function ImpersonationBanner({ business, adminName, reason, secondsLeft }: { business: string; adminName: string; reason: string; secondsLeft: number }) {
  const [deadline, setDeadline] = useState(() => Date.now() + secondsLeft * 1000);
  const [now, setNow] = useState<number | null>(null);
  const exit = useRef<HTMLFormElement>(null);
  useEffect(() => setDeadline(Date.now() + secondsLeft * 1000), [secondsLeft]);
  useEffect(() => {
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  // Before hydration (and on the server) show what the server said, so both render the same.
  const left = now === null ? secondsLeft : Math.max(0, Math.floor((deadline - now) / 1000));
  useEffect(() => {
    if (now !== null && left <= 0) exit.current?.submit();
  }, [now, left]);
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, "0");
  return (
    <div role="status" aria-live="off" data-testid="impersonation-banner" className="sticky top-0 z-40 border-b border-amber-300 bg-amber-100 text-amber-950">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-2 text-sm sm:px-6">
        <p className="min-w-0">
          <span className="mr-2 inline-block rounded bg-amber-900 px-1.5 py-0.5 text-xs font-bold uppercase tracking-wide text-amber-50">Console</span>
          <strong>Viewing as {business}</strong> — {adminName} — ends in{" "}
          <strong className="tabular-nums" data-testid="impersonation-countdown">
            {mm}:{ss}
          </strong>
          <span className="block truncate text-xs text-amber-800 sm:ml-2 sm:inline" title={reason}>
            Reason: {reason}
          </span>
        </p>
        <form ref={exit} method="post" action="/impersonate/exit">
          <button className="rounded-lg bg-amber-900 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-amber-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-900">
            Exit
          </button>
        </form>
      </div>
    </div>
  );
}
