import { describe, expect, it } from "vitest";
import {
  DEFAULT_SESSION_IDLE_MINUTES,
  DEFAULT_SESSION_MAX_AGE_MINUTES,
  describeUserAgent,
  lastSeenResolutionMs,
  sessionPolicyFromEnv,
  sessionVerdict,
  shouldTouch,
} from "./sessions";

const MIN = 60_000;
const policy = { maxAgeMs: 720 * MIN, idleMs: 60 * MIN };
const t0 = new Date("2026-12-01T08:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("sessionPolicyFromEnv", () => {
  it.each([
    [{}, DEFAULT_SESSION_MAX_AGE_MINUTES * MIN, DEFAULT_SESSION_IDLE_MINUTES * MIN],
    [{ GROUNDTRUTH_SESSION_MAX_AGE_MINUTES: "", GROUNDTRUTH_SESSION_IDLE_MINUTES: " " }, 720 * MIN, 60 * MIN],
    [{ GROUNDTRUTH_SESSION_MAX_AGE_MINUTES: "480", GROUNDTRUTH_SESSION_IDLE_MINUTES: "15" }, 480 * MIN, 15 * MIN],
    [{ GROUNDTRUTH_SESSION_MAX_AGE_MINUTES: "0.5" }, 30_000, 60 * MIN],
  ])("%j", (env, maxAgeMs, idleMs) => {
    expect(sessionPolicyFromEnv(env)).toEqual({ maxAgeMs, idleMs });
  });

  it.each(["0", "-5", "twelve", "Infinity"])("refuses %s", (value) => {
    expect(() => sessionPolicyFromEnv({ GROUNDTRUTH_SESSION_IDLE_MINUTES: value })).toThrow(/GROUNDTRUTH_SESSION_IDLE_MINUTES/);
  });
});

describe("sessionVerdict", () => {
  const live = { lastSeenAt: t0, expiresAt: at(720 * MIN), revokedAt: null };
  it.each([
    ["just started", live, at(0), "active"],
    ["seen 59 minutes ago", live, at(59 * MIN), "active"],
    ["idle for the whole idle time", live, at(60 * MIN), "idle"],
    ["active but past the absolute end", { ...live, lastSeenAt: at(719 * MIN) }, at(720 * MIN), "expired"],
    ["revoked, even if fresh", { ...live, revokedAt: t0 }, at(1), "revoked"],
  ] as const)("%s", (_label, session, now, verdict) => {
    expect(sessionVerdict(session, now, policy)).toBe(verdict);
  });
});

describe("lastSeenAt writes", () => {
  it("are throttled to once a minute, or a quarter of a short idle time", () => {
    expect(lastSeenResolutionMs(policy)).toBe(MIN);
    expect(lastSeenResolutionMs({ maxAgeMs: MIN, idleMs: 20_000 })).toBe(5_000);
    expect(shouldTouch(t0, at(59_999), policy)).toBe(false);
    expect(shouldTouch(t0, at(60_000), policy)).toBe(true);
  });
});

describe("describeUserAgent", () => {
  it.each([
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"],
    ["Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"],
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["curl/8.5.0", "curl"],
    ["", "Unknown browser"],
    [null, "Unknown browser"],
    ["SomethingElse/1.0", "Unknown browser"],
  ])("%s", (ua, expected) => {
    expect(describeUserAgent(ua)).toBe(expected);
  });
});
