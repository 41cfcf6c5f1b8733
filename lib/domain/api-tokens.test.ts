import { describe, expect, it } from "vitest";
import {
  bearerTokenOf,
  createTokenSchema,
  revocationLabel,
  shouldRecordTokenUse,
  tokenExpiryChoices,
  tokenLifetimeSettings,
  tokenPrefixOf,
  TOKEN_PATTERN,
} from "./api-tokens";

const TOKEN = `gt_${"A".repeat(43)}`;

describe("bearerTokenOf", () => {
  it.each<[string | null, string | null]>([
    [`Bearer ${TOKEN}`, TOKEN],
    [`bearer ${TOKEN}`, TOKEN],
    [`Bearer   ${TOKEN}  `, TOKEN],
    [null, null],
    ["", null],
    ["Bearer", null],
    ["Bearer ", null],
    [`Basic ${TOKEN}`, null],
    [`Bearer ${TOKEN} extra`, null],
    [TOKEN, null],
  ])("%j -> %j", (header, expected) => {
    expect(bearerTokenOf(header)).toBe(expected);
  });
});

describe("TOKEN_PATTERN and prefix", () => {
  it.each<[string, boolean]>([
    [TOKEN, true],
    [`gt_${"a-_9".repeat(10)}abc`, true],
    [`gt_${"A".repeat(42)}`, false],
    [`gt_${"A".repeat(44)}`, false],
    [`xx_${"A".repeat(43)}`, false],
    [`gt_${"A".repeat(42)}=`, false],
  ])("%s -> %s", (token, expected) => {
    expect(TOKEN_PATTERN.test(token)).toBe(expected);
  });

  it("keeps the marker and seven characters", () => {
    expect(tokenPrefixOf(`gt_abcdefghijk${"A".repeat(32)}`)).toBe("gt_abcdefg");
  });
});

describe("createTokenSchema", () => {
  it.each<[string, unknown, boolean]>([
    ["minimal personal token", { name: "Script", scopes: ["read"] }, true],
    ["project token with expiry", { name: "Archiver", projectId: "p1", scopes: ["submit"], expiresInDays: 30 }, true],
    ["empty project means personal", { name: "x", projectId: "", scopes: ["read"] }, true],
    ["no scopes", { name: "x", scopes: [] }, false],
    ["unknown scope", { name: "x", scopes: ["admin"] }, false],
    ["blank name", { name: "  ", scopes: ["read"] }, false],
    ["expiry zero", { name: "x", scopes: ["read"], expiresInDays: 0 }, false],
    ["expiry too long", { name: "x", scopes: ["read"], expiresInDays: 366 }, false],
    ["fractional expiry", { name: "x", scopes: ["read"], expiresInDays: 1.5 }, false],
    ["malformed project id", { name: "x", projectId: "a b", scopes: ["read"] }, false],
  ])("%s -> valid: %s", (_label, input, valid) => {
    expect(createTokenSchema.safeParse(input).success).toBe(valid);
  });

  it("orders and de-duplicates scopes", () => {
    const parsed = createTokenSchema.parse({ name: "x", scopes: ["edit", "read", "edit"] });
    expect(parsed.scopes).toEqual(["read", "edit"]);
  });
});

describe("tokenLifetimeSettings", () => {
  it.each<[string, Record<string, string>, { defaultDays: number; maxDays: number; problems: number }]>([
    ["defaults", {}, { defaultDays: 90, maxDays: 365, problems: 0 }],
    ["blank values are defaults", { GROUNDTRUTH_TOKEN_DEFAULT_DAYS: " ", GROUNDTRUTH_TOKEN_MAX_DAYS: "" }, { defaultDays: 90, maxDays: 365, problems: 0 }],
    ["a shorter default", { GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "30" }, { defaultDays: 30, maxDays: 365, problems: 0 }],
    ["a shorter maximum pulls the default down", { GROUNDTRUTH_TOKEN_MAX_DAYS: "30" }, { defaultDays: 30, maxDays: 30, problems: 0 }],
    ["default and maximum", { GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "7", GROUNDTRUTH_TOKEN_MAX_DAYS: "30" }, { defaultDays: 7, maxDays: 30, problems: 0 }],
    ["default longer than maximum", { GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "90", GROUNDTRUTH_TOKEN_MAX_DAYS: "30" }, { defaultDays: 30, maxDays: 30, problems: 1 }],
    ["maximum above the ceiling", { GROUNDTRUTH_TOKEN_MAX_DAYS: "3650" }, { defaultDays: 90, maxDays: 365, problems: 1 }],
    ["zero", { GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "0" }, { defaultDays: 90, maxDays: 365, problems: 1 }],
    ["not a number", { GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "never" }, { defaultDays: 90, maxDays: 365, problems: 1 }],
    ["fraction", { GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "1.5" }, { defaultDays: 90, maxDays: 365, problems: 1 }],
  ])("%s", (_label, env, expected) => {
    const settings = tokenLifetimeSettings(env);
    expect({ defaultDays: settings.defaultDays, maxDays: settings.maxDays, problems: settings.problems.length }).toEqual(expected);
  });

  it("offers only lifetimes up to the maximum, always including the default", () => {
    expect(tokenExpiryChoices({ defaultDays: 90, maxDays: 365 })).toEqual([7, 30, 90, 365]);
    expect(tokenExpiryChoices({ defaultDays: 14, maxDays: 60 })).toEqual([7, 14, 30, 60]);
  });
});

describe("shouldRecordTokenUse", () => {
  const t0 = new Date("2026-01-01T00:00:00Z");
  it.each<[string, Date | null, number, boolean]>([
    ["never used", null, 0, true],
    ["used a second ago", t0, 1_000, false],
    ["used 59.9 s ago", t0, 59_999, false],
    ["used a minute ago", t0, 60_000, true],
  ])("%s -> %s", (_label, last, elapsed, expected) => {
    expect(shouldRecordTokenUse(last, new Date(t0.getTime() + elapsed))).toBe(expected);
  });
});

describe("revocationLabel", () => {
  it("names every reason and falls back for unknown ones", () => {
    expect(revocationLabel("deactivated")).toBe("revoked when your account was deactivated");
    expect(revocationLabel(null)).toBe("revoked");
    expect(revocationLabel("bogus")).toBe("revoked");
  });
});
