import { useEffect, useRef, useState } from "react";
import { useFetcher } from "react-router";
import { Button } from "./ui";

const WARN_SECONDS = 120;

/**
 * Counts down to the end of the session (20 minutes without activity). The server says how
 * many seconds are left, and the countdown runs on this device's clock from that moment, so a
 * phone with a wrong clock still warns on time. Two minutes before the end it asks "stay
 * signed in?"; at zero it signs out and the sign-in page says why.
 */
export function SessionTimeout({ secondsLeft }: { secondsLeft: number }) {
  const keepAlive = useFetcher<{ secondsLeft: number | null }>();
  const [deadline, setDeadline] = useState(() => Date.now() + secondsLeft * 1000);
  const [now, setNow] = useState(() => Date.now());
  const signOut = useRef<HTMLFormElement>(null);

  useEffect(() => setDeadline(Date.now() + secondsLeft * 1000), [secondsLeft]);
  useEffect(() => {
    const fresh = keepAlive.data?.secondsLeft;
    if (typeof fresh === "number") setDeadline(Date.now() + fresh * 1000);
  }, [keepAlive.data]);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);

  const left = Math.floor((deadline - now) / 1000);
  const ended = left <= 0 || keepAlive.data?.secondsLeft === null;
  useEffect(() => {
    if (ended) signOut.current?.submit();
  }, [ended]);
  const mm = Math.floor(Math.max(left, 0) / 60);
  const ss = String(Math.max(left, 0) % 60).padStart(2, "0");
  return (
    <>
      <form ref={signOut} method="post" action="/logout?notice=expired" hidden />
      {left > WARN_SECONDS || ended ? null : (
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
      )}
    </>
  );
}
