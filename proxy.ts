import { NextResponse, type NextRequest } from "next/server";
import { isHttpsUrl, pageContentSecurityPolicy, STRICT_TRANSPORT_SECURITY } from "@/lib/domain/web-security";

// A per-request CSP nonce for pages (Next 16 "Content Security Policy" guide: the proxy sets the
// policy on the request, Next reads the nonce from it and stamps its own inline scripts). That
// needs dynamic rendering, which every page here already is: the root layout reads the session.
// Headers that do not vary per request (nosniff, frame and referrer policies...) come from
// next.config.js for every path; /api/** gets its fixed policy there.
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const https = isHttpsUrl(process.env.NEXTAUTH_URL);
  const policy = pageContentSecurityPolicy({
    nonce,
    tileUrl: process.env.NEXT_PUBLIC_GROUNDTRUTH_TILE_URL,
    development: process.env.NODE_ENV === "development",
    https,
  });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  // Read at run time (NEXTAUTH_URL is set by the start command, not at build time).
  if (https) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  matcher: [
    {
      // Not /api (own policy; a proxy would also buffer every request body, and tus PATCHes are
      // large), not Next's static files, not prefetches or server-action calls (no document
      // is rendered for them; actions can carry a 21 MiB import).
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
        { type: "header", key: "next-action" },
      ],
    },
  ],
};
