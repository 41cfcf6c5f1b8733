// Which address a request came from. Pure: the web server (scripts/web-server.ts) gives it the
// socket's address, the X-Forwarded-For header and the configured trusted proxies.
//
// X-Forwarded-For is written by whoever sent the request, so it is believed only as far as it
// was appended by proxies we trust: walking it from the right, each hop added by a trusted proxy
// is skipped, and the first address a trusted proxy received a connection from is the client.
// With no trusted proxies (the default) the header is ignored and the socket address is used.

/**
 * The request header the web server sets to the address it decided on, after deleting any copy a
 * client sent. Route handlers and server actions read only this (lib/server/client-address.ts).
 */
export const CLIENT_ADDRESS_HEADER = "x-groundtruth-client-address";

/**
 * Set to true on globalThis by the web server (not in the environment, which an operator could
 * copy into a plain `next start`): only then has the client-address header been written by it.
 */
export const WEB_SERVER_MARK = Symbol.for("groundtruth.client-address-from-web-server");

type Bytes = number[];

export interface AddressRange {
  /** 4 bytes for IPv4, 16 for IPv6 (IPv4-mapped IPv6 addresses are turned into IPv4 first). */
  bytes: Bytes;
  prefix: number;
  /** As configured, for messages. */
  text: string;
}

function parseIPv4(text: string): Bytes | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes: Bytes = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith("0"))) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

function parseIPv6(text: string): Bytes | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return null;
  let head = text;
  let tailV4: Bytes = [];
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tailV4 = v4;
    head = text.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "a::1.2.3.4" leaves "a::", "a:b:...:f:1.2.3.4" leaves "...f:".
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const groupsWanted = 8 - tailV4.length / 2;
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const left = parseGroups(halves[0]!);
  const right = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!left || !right) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = groupsWanted - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== groupsWanted) return null;
    groups = left;
  }
  return [...groups.flatMap((g) => [g >> 8, g & 0xff]), ...tailV4];
}

const isV4Mapped = (bytes: Bytes) => bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;

/**
 * The bytes of an IP address, or null when the text is not one. Accepts what sockets and proxies
 * write: plain IPv4/IPv6, IPv6 in brackets, either with a port, and an IPv6 zone suffix (dropped).
 * IPv4-mapped IPv6 (::ffff:1.2.3.4, as Node reports IPv4 clients of a dual-stack socket) is IPv4.
 */
export function parseAddress(raw: string): Bytes | null {
  let text = raw.trim();
  if (text.length === 0 || text.length > 64) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  text = text.replace(/%[0-9A-Za-z._-]+$/, "");
  const bytes = text.includes(":") ? parseIPv6(text) : parseIPv4(text);
  if (!bytes) return null;
  return isV4Mapped(bytes) ? bytes.slice(12) : bytes;
}

/** The canonical text of an address: dotted IPv4, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatAddress(bytes: Bytes): string {
  if (bytes.length === 4) return bytes.join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** One address in canonical form, or null when it is not an IP address. */
export function normaliseAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const bytes = parseAddress(raw);
  return bytes ? formatAddress(bytes) : null;
}

/**
 * GROUNDTRUTH_TRUSTED_PROXIES: a comma-separated list of addresses and CIDR ranges
 * (`10.0.0.5, 10.1.0.0/16, fd00::/8`). Unset or empty: no proxy is trusted. Every entry that is
 * not an address or range is reported, so a typo cannot silently trust nothing (or everything).
 */
export function parseTrustedProxies(raw: string | undefined): { ranges: AddressRange[]; problems: string[] } {
  const ranges: AddressRange[] = [];
  const problems: string[] = [];
  for (const entry of (raw ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const [addressText, prefixText, ...rest] = entry.split("/");
    const bytes = rest.length === 0 && addressText ? parseAddress(addressText) : null;
    const bits = bytes ? bytes.length * 8 : 0;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!bytes || !(prefix >= 0 && prefix <= bits)) {
      problems.push(`GROUNDTRUTH_TRUSTED_PROXIES: "${entry.slice(0, 60)}" is not an IP address or CIDR range.`);
      continue;
    }
    ranges.push({ bytes, prefix, text: entry });
  }
  return { ranges, problems };
}

function inRange(bytes: Bytes, range: AddressRange): boolean {
  if (bytes.length !== range.bytes.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

export function isTrustedAddress(bytes: Bytes, trusted: readonly AddressRange[]): boolean {
  return trusted.some((range) => inRange(bytes, range));
}

/**
 * The client's address: the socket's peer unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is walked from the right past every trusted hop. The first untrusted hop is the
 * client. If the header runs out (or holds something that is not an address) first, the last
 * trusted hop is the best we know. Null only when the socket address itself is unknown.
 */
export function resolveClientAddress(input: {
  socketAddress: string | null | undefined;
  /** Every X-Forwarded-For header value, in the order received. */
  forwardedFor: string | readonly string[] | null | undefined;
  trusted: readonly AddressRange[];
}): string | null {
  const socket = input.socketAddress ? parseAddress(input.socketAddress) : null;
  if (!socket) return null;
  let current = socket;
  if (!isTrustedAddress(current, input.trusted)) return formatAddress(current);
  const values = typeof input.forwardedFor === "string" ? [input.forwardedFor] : (input.forwardedFor ?? []);
  const hops = values.join(",").split(",").map((hop) => hop.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]!);
    if (!hop) break;
    current = hop;
    if (!isTrustedAddress(current, input.trusted)) break;
  }
  return formatAddress(current);
}
