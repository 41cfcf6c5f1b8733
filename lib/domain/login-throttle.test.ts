import { describe, it, expect } from "vitest";
import {
  ACCOUNT_ADDRESS_POLICY,
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  checkAttempt,
  delayAfter,
  describeRefusal,
  recordFailure,
  type ThrottleDecision,
  type ThrottlePolicy,
  type ThrottleState,
} from "./login-throttle";

const SEC = 1_000;
const MIN = 60_000;
const T0 = Date.UTC(2025, 2, 1, 9, 0, 0);
const at = (ms: number) => new Date(T0 + ms);

/** Records `n` failures, all at time `ms`. */
function failuresAt(n: number, ms: number, policy: ThrottlePolicy, start: ThrottleState | null = null): ThrottleState | null {
  let state = start;
  for (let i = 0; i < n; i++) state = recordFailure(state, at(ms), policy);
  return state;
}

describe("the policies (as specified)", () => {
  it("ACCOUNT_ADDRESS_POLICY", () => {
    expect(ACCOUNT_ADDRESS_POLICY).toEqual({
      windowMs: 15 * MIN,
      freeFailures: 3,
      baseDelayMs: 1 * SEC,
      maxDelayMs: 30 * SEC,
      lockAfter: 10,
      lockMs: 15 * MIN,
    });
  });

  it("ACCOUNT_POLICY (any address): slows, never locks", () => {
    expect(ACCOUNT_POLICY).toEqual({
      windowMs: 15 * MIN,
      freeFailures: 10,
      baseDelayMs: 1 * SEC,
      maxDelayMs: 120 * SEC,
      lockAfter: Number.POSITIVE_INFINITY,
      lockMs: 0,
    });
  });

  it("ACCOUNT_POLICY: a thousand failures in a row leave at most a two-minute wait, never a lock", () => {
    const state = failuresAt(1000, 0, ACCOUNT_POLICY);
    expect(state).toMatchObject({ failures: 1000, lockedUntil: null });
    expect(checkAttempt(state, at(0), ACCOUNT_POLICY)).toEqual({ allowed: false, reason: "slow_down", retryAfterMs: 120 * SEC });
    expect(checkAttempt(state, at(120 * SEC), ACCOUNT_POLICY)).toEqual({ allowed: true });
  });

  it("ADDRESS_POLICY", () => {
    expect(ADDRESS_POLICY).toEqual({
      windowMs: 15 * MIN,
      freeFailures: 10,
      baseDelayMs: 1 * SEC,
      maxDelayMs: 30 * SEC,
      lockAfter: 50,
      lockMs: 15 * MIN,
    });
  });

  it("ACCOUNT_ADDRESS_POLICY is stricter than ADDRESS_POLICY on every axis", () => {
    expect(ACCOUNT_ADDRESS_POLICY.freeFailures).toBeLessThan(ADDRESS_POLICY.freeFailures);
    expect(ACCOUNT_ADDRESS_POLICY.lockAfter).toBeLessThan(ADDRESS_POLICY.lockAfter);
    expect(ACCOUNT_ADDRESS_POLICY.baseDelayMs).toBeGreaterThanOrEqual(ADDRESS_POLICY.baseDelayMs);
    expect(ACCOUNT_ADDRESS_POLICY.maxDelayMs).toBeGreaterThanOrEqual(ADDRESS_POLICY.maxDelayMs);
    expect(ACCOUNT_ADDRESS_POLICY.lockMs).toBeGreaterThanOrEqual(ADDRESS_POLICY.lockMs);
    expect(ACCOUNT_ADDRESS_POLICY.windowMs).toBeGreaterThanOrEqual(ADDRESS_POLICY.windowMs);
  });

  it("for every failure count, the account delay is at least the address delay", () => {
    let strictlyGreaterSomewhere = false;
    for (let f = 0; f <= 60; f++) {
      expect(delayAfter(f, ACCOUNT_ADDRESS_POLICY)).toBeGreaterThanOrEqual(delayAfter(f, ADDRESS_POLICY));
      if (delayAfter(f, ACCOUNT_ADDRESS_POLICY) > delayAfter(f, ADDRESS_POLICY)) strictlyGreaterSomewhere = true;
    }
    expect(strictlyGreaterSomewhere).toBe(true);
  });

  it.each([
    ["ACCOUNT_ADDRESS_POLICY", ACCOUNT_ADDRESS_POLICY],
    ["ADDRESS_POLICY", ADDRESS_POLICY],
  ])("%s is internally sane", (_name, p) => {
    expect(p.freeFailures).toBeLessThan(p.lockAfter);
    expect(p.baseDelayMs).toBeLessThanOrEqual(p.maxDelayMs);
    expect(p.baseDelayMs).toBeGreaterThan(0);
  });
});

