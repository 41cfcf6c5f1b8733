import "server-only";
import type { z } from "zod";
import { DomainError } from "@/lib/domain/errors";
import { fieldErrorsOf } from "@/lib/domain/schemas";

/** Services parse their own input: every caller (page, action, API, CLI) gets the same check. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new DomainError("VALIDATION", "Some fields are not valid.", fieldErrorsOf(result.error));
  }
  // PostgreSQL text cannot store NUL and fails the whole statement on it (a 500), and no real
  // text contains it: refuse it here, once, for every schema.
  const withNul = nulPathIn(result.data, "", 0);
  if (withNul !== null) {
    throw new DomainError("VALIDATION", "Some fields are not valid.", { [withNul || "input"]: ["Contains a NUL character."] });
  }
  return result.data;
}

/** The dotted path of the first string holding NUL in parsed (plain) data, or null. */
function nulPathIn(value: unknown, at: string, depth: number): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? at : null;
  if (depth > 64 || value === null || typeof value !== "object") return null;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return null; // Dates, Buffers, SQL fragments
  for (const [key, child] of Object.entries(value)) {
    const found = nulPathIn(child, at ? `${at}.${key}` : key, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
