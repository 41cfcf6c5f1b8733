import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { storableText } from "@/lib/domain/storable-text";

/** Longest job or capture error kept for the item page. */
const MAX_ERROR_TEXT = 1_000;

/**
 * Text about a failure that may be stored and shown on the item page. Only errors we raise on
 * purpose carry words meant for people: DomainError, and errors that say so with `safeMessage`
 * (URL capture's CaptureError). Anything else (a database error quoting SQL or the offending
 * value, a parser's stack, a path on the server) becomes `fallback`; the details go to the log.
 */
export function safeErrorText(error: unknown, fallback: string): string {
  if (error instanceof DomainError || (error instanceof Error && (error as { safeMessage?: boolean }).safeMessage === true)) {
    return storableText(error.message, MAX_ERROR_TEXT) || fallback;
  }
  return fallback;
}
