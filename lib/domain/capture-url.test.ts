import { describe, expect, it } from "vitest";
import {
  type CaptureUrlRejection,
  MAX_CAPTURE_URL_LENGTH,
  describeCaptureUrlRejection,
  formatSeconds,
  isPrivateAddress,
  parseCaptureUrl,
  parseIPv4,
  parseIPv6,
} from "./capture-url";

describe("parseCaptureUrl accepts http(s) and normalizes", () => {
  const cases: Array<[input: string, url: string, hostname: string]> = [
    ["https://example.com", "https://example.com/", "example.com"],
    ["http://example.com/", "http://example.com/", "example.com"],
    ["  https://example.com/post/1  ", "https://example.com/post/1", "example.com"],
    ["HTTPS://EXAMPLE.COM/Path", "https://example.com/Path", "example.com"],
    ["https://example.com:443/a", "https://example.com/a", "example.com"],
    ["http://example.com:80/a", "http://example.com/a", "example.com"],
    ["https://example.com:8443/a", "https://example.com:8443/a", "example.com"],
    ["https://example.com/a?b=1&c=2#frag", "https://example.com/a?b=1&c=2#frag", "example.com"],
    ["https://example.com/a b", "https://example.com/a%20b", "example.com"],
    ["https://bücher.example/", "https://xn--bcher-kva.example/", "xn--bcher-kva.example"],
    ["https://x.com/user/status/1234567890", "https://x.com/user/status/1234567890", "x.com"],
    ["http://127.0.0.1:3000/page", "http://127.0.0.1:3000/page", "127.0.0.1"],
    ["http://[::1]:8080/", "http://[::1]:8080/", "::1"],
    ["http://localhost/", "http://localhost/", "localhost"],
    // WHATWG canonicalizes odd IPv4 spellings, so the address checks see the real address.
    ["http://0x7f.1/", "http://127.0.0.1/", "127.0.0.1"],
    ["http://2130706433/", "http://127.0.0.1/", "127.0.0.1"],
    ["http://@example.com/", "http://example.com/", "example.com"],
    ["https://example.com/" + "a".repeat(MAX_CAPTURE_URL_LENGTH - 21), "https://example.com/" + "a".repeat(MAX_CAPTURE_URL_LENGTH - 21), "example.com"],
  ];
  it.each(cases)("%s", (input, url, hostname) => {
    expect(parseCaptureUrl(input)).toEqual({ ok: true, url, hostname });
  });
});

describe("parseCaptureUrl rejects", () => {
  const cases: Array<[input: string, reason: CaptureUrlRejection]> = [
    ["", "empty"],
    ["   ", "empty"],
    ["https://example.com/" + "a".repeat(MAX_CAPTURE_URL_LENGTH), "too_long"],
    // 720 characters typed, but the percent-encoded form (%C3%A9 per "é") is over the limit.
    ["https://example.com/" + "é".repeat(700), "too_long"],
    ["example.com", "missing_scheme"],
    ["example.com/post/1", "missing_scheme"],
    ["www.example.com:8080/x", "missing_scheme"],
    ["localhost:3000", "missing_scheme"],
    ["//example.com/a", "missing_scheme"],
    ["javascript:alert(1)", "unsupported_scheme"],
    ["JavaScript:alert(1)", "unsupported_scheme"],
    ["java\tscript:alert(1)", "unsupported_scheme"],
    [" javascript:alert(1)", "unsupported_scheme"],
    ["file:///etc/passwd", "unsupported_scheme"],
    ["file://host/share", "unsupported_scheme"],
    ["data:text/html,<script>alert(1)</script>", "unsupported_scheme"],
    ["data:image/png;base64,iVBORw0KGgo=", "unsupported_scheme"],
    ["ftp://example.com/file", "unsupported_scheme"],
    ["mailto:someone@example.com", "unsupported_scheme"],
    ["blob:https://example.com/uuid", "unsupported_scheme"],
    ["about:blank", "unsupported_scheme"],
    ["chrome://settings", "unsupported_scheme"],
    ["view-source:https://example.com", "unsupported_scheme"],
    ["ws://example.com/socket", "unsupported_scheme"],
    ["gopher://example.com", "unsupported_scheme"],
    ["https://user:pass@example.com/", "credentials"],
    ["https://user@example.com/", "credentials"],
    ["https://:pass@example.com/", "credentials"],
    ["http://user:pass@127.0.0.1/", "credentials"],
    ["http://", "malformed"],
    ["https://", "malformed"],
    ["http://:80/", "malformed"],
    ["http://exa mple.com/", "malformed"],
    ["http://[::1/", "malformed"],
    ["http://999.1.1.1/", "malformed"],
    ["https://example.com:99999/", "malformed"],
    ["http://[fe80::1%25eth0]/", "malformed"],
  ];
  it.each(cases)("%j -> %s", (input, reason) => {
    const result = parseCaptureUrl(input);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok && reason !== "unsupported_scheme") expect(result.message).toBe(describeCaptureUrlRejection(reason));
  });

  it("names the refused scheme in the message", () => {
    expect(parseCaptureUrl("javascript:alert(1)")).toEqual({
      ok: false,
      reason: "unsupported_scheme",
      message: "Only http:// and https:// addresses can be captured (not javascript:).",
    });
  });

  it("has a human message for every reason", () => {
    const reasons: CaptureUrlRejection[] = ["empty", "too_long", "missing_scheme", "unsupported_scheme", "malformed", "credentials", "missing_host"];
    for (const reason of reasons) expect(describeCaptureUrlRejection(reason)).toMatch(/^[A-Z].+\.$/);
  });
});

