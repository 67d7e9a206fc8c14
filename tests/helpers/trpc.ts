import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { FieldErrors } from "../../server/trpc/init";

/** A procedure call that must be refused: its tRPC code, message and field errors. */
export async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const fieldErrors = err.cause instanceof z.ZodError ? z.flattenError(err.cause).fieldErrors : err.cause instanceof FieldErrors ? err.cause.fieldErrors : {};
    return { code: err.code, message: err.message, fieldErrors: fieldErrors as Record<string, string[] | undefined> };
  }
  throw new Error("expected the call to be refused");
}
