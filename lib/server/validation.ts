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
  return result.data;
}