describe("delayAfter", () => {
  it.each<[number, number]>([
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 1_000],
    [4, 2_000],
    [5, 4_000],
    [6, 8_000],
    [7, 16_000],
    [8, 30_000], // 32 s capped
    [9, 30_000],
    [10, 30_000],
    [100, 30_000],
    [2000, 30_000], // 2 ** 1997 is Infinity; still capped
  ])("ACCOUNT_ADDRESS_POLICY: %i failures -> %i ms", (failures, expected) => {
    expect(delayAfter(failures, ACCOUNT_ADDRESS_POLICY)).toBe(expected);
  });

  it.each<[number, number]>([
    [0, 0],
    [9, 0],
    [10, 1_000],
    [11, 2_000],
    [12, 4_000],
    [13, 8_000],
    [14, 16_000],
    [15, 30_000],
    [49, 30_000],
    [50, 30_000],
  ])("ADDRESS_POLICY: %i failures -> %i ms", (failures, expected) => {
    expect(delayAfter(failures, ADDRESS_POLICY)).toBe(expected);
  });

  const custom: ThrottlePolicy = { windowMs: 60_000, freeFailures: 0, baseDelayMs: 250, maxDelayMs: 5_000, lockAfter: 100, lockMs: 1 };
  it.each<[number, number]>([
    [0, 250],
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [4, 4_000],
    [5, 5_000],
    [6, 5_000],
  ])("custom policy (no free failures, base 250, max 5000): %i -> %i", (failures, expected) => {
    expect(delayAfter(failures, custom)).toBe(expected);
  });
});

