import "server-only";
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { canonicalize } from "json-canonicalize";
import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { GENESIS_HASH } from "@/lib/domain/audit-chain";
import { dataDir } from "@/lib/infra/config";
import { verifyStoredAuditChain } from "./audit";

// An audit anchor is a signed statement "on <exportedAt> the audit chain had <eventCount> events
// and its head was event #<headSeq> with hash <headHash>". Kept outside the installation (or
// timestamped by a third party, see docs/audit-anchoring.md), it lets anyone later prove that
// the log up to that event was not rewritten: every event's hash covers all earlier ones.

export const AUDIT_ANCHOR_FORMAT = "groundtruth-audit-anchor/1";
const SIGNING_KEY_FILE = ".audit-signing-key.pem";

const anchorSchema = z.object({
  format: z.literal(AUDIT_ANCHOR_FORMAT),
  headSeq: z.number().int().nonnegative(),
  headHash: z.string().regex(/^[0-9a-f]{64}$/),
  eventCount: z.number().int().nonnegative(),
  exportedAt: z.string(),
  publicKey: z.string(),
  signature: z.string(),
});
export type AuditAnchor = z.infer<typeof anchorSchema>;
type UnsignedAnchor = Omit<AuditAnchor, "signature">;

/** The exact bytes that are signed: RFC 8785 canonical JSON of every field but the signature. */
export function anchorSigningPayload(anchor: UnsignedAnchor): Buffer {
  const canonical = canonicalize({
    format: anchor.format,
    headSeq: anchor.headSeq,
    headHash: anchor.headHash,
    eventCount: anchor.eventCount,
    exportedAt: anchor.exportedAt,
    publicKey: anchor.publicKey,
  });
  return Buffer.from(canonical, "utf8");
}

/**
 * The server's Ed25519 signing key: GROUNDTRUTH_AUDIT_SIGNING_KEY (PKCS#8 PEM) when set,
 * otherwise generated once into the data folder, readable only by its owner.
 */
export function auditSigningKey(env: Readonly<Record<string, string | undefined>> = process.env): KeyObject {
  const fromEnv = env.GROUNDTRUTH_AUDIT_SIGNING_KEY;
  const key = fromEnv?.trim() ? parsePrivateKey(fromEnv, "GROUNDTRUTH_AUDIT_SIGNING_KEY") : keyFromDataFolder();
  if (key.asymmetricKeyType !== "ed25519") throw new Error("The audit signing key must be an Ed25519 private key.");
  return key;
}

/** The signing key if one is configured or was generated before; never creates one. */
export function existingAuditSigningKey(env: Readonly<Record<string, string | undefined>> = process.env): KeyObject | null {
  if (env.GROUNDTRUTH_AUDIT_SIGNING_KEY?.trim()) return auditSigningKey(env);
  const file = path.join(dataDir(), SIGNING_KEY_FILE);
  if (!existsSync(file)) return null;
  return parsePrivateKey(readFileSync(file, "utf8"), file);
}

function parsePrivateKey(pem: string, source: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new Error(`${source} is not a PEM private key.`);
  }
}

function keyFromDataFolder(): KeyObject {
  const file = path.join(dataDir(), SIGNING_KEY_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const { privateKey } = generateKeyPairSync("ed25519");
    // "wx": two processes starting at once cannot both write a key; the loser reads the winner's.
    writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return parsePrivateKey(readFileSync(file, "utf8"), file);
}

export function publicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
}

export class AnchorRefusedError extends Error {}

/** Verifies the whole chain, then signs its head. A broken chain is never signed. */
export async function createAuditAnchor(client: PrismaClient, privateKey: KeyObject, now = new Date()): Promise<AuditAnchor> {
  const verdict = await verifyStoredAuditChain(client);
  if (!verdict.ok) {
    throw new AnchorRefusedError(`The audit chain is broken at event #${verdict.brokenAtSeq}: ${verdict.reason}. Refusing to sign it.`);
  }
  const unsigned: UnsignedAnchor = {
    format: AUDIT_ANCHOR_FORMAT,
    headSeq: verdict.headSeq,
    headHash: verdict.headHash,
    eventCount: verdict.count,
    exportedAt: now.toISOString(),
    publicKey: publicKeyPem(privateKey),
  };
  const signature = sign(null, anchorSigningPayload(unsigned), privateKey).toString("base64");
  return { ...unsigned, signature };
}

export type AnchorCheck =
  | { ok: true; anchor: AuditAnchor; signedByThisServer: boolean | null }
  | { ok: false; reason: string };

/** Reads an anchor file's JSON; anything that is not a well-formed anchor is a failed check. */
export function parseAuditAnchor(json: string): AuditAnchor | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { error: "the file is not JSON" };
  }
  const parsed = anchorSchema.safeParse(raw);
  return parsed.success ? parsed.data : { error: `the file is not a ${AUDIT_ANCHOR_FORMAT} anchor` };
}

/** True when the signature is valid for the anchor's own public key. */
export function anchorSignatureValid(anchor: AuditAnchor): boolean {
  try {
    const key = createPublicKey(anchor.publicKey);
    if (key.asymmetricKeyType !== "ed25519") return false;
    const { signature, ...unsigned } = anchor;
    return verify(null, anchorSigningPayload(unsigned), key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/**
 * Checks an anchor against the live log: the signature holds, the chain verifies, and the event
 * at headSeq still has the anchored hash (so nothing up to it was rewritten, even if a forger
 * recomputed every later hash).
 */
export async function checkAuditAnchor(client: PrismaClient, anchor: AuditAnchor, serverKey: KeyObject | null): Promise<AnchorCheck> {
  if (!anchorSignatureValid(anchor)) return { ok: false, reason: "the signature does not match the anchor's contents and public key" };
  const verdict = await verifyStoredAuditChain(client);
  if (!verdict.ok) return { ok: false, reason: `the audit chain is broken at event #${verdict.brokenAtSeq}: ${verdict.reason}` };
  if (verdict.headSeq < anchor.headSeq) {
    return { ok: false, reason: `the anchor names event #${anchor.headSeq} but the chain now ends at #${verdict.headSeq}: events were removed` };
  }
  const currentHash =
    anchor.headSeq === 0
      ? GENESIS_HASH
      : (await client.auditEvent.findUnique({ where: { seq: anchor.headSeq }, select: { hash: true } }))?.hash;
  if (currentHash !== anchor.headHash) {
    return { ok: false, reason: `event #${anchor.headSeq} now has hash ${currentHash ?? "(none)"}, not the anchored ${anchor.headHash}: the log was rewritten` };
  }
  const signedByThisServer = serverKey ? publicKeyPem(serverKey).trim() === anchor.publicKey.trim() : null;
  return { ok: true, anchor, signedByThisServer };
}
