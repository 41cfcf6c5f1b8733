import { describe, expect, it } from "vitest";
import { bearerTokenOf, createTokenSchema, tokenPrefixOf, TOKEN_PATTERN } from "./api-tokens";

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
