// Signed audit anchors: an outsider can check the signature with nothing but the file, any edit
// to the file breaks it, and a rewritten log fails the check even when the forger recomputed
// every hash so that the chain itself verifies again.
import { spawn } from "node:child_process";
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { canonicalize } from "json-canonicalize";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH, hashAuditEvent, type AuditContent } from "../../lib/domain/audit-chain";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { anchorSignatureValid, auditSigningKey, checkAuditAnchor, createAuditAnchor, publicKeyPem, type AuditAnchor } from "../../lib/server/audit-anchor";
import { db } from "../../lib/server/db";
import { makeProject } from "../support/fixtures";

// The signing key is generated into the data folder; this file gets its own.
const dataFolder = mkdtempSync(path.join(os.tmpdir(), "groundtruth-anchor-data-"));
process.env.GROUNDTRUTH_DATA_DIR = dataFolder;
delete process.env.GROUNDTRUTH_AUDIT_SIGNING_KEY;
const root = path.resolve(import.meta.dirname, "..", "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "groundtruth-anchor-"));

function npmRun(script: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { cwd: root, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function superuser(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  // Bypasses the append-only trigger, as an attacker with database access would.
  await client.query("SET session_replication_role = replica");
  return client;
}

/** What an outside party does, with only the file: the key and signature come from it alone. */
function outsiderVerifies(anchor: Record<string, unknown>): boolean {
  const { signature, ...signed } = anchor;
  try {
    return verify(null, Buffer.from(canonicalize(signed), "utf8"), createPublicKey(String(anchor.publicKey)), Buffer.from(String(signature), "base64"));
  } catch {
    return false;
  }
}

beforeAll(async () => {
  await makeProject();
  await makeProject();
});

describe("audit anchor", () => {
  it("signs the verified chain head with a key kept owner-only in the data folder", async () => {
    const key = auditSigningKey();
    const keyFile = path.join(dataFolder, ".audit-signing-key.pem");
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    // Generated once: the next call reads the same key.
    expect(publicKeyPem(auditSigningKey())).toBe(publicKeyPem(key));

    const anchor = await createAuditAnchor(db(), key, new Date("2026-03-01T12:00:00.000Z"));
    const head = await db().auditEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
    const count = await db().auditEvent.count();
    expect(anchor).toMatchObject({
      format: "groundtruth-audit-anchor/1",
      headSeq: head.seq,
      headHash: head.hash,
      eventCount: count,
      exportedAt: "2026-03-01T12:00:00.000Z",
      publicKey: publicKeyPem(key),
    });
    expect(outsiderVerifies(anchor as unknown as Record<string, unknown>)).toBe(true);
    expect(anchorSignatureValid(anchor)).toBe(true);
  });

  it("breaks when any field of the file is edited or the key is swapped", async () => {
    const anchor = await createAuditAnchor(db(), auditSigningKey());
    const edits: Array<Partial<AuditAnchor>> = [
      { format: "groundtruth-audit-anchor/2" as AuditAnchor["format"] },
      { headSeq: anchor.headSeq - 1 },
      { headHash: GENESIS_HASH },
      { eventCount: anchor.eventCount + 1 },
      { exportedAt: "2020-01-01T00:00:00.000Z" },
      { publicKey: generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString() },
    ];
    for (const edit of edits) {
      const edited = { ...anchor, ...edit };
      expect(outsiderVerifies(edited as unknown as Record<string, unknown>)).toBe(false);
      expect(anchorSignatureValid(edited)).toBe(false);
    }
    // Someone else's key over the same facts is a valid signature, but not this server's.
    const foreignKey = generateKeyPairSync("ed25519").privateKey;
    const foreign = await createAuditAnchor(db(), foreignKey);
    expect(await checkAuditAnchor(db(), foreign, auditSigningKey())).toMatchObject({ ok: true, signedByThisServer: false });
    expect(await checkAuditAnchor(db(), anchor, auditSigningKey())).toMatchObject({ ok: true, signedByThisServer: true });
  });

  it("CLI: exports, checks, and catches a log rewritten with recomputed hashes", { timeout: 180_000 }, async () => {
    const anchorFile = path.join(scratch, "anchor.json");
    const exported = await npmRun("audit:export", ["--out", anchorFile]);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    const anchor = JSON.parse(await readFile(anchorFile, "utf8")) as AuditAnchor;
    expect(outsiderVerifies(anchor as unknown as Record<string, unknown>)).toBe(true);
    expect(anchor.headHash).toBe((await db().auditEvent.findUniqueOrThrow({ where: { seq: anchor.headSeq } })).hash);

    // The log grows after the anchor: the anchored part is still intact.
    await makeProject();
    const later = await npmRun("audit:check-anchor", [anchorFile]);
    expect(later.code).toBe(0);
    expect(later.stdout).toContain(`Anchor OK: signature valid; event #${anchor.headSeq} still has hash ${anchor.headHash}`);

    // An edited anchor file is refused.
    const editedFile = path.join(scratch, "edited.json");
    await writeFile(editedFile, JSON.stringify({ ...anchor, eventCount: anchor.eventCount + 5 }));
    const edited = await npmRun("audit:check-anchor", [editedFile]);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/Anchor FAILED: the signature does not match/);

    // A forger rewrites event #1 and recomputes every later hash: the chain verifies again,
    // only the anchor shows the history changed.
    const client = await superuser();
    try {
      await client.query(`UPDATE "AuditEvent" SET "entityId" = 'forged' WHERE "seq" = 1`);
      const rows = await db().auditEvent.findMany({ orderBy: { seq: "asc" } });
      let prevHash = GENESIS_HASH;
      for (const row of rows) {
        const content: AuditContent = {
          seq: row.seq,
          actorId: row.actorId,
          projectId: row.projectId,
          action: row.action,
          entityType: row.entityType,
          entityId: row.entityId,
          before: (row.before ?? null) as AuditContent["before"],
          after: (row.after ?? null) as AuditContent["after"],
          ip: row.ip,
          createdAt: row.createdAt.toISOString(),
        };
        const hash = hashAuditEvent(prevHash, content);
        await client.query(`UPDATE "AuditEvent" SET "prevHash" = $1, "hash" = $2 WHERE "seq" = $3`, [prevHash, hash, row.seq]);
        prevHash = hash;
      }
    } finally {
      await client.end();
    }
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
    const rewritten = await npmRun("audit:check-anchor", [anchorFile]);
    expect(rewritten.code).toBe(2);
    expect(rewritten.stderr).toMatch(new RegExp(`Anchor FAILED: event #${anchor.headSeq} now has hash [0-9a-f]{64}, not the anchored ${anchor.headHash}`));
  });

  it("CLI: refuses to sign a broken chain and fails the check against it", { timeout: 120_000 }, async () => {
    const goodAnchor = path.join(scratch, "before-break.json");
    expect((await npmRun("audit:export", ["--out", goodAnchor])).code).toBe(0);
    const client = await superuser();
    try {
      await client.query(`UPDATE "AuditEvent" SET "action" = 'forged' WHERE "seq" = 2`);
    } finally {
      await client.end();
    }
    const refusedFile = path.join(scratch, "refused.json");
    const refused = await npmRun("audit:export", ["--out", refusedFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/broken at event #2: .*Refusing to sign it/);
    expect(existsSync(refusedFile)).toBe(false);

    const check = await npmRun("audit:check-anchor", [goodAnchor]);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/Anchor FAILED: the audit chain is broken at event #2/);
  });
});