describe("recordFailure", () => {
  it("first failure starts a window", () => {
    expect(recordFailure(null, at(0), ACCOUNT_ADDRESS_POLICY)).toEqual({
      failures: 1,
      windowStartAt: at(0),
      lastFailureAt: at(0),
      lockedUntil: null,
    });
  });

  it("later failures in the window keep the window start and move lastFailureAt", () => {
    const s1 = recordFailure(null, at(0), ACCOUNT_ADDRESS_POLICY);
    const s2 = recordFailure(s1, at(5 * SEC), ACCOUNT_ADDRESS_POLICY);
    const s3 = recordFailure(s2, at(14 * MIN), ACCOUNT_ADDRESS_POLICY);
    expect(s3).toEqual({ failures: 3, windowStartAt: at(0), lastFailureAt: at(14 * MIN), lockedUntil: null });
  });

  it("does not mutate the previous state", () => {
    const s1 = recordFailure(null, at(0), ACCOUNT_ADDRESS_POLICY);
    const snapshot = structuredClone(s1);
    recordFailure(s1, at(SEC), ACCOUNT_ADDRESS_POLICY);
    expect(s1).toEqual(snapshot);
  });

  it.each<[string, ThrottlePolicy, number]>([
    ["ACCOUNT_ADDRESS_POLICY", ACCOUNT_ADDRESS_POLICY, 10],
    ["ADDRESS_POLICY", ADDRESS_POLICY, 50],
  ])("%s locks on failure #%i for lockMs", (_name, policy, lockAfter) => {
    const before = failuresAt(lockAfter - 1, 0, policy)!;
    expect(before.failures).toBe(lockAfter - 1);
    expect(before.lockedUntil).toBeNull();
    const locked = recordFailure(before, at(SEC), policy);
    expect(locked).toEqual({ failures: lockAfter, windowStartAt: at(0), lastFailureAt: at(SEC), lockedUntil: at(SEC + 15 * MIN) });
  });

  it("a failure after the window has expired starts a fresh window", () => {
    const old = failuresAt(5, 0, ACCOUNT_ADDRESS_POLICY);
    expect(recordFailure(old, at(15 * MIN + 1), ACCOUNT_ADDRESS_POLICY)).toEqual({
      failures: 1,
      windowStartAt: at(15 * MIN + 1),
      lastFailureAt: at(15 * MIN + 1),
      lockedUntil: null,
    });
  });

  it("a failure exactly windowMs after the window start still counts (window is inclusive)", () => {
    const old = failuresAt(5, 0, ACCOUNT_ADDRESS_POLICY);
    expect(recordFailure(old, at(15 * MIN), ACCOUNT_ADDRESS_POLICY)).toMatchObject({ failures: 6, windowStartAt: at(0) });
  });

  it("the window is fixed from its first failure, not sliding", () => {
    // 1 failure at t=0, 8 more at t=14min: at t=15min+1ms the whole window is forgotten.
    let s = failuresAt(1, 0, ACCOUNT_ADDRESS_POLICY);
    s = failuresAt(8, 14 * MIN, ACCOUNT_ADDRESS_POLICY, s);
    expect(s!.failures).toBe(9);
    expect(recordFailure(s, at(15 * MIN + 1), ACCOUNT_ADDRESS_POLICY).failures).toBe(1);
  });

  it("a failure while locked (window long gone) keeps counting and extends the lock", () => {
    const locked: ThrottleState = {
      failures: 10,
      windowStartAt: at(-20 * MIN),
      lastFailureAt: at(-MIN),
      lockedUntil: at(14 * MIN),
    };
    expect(recordFailure(locked, at(0), ACCOUNT_ADDRESS_POLICY)).toEqual({
      failures: 11,
      windowStartAt: at(-20 * MIN),
      lastFailureAt: at(0),
      lockedUntil: at(15 * MIN),
    });
  });
});

