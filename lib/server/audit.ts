import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { AuditChainVerifier, GENESIS_HASH, hashAuditEvent, toAuditJson, type AuditContent, type ChainVerdict, type StoredAuditEvent } from "@/lib/domain/audit-chain";
import { AuditSegmentVerifier, type ArchivedAuditEvent } from "@/lib/domain/archive";
import { bulkInsert, newRowId } from "./bulk-insert";
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

/** An AuditEvent row in the shape the chain hashes (times as ISO strings, JSON as stored). */
export function storedAuditEvent(row: Prisma.AuditEventGetPayload<object>): StoredAuditEvent {
  return {
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
  };
}

/** Walks the whole chain in seq order, a page at a time, and names the first broken link. */
export async function verifyStoredAuditChain(client: PrismaClient, pageSize = 2000): Promise<ChainVerdict> {
  const verifier = new AuditChainVerifier();
  let afterSeq = 0;
  for (;;) {
    const page = await client.auditEvent.findMany({ where: { seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take: pageSize });
    for (const row of page) {
      const ok = verifier.push(storedAuditEvent(row));
      if (!ok) return verifier.verdict();
    }
    if (page.length < pageSize) return verifier.verdict();
    afterSeq = page[page.length - 1]!.seq;
  }
}

/**
 * Appends many events in order under one lock, with one read of the chain head and batched
 * inserts: a bulk import records thousands of events without thousands of round trips. The
 * chain is exactly what the same entries appended one by one would give.
 */
export async function appendAuditEvents(tx: Tx, entries: readonly AuditEntry[], batchSize = 5000): Promise<void> {
  if (entries.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`;
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const createdAt = new Date().toISOString();
  const rows = entries.map((entry) => {
    seq += 1;
    const content: AuditContent = {
      seq,
      actorId: entry.actorId,
      projectId: entry.projectId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: toAuditJson(entry.before),
      after: toAuditJson(entry.after),
      ip: entry.ip ?? null,
      createdAt,
    };
    const hash = hashAuditEvent(prevHash, content);
    const row = { id: newRowId(), ...content, prevHash, hash };
    prevHash = hash;
    return row;
  });
  // A JSON null in before/after is stored as SQL NULL, as appendAuditEvent stores it.
  await bulkInsert(tx, AUDIT_EVENT_TABLE, rows, { chunk: batchSize });
}

const AUDIT_EVENT_TABLE = {
  table: "AuditEvent",
  columns: {
    id: "text", seq: "int", actorId: "text", projectId: "text", action: "text", entityType: "text", entityId: "text",
    before: "jsonb", after: "jsonb", ip: "text", createdAt: "timestamptz", prevHash: "text", hash: "text",
  },
} as const;

export type RestoredHistoryVerdict =
  | { ok: true; segments: Array<{ restoreId: string; count: number; firstSeq: number | null; headSeq: number | null; headHash: string | null }> }
  | { ok: false; restoreId: string; brokenAtSeq: number; eventId: string | null; reason: string };

/**
 * Checks the audit history carried in by each restore (RestoredAuditEvent, one segment per
 * restoreId): every link, and the content hash of every event that travelled in full.
 */
export async function verifyRestoredAuditHistory(client: PrismaClient, pageSize = 2000): Promise<RestoredHistoryVerdict> {
  const restores = await client.restoredAuditEvent.groupBy({ by: ["restoreId"], orderBy: { restoreId: "asc" } });
  const segments: Extract<RestoredHistoryVerdict, { ok: true }>["segments"] = [];
  for (const { restoreId } of restores) {
    const verifier = new AuditSegmentVerifier();
    let afterSeq = -1;
    for (;;) {
      const page = await client.restoredAuditEvent.findMany({ where: { restoreId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take: pageSize });
      for (const row of page) {
        const event: ArchivedAuditEvent = row.redacted
          ? { redacted: true, seq: row.seq, prevHash: row.prevHash, hash: row.hash }
          : {
              redacted: false,
              id: row.id,
              seq: row.seq,
              actorId: row.actorId,
              projectId: row.projectId,
              action: row.action ?? "",
              entityType: row.entityType ?? "",
              entityId: row.entityId ?? "",
              before: (row.before ?? null) as AuditContent["before"],
              after: (row.after ?? null) as AuditContent["after"],
              ip: row.ip,
              createdAt: row.createdAt?.toISOString() ?? "",
              prevHash: row.prevHash,
              hash: row.hash,
            };
        if (!verifier.push(event)) {
          const verdict = verifier.verdict();
          return { ok: false, restoreId, brokenAtSeq: row.seq, eventId: row.id, reason: verdict.ok ? "unknown" : verdict.reason };
        }
      }
      if (page.length < pageSize) break;
      afterSeq = page[page.length - 1]!.seq;
    }
    const verdict = verifier.verdict();
    if (verdict.ok) segments.push({ restoreId, count: verdict.count, firstSeq: verdict.firstSeq, headSeq: verdict.headSeq, headHash: verdict.headHash });
  }
  return { ok: true, segments };
}
