// Rules for the addresses Groundtruth is willing to capture (preserve a page or media file from).
// Pure: the server-side capture (lib/server/capture/capture-url.ts) applies these rules to what
// users type, to every redirect, and to every address a host name resolves to.

/** Longest URL accepted, in characters (before and after normalization). */
export const MAX_CAPTURE_URL_LENGTH = 2048;

export type CaptureUrlRejection =
  | "empty"
  | "too_long"
  | "missing_scheme"
  | "unsupported_scheme"
  | "malformed"
  | "credentials"
  | "missing_host";

export type ParsedCaptureUrl =
  | { ok: true; /** Normalized (WHATWG) form, e.g. `https://example.com/a?b#c`. */ url: string; hostname: string }
  | { ok: false; reason: CaptureUrlRejection; message: string };

/** Why a capture failed; shared by the server (CaptureError) and the UI. */
export type CaptureFailureReason =
  | "invalid_url"
  | "blocked"
  | "unreachable"
  | "timeout"
  | "http_error"
  | "too_large"
  | "browser_failed";

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// "example.com:8080/x" or "localhost:3000" look like a scheme to a URL parser but are a host and port.
const HOST_AND_PORT = /^[a-z0-9.-]+:\d+(?:[/?#]|$)/i;

function reject(reason: CaptureUrlRejection, detail?: string): ParsedCaptureUrl {
  return { ok: false, reason, message: describeCaptureUrlRejection(reason, detail) };
}

export function describeCaptureUrlRejection(reason: CaptureUrlRejection, detail?: string): string {
  switch (reason) {
    case "empty":
      return "Enter the address (URL) to capture.";
    case "too_long":
      return `That address is longer than ${MAX_CAPTURE_URL_LENGTH} characters.`;
    case "missing_scheme":
      return "Include the scheme, for example https://example.com/post/123.";
    case "unsupported_scheme":
      return `Only http:// and https:// addresses can be captured${detail ? ` (not ${detail})` : ""}.`;
    case "malformed":
      return "That is not a valid web address.";
    case "credentials":
      return "Addresses containing a user name or password (user:pass@…) are not accepted.";
    case "missing_host":
      return "The address has no host name.";
  }
}

/**
 * Checks and normalizes an address to capture. Only absolute http(s) URLs with a host name and
 * no embedded credentials pass; the result is the WHATWG serialization (lower-case scheme and
 * host, punycode host, default port dropped, "/" path when empty). The fragment is kept.
 */
export function parseCaptureUrl(input: string): ParsedCaptureUrl {
  const text = input.trim();
  if (text === "") return reject("empty");
  if (text.length > MAX_CAPTURE_URL_LENGTH) return reject("too_long");

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const scheme = SCHEME.exec(text);
    if (!scheme || HOST_AND_PORT.test(text)) return reject("missing_scheme");
    const name = scheme[1]!.toLowerCase();
    if (name !== "http" && name !== "https") return reject("unsupported_scheme", `${name}:`);
    return reject("malformed");
  }

  if (url.protocol !== "http:" && url.protocol !== "https:") {
    if (HOST_AND_PORT.test(text)) return reject("missing_scheme");
    return reject("unsupported_scheme", url.protocol);
  }
  if (url.username !== "" || url.password !== "") return reject("credentials");
  const hostname = stripBrackets(url.hostname);
  if (hostname === "" || hostname === ".") return reject("missing_host");
  if (url.href.length > MAX_CAPTURE_URL_LENGTH) return reject("too_long");
  return { ok: true, url: url.href, hostname };
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** Strict dotted-decimal IPv4 ("127.0.0.1"), as a 32-bit unsigned number; null otherwise. */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    // No leading zeros: "010" means 8 to some parsers and 10 to others.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

/** IPv6 (optionally in brackets, with a zone "%eth0" or an IPv4 tail) as eight 16-bit groups. */
export function parseIPv6(text: string): number[] | null {
  let s = stripBrackets(text);
  const zone = s.indexOf("%");
  if (zone !== -1) s = s.slice(0, zone);
  if (!s.includes(":")) return null;

  // An IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [Math.floor(v4 / 0x10000), v4 % 0x10000];
    s = s.slice(0, lastColon + 1) + "0:0"; // placeholder groups, replaced below
  }

  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === null || rest === null) return null;

  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  if (tail.length === 2) groups.splice(6, 2, tail[0]!, tail[1]!);
  return groups;
}

