// Second-factor rules: what a login code and a recovery code look like, and when a project
// demands a second factor. Pure: secrets, randomness and storage live in lib/server.
import { z } from "zod";

/** RFC 6238 parameters every common authenticator app understands. */
export const TOTP_PARAMETERS = { algorithm: "SHA1", digits: 6, period: 30 } as const;
/** Steps either side of now still accepted: phone clocks drift and people type slowly. */
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = "Groundtruth";

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_LENGTH = 10;
const RECOVERY_GROUP = 5;
/** RFC 4648 base32: no 0/1/8/9, so nothing is mistaken for O, I or B when read back. */
const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Shown when the password was right and the account still needs its second factor. */
export const SECOND_FACTOR_REQUIRED_MESSAGE = "Enter the 6-digit code from your authenticator app, or a recovery code.";
/** Shown when the password was right but the code was not. */
export const SECOND_FACTOR_INVALID_MESSAGE = "That code is not valid. Enter the current code from your authenticator app, or an unused recovery code.";

/** "123 456" and "123456" are the same code; anything else is not a TOTP code. */
export function normaliseTotpCode(input: string): string | null {
  const compact = input.replace(/\s+/g, "");
  return /^\d{6}$/.test(compact) ? compact : null;
}

/** Recovery codes compare without case, spaces or hyphens: "abcde-fghij" = "ABCDEFGHIJ". */
export function normaliseRecoveryCode(input: string): string | null {
  const compact = input.replace(/[\s-]+/g, "").toUpperCase();
  if (compact.length !== RECOVERY_CODE_LENGTH) return null;
  for (const char of compact) if (!BASE32_ALPHABET.includes(char)) return null;
  return compact;
}

export type SecondFactorCode = { kind: "totp"; code: string } | { kind: "recovery"; code: string };

/** What a typed second-factor code is, or null when it cannot be either kind. */
export function classifySecondFactorCode(input: string): SecondFactorCode | null {
  const totp = normaliseTotpCode(input);
  if (totp) return { kind: "totp", code: totp };
  const recovery = normaliseRecoveryCode(input);
  return recovery ? { kind: "recovery", code: recovery } : null;
}

/**
 * One recovery code from random bytes (at least 10), shown as "XXXXX-XXXXX". 256 is a multiple
 * of 32, so taking each byte modulo 32 keeps every character equally likely: 50 random bits.
 */
export function recoveryCodeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < RECOVERY_CODE_LENGTH) throw new Error(`need ${RECOVERY_CODE_LENGTH} random bytes`);
  let code = "";
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i += 1) code += BASE32_ALPHABET[bytes[i]! % 32];
  return `${code.slice(0, RECOVERY_GROUP)}-${code.slice(RECOVERY_GROUP)}`;
}

/** Whether a project's settings make a second factor a condition of membership. */
export function twoFactorRequiredFor(settings: unknown): boolean {
  return typeof settings === "object" && settings !== null && !Array.isArray(settings) && (settings as { requireTwoFactor?: unknown }).requireTwoFactor === true;
}

/**
 * Admin-issued enrolment codes: someone who has only the password must not be able to bind
 * their own authenticator to an account that has to use two-factor login. 20 base32
 * characters (100 random bits), shown once to the admin, stored as SHA-256, single use.
 */
export const ENROLMENT_CODE_TTL_MS = 24 * 60 * 60 * 1000;
const ENROLMENT_CODE_LENGTH = 20;

/** One enrolment code from random bytes (at least 20), shown as "XXXXX-XXXXX-XXXXX-XXXXX". */
export function enrolmentCodeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < ENROLMENT_CODE_LENGTH) throw new Error(`need ${ENROLMENT_CODE_LENGTH} random bytes`);
  let code = "";
  for (let i = 0; i < ENROLMENT_CODE_LENGTH; i += 1) code += BASE32_ALPHABET[bytes[i]! % 32];
  return code.match(/.{5}/g)!.join("-");
}

/** Enrolment codes compare without case, spaces or hyphens; null when it cannot be one. */
export function normaliseEnrolmentCode(input: string): string | null {
  const compact = input.replace(/[\s-]+/g, "").toUpperCase();
  if (compact.length !== ENROLMENT_CODE_LENGTH) return null;
  for (const char of compact) if (!BASE32_ALPHABET.includes(char)) return null;
  return compact;
}

/**
 * Whether turning on two-factor login needs an admin-issued enrolment code: when the account
 * must use it (a member of a project that requires it), or after an admin reset it (the old
 * factor was lost or taken, so whoever has the password alone must not pick the new one).
 */
export function enrolmentCodeRequired(facts: { totpResetAt: Date | null; projectSettings: readonly unknown[] }): boolean {
  return facts.totpResetAt !== null || facts.projectSettings.some(twoFactorRequiredFor);
}

/** A base32 secret split into groups of four, the way apps expect it typed by hand. */
export function groupSecretForDisplay(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

const currentPasswordField = z.string({ error: "Enter your current password" }).min(1, "Enter your current password").max(256, "Password is too long");
const optionalCode = z.string().trim().max(64, "Code is too long").optional();

/** What proves it is really the signed-in person before a sensitive change: password, and code if they use one. */
export const reauthenticationSchema = z.object({
  currentPassword: currentPasswordField,
  currentCode: optionalCode,
});

/**
 * A code that proves the second factor (TOTP or recovery code), with the current password
 * (account page: turn off, new recovery codes).
 */
export const secondFactorCodeSchema = z.object({
  currentPassword: currentPasswordField,
  code: z.string().trim().min(1, "Enter a code").max(64, "Code is too long"),
});

/**
 * Confirming enrolment needs the current password, a code from the app itself (it proves the app
 * holds the secret) and, where required, the admin-issued enrolment code.
 */
export const confirmEnrolmentSchema = z.object({
  currentPassword: currentPasswordField,
  enrolmentCode: z.string().trim().max(64, "Enrolment code is too long").optional(),
  code: z
    .string()
    .max(64, "Enter the 6-digit code from your authenticator app")
    .transform((value, ctx) => {
      const code = normaliseTotpCode(value);
      if (!code) {
        ctx.addIssue({ code: "custom", message: "Enter the 6-digit code from your authenticator app" });
        return z.NEVER;
      }
      return code;
    }),
});
