/** KES from cents, e.g. 150000 → "KES 1,500". Whole shillings unless there are cents. */
export function kes(cents: number | null | undefined) {
  if (cents == null) return "—";
  const shillings = cents / 100;
  return `KES ${shillings.toLocaleString("en-KE", { minimumFractionDigits: Number.isInteger(shillings) ? 0 : 2, maximumFractionDigits: 2 })}`;
}

/** 254712345678 → 0712 345 678 (how Kenyans write numbers). */
export function phoneForDisplay(phone: string | null | undefined) {
  if (!phone) return "";
  const m = /^254(\d{3})(\d{3})(\d{3})$/.exec(phone);
  return m ? `0${m[1]} ${m[2]} ${m[3]}` : phone;
}

export const PAYMENT_STATUS_STYLE: Record<string, string> = {
  paid: "bg-emerald-100 text-emerald-800",
  pending: "bg-sky-100 text-sky-800",
  verifying: "bg-sky-100 text-sky-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-slate-100 text-slate-700",
  timeout: "bg-amber-100 text-amber-800",
  unmatched: "bg-amber-100 text-amber-800",
};
