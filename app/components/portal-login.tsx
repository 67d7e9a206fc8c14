// The browser's own login on the router's hotspot (reference radius-hotspot.md §6.5 step 4a):
// a form posting username = password = the code, and dst = the page the device first asked for,
// to the router's link-login-only. The server has already logged the device in through the
// router API; this is the second way in. A tiny inline script (CSP nonce) sends it by itself after
// a moment (so the code can be seen); phones without JavaScript press the button.
import { useNonce } from "../lib/nonce";

export const ROUTER_LOGIN_DELAY_MS = 3000;

export function RouterLoginForm({ action, code, dst }: { action: string; code: string; dst: string }) {
  const nonce = useNonce();
  return (
    <>
      <form id="router-login" method="post" action={action}>
        <input type="hidden" name="username" value={code} />
        <input type="hidden" name="password" value={code} />
        {dst ? <input type="hidden" name="dst" value={dst} /> : null}
        <input type="hidden" name="popup" value="false" />
        <button className="bt" type="submit">
          Continue to the internet
        </button>
      </form>
      <script
        nonce={nonce || undefined}
        dangerouslySetInnerHTML={{ __html: `setTimeout(function(){document.getElementById("router-login").submit()},${ROUTER_LOGIN_DELAY_MS})` }}
      />
    </>
  );
}
