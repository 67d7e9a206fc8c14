import { generateHOTP } from "@oslojs/otp";

// The app accepts each authenticator step once per account (no replay) and one step of grace
// either way. Like a person reading their phone, tests take the current step or the next one,
// never one already used for the same key, and wait for the next window when both are spent.
const used = new Map<string, number>();

/** A code from the authenticator app with `key` that the app has not accepted before. */
export async function freshTotp(key: Uint8Array): Promise<string> {
  const id = Buffer.from(key).toString("hex");
  for (;;) {
    const current = Math.floor(Date.now() / 30_000);
    const step = Math.max((used.get(id) ?? -1) + 1, current);
    if (step <= current + 1) {
      used.set(id, step);
      return generateHOTP(key, BigInt(step), 6);
    }
    await new Promise((r) => setTimeout(r, (current + 1) * 30_000 - Date.now() + 50));
  }
}
