import { describe, expect, it } from "vitest";
import { bucketIsFull, parseClientErrorReport, takeToken, type Bucket, type ClientErrorRatePolicy } from "./client-errors";

describe("parseClientErrorReport", () => {
  const base = { source: "public-map", message: "Map has no maxZoom specified" };
  it.each<[string, unknown, ReturnType<typeof parseClientErrorReport>]>([
    ["a minimal report", base, { source: "public-map", name: null, message: "Map has no maxZoom specified", stack: null, page: null }],
    [
      "all fields",
      { ...base, source: "location-map", name: "TypeError", stack: "at a (x.js:1:2)\nat b", page: "/public/demo?from=2024-01-01#incidents" },
      { source: "location-map", name: "TypeError", message: "Map has no maxZoom specified", stack: "at a (x.js:1:2)\nat b", page: "/public/demo" },
    ],
    ["an unknown source", { ...base, source: "anything" }, null],
    ["no message", { source: "public-map" }, null],
    ["a blank message", { ...base, message: "  \u0000 " }, null],
    ["a message that is not text", { ...base, message: { toString: "x" } }, null],
    ["an array", [base], null],
    ["null", null, null],
    ["text", "public-map", null],
    ["a page on another site", { ...base, page: "//evil.example/x" }, { source: "public-map", name: null, message: base.message, stack: null, page: null }],
    ["a full URL as page", { ...base, page: "https://evil.example/x" }, { source: "public-map", name: null, message: base.message, stack: null, page: null }],
    [
      "control and bidi characters",
      { ...base, message: "a\u0007b\u202ec\u001b[31m", name: 42 },
      { source: "public-map", name: null, message: "abc[31m", stack: null, page: null },
    ],
  ])("%s", (_label, body, expected) => {
    expect(parseClientErrorReport(body)).toEqual(expected);
  });

  it.each([
    ["message", 500],
    ["name", 100],
    ["stack", 4000],
  ] as const)("cuts an over-long %s to %i characters", (field, max) => {
    const report = parseClientErrorReport({ ...base, name: "E", stack: "s", [field]: "x".repeat(max * 3) })!;
    expect(report[field]).toBe(`${"x".repeat(max)}…`);
  });
});

describe("takeToken", () => {
  const policy: ClientErrorRatePolicy = { burst: 3, refillMs: 1_000 };
  const take = (bucket: Bucket | undefined, now: number) => takeToken(bucket, now, policy);

  it.each<[string, Bucket | undefined, number, boolean, number]>([
    ["a new client starts with a full bucket", undefined, 0, true, 2],
    ["the last token", { tokens: 1, updatedAt: 0 }, 0, true, 0],
    ["an empty bucket refuses", { tokens: 0, updatedAt: 0 }, 500, false, 0.5],
    ["a second later one token is back", { tokens: 0, updatedAt: 0 }, 1_000, true, 0],
    ["refill stops at the burst", { tokens: 0, updatedAt: 0 }, 60_000, true, 2],
    ["a clock going backwards adds nothing", { tokens: 0.5, updatedAt: 5_000 }, 1_000, false, 0.5],
  ])("%s", (_label, bucket, now, allowed, tokensAfter) => {
    const result = take(bucket, now);
    expect(result.allowed).toBe(allowed);
    expect(result.bucket.tokens).toBeCloseTo(tokensAfter);
    expect(result.bucket.updatedAt).toBe(now);
  });

  it("a burst of reports gets `burst` through, then one per refill", () => {
    let bucket: Bucket | undefined;
    const allowed: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const result = take(bucket, 0);
      bucket = result.bucket;
      allowed.push(result.allowed);
    }
    expect(allowed).toEqual([true, true, true, false, false]);
    expect(take(bucket, 999).allowed).toBe(false);
    expect(take(bucket, 1_000).allowed).toBe(true);
  });

  it.each<[Bucket, number, boolean]>([
    [{ tokens: 3, updatedAt: 0 }, 0, true],
    [{ tokens: 0, updatedAt: 0 }, 2_999, false],
    [{ tokens: 0, updatedAt: 0 }, 3_000, true],
  ])("bucketIsFull(%o, %i) is %s", (bucket, now, full) => {
    expect(bucketIsFull(bucket, now, policy)).toBe(full);
  });
});
