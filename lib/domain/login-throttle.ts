// Failed-login throttling policy. Pure: the server stores the state, this decides.
// After a few free failures each further attempt must wait an exponentially growing delay
// ("slow down"); past a limit the key is locked for a fixed time. Successful login clears it.
//
// Three keys count each failure (lib/server/login-throttle-store.ts):
// - the account AND the address it was tried from (ACCOUNT_ADDRESS_POLICY): slows, then locks.
//   A stranger guessing locks out only their own address, never the owner at theirs;
// - the address alone, across accounts (ADDRESS_POLICY): one address spraying many accounts;
// - the account alone (ACCOUNT_POLICY): guesses spread over many addresses. It only slows down,
//   never locks, and is not applied to addresses the account has signed in from before, so
//   nobody can keep the owner out by guessing wrong.

export interface ThrottlePolicy {
  /** Failures older than this no longer count. */
  windowMs: number;
  /** Failures allowed before any delay applies. */
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures within the window that lock the key. */
  lockAfter: number;
  lockMs: number;
}

/** Per account and address: a person mistyping a few times is fine; guessing is not. */
export const ACCOUNT_ADDRESS_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
};

/**
 * Per account, whatever the address, except addresses it has signed in from before: guesses
 * spread over many addresses are slowed to one every two minutes (fewer a day than the old
 * lock-after-ten allowed), but never locked. The owner at a new address waits at most that.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  freeFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 120_000,
  lockAfter: Number.POSITIVE_INFINITY,
  lockMs: 0,
};

/** Per address: looser, because an office or a VPN can put many people behind one address. */
export const ADDRESS_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  freeFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  lockAfter: 50,
  lockMs: 15 * 60_000,
};

export interface ThrottleState {
  failures: number;
  windowStartAt: Date;
  lastFailureAt: Date;
  lockedUntil: Date | null;
}

export type ThrottleDecision =
  | { allowed: true }
  | { allowed: false; reason: "locked" | "slow_down"; retryAfterMs: number };

function activeState(state: ThrottleState | null, now: Date, policy: ThrottlePolicy): ThrottleState | null {
  if (!state) return null;
  const locked = state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
  if (!locked && now.getTime() - state.windowStartAt.getTime() > policy.windowMs) return null;
  return state;
}

export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  const exponent = failures - policy.freeFailures;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

export function checkAttempt(state: ThrottleState | null, now: Date, policy: ThrottlePolicy): ThrottleDecision {
  const current = activeState(state, now, policy);
  if (!current) return { allowed: true };
  if (current.lockedUntil && current.lockedUntil.getTime() > now.getTime()) {
    return { allowed: false, reason: "locked", retryAfterMs: current.lockedUntil.getTime() - now.getTime() };
  }
  const readyAt = current.lastFailureAt.getTime() + delayAfter(current.failures, policy);
  if (readyAt > now.getTime()) return { allowed: false, reason: "slow_down", retryAfterMs: readyAt - now.getTime() };
  return { allowed: true };
}

export function recordFailure(state: ThrottleState | null, now: Date, policy: ThrottlePolicy): ThrottleState {
  const current = activeState(state, now, policy);
  const failures = (current?.failures ?? 0) + 1;
  return {
    failures,
    windowStartAt: current?.windowStartAt ?? now,
    lastFailureAt: now,
    lockedUntil: failures >= policy.lockAfter ? new Date(now.getTime() + policy.lockMs) : null,
  };
}

export function describeRefusal(decision: Extract<ThrottleDecision, { allowed: false }>): string {
  const seconds = Math.ceil(decision.retryAfterMs / 1000);
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} second${seconds === 1 ? "" : "s"}`;
  return decision.reason === "locked"
    ? `Too many failed sign-in attempts. Sign-in is locked for ${wait}.`
    : `Too many failed sign-in attempts. Wait ${wait} before trying again.`;
}