describe("checkAttempt", () => {
  it.each([
    ["ACCOUNT_ADDRESS_POLICY", ACCOUNT_ADDRESS_POLICY],
    ["ADDRESS_POLICY", ADDRESS_POLICY],
  ])("%s: no state -> allowed", (_name, policy) => {
    expect(checkAttempt(null, at(0), policy)).toEqual({ allowed: true });
  });

  // After n failures, all at t=0, an attempt at t=0 is:
  it.each<[number, ThrottleDecision]>([
    [1, { allowed: true }],
    [2, { allowed: true }],
    [3, { allowed: false, reason: "slow_down", retryAfterMs: 1_000 }],
    [4, { allowed: false, reason: "slow_down", retryAfterMs: 2_000 }],
    [5, { allowed: false, reason: "slow_down", retryAfterMs: 4_000 }],
    [6, { allowed: false, reason: "slow_down", retryAfterMs: 8_000 }],
    [7, { allowed: false, reason: "slow_down", retryAfterMs: 16_000 }],
    [8, { allowed: false, reason: "slow_down", retryAfterMs: 30_000 }],
    [9, { allowed: false, reason: "slow_down", retryAfterMs: 30_000 }],
    [10, { allowed: false, reason: "locked", retryAfterMs: 15 * MIN }],
    [11, { allowed: false, reason: "locked", retryAfterMs: 15 * MIN }],
  ])("ACCOUNT_ADDRESS_POLICY: after %i failures -> %j", (n, expected) => {
    expect(checkAttempt(failuresAt(n, 0, ACCOUNT_ADDRESS_POLICY), at(0), ACCOUNT_ADDRESS_POLICY)).toEqual(expected);
  });

  it.each<[number, ThrottleDecision]>([
    [9, { allowed: true }],
    [10, { allowed: false, reason: "slow_down", retryAfterMs: 1_000 }],
    [14, { allowed: false, reason: "slow_down", retryAfterMs: 16_000 }],
    [15, { allowed: false, reason: "slow_down", retryAfterMs: 30_000 }],
    [49, { allowed: false, reason: "slow_down", retryAfterMs: 30_000 }],
    [50, { allowed: false, reason: "locked", retryAfterMs: 15 * MIN }],
  ])("ADDRESS_POLICY: after %i failures -> %j", (n, expected) => {
    expect(checkAttempt(failuresAt(n, 0, ADDRESS_POLICY), at(0), ADDRESS_POLICY)).toEqual(expected);
  });

  // Slow-down: retryAfterMs counts down from the last failure, then the attempt is allowed.
  it.each<[failures: number, elapsedMs: number, expected: ThrottleDecision]>([
    [3, 0, { allowed: false, reason: "slow_down", retryAfterMs: 1_000 }],
    [3, 1, { allowed: false, reason: "slow_down", retryAfterMs: 999 }],
    [3, 999, { allowed: false, reason: "slow_down", retryAfterMs: 1 }],
    [3, 1_000, { allowed: true }],
    [3, 5_000, { allowed: true }],
    [6, 7_500, { allowed: false, reason: "slow_down", retryAfterMs: 500 }],
    [6, 8_000, { allowed: true }],
    [9, 29_999, { allowed: false, reason: "slow_down", retryAfterMs: 1 }],
    [9, 30_000, { allowed: true }],
  ])("ACCOUNT_ADDRESS_POLICY: %i failures, %i ms later -> %j", (failures, elapsed, expected) => {
    expect(checkAttempt(failuresAt(failures, 0, ACCOUNT_ADDRESS_POLICY), at(elapsed), ACCOUNT_ADDRESS_POLICY)).toEqual(expected);
  });

  it("the delay is measured from the last failure, not the first", () => {
    let s = failuresAt(3, 0, ACCOUNT_ADDRESS_POLICY); // delay 1 s
    s = recordFailure(s, at(10 * SEC), ACCOUNT_ADDRESS_POLICY); // 4 failures, delay 2 s from t=10 s
    expect(checkAttempt(s, at(11 * SEC), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: false, reason: "slow_down", retryAfterMs: 1_000 });
    expect(checkAttempt(s, at(12 * SEC), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: true });
  });

  // Lock: counts down to lockedUntil, then expires.
  it.each<[elapsedMs: number, expected: ThrottleDecision]>([
    [0, { allowed: false, reason: "locked", retryAfterMs: 15 * MIN }],
    [MIN, { allowed: false, reason: "locked", retryAfterMs: 14 * MIN }],
    [15 * MIN - 1, { allowed: false, reason: "locked", retryAfterMs: 1 }],
    [15 * MIN, { allowed: true }],
    [15 * MIN + 1, { allowed: true }],
    [60 * MIN, { allowed: true }],
  ])("ACCOUNT_ADDRESS_POLICY: locked at t=0, attempt at +%i ms -> %j", (elapsed, expected) => {
    expect(checkAttempt(failuresAt(10, 0, ACCOUNT_ADDRESS_POLICY), at(elapsed), ACCOUNT_ADDRESS_POLICY)).toEqual(expected);
  });

  it("a lock outlives the window it was earned in", () => {
    // Failures spread across the window; lock set by the 10th at t=14min, lasting until 29min.
    let s = failuresAt(1, 0, ACCOUNT_ADDRESS_POLICY);
    s = failuresAt(9, 14 * MIN, ACCOUNT_ADDRESS_POLICY, s);
    expect(s!.lockedUntil).toEqual(at(29 * MIN));
    expect(checkAttempt(s, at(20 * MIN), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: false, reason: "locked", retryAfterMs: 9 * MIN });
    expect(checkAttempt(s, at(29 * MIN), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: true });
  });

  it("once a lock and its window have expired, the state resets completely", () => {
    let s = failuresAt(1, 0, ACCOUNT_ADDRESS_POLICY);
    s = failuresAt(9, 14 * MIN, ACCOUNT_ADDRESS_POLICY, s);
    const after = at(29 * MIN);
    expect(checkAttempt(s, after, ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: true });
    const next = recordFailure(s, after, ACCOUNT_ADDRESS_POLICY);
    expect(next).toEqual({ failures: 1, windowStartAt: after, lastFailureAt: after, lockedUntil: null });
    expect(checkAttempt(next, after, ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: true });
  });

  it("a lock that ends exactly when its window ends: one more failure in that instant relocks", () => {
    // All 10 failures at t=0: lock and window both end at t=15min (the window boundary is inclusive).
    const s = failuresAt(10, 0, ACCOUNT_ADDRESS_POLICY);
    expect(checkAttempt(s, at(15 * MIN), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: true });
    expect(recordFailure(s, at(15 * MIN), ACCOUNT_ADDRESS_POLICY)).toMatchObject({ failures: 11, lockedUntil: at(30 * MIN) });
    expect(recordFailure(s, at(15 * MIN + 1), ACCOUNT_ADDRESS_POLICY)).toMatchObject({ failures: 1, lockedUntil: null });
  });

  it.each<[string, number, Partial<ThrottleState>]>([
    ["just inside the window: the 10th failure locks", 15 * MIN - 1, { failures: 10, windowStartAt: at(0), lockedUntil: at(30 * MIN - 1) }],
    ["just past the window: counting restarts", 15 * MIN + 1, { failures: 1, windowStartAt: at(15 * MIN + 1), lockedUntil: null }],
  ])("failures outside windowMs stop counting: 9 failures at t=0, one more %s", (_label, elapsed, expected) => {
    const s = failuresAt(9, 0, ACCOUNT_ADDRESS_POLICY);
    expect(checkAttempt(s, at(elapsed), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: true });
    expect(recordFailure(s, at(elapsed), ACCOUNT_ADDRESS_POLICY)).toMatchObject(expected);
  });

  it("an expired window drops a delay that would otherwise still apply", () => {
    const slowPolicy: ThrottlePolicy = { ...ACCOUNT_ADDRESS_POLICY, windowMs: 10 * SEC, maxDelayMs: 60 * SEC };
    const s = failuresAt(9, 0, slowPolicy); // delay 2**6 s = 64 s capped to 60 s
    expect(checkAttempt(s, at(10 * SEC), slowPolicy)).toEqual({ allowed: false, reason: "slow_down", retryAfterMs: 50 * SEC });
    expect(checkAttempt(s, at(10 * SEC + 1), slowPolicy)).toEqual({ allowed: true });
  });

  it("a stale lockedUntil in the past does not block", () => {
    const s: ThrottleState = { failures: 2, windowStartAt: at(-MIN), lastFailureAt: at(-MIN), lockedUntil: at(-1) };
    expect(checkAttempt(s, at(0), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: true });
  });

  it("an attacker retrying as soon as allowed is locked after 10 attempts, at these times", () => {
    const times: number[] = [];
    let state: ThrottleState | null = null;
    let now = 0;
    for (let guard = 0; guard < 100; guard++) {
      const d = checkAttempt(state, at(now), ACCOUNT_ADDRESS_POLICY);
      if (!d.allowed) {
        if (d.reason === "locked") break;
        now += d.retryAfterMs;
        continue;
      }
      times.push(now);
      state = recordFailure(state, at(now), ACCOUNT_ADDRESS_POLICY);
    }
    expect(times).toEqual([0, 0, 0, 1_000, 3_000, 7_000, 15_000, 31_000, 61_000, 91_000]);
    expect(checkAttempt(state, at(91_000), ACCOUNT_ADDRESS_POLICY)).toEqual({ allowed: false, reason: "locked", retryAfterMs: 15 * MIN });
  });
});

