import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { TOKEN_MARKER } from "@/lib/domain/api-tokens";

/** A fresh token: 32 random bytes, so the hash alone (no salt, no slow KDF) is safe to store. */
export function generateToken(): string {
  return `${TOKEN_MARKER}${randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
