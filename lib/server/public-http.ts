import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { DomainError } from "@/lib/domain/errors";
import { logger } from "./logger";
import { withIncomingRequestId, withRequestIdHeader } from "./request-id";

// The HTTP side of the public API: cache headers, strong ETags with 304 answers, and errors
// that never carry internals. No session is read here; nothing public depends on who asks.

/** Everyone may cache for a minute, then must ask again (cheaply, with If-None-Match). */
export const PUBLIC_CACHE_CONTROL = "public, max-age=60, must-revalidate";
/** Content-addressed bytes never change under their name. */
export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";

export function strongEtag(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return `"${hash.digest("base64url").slice(0, 32)}"`;
}

/** If-None-Match matching (weak comparison, as RFC 9110 prescribes for this header). */
export function etagMatches(request: Request, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === opaque);
}

export function notModified(etag: string, cacheControl = PUBLIC_CACHE_CONTROL): Response {
  return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": cacheControl, Vary: "Accept-Encoding" } });
}

/** A JSON body with its own ETag; 304 when the client already has it. */
export function publicJson(request: Request, value: unknown): Response {
  const body = JSON.stringify(value);
  const etag = strongEtag(body);
  if (etagMatches(request, etag)) return notModified(etag);
  return new Response(body, { status: 200, headers: { "Content-Type": "application/json; charset=utf-8", ETag: etag, "Cache-Control": PUBLIC_CACHE_CONTROL, Vary: "Accept-Encoding" } });
}

export function publicError(status: 400 | 404 | 500, message: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error: message, ...extra }, { status, headers: { "Cache-Control": "no-store" } });
}

/** The one 404 body: unknown, unpublished and private look exactly the same. */
export const publicNotFound = () => publicError(404, "Not found.");

/** Runs a public handler; domain errors become 400/404 without internal wording, anything else a bare 500. */
export async function handlePublicRoute(body: () => Promise<Response>): Promise<Response> {
  return withIncomingRequestId(async (requestId) => withRequestIdHeader(await answerPublicRoute(body), requestId));
}

async function answerPublicRoute(body: () => Promise<Response>): Promise<Response> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof DomainError) {
      if (error.code === "VALIDATION") return publicError(400, "Some query parameters are not valid.", { invalidParams: error.fieldErrors ?? {} });
      return publicNotFound();
    }
    const reference = randomUUID().slice(0, 8);
    logger.error("unexpected error in public route", { reference, error });
    return publicError(500, `Something went wrong (reference ${reference}).`);
  }
}

// --- Large bodies -------------------------------------------------------------------------
// Datasets and the map's points are megabytes for big projects. Each body is kept in memory
// under its ETag, so a repeat download costs one tiny etag query and no rebuilding. A new
// publication changes the ETag, so a stale entry can never be served. Compression is left to
// Next's response compression (or the reverse proxy): compressing here as well made Next gzip
// the body a second time, which browsers cannot read.

interface CachedBody {
  raw: Uint8Array<ArrayBuffer>;
}

const MAX_CACHED_BYTES = 96 * 1024 * 1024;
const bodies = new Map<string, CachedBody>();
let cachedBytes = 0;

export async function cachedBody(key: string, build: () => Promise<string | null>): Promise<CachedBody | null> {
  const hit = bodies.get(key);
  if (hit) {
    bodies.delete(key);
    bodies.set(key, hit);
    return hit;
  }
  const text = await build();
  if (text === null) return null;
  const raw = new TextEncoder().encode(text);
  // Copied once into plain ArrayBuffers, which a Response body accepts as is.
  const entry: CachedBody = { raw };
  const size = entry.raw.length;
  if (size > MAX_CACHED_BYTES) return entry;
  bodies.set(key, entry);
  cachedBytes += size;
  for (const [oldKey, old] of bodies) {
    if (cachedBytes <= MAX_CACHED_BYTES) break;
    bodies.delete(oldKey);
    cachedBytes -= old.raw.length;
  }
  return entry;
}

export function sendCachedBody(request: Request, entry: CachedBody, headers: Record<string, string>): Response {
  return new Response(entry.raw, {
    status: 200,
    headers: {
      ...headers,
      "Cache-Control": PUBLIC_CACHE_CONTROL,
      Vary: "Accept-Encoding",
    },
  });
}