describe("isPrivateAddress", () => {
  const privateAddresses: string[] = [
    // IPv4 loopback, private, link-local, unspecified and other non-public ranges
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "192.168.255.255",
    "169.254.169.254",
    "169.254.0.1",
    "0.0.0.0",
    "0.1.2.3",
    "100.64.0.1",
    "100.127.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    // IPv6
    "::",
    "::1",
    "0:0:0:0:0:0:0:1",
    "[::1]",
    "fe80::1",
    "fe80::1%eth0",
    "FE80::ABCD",
    "febf:ffff::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:192.168.1.1",
    "::ffff:169.254.169.254",
    "0:0:0:0:0:ffff:a00:1",
    "::ffff:0:10.0.0.1",
    "::127.0.0.1",
    "::8.8.8.8", // deprecated IPv4-compatible form: refused outright
    "64:ff9b::127.0.0.1",
    "64:ff9b::a00:1",
    "64:ff9b:1::1",
    "2002:7f00:1::1", // 6to4 wrapping 127.0.0.1
    "2002:c0a8:101::1", // 6to4 wrapping 192.168.1.1
    "2001:db8::1",
    "2001:0:4136:e378::1", // Teredo
    "100::1",
    "3fff::1",
    // Not an IP address at all: fail closed
    "",
    "localhost",
    "example.com",
    "127.1",
    "0x7f.0.0.1",
    "010.0.0.1",
    "256.0.0.1",
    "1.2.3",
    "1.2.3.4.5",
    "1::2::3",
    "12345::1",
    "1:2:3:4:5:6:7:8:9",
    "::ffff:1.2.3",
    "gggg::1",
  ];
  it.each(privateAddresses)("%j is private", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  const publicAddresses: string[] = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.15.255.255",
    "172.32.0.1",
    "192.167.255.255",
    "192.169.0.1",
    "169.253.255.255",
    "100.63.255.255",
    "100.128.0.1",
    "11.0.0.1",
    "126.255.255.255",
    "128.0.0.1",
    "223.255.255.255",
    " 8.8.4.4 ",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001:80b::200e",
    "[2606:4700:4700::1111]",
    "::ffff:8.8.8.8",
    "::ffff:808:808",
    "64:ff9b::8.8.8.8",
    "2002:808:808::1", // 6to4 wrapping 8.8.8.8
    "fbff::1",
    "fe7f::1",
    "2001:1::1",
    "3fff:1000::1",
  ];
  it.each(publicAddresses)("%j is public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe("address parsing", () => {
  it.each([
    ["0.0.0.0", 0],
    ["127.0.0.1", 0x7f000001],
    ["255.255.255.255", 0xffffffff],
    ["192.168.1.2", 0xc0a80102],
  ] as const)("parseIPv4(%s)", (text, value) => {
    expect(parseIPv4(text)).toBe(value);
  });

  it.each(["", "1.2.3", "1.2.3.4.", "01.2.3.4", "1.2.3.256", "a.b.c.d", "1.2.3.-4", "1.2.3.4 "])("parseIPv4(%j) is null", (text) => {
    expect(parseIPv4(text)).toBeNull();
  });

  it.each([
    ["::", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["::1", [0, 0, 0, 0, 0, 0, 0, 1]],
    ["1::", [1, 0, 0, 0, 0, 0, 0, 0]],
    ["1:2:3:4:5:6:7::", [1, 2, 3, 4, 5, 6, 7, 0]],
    ["2001:db8::8a2e:370:7334", [0x2001, 0xdb8, 0, 0, 0, 0x8a2e, 0x370, 0x7334]],
    ["::ffff:192.168.1.2", [0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x102]],
    ["1:2:3:4:5:6:1.2.3.4", [1, 2, 3, 4, 5, 6, 0x102, 0x304]],
    ["[fe80::1%25eth0]", [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
  ] as const)("parseIPv6(%s)", (text, groups) => {
    expect(parseIPv6(text)).toEqual(groups);
  });

  it.each(["", "1.2.3.4", ":", ":::", "1:2", "1::2::3", ":1::", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7:8:9", "12345::", "::1.2.3.4.5", "::1.2.3.4:5"])(
    "parseIPv6(%j) is null",
    (text) => {
      expect(parseIPv6(text)).toBeNull();
    },
  );
});

describe("formatSeconds", () => {
  it.each([
    [30_000, "30 s"],
    [3_000, "3 s"],
    [1_500, "1.5 s"],
    [12_400, "12 s"],
    [250, "0.3 s"],
  ] as const)("%d ms -> %s", (ms, text) => {
    expect(formatSeconds(ms)).toBe(text);
  });
});
