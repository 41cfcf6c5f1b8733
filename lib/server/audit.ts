import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { AuditChainVerifier, GENESIS_HASH, hashAuditEvent, toAuditJson, type AuditContent, type ChainVerdict } from "@/lib/domain/audit-chain";
import type { Tx } from "./db";
import type { PrismaClient } from "@/lib/generated/prisma/client";

// Transaction-scoped advisory lock that serialises appends, so concurrent writers can never
// both read the same chain head and fork the chain. Held only until the transaction ends.
const AUDIT_CHAIN_LOCK = 7_203_411_001;

export interface AuditEntry {
  actorId: string | null;
  projectId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

/** Appends one event; must run inside the same transaction as the change it records. */
export async function appendAuditEvent(tx: Tx, entry: AuditEntry): Promise<{ seq: number; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`;
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const content: AuditContent = {
    seq: (head?.seq ?? 0) + 1,
    actorId: entry.actorId,
    projectId: entry.projectId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: toAuditJson(entry.before),
    after: toAuditJson(entry.after),
    ip: entry.ip ?? null,
    createdAt: new Date().toISOString(),
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  const hash = hashAuditEvent(prevHash, content);
  await tx.auditEvent.create({
    data: {
      ...content,
      before: content.before === null ? Prisma.DbNull : content.before,
      after: content.after === null ? Prisma.DbNull : content.after,
      createdAt: new Date(content.createdAt),
      prevHash,
      hash,
    },
  });
  return { seq: content.seq, hash };
}

/** Walks the whole chain in seq order, a page at a time, and names the first broken link. */
export async function verifyStoredAuditChain(client: PrismaClient, pageSize = 2000): Promise<ChainVerdict> {
  const verifier = new AuditChainVerifier();
  let afterSeq = 0;
  for (;;) {
    const page = await client.auditEvent.findMany({ where: { seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take: pageSize });
    for (const row of page) {
      const ok = verifier.push({
        id: row.id,
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
        prevHash: row.prevHash,
        hash: row.hash,
      });
      if (!ok) return verifier.verdict();
    }
    if (page.length < pageSize) return verifier.verdict();
    afterSeq = page[page.length - 1]!.seq;
  }
}
