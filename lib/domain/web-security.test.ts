import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { API_CONTENT_SECURITY_POLICY, BASE_SECURITY_HEADERS, isSameOriginRequest, pageContentSecurityPolicy, sessionCookieSettings, tileSourceOf, type OriginFacts } from "./web-security";

function directives(policy: string): Map<string, string> {
  return new Map(policy.split(";").map((part) => part.trim()).filter(Boolean).map((part) => {
    const [name, ...values] = part.split(/\s+/);
    return [name!, values.join(" ")];
  }));
}

describe("tileSourceOf", () => {
  it.each([
    ["https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"],
    ["https://tiles.example.org:8443/{z}/{x}/{y}.png", "https://tiles.example.org:8443"],
    ["HTTP://Tiles.Example.org/{z}/{x}/{y}", "http://tiles.example.org"],
    ["/tiles/{z}/{x}/{y}.png", null],
    ["", null],
    [undefined, null],
    ["javascript:alert(1)", null],
    ["https://{z}.example.org/{x}", null],
    ["https://evil.org' 'unsafe-inline/{z}", null],
    ["https://user:pw@example.org/{z}", null],
  ])("%s -> %s", (template, expected) => {
    expect(tileSourceOf(template)).toBe(expected);
  });
});

describe("pageContentSecurityPolicy", () => {
  it("allows only nonce'd scripts and the documented minimum otherwise", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "abc123" }));
    expect(policy.get("script-src")).toBe("'self' 'nonce-abc123' 'strict-dynamic'");
    expect(policy.get("style-src")).toBe("'self' 'unsafe-inline'");
    expect(policy.get("img-src")).toBe("'self' data: blob:");
    expect(policy.get("media-src")).toBe("'self' blob:");
    expect(policy.get("connect-src")).toBe("'self'");
    expect(policy.get("object-src")).toBe("'none'");
    expect(policy.get("base-uri")).toBe("'self'");
    expect(policy.get("form-action")).toBe("'self'");
    expect(policy.get("frame-ancestors")).toBe("'none'");
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
  });

  it("adds the tile host, dev eval and the https upgrade only when asked", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "n", tileUrl: "https://{s}.tiles.test/{z}/{x}/{y}.png", development: true, https: true }));
    expect(policy.get("img-src")).toBe("'self' data: blob: https://*.tiles.test");
    expect(policy.get("script-src")).toContain("'unsafe-eval'");
    expect(policy.has("upgrade-insecure-requests")).toBe(true);
  });
});

describe("sessionCookieSettings", () => {
  it.each([
    ["https://groundtruth.example.org", true, "__Secure-next-auth.session-token"],
    ["http://localhost:3000", false, "next-auth.session-token"],
    [undefined, false, "next-auth.session-token"],
  ])("%s", (url, secure, name) => {
    const settings = sessionCookieSettings(url);
    expect(settings).toEqual({ useSecureCookies: secure, name, options: { httpOnly: true, sameSite: "lax", path: "/", secure } });
  });
});

describe("isSameOriginRequest", () => {
  const base: OriginFacts = { method: "POST", origin: null, secFetchSite: null, referer: null, allowedHosts: ["app.test", "app.test:443"] };
  it.each<[string, Partial<OriginFacts>, boolean]>([
    ["GET never needs it", { method: "GET" }, true],
    ["HEAD never needs it", { method: "HEAD" }, true],
    ["same Origin", { origin: "https://app.test" }, true],
    ["same Origin, upper-case host", { origin: "https://APP.test" }, true],
    ["foreign Origin", { origin: "https://evil.test" }, false],
    ["foreign Origin wins over a same-origin Referer", { origin: "https://evil.test", referer: "https://app.test/x" }, false],
    ["Origin null", { origin: "null" }, false],
    ["Origin with another port", { origin: "https://app.test:8443" }, false],
    ["look-alike suffix", { origin: "https://app.test.evil.test" }, false],
    ["no Origin, Fetch Metadata same-origin", { secFetchSite: "same-origin" }, true],
    ["no Origin, Fetch Metadata same-site", { secFetchSite: "same-site" }, false],
    ["no Origin, Fetch Metadata cross-site", { secFetchSite: "cross-site", referer: "https://app.test/" }, false],
    ["no Origin, same-origin Referer", { referer: "https://app.test/projects/x" }, true],
    ["no Origin, foreign Referer", { referer: "https://evil.test/app.test" }, false],
    ["no Origin, garbage Referer", { referer: "not a url" }, false],
    ["nothing at all", {}, false],
    ["PATCH with foreign Origin", { method: "PATCH", origin: "http://evil.test" }, false],
    ["DELETE with same Origin", { method: "delete", origin: "http://app.test" }, true],
  ])("%s", (_name, facts, expected) => {
    expect(isSameOriginRequest({ ...base, ...facts })).toBe(expected);
  });
});

type HeaderRule = { source: string; headers: { key: string; value: string }[] };
const nextConfig = createRequire(import.meta.url)("../../next.config.js") as { headers(): Promise<HeaderRule[]> };

describe("next.config.js headers", () => {
  // next.config.js cannot import this module, so it repeats the values; this keeps them equal.
  it("sends the base headers everywhere and the API policy on /api", async () => {
    const rules = await nextConfig.headers();
    const everywhere = rules.find((rule) => rule.source === "/:path*");
    expect(Object.fromEntries(everywhere!.headers.map((h) => [h.key, h.value]))).toEqual(BASE_SECURITY_HEADERS);
    const api = rules.find((rule) => rule.source === "/api/:path*");
    expect(api!.headers.find((h) => h.key === "Content-Security-Policy")?.value).toBe(API_CONTENT_SECURITY_POLICY);
  });
});