describe("describeRefusal", () => {
  type Refusal = Extract<ThrottleDecision, { allowed: false }>;
  const slow = (ms: number): Refusal => ({ allowed: false, reason: "slow_down", retryAfterMs: ms });
  const locked = (ms: number): Refusal => ({ allowed: false, reason: "locked", retryAfterMs: ms });

  it.each<[Refusal, string]>([
    [slow(1), "Too many failed sign-in attempts. Wait 1 second before trying again."],
    [slow(999), "Too many failed sign-in attempts. Wait 1 second before trying again."],
    [slow(1_000), "Too many failed sign-in attempts. Wait 1 second before trying again."],
    [slow(1_001), "Too many failed sign-in attempts. Wait 2 seconds before trying again."],
    [slow(2_000), "Too many failed sign-in attempts. Wait 2 seconds before trying again."],
    [slow(30_000), "Too many failed sign-in attempts. Wait 30 seconds before trying again."],
    [slow(60_000), "Too many failed sign-in attempts. Wait 60 seconds before trying again."],
    [slow(119_000), "Too many failed sign-in attempts. Wait 119 seconds before trying again."],
    [slow(119_001), "Too many failed sign-in attempts. Wait 2 minutes before trying again."],
    [slow(120_000), "Too many failed sign-in attempts. Wait 2 minutes before trying again."],
    [slow(121_000), "Too many failed sign-in attempts. Wait 3 minutes before trying again."],
    [locked(5_000), "Too many failed sign-in attempts. Sign-in is locked for 5 seconds."],
    [locked(1_000), "Too many failed sign-in attempts. Sign-in is locked for 1 second."],
    [locked(14 * MIN + 1), "Too many failed sign-in attempts. Sign-in is locked for 15 minutes."],
    [locked(15 * MIN), "Too many failed sign-in attempts. Sign-in is locked for 15 minutes."],
    [locked(15 * MIN + 1), "Too many failed sign-in attempts. Sign-in is locked for 16 minutes."],
    [locked(60 * MIN), "Too many failed sign-in attempts. Sign-in is locked for 60 minutes."],
  ])("%j -> %s", (decision, expected) => {
    expect(describeRefusal(decision)).toBe(expected);
  });

  it("never says '1 minutes' or '0 seconds' for any positive wait up to an hour", () => {
    for (let ms = 1; ms <= 60 * MIN; ms += 997) {
      for (const d of [slow(ms), locked(ms)]) {
        const text = describeRefusal(d);
        expect(text).not.toMatch(/\b1 minutes\b|\b0 seconds?\b|\b1 seconds\b/);
        expect(text).toMatch(/\d+ (seconds?|minutes)/);
      }
    }
  });

  it("describes real decisions from checkAttempt", () => {
    const lockedDecision = checkAttempt(failuresAt(10, 0, ACCOUNT_ADDRESS_POLICY), at(0), ACCOUNT_ADDRESS_POLICY);
    const slowDecision = checkAttempt(failuresAt(5, 0, ACCOUNT_ADDRESS_POLICY), at(0), ACCOUNT_ADDRESS_POLICY);
    if (lockedDecision.allowed || slowDecision.allowed) throw new Error("expected refusals");
    expect(describeRefusal(lockedDecision)).toBe("Too many failed sign-in attempts. Sign-in is locked for 15 minutes.");
    expect(describeRefusal(slowDecision)).toBe("Too many failed sign-in attempts. Wait 4 seconds before trying again.");
  });
});
