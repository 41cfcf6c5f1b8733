// Errors that happen in a visitor's browser (e.g. the map failing to draw) are sent to the server
// log instead of being swallowed. Pure rules: what a report may contain, and how many a client
// may send. Anyone can post one (public pages have no login), so everything is bounded and the
// report is only ever written to the log as JSON, never sent back.

/** Largest request body accepted, in bytes. */
export const CLIENT_ERROR_MAX_BYTES = 8 * 1024;

const LIMITS = { source: 40, name: 100, message: 500, stack: 4000, page: 300 } as const;

/** Which part of the site reported; only these names are logged. */
export const CLIENT_ERROR_SOURCES = ["public-map", "location-map"] as const;
export type ClientErrorSource = (typeof CLIENT_ERROR_SOURCES)[number];

export interface ClientErrorReport {
  source: ClientErrorSource;
  name: string | null;
  message: string;
  stack: string | null;
  /** The page's path (no query string: filters can hold anything). */
  page: string | null;
}

// C0 controls other than tab and newline, DEL, C1 controls, bidi overrides.
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function clean(value: unknown, max: number): string | null {
  if (typeof value !== "string") return null;
  const text = value.replace(UNSAFE_CHARACTERS, "").trim();
  if (!text) return null;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The report to log, or null when the body is not one. Over-long fields are cut, not refused. */
export function parseClientErrorReport(body: unknown): ClientErrorReport | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  const source = CLIENT_ERROR_SOURCES.find((s) => s === record.source);
  const message = clean(record.message, LIMITS.message);
  if (!source || !message) return null;
  const rawPage = clean(record.page, LIMITS.page);
  const page = rawPage && rawPage.startsWith("/") && !rawPage.startsWith("//") ? rawPage.split(/[?#]/)[0]! : null;
  return { source, name: clean(record.name, LIMITS.name), message, stack: clean(record.stack, LIMITS.stack), page };
}

/** A token bucket: `burst` reports at once, then one per `refillMs`. */
export interface ClientErrorRatePolicy {
  burst: number;
  refillMs: number;
}

/** Per client address: a broken page reports a handful of errors, not a stream. */
export const CLIENT_ERROR_PER_CLIENT: ClientErrorRatePolicy = { burst: 10, refillMs: 6_000 };
/** For the whole instance: bounds the log volume whatever the addresses claim to be. */
export const CLIENT_ERROR_PER_INSTANCE: ClientErrorRatePolicy = { burst: 120, refillMs: 500 };

export interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Takes one token if there is one: the bucket after the attempt and whether it was allowed. */
export function takeToken(bucket: Bucket | undefined, now: number, policy: ClientErrorRatePolicy): { bucket: Bucket; allowed: boolean } {
  const elapsed = bucket ? Math.max(0, now - bucket.updatedAt) : 0;
  const tokens = bucket ? Math.min(policy.burst, bucket.tokens + elapsed / policy.refillMs) : policy.burst;
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, updatedAt: now }, allowed: true };
  return { bucket: { tokens, updatedAt: now }, allowed: false };
}

/** Whether a bucket is back to full by `now`, so it can be forgotten. */
export function bucketIsFull(bucket: Bucket, now: number, policy: ClientErrorRatePolicy): boolean {
  return bucket.tokens + (now - bucket.updatedAt) / policy.refillMs >= policy.burst;
}
