import "server-only";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { z } from "zod";
import { DomainError } from "@/lib/domain/errors";
import { mediaKindOf } from "@/lib/domain/media-types";
import { redactionRegionSchema, type RedactionRegion } from "@/lib/domain/publication";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { makePublicImage, makePublicVideo, type PublicImage } from "../../media/public-copies";
import { blobStore } from "../../storage";
import type { BlobStore } from "../../storage/blob-store";
import { withLocalCopy, withWorkDir } from "../../storage/local-copy";
import { enqueueJob, type ClaimedJob } from "../queue";

// Public copies of a published item's photos and videos (see lib/server/media/public-copies.ts).
// The copies are made outside any transaction (encoding takes seconds to minutes); the rows are
// then written in one transaction that first locks the item, the same lock publish and
// unpublish take, and re-checks that the item is still published with the same redactions and
// graphic flag. A job that lost a race with an unpublish or a newer publish writes nothing; the
// newer publish queued its own job. Rows are replaced as a set, so a retry never duplicates.

const payloadSchema = z.object({ itemId: idSchema });
const redactionsSchema = z.array(redactionRegionSchema);

interface PublicMediaRow {
  mediaFileId: string;
  kind: "IMAGE" | "VIDEO" | "POSTER";
  blurred: boolean;
  sha256: string;
  originalSha256: string;
  mime: string;
  sizeBytes: number;
  width: number;
  height: number;
}

/** Queues the making of public copies; call in the transaction that publishes the item. */
export async function enqueuePublicMedia(tx: Tx, target: { itemId: string; projectId: string }): Promise<string> {
  return enqueueJob(tx, { queue: "media.publish", payload: { itemId: target.itemId }, projectId: target.projectId, itemId: target.itemId });
}

export async function publishMediaJob(job: ClaimedJob): Promise<Record<string, unknown>> {
  const parsed = payloadSchema.safeParse(job.payload);
  if (!parsed.success) throw new DomainError("VALIDATION", "The job does not name an item.");
  const { itemId } = parsed.data;

  const item = await db().evidenceItem.findUnique({
    where: { id: itemId },
    select: {
      projectId: true,
      sensitiveGraphic: true,
      redactions: true,
      publicMediaFileIds: true,
      media: { select: { id: true, sha256: true, sniffedMime: true }, orderBy: [{ collectedAt: "asc" }, { id: "asc" }] },
    },
  });
  if (!item) return { skipped: true, reason: "item not found" };
  if (!(await db().publishedItem.findUnique({ where: { itemId }, select: { id: true } }))) return { skipped: true, reason: "not published" };
  const inputs = { redactions: JSON.stringify(item.redactions), graphic: item.sensitiveGraphic, files: item.publicMediaFileIds.join(",") };
  const chosen = new Set(item.publicMediaFileIds);

  let rows: PublicMediaRow[];
  try {
    // Failing closed: publishing without the blur regions an editor asked for is worse than not publishing.
    const regions = redactionsSchema.safeParse(item.redactions);
    if (!regions.success) throw new DomainError("VALIDATION", "The item's blur regions are malformed; publish it again to fix them.");
    const store = await blobStore();
    rows = [];
    for (const file of item.media) {
      // Only the files the editor chose when publishing the item (page captures are left out
      // unless chosen); HTML and other non-media files never have a public copy.
      const kind = mediaKindOf(file.sniffedMime);
      if (!kind || !chosen.has(file.id)) continue;
      const fileRegions = regions.data.filter((r) => r.mediaFileId === file.id);
      rows.push(...(await makeCopies(store, file, kind, fileRegions, item.sensitiveGraphic)));
    }
  } catch (error) {
    // Copies made under earlier redactions must not stay public when the current ones cannot be applied.
    if (error instanceof DomainError) await removeStaleCopies(itemId, item.projectId, error.message);
    throw error;
  }

  return db().$transaction(async (tx) => {
    const current = await lockPublishedItem(tx, itemId);
    if (!current) return { skipped: true, reason: "not published" };
    if (JSON.stringify(current.redactions) !== inputs.redactions || current.sensitiveGraphic !== inputs.graphic || current.publicMediaFileIds.join(",") !== inputs.files) {
      return { skipped: true, reason: "item changed while its copies were made" };
    }
    const existing = await tx.publicMedia.findMany({ where: { itemId }, select: { mediaFileId: true, kind: true, blurred: true, sha256: true } });
    const key = (r: { mediaFileId: string; kind: string; blurred: boolean; sha256: string }) => `${r.mediaFileId}|${r.kind}|${r.blurred}|${r.sha256}`;
    const before = new Set(existing.map(key));
    if (before.size === rows.length && rows.every((r) => before.has(key(r)))) return { publicMedia: rows.length, unchanged: true };

    await tx.publicMedia.deleteMany({ where: { itemId } });
    await tx.publicMedia.createMany({
      data: rows.map((r) => ({ ...r, projectId: item.projectId, itemId, sizeBytes: BigInt(r.sizeBytes) })),
    });
    await appendAuditEvent(tx, {
      actorId: null,
      projectId: item.projectId,
      action: "media.public_copies",
      entityType: "EvidenceItem",
      entityId: itemId,
      before: { publicMedia: existing.map((r) => ({ mediaFileId: r.mediaFileId, kind: r.kind, blurred: r.blurred, sha256: r.sha256 })) },
      after: { publicMedia: rows.map((r) => ({ mediaFileId: r.mediaFileId, kind: r.kind, blurred: r.blurred, sha256: r.sha256 })) },
    });
    return { publicMedia: rows.length };
  });
}

