import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { UPLOAD_RATE_WINDOW_MS, admitUpload, checkProjectQuota, uploadLimitsFrom, type UploadLimits } from "@/lib/domain/upload-limits";
import { db } from "../db";
import { logger } from "../logger";

/** A slot lapses this long after its last renewal (a crashed instance's uploads stop counting). */
const SLOT_LEASE_MS = 5 * 60_000;
const SLOT_RENEW_MS = 60_000;

export function uploadLimits(): UploadLimits {
  return uploadLimitsFrom(process.env);
}

export interface UploadSlot {
  /** Ends the slot (idempotent); always call it, in a finally. */
  release(): Promise<void>;
}

/**
 * Takes one of the account's multipart-submission slots, or refuses with THROTTLED (429) when
 * it has too many in flight or started too many in the last minute. Counted in PostgreSQL under
 * a per-account advisory lock, so the limits hold across every web instance; the slot's lease
 * is renewed while the request runs and released when it ends.
 */
export async function acquireUploadSlot(userId: string, limits: UploadLimits = uploadLimits()): Promise<UploadSlot> {
  const id = await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`upload-slot:${userId}`}))`;
    const now = new Date();
    const windowStart = new Date(now.getTime() - UPLOAD_RATE_WINDOW_MS);
    // Rows that can no longer count for anything.
    await tx.uploadSlot.deleteMany({ where: { userId, startedAt: { lt: windowStart }, OR: [{ finishedAt: { not: null } }, { leaseUntil: { lt: now } }] } });
    const [inFlight, recent] = await Promise.all([
      tx.uploadSlot.count({ where: { userId, finishedAt: null, leaseUntil: { gt: now } } }),
      tx.uploadSlot.aggregate({ where: { userId, startedAt: { gte: windowStart } }, _count: { _all: true }, _min: { startedAt: true } }),
    ]);
    const decision = admitUpload(
      { inFlight, startedInWindow: recent._count._all, oldestStartInWindowMs: recent._min.startedAt?.getTime() ?? null, nowMs: now.getTime() },
      limits,
    );
    if (!decision.ok) throw new DomainError("THROTTLED", decision.message);
    const slot = await tx.uploadSlot.create({ data: { userId, startedAt: now, leaseUntil: new Date(now.getTime() + SLOT_LEASE_MS) }, select: { id: true } });
    return slot.id;
  });

  const renew = setInterval(() => {
    void db()
      .uploadSlot.updateMany({ where: { id, finishedAt: null }, data: { leaseUntil: new Date(Date.now() + SLOT_LEASE_MS) } })
      .catch((error: unknown) => logger.warn("could not renew an upload slot", { error }));
  }, SLOT_RENEW_MS);
  renew.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      await db()
        .uploadSlot.updateMany({ where: { id, finishedAt: null }, data: { finishedAt: new Date() } })
        .catch((error: unknown) => logger.warn("could not release an upload slot; its lease will lapse", { error }));
    },
  };
}

/**
 * Bytes a project holds for quota purposes: its originals plus uploads received or in progress
 * that are not attached to an item yet (attached ones are counted as originals).
 */
export async function projectStorageBytes(projectId: string): Promise<number> {
  const [media, uploads] = await Promise.all([
    db().mediaFile.aggregate({ where: { item: { projectId } }, _sum: { sizeBytes: true } }),
    db().upload.aggregate({ where: { projectId, state: { in: ["RECEIVING", "COMPLETE"] } }, _sum: { sizeBytes: true } }),
  ]);
  return Number(media._sum.sizeBytes ?? 0n) + Number(uploads._sum.sizeBytes ?? 0n);
}

/** Refuses with TOO_LARGE (413) when `additionalBytes` would take the project over its quota. */
export async function assertProjectQuota(projectId: string, additionalBytes: number, limits: UploadLimits = uploadLimits()): Promise<void> {
  if (limits.projectQuotaBytes === null) return;
  const result = checkProjectQuota(await projectStorageBytes(projectId), additionalBytes, limits.projectQuotaBytes);
  if (!result.ok) throw new DomainError("TOO_LARGE", result.message);
}
