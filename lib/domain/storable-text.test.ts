import { describe, expect, it } from "vitest";
import { storableJson, storableOptionalText, storableText } from "./storable-text";

/** What PostgreSQL refuses in text and jsonb: NUL anywhere, and lone surrogates (as \uD8xx escapes in JSON). */
function postgresWouldRefuse(text: string): boolean {
  return text.includes("\u0000") || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe("storableText", () => {
  it.each<[string, string, number | undefined, string]>([
    ["plain text is unchanged", "Canon EOS 5D", undefined, "Canon EOS 5D"],
    ["NUL inside a value (the crafted ImageDescription)", "evil\u0000description", undefined, "evildescription"],
    ["NUL padding at the end (how EXIF pads strings)", "Pixel 2\u0000\u0000\u0000", undefined, "Pixel 2"],
    ["only NULs", "\u0000\u0000", undefined, ""],
    ["a lone high surrogate", "a\uD800b", undefined, "a\uFFFDb"],
    ["a lone low surrogate", "a\uDC00b", undefined, "a\uFFFDb"],
    ["a high surrogate at the very end", "end\uD83D", undefined, "end\uFFFD"],
    ["two high surrogates then a low: the first is lone", "\uD83D\uD83D\uDE00", undefined, "\uFFFD\uD83D\uDE00"],
    ["a real surrogate pair (emoji) is kept", "smile \uD83D\uDE00", undefined, "smile \uD83D\uDE00"],
    ["other control characters are kept (PostgreSQL stores them)", "tab\there\nline", undefined, "tab\there\nline"],
    ["cut at the limit with an ellipsis", "abcdefghij", 5, "abcd…"],
    ["exactly at the limit is not cut", "abcde", 5, "abcde"],
    ["the limit counts code points, not UTF-16 units", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", 3, "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"],
    ["a cut never splits an emoji", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", 3, "\uD83D\uDE00\uD83D\uDE00…"],
    ["NULs are removed before counting", "a\u0000b\u0000c", 3, "abc"],
  ])("%s", (_label, input, max, expected) => {
    const output = storableText(input, max);
    expect(output).toBe(expected);
    expect(postgresWouldRefuse(output)).toBe(false);
  });

  it("caps a 1 MB string to the default length", () => {
    const output = storableText("x".repeat(1_000_000));
    expect(Array.from(output).length).toBe(2_000);
    expect(output.endsWith("…")).toBe(true);
  });

  it.each<[unknown, string | undefined]>([
    ["  kept  ", "  kept  "],
    ["\u0000", undefined],
    ["", undefined],
    [42, undefined],
    [null, undefined],
    [undefined, undefined],
  ])("storableOptionalText(%j) is %j", (input, expected) => {
    expect(storableOptionalText(input)).toBe(expected);
  });
});

describe("storableJson", () => {
  it.each<[string, unknown, unknown]>([
    ["null", null, null],
    ["numbers", { a: 1, b: 2.5 }, { a: 1, b: 2.5 }],
    ["non-finite numbers are dropped (null in arrays)", { a: Number.NaN, b: [Infinity, 1] }, { b: [null, 1] }],
    ["NUL inside a nested string", { ifd0: { ImageDescription: "a\u0000b" } }, { ifd0: { ImageDescription: "ab" } }],
    ["NUL inside a key", { "Ima\u0000ge": "x" }, { Image: "x" }],
    ["lone surrogates in arrays of arrays", [["\uDC00"]], [["\uFFFD"]]],
    ["undefined and functions are dropped", { a: undefined, b: () => 1, c: "kept" }, { c: "kept" }],
    ["bigint as a decimal string", { n: 12345678901234567890n }, { n: "12345678901234567890" }],
    ["dates as ISO strings", { at: new Date("2020-01-02T03:04:05Z") }, { at: "2020-01-02T03:04:05.000Z" }],
    ["invalid dates are dropped", { at: new Date(Number.NaN) }, {}],
    ["byte arrays as numbers", { bytes: new Uint8Array([1, 2, 3]) }, { bytes: [1, 2, 3] }],
    ["a top-level string", "x\u0000y", "xy"],
    ["a top-level undefined becomes null", undefined, null],
  ])("%s", (_label, input, expected) => {
    const output = storableJson(input);
    expect(output).toEqual(expected);
    expect(postgresWouldRefuse(JSON.stringify(output))).toBe(false);
    // JSON.stringify writes a lone surrogate as a \udXXX escape, which jsonb refuses too.
    expect(JSON.stringify(output)).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
  });

  it("cuts long arrays, wide objects, long strings and deep nesting", () => {
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    let deep: unknown = "bottom";
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const output = storableJson({ list: Array.from({ length: 10 }, (_, i) => i), wide, text: "y".repeat(50), deep }, { maxEntries: 4, maxStringLength: 10, maxDepth: 3 }) as Record<string, unknown>;
    expect(output.list).toEqual([0, 1, 2, 3]);
    expect(Object.keys(output.wide as object)).toHaveLength(4);
    expect(output.text).toBe(`${"y".repeat(9)}…`);
    expect(output.deep).toEqual({ d: { d: null } });
  });

  it("ends on a cyclic object instead of hanging", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(() => JSON.stringify(storableJson(cyclic))).not.toThrow();
  });
});
