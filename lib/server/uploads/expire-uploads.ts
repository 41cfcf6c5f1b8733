import "server-only";
import { db } from "../db";
import { ensureRecurringJob } from "../jobs/recurring";
import { logger } from "../logger";
import { discardPartialUpload } from "./upload-store";

// Resumable uploads that stop arriving would otherwise keep their partial bytes forever. After
// GROUNDTRUTH_UPLOAD_EXPIRY_HOURS (default 72) without a byte, the partial bytes are deleted
// (the file in the upload folder, or the part objects in the bucket with GROUNDTRUTH_STORAGE=s3)
// and the upload marked REJECTED with the reason; a client resuming later gets 410 and starts
// again. Nothing submitted is touched: only uploads still RECEIVING (never attached to an item)
// expire.

export const UPLOAD_EXPIRY_QUEUE = "uploads.expire";
const EXPIRY_SCHEDULE_LOCK = 7_203_411_202;
const CHECK_EVERY_MS = 3_600_000;

export function uploadExpiryMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const hours = Number(env.GROUNDTRUTH_UPLOAD_EXPIRY_HOURS ?? 72);
  return Number.isFinite(hours) && hours > 0 ? hours * 3_600_000 : 72 * 3_600_000;
}

/** `directory` is the local store's folder (default GROUNDTRUTH_UPLOAD_DIR); unused with GROUNDTRUTH_STORAGE=s3. */
export async function expireAbandonedUploads(options: { now?: Date; maxAgeMs?: number; directory?: string } = {}): Promise<{ expired: number }> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.maxAgeMs ?? uploadExpiryMs()));
  const stale = await db().upload.findMany({ where: { state: "RECEIVING", updatedAt: { lt: cutoff } }, select: { id: true, updatedAt: true }, take: 1000 });
  let expired = 0;
  for (const upload of stale) {
    // Conditional on the row being unchanged, so an upload that resumed meanwhile is left alone.
    const marked = await db().upload.updateMany({
      where: { id: upload.id, state: "RECEIVING", updatedAt: upload.updatedAt },
      data: { state: "REJECTED", error: "Abandoned: no data arrived for too long. Start the upload again.", hashState: null },
    });
    if (marked.count !== 1) continue;
    await discardPartialUpload(upload.id, { directory: options.directory });
    expired += 1;
  }
  if (expired > 0) logger.info("expired abandoned uploads", { expired });
  return { expired };
}

export function ensureUploadExpiryScheduled(now = new Date()): Promise<string> {
  return ensureRecurringJob(UPLOAD_EXPIRY_QUEUE, CHECK_EVERY_MS, EXPIRY_SCHEDULE_LOCK, { trigger: "schedule" }, now);
}
