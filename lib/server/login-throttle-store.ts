import "server-only";
import {
  ACCOUNT_ADDRESS_POLICY,
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  checkAttempt,
  describeRefusal,
  recordFailure,
  type ThrottlePolicy,
  type ThrottleState,
} from "@/lib/domain/login-throttle";
import type { Tx } from "./db";

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
  /** The account-wide key: left out for an address the account has signed in from before. */
  unlessKnownAddress?: { email: string; ip: string | null };
}

/** Addresses a successful sign-in (audit event auth.login) came from within this long are "known". */
const KNOWN_ADDRESS_MS = 90 * 86_400_000;

function accountAddressKey(email: string, ip: string | null): string {
  return `account-address:${email}|${ip ?? "unknown"}`;
}

/**
 * The keys a sign-in attempt (password or second factor) counts against, in lock order: the
 * account from this address (locks), the address (locks, much later), and the account from
 * anywhere (slows only; skipped for the account's known addresses). See lib/domain/login-throttle.ts.
 */
export function throttleKeysFor(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [
    { key: `account:${email}`, policy: ACCOUNT_POLICY, unlessKnownAddress: { email, ip } },
    { key: accountAddressKey(email, ip), policy: ACCOUNT_ADDRESS_POLICY },
  ];
  if (ip) keys.push({ key: `ip:${ip}`, policy: ADDRESS_POLICY });
  return keys.sort((a, b) => a.key.localeCompare(b.key)); // fixed lock order: no deadlocks
}

/** After both factors passed: this account's failures from this address no longer count. */
export async function clearThrottleAfterSuccess(tx: Tx, email: string, ip: string | null): Promise<void> {
  await tx.loginThrottle.deleteMany({ where: { key: accountAddressKey(email, ip) } });
}

/** Whether the account signed in successfully from this address recently (its owner's usual places). */
async function isKnownAddress(tx: Tx, email: string, ip: string | null): Promise<boolean> {
  if (!ip) return false;
  const since = new Date(Date.now() - KNOWN_ADDRESS_MS);
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "AuditEvent" a
    WHERE a."entityType" = 'User' AND a."entityId" = (SELECT u."id" FROM "User" u WHERE u."email" = ${email})
      AND a."action" = 'auth.login' AND a."ip" = ${ip} AND a."createdAt" > ${since}
    LIMIT 1`;
  return rows.length > 0;
}

export interface LockedThrottle {
  keys: ThrottleKey[];
  states: Map<string, ThrottleState | null>;
  now: Date;
}

/**
 * Locks the throttle rows of `keys` for the rest of the transaction, so attempts for the same
 * account or address are serialised and a burst of parallel guesses counts like a sequence.
 * Returns the refusal message when any key is still slowed down or locked.
 */
export async function lockThrottle(tx: Tx, allKeys: ThrottleKey[], now = new Date()): Promise<{ locked: LockedThrottle; refusal: string | null }> {
  const keys: ThrottleKey[] = [];
  for (const key of allKeys) {
    if (key.unlessKnownAddress && (await isKnownAddress(tx, key.unlessKnownAddress.email, key.unlessKnownAddress.ip))) continue;
    keys.push(key);
  }
  const states = new Map<string, ThrottleState | null>();
  for (const { key } of keys) states.set(key, await lockThrottleRow(tx, key));
  for (const { key, policy } of keys) {
    const decision = checkAttempt(states.get(key) ?? null, now, policy);
    if (!decision.allowed) return { locked: { keys, states, now }, refusal: describeRefusal(decision) };
  }
  return { locked: { keys, states, now }, refusal: null };
}

/** Counts one failure against every locked key; true when this failure locked one of them. */
export async function recordThrottleFailure(tx: Tx, { keys, states, now }: LockedThrottle): Promise<boolean> {
  let lockedNow = false;
  for (const { key, policy } of keys) {
    const next = recordFailure(states.get(key) ?? null, now, policy);
    lockedNow ||= next.lockedUntil !== null && !states.get(key)?.lockedUntil;
    await tx.loginThrottle.update({ where: { key }, data: next });
  }
  return lockedNow;
}

async function lockThrottleRow(tx: Tx, key: string): Promise<ThrottleState | null> {
  const epoch = new Date(0);
  await tx.$executeRaw`INSERT INTO "LoginThrottle" ("key", "failures", "windowStartAt", "lastFailureAt")
    VALUES (${key}, 0, ${epoch}, ${epoch}) ON CONFLICT ("key") DO NOTHING`;
  const rows = await tx.$queryRaw<ThrottleState[]>`SELECT "failures", "windowStartAt", "lastFailureAt", "lockedUntil"
    FROM "LoginThrottle" WHERE "key" = ${key} FOR UPDATE`;
  const row = rows[0];
  return row && row.failures > 0 ? row : null;
}
