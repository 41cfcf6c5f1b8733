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
export const MAX_TOKEN_EXPIRY_DAYS = 365;
export const MAX_ACTIVE_TOKENS_PER_USER = 50;

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
  /** Absent: the token does not expire (it can still be revoked). */
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_EXPIRY_DAYS).optional(),
});

export type CreateTokenInput = z.input<typeof createTokenSchema>;

export const revokeTokenSchema = z.object({ tokenId: idSchema });
