import { describe, expect, it } from "vitest";
import { DEFAULT_UPLOAD_LIMITS, admitUpload, checkProjectQuota, formatBytes, uploadLimitsFrom, type UploadLimits } from "./upload-limits";

describe("uploadLimitsFrom", () => {
  it.each<[string, Record<string, string | undefined>, UploadLimits]>([
    ["nothing set: defaults, no quota", {}, DEFAULT_UPLOAD_LIMITS],
    ["all set", { GROUNDTRUTH_MULTIPART_MAX_CONCURRENT: "4", GROUNDTRUTH_MULTIPART_MAX_PER_MINUTE: "10", GROUNDTRUTH_PROJECT_QUOTA_BYTES: "1073741824" }, { maxConcurrent: 4, maxPerMinute: 10, projectQuotaBytes: 1073741824 }],
    ["zero, negative and junk keep the defaults", { GROUNDTRUTH_MULTIPART_MAX_CONCURRENT: "0", GROUNDTRUTH_MULTIPART_MAX_PER_MINUTE: "-3", GROUNDTRUTH_PROJECT_QUOTA_BYTES: "lots" }, DEFAULT_UPLOAD_LIMITS],
    ["fractions are refused", { GROUNDTRUTH_MULTIPART_MAX_CONCURRENT: "1.5" }, DEFAULT_UPLOAD_LIMITS],
    ["blank is unset", { GROUNDTRUTH_PROJECT_QUOTA_BYTES: " " }, DEFAULT_UPLOAD_LIMITS],
  ])("%s", (_label, env, expected) => {
    expect(uploadLimitsFrom(env)).toEqual(expected);
  });
});

describe("admitUpload", () => {
  const limits: UploadLimits = { maxConcurrent: 2, maxPerMinute: 5, projectQuotaBytes: null };
  const now = 1_000_000;
  it.each<[string, { inFlight: number; startedInWindow: number; oldestStartInWindowMs?: number }, string | true, number?]>([
    ["nothing in flight", { inFlight: 0, startedInWindow: 0 }, true],
    ["one below the concurrency limit", { inFlight: 1, startedInWindow: 1 }, true],
    ["at the concurrency limit", { inFlight: 2, startedInWindow: 2 }, "concurrent", 5],
    ["over the concurrency limit", { inFlight: 7, startedInWindow: 7 }, "concurrent", 5],
    ["one below the rate", { inFlight: 0, startedInWindow: 4 }, true],
    ["at the rate: wait until the oldest leaves the window", { inFlight: 0, startedInWindow: 5, oldestStartInWindowMs: now - 45_000 }, "rate", 15],
    ["at the rate, oldest just now: a whole minute", { inFlight: 0, startedInWindow: 5, oldestStartInWindowMs: now }, "rate", 60],
    ["at the rate, oldest about to expire: at least a second", { inFlight: 0, startedInWindow: 5, oldestStartInWindowMs: now - 59_999 }, "rate", 1],
    ["concurrency is checked first", { inFlight: 2, startedInWindow: 9 }, "concurrent", 5],
  ])("%s", (_label, counts, expected, retryAfter) => {
    const decision = admitUpload({ ...counts, nowMs: now }, limits);
    if (expected === true) {
      expect(decision).toEqual({ ok: true });
    } else {
      expect(decision).toMatchObject({ ok: false, reason: expected, retryAfterSeconds: retryAfter });
      if (!decision.ok) expect(decision.message.length).toBeGreaterThan(30);
    }
  });
});

describe("checkProjectQuota", () => {
  it.each<[string, number, number, number | null, boolean]>([
    ["no quota", 10 ** 15, 10 ** 12, null, true],
    ["fits", 100, 50, 200, true],
    ["fits exactly", 150, 50, 200, true],
    ["one byte over", 151, 50, 200, false],
    ["already over", 300, 1, 200, false],
  ])("%s", (_label, used, added, quota, ok) => {
    const result = checkProjectQuota(used, added, quota);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.message).toMatch(/quota/);
  });

  it.each<[number, string]>([
    [512, "512 bytes"],
    [1536, "1.5 KiB"],
    [95 * 1024 ** 2, "95 MiB"],
    [4 * 1024 ** 3, "4 GiB"],
  ])("formatBytes(%i) = %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
