import { describe, expect, it } from "vitest";
import { normaliseAddress, parseTrustedProxies, resolveClientAddress } from "./client-address";

describe("normaliseAddress", () => {
  it.each<[string, string | null]>([
    ["203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::FFFF:7f00:1", "127.0.0.1"],
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"],
    ["2001:db8::", "2001:db8::"],
    ["::", "::"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["fe80::1%eth0", "fe80::1"],
    ["", null],
    ["unknown", null],
    ["1.2.3", null],
    ["1.2.3.4.5", null],
    ["256.1.1.1", null],
    ["01.2.3.4", null],
    ["1:2:3:4:5:6:7:8:9", null],
    ["1::2::3", null],
    ["12345::1", null],
    ["<script>", null],
    ["1.2.3.4, 5.6.7.8", null],
  ])("%j -> %j", (raw, expected) => {
    expect(normaliseAddress(raw)).toBe(expected);
  });
});

describe("parseTrustedProxies", () => {
  it("unset or empty trusts nothing", () => {
    expect(parseTrustedProxies(undefined)).toEqual({ ranges: [], problems: [] });
    expect(parseTrustedProxies(" , ")).toEqual({ ranges: [], problems: [] });
  });

  it("reads addresses and CIDR ranges of both families", () => {
    const { ranges, problems } = parseTrustedProxies("10.0.0.5, 10.1.0.0/16,fd00::/8, ::1");
    expect(problems).toEqual([]);
    expect(ranges.map((r) => [r.text, r.prefix, r.bytes.length])).toEqual([
      ["10.0.0.5", 32, 4],
      ["10.1.0.0/16", 16, 4],
      ["fd00::/8", 8, 16],
      ["::1", 128, 16],
    ]);
  });

  it.each(["10.0.0.0/33", "::/129", "nginx", "10.0.0.1/", "10.0.0.1/8/9", "10.0.0.0/-1", "*"])("reports %j", (entry) => {
    const { ranges, problems } = parseTrustedProxies(`127.0.0.1, ${entry}`);
    expect(ranges).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("GROUNDTRUTH_TRUSTED_PROXIES");
  });
});

describe("resolveClientAddress", () => {
  const trusted = parseTrustedProxies("10.0.0.0/8, 192.0.2.10, fd00::/8").ranges;

  it.each<[string, string | null, string | string[] | null, readonly unknown[] | null, string | null]>([
    // No trusted proxies: the header is never believed.
    ["no proxies: socket, header ignored", "203.0.113.9", "198.51.100.1", [], "203.0.113.9"],
    ["no proxies: loopback socket with a forged header", "::ffff:127.0.0.1", "198.51.100.1", [], "127.0.0.1"],
    // A client that is not a trusted proxy cannot speak for anyone else.
    ["untrusted socket, forged header", "203.0.113.9", "10.0.0.1, 198.51.100.1", null, "203.0.113.9"],
    // Through one trusted proxy: the address it appended.
    ["one trusted hop", "10.0.0.2", "198.51.100.7", null, "198.51.100.7"],
    ["one trusted hop, client-supplied prefix ignored", "10.0.0.2", "1.1.1.1, 2.2.2.2, 198.51.100.7", null, "198.51.100.7"],
    ["two trusted hops", "10.0.0.2", "198.51.100.7, 192.0.2.10", null, "198.51.100.7"],
    ["several header lines", "10.0.0.2", ["6.6.6.6, 198.51.100.7", "10.9.9.9"], null, "198.51.100.7"],
    ["ipv6 client through an ipv6 proxy", "fd00::1", "2001:DB8::7", null, "2001:db8::7"],
    ["port in the header", "10.0.0.2", "198.51.100.7:4444", null, "198.51.100.7"],
    // Trusted proxy but nothing usable in the header: the proxy itself is the best we know.
    ["trusted hop, no header", "10.0.0.2", null, null, "10.0.0.2"],
    ["trusted hop, garbage appended", "10.0.0.2", "198.51.100.7, not-an-ip", null, "10.0.0.2"],
    ["everything trusted", "10.0.0.2", "10.0.0.3, 10.0.0.4", null, "10.0.0.3"],
    ["unknown socket", null, "198.51.100.7", null, null],
  ])("%s", (_label, socketAddress, forwardedFor, override, expected) => {
    expect(resolveClientAddress({ socketAddress, forwardedFor, trusted: (override as never) ?? trusted })).toBe(expected);
  });
});
