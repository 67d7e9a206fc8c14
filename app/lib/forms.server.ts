import { data } from "react-router";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { FieldErrors } from "../../server/trpc/init";

export type FormFailure = { ok: false; fieldErrors: Record<string, string[] | undefined>; formError: string | null; values: Record<string, string> };

/**
 * Turns a failed procedure call into what a form shows: field errors from zod, or one message
 * for conflicts and not-found, with the typed values kept. Anything else is a real error.
 */
export function formFailure(err: unknown, values: Record<string, string>) {
  if (err instanceof TRPCError) {
    const status = { BAD_REQUEST: 400, NOT_FOUND: 404, CONFLICT: 409, FORBIDDEN: 403, UNAUTHORIZED: 401, TOO_MANY_REQUESTS: 429 }[err.code as string];
    if (status) {
      const fieldErrors = err.cause instanceof z.ZodError ? z.flattenError(err.cause).fieldErrors : err.cause instanceof FieldErrors ? err.cause.fieldErrors : {};
      const formError = err.cause instanceof z.ZodError || err.cause instanceof FieldErrors ? null : err.message;
      return data<FormFailure>({ ok: false, fieldErrors, formError, values }, { status });
    }
  }
  throw err;
}

export function formValues(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === "string") out[k] = v;
  return out;
}

/** The posted form, or a 400 when the body is not a form (a script posting JSON, garbage). */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw data({ ok: false, fieldErrors: {}, formError: "The request was not a form.", values: {} }, { status: 400 });
  }
}
