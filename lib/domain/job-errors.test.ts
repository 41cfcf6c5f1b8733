import { describe, expect, it } from "vitest";
import { GENERIC_JOB_ERROR, displayableJobError } from "./job-errors";

describe("displayableJobError", () => {
  it.each<[string, string | null, string | null]>([
    ["no error", null, null],
    ["our own validation text is kept", "The image could not be decoded; it may be corrupt or truncated.", "The image could not be decoded; it may be corrupt or truncated."],
    ["a capture refusal is kept", "Refusing to contact 127.0.0.1: it points to a private or local network address.", "Refusing to contact 127.0.0.1: it points to a private or local network address."],
    ["a PostgreSQL error is hidden", 'invalid byte sequence for encoding "UTF8": 0x00', GENERIC_JOB_ERROR],
    ["a jsonb escape error is hidden", "unsupported Unicode escape sequence", GENERIC_JOB_ERROR],
    ["a Prisma error quoting the call is hidden", "Invalid `prisma.mediaFile.update()` invocation:\n\nError occurred during query execution", GENERIC_JOB_ERROR],
    ["SQL text is hidden", 'UPDATE "MediaFile" SET "metadata" = $1 WHERE "id" = $2', GENERIC_JOB_ERROR],
    ["a stack frame is hidden", "TypeError: x is undefined\n    at processMediaJob (/srv/app/lib/server/jobs/handlers/process-media.ts:40:11)", GENERIC_JOB_ERROR],
    ["an errno with a server path is hidden", "ENOENT: no such file or directory, open '/srv/data/media/ab/cd'", GENERIC_JOB_ERROR],
    ["a constraint violation is hidden", 'duplicate key value violates unique constraint "Derivative_pkey"', GENERIC_JOB_ERROR],
  ])("%s", (_label, input, expected) => {
    expect(displayableJobError(input)).toBe(expected);
  });
});
