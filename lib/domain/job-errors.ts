// What the item page says about a failed background job. Since the worker stores only safe text
// (lib/server/jobs/safe-error.ts), this is the second line: rows written before that, or by an
// older worker during an upgrade, may still hold a database or library error verbatim, which
// must not reach a page (it can quote SQL, table names, server paths or the offending bytes).

const INTERNAL_ERROR_SIGNS: readonly RegExp[] = [
  /\bprisma\b/i,
  /\bpostgres(ql)?\b/i,
  /invalid byte sequence/i,
  /unsupported unicode escape/i,
  /invalid input syntax/i,
  /violates .* constraint/i,
  /\b(relation|column|table) "[^"]*"/i,
  /\b(SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*\b(FROM|INTO|SET|WHERE)\b/,
  /\bat .+:\d+:\d+\)?$/m, // a stack frame
  /\bE[A-Z]{3,}\b.*\/\w/, // errno codes with a path: ENOENT ... /srv/...
  /\u0000/,
];

export const GENERIC_JOB_ERROR = "Processing failed because of an internal error; the server log has the details.";

/** The job's recorded error as fit to show, or null when there is none. */
export function displayableJobError(lastError: string | null | undefined): string | null {
  if (!lastError) return null;
  return INTERNAL_ERROR_SIGNS.some((sign) => sign.test(lastError)) ? GENERIC_JOB_ERROR : lastError;
}
