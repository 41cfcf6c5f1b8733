// Browser-facing hardening rules: the Content-Security-Policy, the other security headers, the
// session cookie's flags and the same-origin test that stands in for a CSRF token. Pure, so the
// proxy, next-auth's options and the route handlers all apply exactly the same rules.

export interface PagePolicyOptions {
  /** Fresh per request; Next.js reads it back from the request's CSP header and stamps its own inline scripts. */
  nonce: string;
  /** NEXT_PUBLIC_GROUNDTRUTH_TILE_URL: the map's raster tile template, if any. */
  tileUrl?: string | null;
  /** `next dev` only: React rebuilds server error stacks with eval. Never needed in production. */
  development?: boolean;
  /** Served over https: ask browsers to upgrade any stray http sub-request. */
  https?: boolean;
}

/**
 * The img-src source for a tile template such as `https://{s}.tile.example.org/{z}/{x}/{y}.png`:
 * scheme and host only, a `{s}` subdomain becoming `*`. Null when the template is relative
 * (already covered by 'self') or not a usable http(s) URL (then no tiles may load at all).
 */
export function tileSourceOf(tileUrl: string | null | undefined): string | null {
  const match = /^(https?):\/\/([^/?#]+)/i.exec(tileUrl?.trim() ?? "");
  if (!match) return null;
  const host = match[2]!.replace(/^\{s\}\./, "*.");
  // Anything left that is not a plain host[:port] (another placeholder, credentials, quotes)
  // must not leak into the policy.
  if (!/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(host)) return null;
  return `${match[1]!.toLowerCase()}://${host.toLowerCase()}`;
}

/**
 * The policy for HTML pages. Scripts: only Next's own, carrying this request's nonce;
 * 'strict-dynamic' lets those load the page's chunks (Leaflet is such a chunk).
 * Styles: 'unsafe-inline' because Leaflet positions every tile and marker with style
 * attributes and React renders `style={...}` props as attributes, which nonces cannot cover
 * (a nonce in style-src would also switch 'unsafe-inline' off). Injected CSS cannot run code.
 */
export function pageContentSecurityPolicy({ nonce, tileUrl, development = false, https = false }: PagePolicyOptions): string {
  const tiles = tileSourceOf(tileUrl);
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles ? ` ${tiles}` : ""}`,
    "media-src 'self' blob:",
    "font-src 'self'",
    // tus uploads and the client's fetches go to this origin only.
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** JSON, media bytes and downloads never need to run or embed anything. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

/** Two years, the preload-list minimum; only ever sent when the site is https. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/** The headers every response carries besides its CSP (next.config.js repeats these for static files). */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

export function isHttpsUrl(url: string | null | undefined): boolean {
  return /^https:\/\//i.test(url?.trim() ?? "");
}

export interface SessionCookieSettings {
  useSecureCookies: boolean;
  name: string;
  options: { httpOnly: true; sameSite: "lax"; path: "/"; secure: boolean };
}

/**
 * next-auth's session cookie. HttpOnly: scripts never see it. SameSite=Lax: cross-site POSTs
 * arrive without it. On https it is Secure and carries the __Secure- prefix, which browsers
 * only accept from a secure origin with the Secure flag set.
 */
export function sessionCookieSettings(siteUrl: string | null | undefined): SessionCookieSettings {
  const secure = isHttpsUrl(siteUrl);
  return {
    useSecureCookies: secure,
    name: `${secure ? "__Secure-" : ""}next-auth.session-token`,
    options: { httpOnly: true, sameSite: "lax", path: "/", secure },
  };
}

/** The request facts the same-origin decision needs; header names lower-case. */
export interface OriginFacts {
  method: string;
  origin: string | null;
  secFetchSite: string | null;
  referer: string | null;
  /** The hosts this request may legitimately come from: its Host (or X-Forwarded-Host) and the configured site URL's. */
  allowedHosts: readonly string[];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * Whether a cookie-carrying request may change state. Browsers send Origin on every non-GET
 * request, so it decides; a cross-site page cannot forge it. Without Origin (older clients),
 * the Fetch Metadata header or a same-origin Referer must vouch instead; with neither, refuse.
 * `Origin: null` (sandboxed frames, file: pages) is never same-origin.
 */
export function isSameOriginRequest(facts: OriginFacts): boolean {
  if (SAFE_METHODS.has(facts.method.toUpperCase())) return true;
  const allowed = new Set(facts.allowedHosts.map((host) => host.toLowerCase()).filter(Boolean));
  if (facts.origin !== null) {
    const host = hostOf(facts.origin);
    return host !== null && allowed.has(host);
  }
  if (facts.secFetchSite !== null) return facts.secFetchSite.toLowerCase() === "same-origin";
  if (facts.referer !== null) {
    const host = hostOf(facts.referer);
    return host !== null && allowed.has(host);
  }
  return false;
}
