import "server-only";
import { CLIENT_ADDRESS_HEADER, normaliseAddress, WEB_SERVER_MARK } from "@/lib/domain/client-address";

type HeaderSource = Headers | Record<string, string | string[] | undefined> | null | undefined;

function headerValue(headers: HeaderSource, name: string): string | null {
  if (!headers) return null;
  if (headers instanceof Headers) return headers.get(name);
  const value = headers[name] ?? headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * The one place the app learns where a request came from (login throttling, the audit log,
 * custody records). Never X-Forwarded-For or X-Real-IP directly: those are whatever the client
 * wrote unless a trusted proxy wrote them, and only the web server can tell.
 */
export function clientAddressOf(source: Request | HeaderSource): string | null {
  // scripts/web-server.ts deletes any client-sent copy of the header and writes its own from the
  // socket and the trusted proxies. Without it (`next dev`, or `next start` run by hand) nothing
  // vouches for the header: no address is known rather than a forged one.
  if ((globalThis as Record<symbol, unknown>)[WEB_SERVER_MARK] !== true) return null;
  const headers = source instanceof Request ? source.headers : source;
  return normaliseAddress(headerValue(headers, CLIENT_ADDRESS_HEADER));
}
