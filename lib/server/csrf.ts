import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { isSameOriginRequest } from "@/lib/domain/web-security";

// CSRF for route handlers that act on the session cookie. Coverage elsewhere:
// - Server actions: Next.js compares Origin with Host (or X-Forwarded-Host) and aborts a
//   mismatch before the action runs ("Allowed origins", docs/app/guides/data-security, Next 16);
//   e2e/hardening.spec.ts shows a forged cross-origin action POST is refused.
// - next-auth's own POST endpoints check its double-submit CSRF token.
// - Bearer-token requests (app/api/v1/**, tus with Authorization) carry no ambient cookie, so
//   a foreign page cannot make them on a user's behalf: they are exempt.
// - GET handlers change nothing.

function allowedHosts(request: Request): string[] {
  const hosts = [request.headers.get("x-forwarded-host")?.split(",")[0]?.trim(), request.headers.get("host")?.trim()];
  try {
    hosts.push(new URL(request.url).host);
  } catch {
    // Next always gives an absolute URL; a test Request might not.
  }
  if (process.env.NEXTAUTH_URL) {
    try {
      hosts.push(new URL(process.env.NEXTAUTH_URL).host);
    } catch {
      // a malformed NEXTAUTH_URL adds nothing
    }
  }
  return hosts.filter((host): host is string => !!host);
}

export function isSameOrigin(request: Request): boolean {
  return isSameOriginRequest({
    method: request.method,
    origin: request.headers.get("origin"),
    secFetchSite: request.headers.get("sec-fetch-site"),
    referer: request.headers.get("referer"),
    allowedHosts: allowedHosts(request),
  });
}

/** Whether the request authenticates with a token rather than the ambient session cookie. */
export function carriesBearerToken(request: Request): boolean {
  return request.headers.has("authorization");
}

/** Throws FORBIDDEN for a cookie-authenticated state change that did not come from our own pages. */
export function assertSameOrigin(request: Request): void {
  if (carriesBearerToken(request) || isSameOrigin(request)) return;
  throw new DomainError("FORBIDDEN", "This request did not come from a Groundtruth page, so it was refused.");
}

/** The same check for handlers that answer in their own protocol (tus): a 403 response, or null to go on. */
export function crossSiteRefusal(request: Request): Response | null {
  if (carriesBearerToken(request) || isSameOrigin(request)) return null;
  return new Response("This request did not come from a Groundtruth page, so it was refused.\n", {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
