/**
 * Kenyan mobile numbers to E.164 without the plus (2547XXXXXXXX / 2541XXXXXXXX), the form
 * Daraja and SMS gateways take (design §6). Accepts 07.., 01.., 7.., 2547.., +254 7.., with
 * spaces or dashes. Returns null for anything else.
 */
export function normalizeKenyanPhone(input: string): string | null {
  const digits = input.replace(/[\s().-]/g, "").replace(/^\+/, "");
  const m = /^(?:254|0)?([17]\d{8})$/.exec(digits);
  return m ? `254${m[1]}` : null;
}
