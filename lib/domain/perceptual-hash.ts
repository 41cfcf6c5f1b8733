// 64-bit perceptual hashes (pHash) for near-duplicate detection, as 16 lower-case hex digits.
//
// Pure: the server decodes an image to a 32x32 greyscale grid (lib/server/media/derivatives.ts)
// and this module turns that grid into a hash and compares hashes. The algorithm is the classic
// DCT pHash (as in phash.org's ph_dct_imagehash):
//   1. 32x32 luma samples (the caller resizes; alpha flattened onto white first);
//   2. 2-D DCT-II of the grid;
//   3. the 8x8 block of low frequencies at rows/columns 1..8 (row and column 0 carry overall
//      brightness and are skipped, so a global brightness change does not alter the hash);
//   4. bit = coefficient > median of those 64 coefficients, row-major, first bit = most
//      significant bit of the first hex digit.
// Two hashes are compared by Hamming distance (number of differing bits, 0..64). Re-encodes,
// resizes and mild edits of one picture typically land within a few bits; unrelated pictures
// land around 32 (half the bits), so a threshold of about 10 separates them.
import { DomainError } from "./errors";

/** Bits in a hash. */
export const PERCEPTUAL_HASH_BITS = 64;
/** Side of the greyscale grid the hash is computed from. */
export const PERCEPTUAL_HASH_SAMPLE_SIZE = 32;
/** Hashes at most this many bits apart are treated as the same picture. */
export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 10;

const HASH_PATTERN = /^[0-9a-fA-F]{16}$/;
const LOW_FREQUENCIES = 8;
// Coefficients this close to the median count as "not above", so a flat image hashes to zeros
// rather than to floating-point noise.
const EPSILON = 1e-6;

/** Set bits in each nibble 0..15. */
const NIBBLE_POPCOUNT = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4] as const;

export function isPerceptualHash(value: unknown): value is string {
  return typeof value === "string" && HASH_PATTERN.test(value);
}

/** Lower-cases a hash after checking it is exactly 16 hex digits; throws a VALIDATION error otherwise. */
export function parsePerceptualHash(value: unknown): string {
  if (!isPerceptualHash(value)) {
    throw new DomainError("VALIDATION", "A perceptual hash must be exactly 16 hexadecimal digits (64 bits).");
  }
  return value.toLowerCase();
}

/** Number of differing bits between two 64-bit hashes (0..64). Throws on malformed input. */
export function hammingDistance(hexA: string, hexB: string): number {
  const a = parsePerceptualHash(hexA);
  const b = parsePerceptualHash(hexB);
  let distance = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = parseInt(a[i] as string, 16) ^ parseInt(b[i] as string, 16);
    distance += NIBBLE_POPCOUNT[diff] as number;
  }
  return distance;
}

/** True when two hashes are at most `threshold` bits apart (inclusive). */
export function isNearDuplicate(hexA: string, hexB: string, threshold: number = DEFAULT_NEAR_DUPLICATE_THRESHOLD): boolean {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > PERCEPTUAL_HASH_BITS) {
    throw new DomainError("VALIDATION", `The near-duplicate threshold must be a whole number of bits from 0 to ${PERCEPTUAL_HASH_BITS}.`);
  }
  return hammingDistance(hexA, hexB) <= threshold;
}

/** DCT-II basis: COS[u][x] = cos((2x + 1) u pi / 2N), for the frequencies the hash uses. */
const COS: number[][] = Array.from({ length: LOW_FREQUENCIES + 1 }, (_, u) =>
  Array.from({ length: PERCEPTUAL_HASH_SAMPLE_SIZE }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * PERCEPTUAL_HASH_SAMPLE_SIZE))),
);

/**
 * The pHash of a 32x32 greyscale grid given row-major (index = y * 32 + x), values 0..255.
 * Only frequencies 0..8 are computed (separably), since the hash uses rows/columns 1..8.
 */
export function perceptualHashFromLuma(luma: ArrayLike<number>): string {
  const n = PERCEPTUAL_HASH_SAMPLE_SIZE;
  if (luma.length !== n * n) {
    throw new DomainError("VALIDATION", `A perceptual hash needs ${n * n} greyscale samples, got ${luma.length}.`);
  }
  // Rows first: rowDct[y][u] = sum_x luma[y][x] * COS[u][x].
  const rowDct: number[][] = [];
  for (let y = 0; y < n; y++) {
    const row: number[] = [];
    for (let u = 1; u <= LOW_FREQUENCIES; u++) {
      const basis = COS[u] as number[];
      let sum = 0;
      for (let x = 0; x < n; x++) sum += (luma[y * n + x] as number) * (basis[x] as number);
      row.push(sum);
    }
    rowDct.push(row);
  }
  // Then columns: coefficient(v, u) = sum_y rowDct[y][u] * COS[v][y]; row-major over v, u in 1..8.
  const coefficients: number[] = [];
  for (let v = 1; v <= LOW_FREQUENCIES; v++) {
    const basis = COS[v] as number[];
    for (let u = 0; u < LOW_FREQUENCIES; u++) {
      let sum = 0;
      for (let y = 0; y < n; y++) sum += ((rowDct[y] as number[])[u] as number) * (basis[y] as number);
      coefficients.push(sum);
    }
  }
  const sorted = [...coefficients].sort((p, q) => p - q);
  const median = ((sorted[31] as number) + (sorted[32] as number)) / 2;
  let hex = "";
  for (let i = 0; i < coefficients.length; i += 4) {
    let nibble = 0;
    for (let bit = 0; bit < 4; bit++) nibble = (nibble << 1) | ((coefficients[i + bit] as number) - median > EPSILON ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}
