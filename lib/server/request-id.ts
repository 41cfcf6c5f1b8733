import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { withRequestId } from "./logger";

export const REQUEST_ID_HEADER = "x-request-id";

// A proxy's id is kept so its access log and ours can be joined; anything odd is replaced
// rather than written into our logs and headers verbatim.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(incoming: string | null | undefined): string {
  const candidate = incoming?.trim();
  return candidate && SANE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/** The current request's id (from the proxy or new); outside a request, a new one. */
export async function incomingRequestId(): Promise<string> {
  try {
    return requestIdFrom((await headers()).get(REQUEST_ID_HEADER));
  } catch {
    // Called outside a request scope (scripts, tests).
    return randomUUID();
  }
}

/** Runs a request's work with its id on every log line. */
export async function withIncomingRequestId<T>(work: (requestId: string) => Promise<T>): Promise<T> {
  const requestId = await incomingRequestId();
  return withRequestId(requestId, () => work(requestId));
}

/** The response with the request id header added (copied first if its headers are immutable). */
export function withRequestIdHeader(response: Response, requestId: string): Response {
  try {
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(REQUEST_ID_HEADER, requestId);
    return copy;
  }
}
