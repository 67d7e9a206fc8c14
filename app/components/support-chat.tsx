import { useEffect, useRef } from "react";
import { Form, useNavigation } from "react-router";
import { Alert, Button, EmptyState, cx } from "./ui";
import { formatDateTime } from "../lib/format";

export type ChatMessage = { id: string; author: "isp" | "platform"; authorName: string; body: string; createdAt: Date | string };

/**
 * One support thread, shared by the ISP's Support page and the console: messages as bubbles
 * (the viewer's own side on the right), plain text only, newest at the bottom, and the box to
 * write the next one. The page around it refreshes itself, so new messages appear on their own.
 */
export function SupportChat({
  messages,
  me,
  otherReadAt,
  timezone,
  emptyTitle,
  emptyText,
  placeholder,
  result,
  disabledReason,
}: {
  messages: ChatMessage[];
  me: "isp" | "platform";
  /** When the other side last read the thread: shows "Seen" under my latest message they have read. */
  otherReadAt: Date | string | null;
  timezone?: string;
  emptyTitle: string;
  emptyText: string;
  placeholder: string;
  result?: { ok: boolean; error?: string | null; fieldError?: string; value?: string; sentId?: string } | null;
  disabledReason?: string | null;
}) {
  const nav = useNavigation();
  const sending = nav.state !== "idle" && nav.formData?.get("intent") === "send";
  const form = useRef<HTMLFormElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const count = messages.length;
  // Keep the latest message in view when one arrives (sent or received).
  useEffect(() => {
    end.current?.scrollIntoView({ block: "nearest" });
  }, [count]);
  // A message that went out leaves an empty box for the next.
  useEffect(() => {
    if (result?.ok) form.current?.reset();
  }, [result]);
  const lastMineSeen = otherReadAt ? [...messages].reverse().find((m) => m.author === me && new Date(m.createdAt) <= new Date(otherReadAt))?.id : undefined;
  return (
    <div className="grid gap-4">
      <div className="max-h-[60vh] min-h-48 overflow-y-auto rounded-xl bg-slate-50 p-3 ring-1 ring-slate-200 sm:p-4" data-testid="support-thread">
        {count === 0 ? (
          <EmptyState title={emptyTitle}>{emptyText}</EmptyState>
        ) : (
          <ol className="grid gap-3">
            {messages.map((m) => {
              const mine = m.author === me;
              return (
                <li key={m.id} className={cx("flex flex-col", mine ? "items-end" : "items-start")} data-author={m.author}>
                  <div className={cx("max-w-[85%] rounded-2xl px-4 py-2.5 text-sm shadow-sm sm:max-w-[70%]", mine ? "rounded-br-md bg-brand-600 text-white" : "rounded-bl-md bg-white text-slate-900 ring-1 ring-slate-200")}>
                    <p className="whitespace-pre-wrap break-words">{m.body}</p>
                  </div>
                  <p className="mt-1 px-1 text-xs text-slate-500">
                    {m.author === "platform" ? `${m.authorName} · mnetifi` : m.authorName} · <time dateTime={new Date(m.createdAt).toISOString()}>{formatDateTime(m.createdAt, timezone)}</time>
                    {m.id === lastMineSeen ? <span className="ml-1 text-emerald-700">· Seen</span> : null}
                  </p>
                </li>
              );
            })}
          </ol>
        )}
        <div ref={end} />
      </div>
      {disabledReason ? (
        <Alert tone="info">{disabledReason}</Alert>
      ) : (
        <Form ref={form} method="post" className="grid gap-2" preventScrollReset>
          <input type="hidden" name="intent" value="send" />
          {result && !result.ok && result.error ? <Alert>{result.error}</Alert> : null}
          <label htmlFor="support-body" className="text-sm font-medium text-slate-700">
            Message
          </label>
          <textarea
            id="support-body"
            name="body"
            rows={3}
            maxLength={2000}
            required
            defaultValue={result && !result.ok ? result.value : undefined}
            placeholder={placeholder}
            aria-invalid={result?.fieldError ? true : undefined}
            aria-describedby={result?.fieldError ? "support-body-error" : "support-body-hint"}
            className={cx(
              "block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm outline-none focus:ring-2 sm:text-sm",
              result?.fieldError ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100",
            )}
          />
          {result?.fieldError ? (
            <p id="support-body-error" className="text-sm text-red-600">
              {result.fieldError}
            </p>
          ) : (
            <p id="support-body-hint" className="text-sm text-slate-500">
              Plain text, up to 2,000 characters.
            </p>
          )}
          <div>
            <Button type="submit" disabled={sending}>
              {sending ? "Sending…" : "Send"}
            </Button>
          </div>
        </Form>
      )}
    </div>
  );
}
