// Text taken from an uploaded file or a captured page (EXIF, XMP, ffprobe tags, filenames,
// page titles) is attacker-controlled. PostgreSQL refuses some of it outright: NUL in a text
// column ("invalid byte sequence for encoding UTF8: 0x00"), and "\u0000" or a lone surrogate
// escape inside jsonb ("unsupported Unicode escape sequence"). One crafted tag must not cost an
// upload its thumbnail and hash, so every such string passes through here before it is stored.
//
// Pure and total: never throws, whatever it is given.

/** Longest string kept (in code points); longer ones are cut and marked with "…". */
export const DEFAULT_MAX_TEXT_LENGTH = 2_000;

export interface StorableJsonLimits {
  /** Longest string value or key, in code points. */
  maxStringLength?: number;
  /** Most entries kept per array or object. */
  maxEntries?: number;
  /** Deepest nesting kept; deeper values become null. */
  maxDepth?: number;
}

const DEFAULT_JSON_LIMITS: Required<StorableJsonLimits> = { maxStringLength: DEFAULT_MAX_TEXT_LENGTH, maxEntries: 256, maxDepth: 8 };

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The string as it can be stored: NUL characters removed, lone UTF-16 surrogates (invalid
 * Unicode, which UTF-8 cannot carry) replaced by U+FFFD, and cut to `maxLength` code points
 * (never inside a surrogate pair) with a trailing "…" when cut.
 */
export function storableText(value: string, maxLength = DEFAULT_MAX_TEXT_LENGTH): string {
  let text = value.replace(/\u0000/g, "").replace(LONE_SURROGATE, "\uFFFD");
  const limit = Math.max(1, Math.floor(maxLength));
  if (text.length > limit) {
    // Cheap pre-cut in UTF-16 units (a code point is one or two of them), then count exactly.
    const points = Array.from(text.slice(0, limit * 2));
    if (points.length > limit || text.length > limit * 2) text = `${points.slice(0, limit - 1).join("")}…`;
  }
  return text;
}

/** storableText for optional values: non-strings and empty results become undefined. */
export function storableOptionalText(value: unknown, maxLength = DEFAULT_MAX_TEXT_LENGTH): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = storableText(value, maxLength);
  return text === "" ? undefined : text;
}

/** A JSON value that PostgreSQL's jsonb accepts. */
export type StorableJson = string | number | boolean | null | StorableJson[] | { [key: string]: StorableJson };

/**
 * A copy of `value` that survives JSON.stringify and a jsonb column: every string and every key
 * made storable (storableText), non-finite numbers, functions, symbols and undefined dropped (null
 * inside arrays), byte arrays as short number lists, dates as ISO strings, long arrays and objects
 * and deep nesting cut. Cycles cannot hang it (the depth limit ends them).
 */
export function storableJson(value: unknown, limits: StorableJsonLimits = {}): StorableJson {
  const options = { ...DEFAULT_JSON_LIMITS, ...limits };
  return convert(value, options, 0) ?? null;
}

function convert(value: unknown, limits: Required<StorableJsonLimits>, depth: number): StorableJson | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
      return storableText(value, limits.maxStringLength);
    case "number":
      return Number.isFinite(value) ? value : undefined;
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      return undefined;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (depth >= limits.maxDepth) return null;
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, Math.min(value.byteLength, limits.maxEntries));
    return Array.from(bytes);
  }
  if (Array.isArray(value)) {
    return value.slice(0, limits.maxEntries).map((item) => convert(item, limits, depth + 1) ?? null);
  }
  const out: { [key: string]: StorableJson } = {};
  let kept = 0;
  for (const [rawKey, item] of Object.entries(value as Record<string, unknown>)) {
    if (kept >= limits.maxEntries) break;
    const converted = convert(item, limits, depth + 1);
    if (converted === undefined) continue;
    const key = storableText(rawKey, Math.min(limits.maxStringLength, 200));
    out[key] = converted;
    kept += 1;
  }
  return out;
}
