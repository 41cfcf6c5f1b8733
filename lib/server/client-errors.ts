import "server-only";
import {
  bucketIsFull,
  CLIENT_ERROR_MAX_BYTES,
  CLIENT_ERROR_PER_CLIENT,
  CLIENT_ERROR_PER_INSTANCE,
  parseClientErrorReport,
  takeToken,
  type Bucket,
} from "@/lib/domain/client-errors";
import { isSameOrigin } from "./csrf";
import { clientAddressOf } from "./client-address";
import { logger } from "./logger";

// POST /api/client-errors: a browser-side failure (the map not drawing, say) written to the
// server log with the request id. No login (public pages report too), same-origin only,
// rate-limited per address and per instance, bodies capped; the answer never has a body.

/** Addresses remembered at most (full buckets are dropped first): bounds the memory an attacker can use. */
const MAX_TRACKED_CLIENTS = 10_000;
const buckets = new Map<string, Bucket>();
let instanceBucket: Bucket | undefined;

function allow(address: string, now: number): boolean {
  const global = takeToken(instanceBucket, now, CLIENT_ERROR_PER_INSTANCE);
  instanceBucket = global.bucket;
  if (!global.allowed) return false;
  if (buckets.size >= MAX_TRACKED_CLIENTS && !buckets.has(address)) {
    for (const [key, bucket] of buckets) if (bucketIsFull(bucket, now, CLIENT_ERROR_PER_CLIENT)) buckets.delete(key);
    // Still full: forget the oldest (Map keeps insertion order).
    while (buckets.size >= MAX_TRACKED_CLIENTS) buckets.delete(buckets.keys().next().value!);
  }
  const own = takeToken(buckets.get(address), now, CLIENT_ERROR_PER_CLIENT);
  buckets.delete(address);
  buckets.set(address, own.bucket);
  return own.allowed;
}

/** For tests: forget every bucket. */
export function resetClientErrorLimits(): void {
  buckets.clear();
  instanceBucket = undefined;
}

const empty = (status: number) => new Response(null, { status, headers: { "Cache-Control": "no-store" } });

/** Reads at most `max` bytes of the body; null when it is longer. */
async function boundedText(request: Request, max: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Logs the report and answers 204; 400/403/413/429 without a body otherwise. */
export async function receiveClientError(request: Request, now = Date.now()): Promise<Response> {
  if (!isSameOrigin(request)) return empty(403);
  const address = clientAddressOf(request) ?? "unknown";
  if (!allow(address, now)) return empty(429);
  const text = await boundedText(request, CLIENT_ERROR_MAX_BYTES).catch(() => null);
  if (text === null) return empty(413);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return empty(400);
  }
  const report = parseClientErrorReport(body);
  if (!report) return empty(400);
  logger.error("client error", {
    source: report.source,
    errorName: report.name,
    errorMessage: report.message,
    stack: report.stack,
    page: report.page,
    userAgent: request.headers.get("user-agent")?.slice(0, 200) ?? null,
  });
  return empty(204);
}
