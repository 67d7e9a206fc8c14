/** Date and time in the tenant's timezone (design §6), e.g. "24 Nov 2026, 14:05". */
export function formatDateTime(value: Date | string, timeZone = "Africa/Nairobi") {
  return new Intl.DateTimeFormat("en-KE", { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(value));
}