const v4 = (a: number, b: number, c: number, d: number) => ((a * 256 + b) * 256 + c) * 256 + d;

/** IPv4 ranges that must never be fetched on a user's behalf: [network, prefix length]. */
const NON_PUBLIC_V4: ReadonlyArray<readonly [number, number]> = [
  [v4(0, 0, 0, 0), 8], // "this network", including 0.0.0.0
  [v4(10, 0, 0, 0), 8], // private
  [v4(100, 64, 0, 0), 10], // carrier-grade NAT
  [v4(127, 0, 0, 0), 8], // loopback
  [v4(169, 254, 0, 0), 16], // link-local (cloud metadata lives at 169.254.169.254)
  [v4(172, 16, 0, 0), 12], // private
  [v4(192, 0, 0, 0), 24], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24], // documentation
  [v4(192, 168, 0, 0), 16], // private
  [v4(198, 18, 0, 0), 15], // benchmarking
  [v4(198, 51, 100, 0), 24], // documentation
  [v4(203, 0, 113, 0), 24], // documentation
  [v4(224, 0, 0, 0), 4], // multicast
  [v4(240, 0, 0, 0), 4], // reserved, including 255.255.255.255
];

function inV4Range(address: number, [network, bits]: readonly [number, number]): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}

function isNonPublicV4(address: number): boolean {
  return NON_PUBLIC_V4.some((range) => inV4Range(address, range));
}

function isNonPublicV6(g: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const embeddedV4 = (hi: number, lo: number) => hi * 0x10000 + lo;
  // ::/96 — unspecified (::), loopback (::1) and deprecated IPv4-compatible addresses.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return true;
  // ::ffff:0:0/96 — IPv4-mapped: judge the IPv4 address inside.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return isNonPublicV4(embeddedV4(g6, g7));
  // ::ffff:0:0:0/96 — IPv4-translated (SIIT).
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return isNonPublicV4(embeddedV4(g6, g7));
  // 64:ff9b::/96 — NAT64 well-known prefix: judge the IPv4 address inside.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isNonPublicV4(embeddedV4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return true; // 64:ff9b:1::/48 local-use NAT64
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // 100::/64 discard-only
  if (g0 === 0x2001 && g1 === 0) return true; // 2001::/32 Teredo (tunnels to anywhere)
  if (g0 === 0x2001 && g1 === 0xdb8) return true; // 2001:db8::/32 documentation
  if (g0 === 0x2002) return isNonPublicV4(embeddedV4(g1, g2)); // 2002::/16 6to4
  if (g0 === 0x3fff && g1 < 0x1000) return true; // 3fff::/20 documentation
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique-local
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  return false;
}

/**
 * True when `ip` is not a public unicast address: loopback, private, link-local, unique-local,
 * unspecified (0.0.0.0, ::), multicast, reserved/documentation ranges, carrier-grade NAT, and
 * IPv4-mapped / NAT64 / 6to4 forms of any of those. Fails closed: a string that is not a
 * strictly formatted IP address also counts as private.
 */
export function isPrivateAddress(ip: string): boolean {
  const text = ip.trim();
  const address4 = parseIPv4(text);
  if (address4 !== null) return isNonPublicV4(address4);
  const address6 = parseIPv6(text);
  if (address6 !== null) return isNonPublicV6(address6);
  return true;
}

/** "The site did not answer within 30 s": a duration for messages. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds >= 10 || Number.isInteger(seconds) ? Math.round(seconds) : seconds.toFixed(1)} s`;
}
