import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import {
  classifySecondFactorCode,
  RECOVERY_CODE_COUNT,
  recoveryCodeFromBytes,
  normaliseRecoveryCode,
  TOTP_ISSUER,
  TOTP_PARAMETERS,
  TOTP_WINDOW,
} from "@/lib/domain/two-factor";
import { forbidden } from "@/lib/domain/errors";
import { auditActorId, type Actor } from "@/lib/domain/permissions";
import type { Tx } from "./db";

/** 160 bits, the HMAC-SHA1 block RFC 4226 recommends. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function otpauthUriFor(secret: string, email: string): string {
  return new TOTP({ issuer: TOTP_ISSUER, label: email, secret: Secret.fromBase32(secret), ...TOTP_PARAMETERS }).toString();
}

/** Rendered on the server: the secret never goes to a third-party QR service. */
export async function qrSvgFor(otpauthUri: string): Promise<string> {
  return QRCode.toString(otpauthUri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

/** The time step a code belongs to (within the accepted window around `now`), or null. */
export function matchingTotpStep(secret: string, code: string, now = Date.now()): number | null {
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), ...TOTP_PARAMETERS, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : TOTP.counter({ period: TOTP_PARAMETERS.period, timestamp: now }) + delta;
}

/** Recovery codes are stored as SHA-256 of their normalised form; the plain codes are shown once. */
export function hashRecoveryCode(code: string): string {
  const normalised = normaliseRecoveryCode(code);
  if (!normalised) throw new Error("not a recovery code");
  return createHash("sha256").update(normalised).digest("hex");
}

/** Replaces every recovery code of the user with fresh ones and returns them in plain text. */
export async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => recoveryCodeFromBytes(randomBytes(10)));
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: hashRecoveryCode(code) })) });
  return codes;
}

export type SecondFactorKind = "totp" | "recovery";

/**
 * Checks and spends a second-factor code: a TOTP code newer than the last one accepted, or an
 * unused recovery code. Both are spent by a conditional UPDATE, so two requests racing with the
 * same code cannot both succeed. Returns what was used, or null.
 */
export async function spendSecondFactor(tx: Tx, userId: string, input: string, now = new Date()): Promise<SecondFactorKind | null> {
  const code = classifySecondFactorCode(input);
  if (!code) return null;
  if (code.kind === "recovery") {
    const spent = await tx.recoveryCode.updateMany({
      where: { userId, codeHash: hashRecoveryCode(code.code), usedAt: null },
      data: { usedAt: now },
    });
    return spent.count === 1 ? "recovery" : null;
  }
  const user = await tx.user.findUnique({ where: { id: userId }, select: { totpSecret: true } });
  if (!user?.totpSecret) return null;
  const step = matchingTotpStep(user.totpSecret, code.code, now.getTime());
  if (step === null) return null;
  const accepted = await tx.user.updateMany({
    where: { id: userId, totpSecret: user.totpSecret, OR: [{ totpLastStep: null }, { totpLastStep: { lt: BigInt(step) } }] },
    data: { totpLastStep: BigInt(step) },
  });
  return accepted.count === 1 ? "totp" : null;
}

/**
 * The user a self-service second-factor request is about: always the signed-in person, never
 * someone named in the input, and never through an API token (a leaked token must not be able
 * to switch off or re-key the owner's second factor).
 */
export function selfServiceUserId(actor: Actor): string {
  if (!actor.active || actor.tokenScopes !== undefined || auditActorId(actor) === null) {
    throw forbidden("Sign in to manage two-factor login.");
  }
  return actor.userId;
}
