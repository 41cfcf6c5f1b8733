// Rules for signed-in sessions: how long they live, when they count as idle, how often the
// last-seen time is written, and how a browser is described in the session list. Pure: the
// records themselves live in lib/server/sessions.ts.

export interface SessionPolicy {
  /** Absolute lifetime from sign-in; nothing extends it. */
  maxAgeMs: number;
  /** A session with no request for this long has ended. */
  idleMs: number;
}

export const DEFAULT_SESSION_MAX_AGE_MINUTES = 12 * 60;
export const DEFAULT_SESSION_IDLE_MINUTES = 60;
/** lastSeenAt is written at most this often (or every quarter of the idle time, if shorter). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

const MINUTE_MS = 60_000;

/** Minutes from an env value: a positive number (decimals allowed, e.g. 0.5 in tests), else the default. */
function minutesFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`${name} must be a positive number of minutes, got "${value}"`);
  return minutes;
}

/** The policy from GROUNDTRUTH_SESSION_MAX_AGE_MINUTES and GROUNDTRUTH_SESSION_IDLE_MINUTES. */
export function sessionPolicyFromEnv(env: Record<string, string | undefined>): SessionPolicy {
  const maxAge = minutesFrom(env.GROUNDTRUTH_SESSION_MAX_AGE_MINUTES, DEFAULT_SESSION_MAX_AGE_MINUTES, "GROUNDTRUTH_SESSION_MAX_AGE_MINUTES");
  const idle = minutesFrom(env.GROUNDTRUTH_SESSION_IDLE_MINUTES, DEFAULT_SESSION_IDLE_MINUTES, "GROUNDTRUTH_SESSION_IDLE_MINUTES");
  return { maxAgeMs: Math.round(maxAge * MINUTE_MS), idleMs: Math.round(idle * MINUTE_MS) };
}

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export type SessionVerdict = "active" | "revoked" | "expired" | "idle";

/** Whether a session record still signs its holder in at `now`. */
export function sessionVerdict(session: SessionTimes, now: Date, policy: SessionPolicy): SessionVerdict {
  if (session.revokedAt) return "revoked";
  if (now.getTime() >= session.expiresAt.getTime()) return "expired";
  if (now.getTime() - session.lastSeenAt.getTime() >= policy.idleMs) return "idle";
  return "active";
}

/** How stale lastSeenAt may get before a request writes it again. */
export function lastSeenResolutionMs(policy: SessionPolicy): number {
  return Math.max(1_000, Math.min(LAST_SEEN_RESOLUTION_MS, Math.floor(policy.idleMs / 4)));
}

/** Whether this request should write lastSeenAt (throttled, to keep request cost low). */
export function shouldTouch(lastSeenAt: Date, now: Date, policy: SessionPolicy): boolean {
  return now.getTime() - lastSeenAt.getTime() >= lastSeenResolutionMs(policy);
}

/** The cookie's session secret: 43 base64url characters (32 random bytes). */
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bChrom(?:e|ium)\/|\bCriOS\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/^curl\//, "curl"],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/\bAndroid\b/, "Android"],
  [/\biPhone\b|\biPad\b|\biPod\b/, "iOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bLinux\b/, "Linux"],
];

/** "Firefox on Linux" from a User-Agent header, for the session list; "Unknown browser" if unclear. */
export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown browser";
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `Browser on ${system}` : "Unknown browser");
}

/** Stored User-Agent headers are cut to this length: the list needs only the start. */
export const USER_AGENT_MAX_LENGTH = 512;