async function makeCopies(
  store: BlobStore,
  file: { id: string; sha256: string },
  kind: "image" | "video",
  regions: RedactionRegion[],
  graphic: boolean,
): Promise<PublicMediaRow[]> {
  const rows: PublicMediaRow[] = [];
  const storeImage = async (image: PublicImage, rowKind: "IMAGE" | "POSTER", blurred: boolean) => {
    const stored = await store.put(Readable.from(image.buffer));
    rows.push({ mediaFileId: file.id, kind: rowKind, blurred, sha256: stored.sha256, originalSha256: file.sha256, mime: image.mime, sizeBytes: stored.sizeBytes, width: image.width, height: image.height });
  };
  await withLocalCopy(store, file.sha256, async (filePath) => {
    if (kind === "image") {
      const clear = await makePublicImage(filePath, { regions, blur: false });
      await storeImage(clear, "IMAGE", false);
      // Blurred from the redacted copy, so a region can never be sharper in the blurred one.
      if (graphic) await storeImage(await makePublicImage(clear.buffer, { regions: [], blur: true }), "IMAGE", true);
      return;
    }
    await withWorkDir(async (workDir) => {
      // The clear video is made for graphic items too: the page shows it only after a click-through.
      const video = await makePublicVideo(filePath, { regions, workDir, blurredPoster: graphic });
      const stored = await store.put(createReadStream(video.filePath));
      rows.push({ mediaFileId: file.id, kind: "VIDEO", blurred: false, sha256: stored.sha256, originalSha256: file.sha256, mime: video.mime, sizeBytes: stored.sizeBytes, width: video.width, height: video.height });
      await storeImage(video.poster, "POSTER", false);
      if (video.blurredPoster) await storeImage(video.blurredPoster, "POSTER", true);
    });
  });
  return rows;
}

/** Locks the item (as publish/unpublish do) and returns what the copies depend on, or null if it is not published. */
async function lockPublishedItem(tx: Tx, itemId: string): Promise<{ redactions: unknown; sensitiveGraphic: boolean; publicMediaFileIds: string[] } | null> {
  const locked = await tx.$queryRaw<Array<{ redactions: unknown; sensitiveGraphic: boolean; publicMediaFileIds: string[] }>>`
    SELECT "redactions", "sensitiveGraphic", "publicMediaFileIds" FROM "EvidenceItem" WHERE "id" = ${itemId} FOR UPDATE`;
  const current = locked[0];
  if (!current) return null;
  const published = await tx.publishedItem.findUnique({ where: { itemId }, select: { id: true } });
  return published ? current : null;
}

async function removeStaleCopies(itemId: string, projectId: string, reason: string): Promise<void> {
  await db().$transaction(async (tx) => {
    await lockPublishedItem(tx, itemId);
    const removed = await tx.publicMedia.deleteMany({ where: { itemId } });
    if (removed.count === 0) return;
    await appendAuditEvent(tx, {
      actorId: null,
      projectId,
      action: "media.public_copies_removed",
      entityType: "EvidenceItem",
      entityId: itemId,
      after: { publicMediaRemoved: removed.count, reason },
    });
  });
}
