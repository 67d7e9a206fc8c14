// Reading PostgreSQL's answer out of an error thrown through drizzle (which wraps the pg error in
// `cause`), so a race that slipped past a check becomes a clear 409 instead of a 500.

type PgError = { code?: string; constraint?: string };

function pgError(err: unknown): PgError | undefined {
  const e = err as (PgError & { cause?: PgError }) | undefined;
  return e?.cause?.code ? e.cause : e;
}

/** The SQLSTATE of a database error (e.g. 23505 unique, 23503 foreign key), if it is one. */
export function pgCode(err: unknown): string | undefined {
  return pgError(err)?.code;
}

/** True for a unique violation, optionally of one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = pgError(err);
  return e?.code === "23505" && (!constraint || e.constraint === constraint);
}
