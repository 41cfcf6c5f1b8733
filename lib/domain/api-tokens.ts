// API token vocabulary: what a token looks like and what creating one takes. Generation and
// hashing happen on the server (lib/server/services/tokens); this file stays pure.
import { z } from "zod";
import { API_SCOPES } from "./permissions";
import { idSchema } from "./schemas";

/** Every token starts with this, so secret scanners and people can recognise one. */
export const TOKEN_MARKER = "gt_";
/** "gt_" plus 32 random bytes in base64url (43 characters). */
export const TOKEN_PATTERN = /^gt_[A-Za-z0-9_-]{43}$/;
/** Characters kept (marker included) to recognise a token in lists without revealing it. */
export const TOKEN_PREFIX_LENGTH = 10;
export const TOKEN_EXPIRY_CHOICES = [7, 30, 90, 365] as const;
/** The longest lifetime an installation may allow (GROUNDTRUTH_TOKEN_MAX_DAYS cannot exceed it). */
export const MAX_TOKEN_EXPIRY_DAYS = 365;
export const DEFAULT_TOKEN_EXPIRY_DAYS = 90;
export const MAX_ACTIVE_TOKENS_PER_USER = 50;
/** lastUsedAt/lastUsedIp are a hint for the owner, not a log: at most one write a minute per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Why a token stopped working before its expiry, as stored in ApiToken.revokedReason. */
export const TOKEN_REVOCATION_REASONS = ["owner", "admin", "password_reset", "two_factor_reset", "deactivated"] as const;
export type TokenRevocationReason = (typeof TOKEN_REVOCATION_REASONS)[number];

export const TOKEN_REVOCATION_LABELS: Record<TokenRevocationReason, string> = {
  owner: "revoked by you",
  admin: "revoked by an administrator",
  password_reset: "revoked when an administrator reset your password",
  two_factor_reset: "revoked when an administrator reset your two-factor login",
  deactivated: "revoked when your account was deactivated",
};

export function revocationLabel(reason: string | null): string {
  return (TOKEN_REVOCATION_REASONS as readonly string[]).includes(reason ?? "") ? TOKEN_REVOCATION_LABELS[reason as TokenRevocationReason] : "revoked";
}

export interface TokenLifetimeSettings {
  /** Lifetime of a token whose creator did not choose one. */
  defaultDays: number;
  /** Longest lifetime anyone may choose. Every token expires: there is no "never". */
  maxDays: number;
}

/**
 * GROUNDTRUTH_TOKEN_DEFAULT_DAYS (default 90) and GROUNDTRUTH_TOKEN_MAX_DAYS (default 365, at
 * most 365): whole days, the default no longer than the maximum. Problems are reported, one line
 * each, and the defaults used instead.
 */
export function tokenLifetimeSettings(env: Readonly<Record<string, string | undefined>>): TokenLifetimeSettings & { problems: string[] } {
  const problems: string[] = [];
  const days = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (/^\d+$/.test(raw) && n >= 1 && n <= MAX_TOKEN_EXPIRY_DAYS) return n;
    problems.push(`${name} must be a whole number of days from 1 to ${MAX_TOKEN_EXPIRY_DAYS}, got "${raw.slice(0, 40)}".`);
    return fallback;
  };
  const maxDays = days("GROUNDTRUTH_TOKEN_MAX_DAYS", MAX_TOKEN_EXPIRY_DAYS);
  let defaultDays = days("GROUNDTRUTH_TOKEN_DEFAULT_DAYS", Math.min(DEFAULT_TOKEN_EXPIRY_DAYS, maxDays));
  if (defaultDays > maxDays) {
    problems.push(`GROUNDTRUTH_TOKEN_DEFAULT_DAYS (${defaultDays}) is longer than GROUNDTRUTH_TOKEN_MAX_DAYS (${maxDays}).`);
    defaultDays = maxDays;
  }
  return { defaultDays, maxDays, problems };
}

/** The lifetimes the token form offers: the usual choices up to the maximum, plus the default. */
export function tokenExpiryChoices(settings: TokenLifetimeSettings): number[] {
  return [...new Set([...TOKEN_EXPIRY_CHOICES, settings.defaultDays, settings.maxDays])].filter((d) => d <= settings.maxDays).sort((a, b) => a - b);
}

/** Whether a use of a token at `now` should be written down (lastUsedAt/lastUsedIp), given the last one. */
export function shouldRecordTokenUse(lastUsedAt: Date | null, now: Date): boolean {
  return !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
}

export function tokenPrefixOf(token: string): string {
  return token.slice(0, TOKEN_PREFIX_LENGTH);
}

/** The bearer credential of an Authorization header, or null when there is none. */
export function bearerTokenOf(header: string | null): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

export const createTokenSchema = z.object({
  name: z.string().trim().min(1, "Give the token a name").max(100, "Name is too long"),
  /** Absent or empty: a personal token valid in every project the owner belongs to. */
  projectId: idSchema.optional().or(z.literal("").transform(() => undefined)),
  scopes: z
    .array(z.enum(API_SCOPES))
    .min(1, "Choose at least one scope")
    .max(API_SCOPES.length)
    .transform((scopes) => API_SCOPES.filter((scope) => scopes.includes(scope))),
  /** Absent: the installation's default lifetime. The installation's maximum is checked on top. */
  expiresInDays: z.number({ message: "Choose when the token expires" }).int().min(1).max(MAX_TOKEN_EXPIRY_DAYS, `Tokens expire after at most ${MAX_TOKEN_EXPIRY_DAYS} days`).optional(),
});

export type CreateTokenInput = z.input<typeof createTokenSchema>;

export const revokeTokenSchema = z.object({ tokenId: idSchema });
