import { countSmsSegments } from "../../server/integrations/messaging/sms-segments";
import { cx } from "./ui";

/** "92 characters · 1 SMS" under a message box; warns when a message costs several SMS or goes Unicode. */
export function SmsCounter({ text, className }: { text: string; className?: string }) {
  const c = countSmsSegments(text);
  return (
    <p className={cx("text-xs tabular-nums", c.segments > 1 || c.encoding === "UCS-2" ? "text-amber-700" : "text-slate-500", className)} aria-live="polite">
      {c.characters} characters · {c.segments} SMS{c.segments === 1 ? "" : " each"}
      {c.encoding === "UCS-2" ? " · emoji or special letters: 70 characters per SMS" : c.segments > 1 ? ` · ${c.perSegment} characters per SMS` : ""}
    </p>
  );
}
