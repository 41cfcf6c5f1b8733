import { describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import {
  DEFAULT_NEAR_DUPLICATE_THRESHOLD,
  PERCEPTUAL_HASH_SAMPLE_SIZE,
  hammingDistance,
  isNearDuplicate,
  isPerceptualHash,
  parsePerceptualHash,
  perceptualHashFromLuma,
} from "./perceptual-hash";

const N = PERCEPTUAL_HASH_SAMPLE_SIZE;

function grid(fn: (x: number, y: number) => number): number[] {
  const out: number[] = [];
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) out.push(Math.max(0, Math.min(255, Math.round(fn(x, y)))));
  return out;
}

/** A deterministic pseudo-random "picture" (sum of a few waves), so different seeds differ. */
function picture(seed: number): number[] {
  const waves = Array.from({ length: 6 }, (_, i) => ({
    fx: ((seed * 7 + i * 13) % 5) + 1,
    fy: ((seed * 11 + i * 3) % 5) + 1,
    phase: (seed * 1.7 + i) % 6.28,
  }));
  return grid((x, y) => 128 + waves.reduce((sum, w) => sum + 20 * Math.cos((Math.PI * (w.fx * x + w.fy * y)) / N + w.phase), 0));
}

describe("hammingDistance", () => {
  it.each<[string, string, string, number]>([
    ["identical", "0123456789abcdef", "0123456789abcdef", 0],
    ["identical, case-insensitive", "0123456789ABCDEF", "0123456789abcdef", 0],
    ["one bit (lowest)", "0000000000000000", "0000000000000001", 1],
    ["one bit (highest)", "8000000000000000", "0000000000000000", 1],
    ["one nibble, all four bits", "0000000000000000", "00000000f0000000", 4],
    ["alternating bits", "aaaaaaaaaaaaaaaa", "5555555555555555", 64],
    ["all bits", "0000000000000000", "ffffffffffffffff", 64],
    ["half the bits", "00000000ffffffff", "ffffffffffffffff", 32],
  ])("%s -> %i", (_name, a, b, expected) => {
    expect(hammingDistance(a, b)).toBe(expected);
    expect(hammingDistance(b, a)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ["too short", "abc"],
    ["too long (17 digits)", "0123456789abcdef0"],
    ["non-hex digit", "0123456789abcdeg"],
    ["empty", ""],
    ["0x prefix", "0x23456789abcdef"],
    ["whitespace", " 123456789abcdef"],
    ["binary string (64 chars)", "0".repeat(64)],
    ["not a string", 42],
  ])("rejects %s", (_name, bad) => {
    expect(() => hammingDistance(bad as string, "0000000000000000")).toThrow(DomainError);
    expect(() => hammingDistance("0000000000000000", bad as string)).toThrow(DomainError);
    expect(isPerceptualHash(bad)).toBe(false);
  });

  it("throws a VALIDATION DomainError", () => {
    try {
      hammingDistance("nope", "0000000000000000");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("VALIDATION");
    }
  });
});

describe("parsePerceptualHash", () => {
  it("normalises to lower case", () => {
    expect(parsePerceptualHash("ABCDEF0123456789")).toBe("abcdef0123456789");
  });
});

describe("isNearDuplicate", () => {
  it("uses a default threshold of 10 bits, inclusive", () => {
    expect(DEFAULT_NEAR_DUPLICATE_THRESHOLD).toBe(10);
    expect(isNearDuplicate("0000000000000000", "00000000000003ff")).toBe(true); // 10 bits
    expect(isNearDuplicate("0000000000000000", "00000000000007ff")).toBe(false); // 11 bits
  });

  it.each<[number, boolean]>([
    [0, false],
    [3, false],
    [4, true],
    [64, true],
  ])("4 bits apart with threshold %i -> %s", (threshold, expected) => {
    expect(isNearDuplicate("f000000000000000", "0000000000000000", threshold)).toBe(expected);
  });

  it.each([-1, 65, 2.5, Number.NaN])("rejects threshold %s", (threshold) => {
    expect(() => isNearDuplicate("0000000000000000", "0000000000000000", threshold)).toThrow(DomainError);
  });
});

describe("perceptualHashFromLuma", () => {
  it("returns 16 lower-case hex digits", () => {
    const hash = perceptualHashFromLuma(picture(1));
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("is deterministic", () => {
    expect(perceptualHashFromLuma(picture(3))).toBe(perceptualHashFromLuma(picture(3)));
  });

  it("hashes a flat image to all zeros (no floating-point noise)", () => {
    expect(perceptualHashFromLuma(grid(() => 77))).toBe("0000000000000000");
  });

  it("ignores a uniform brightness shift and is stable under small noise", () => {
    const base = picture(5);
    const brighter = base.map((v) => Math.min(255, v + 20));
    let state = 12345;
    const noisy = base.map((v) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return Math.max(0, Math.min(255, v + ((state % 7) - 3)));
    });
    const hash = perceptualHashFromLuma(base);
    expect(hammingDistance(hash, perceptualHashFromLuma(brighter))).toBeLessThanOrEqual(2);
    expect(hammingDistance(hash, perceptualHashFromLuma(noisy))).toBeLessThanOrEqual(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it("separates different pictures and an inverted picture", () => {
    const a = perceptualHashFromLuma(picture(1));
    const b = perceptualHashFromLuma(picture(2));
    const inverted = perceptualHashFromLuma(picture(1).map((v) => 255 - v));
    expect(hammingDistance(a, b)).toBeGreaterThan(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    // Inverting negates every AC coefficient, so (almost) every bit flips.
    expect(hammingDistance(a, inverted)).toBeGreaterThanOrEqual(60);
  });

  it("rejects a grid of the wrong size", () => {
    expect(() => perceptualHashFromLuma(new Array(31 * 31).fill(0))).toThrow(DomainError);
  });
});
