import "server-only";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { mediaKindOf, normalizeMediaType } from "@/lib/domain/media-types";
import { type MediaMetadata, unreadableMetadata } from "@/lib/domain/media-metadata";
import { storableJson } from "@/lib/domain/storable-text";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { logger } from "../../logger";
import { extractKeyframes, makeImageThumbnail, perceptualHash } from "../../media/derivatives";
import { extractMetadata } from "../../media/extract-metadata";
import { blobStore } from "../../storage";
import { withLocalCopy, withWorkDir } from "../../storage/local-copy";
import { completeJobInTx, type ClaimedJob } from "../queue";
import { safeErrorText } from "../safe-error";

interface DerivativeRow {
  kind: "THUMBNAIL" | "KEYFRAME";
  position: number;
  sha256: string;
  sizeBytes: number;
  mime: string;
  width?: number | null;
  height?: number | null;
  timestampMs?: number | null;
  phash?: string | null;
}

const MAX_KEYFRAMES = 8;

/**
 * Reads what a file says about itself and makes its derivatives: metadata (EXIF/ffprobe),
 * a thumbnail, video keyframes and perceptual hashes. Idempotent: a rerun replaces the same rows.
 *
 * Metadata and derivatives are separate steps. Metadata is whatever a file's author wrote and
 * the first thing a hostile file attacks; when it cannot be read (or stored), the file is
 * recorded as "metadata unreadable" (itself a lead for the investigator) and the thumbnail,
 * keyframes and perceptual hash, which duplicate detection depends on, are made all the same.
 */
export async function processMediaJob(job: ClaimedJob): Promise<Record<string, unknown>> {
  const { mediaFileId } = job.payload as { mediaFileId: string };
  const file = await db().mediaFile.findUniqueOrThrow({ where: { id: mediaFileId }, include: { item: { select: { projectId: true } } } });
  const kind = mediaKindOf(file.sniffedMime);
  if (!kind) return { skipped: `no derivatives for ${file.sniffedMime}` };
  const store = await blobStore();

  const { metadata, derivatives, phash, derivativeError } = await withLocalCopy(store, file.sha256, (filePath) =>
    withWorkDir(async (workDir) => {
      const metadata = await extractMetadata(filePath, file.sniffedMime).catch((error: unknown) => {
        logger.warn("media metadata could not be read", { mediaFileId, error });
        return unreadableMetadata(kind, normalizeMediaType(file.sniffedMime), safeErrorText(error, "The file's metadata could not be read."));
      });
      const derivatives: DerivativeRow[] = [];
      let phash: string | null = null;
      let derivativeError: unknown = null;
      try {
        if (kind === "image") {
          phash = await perceptualHash(filePath).catch(() => null);
          const thumb = await makeImageThumbnail(filePath);
          if (thumb) {
            const stored = await store.put(Readable.from(thumb.buffer));
            derivatives.push({ kind: "THUMBNAIL", position: 0, sha256: stored.sha256, sizeBytes: stored.sizeBytes, mime: thumb.mime, width: thumb.width, height: thumb.height, phash });
          }
        } else {
          const frames = await extractKeyframes(filePath, workDir, { max: MAX_KEYFRAMES });
          for (const [position, frame] of frames.entries()) {
            const stored = await store.put(createReadStream(frame.filePath));
            const framePhash = await perceptualHash(frame.filePath).catch(() => null);
            derivatives.push({ kind: "KEYFRAME", position, sha256: stored.sha256, sizeBytes: stored.sizeBytes, mime: "image/jpeg", width: frame.width, height: frame.height, timestampMs: frame.timestampMs, phash: framePhash });
          }
          const first = frames[0];
          if (first) {
            const thumb = await makeImageThumbnail(first.filePath);
            if (thumb) {
              const stored = await store.put(Readable.from(thumb.buffer));
              derivatives.push({ kind: "THUMBNAIL", position: 0, sha256: stored.sha256, sizeBytes: stored.sizeBytes, mime: thumb.mime, width: thumb.width, height: thumb.height });
            }
          }
        }
      } catch (error) {
        // Keep what was made and the metadata; the job then fails (and retries) with this reason.
        derivativeError = error;
      }
      return { metadata, derivatives, phash, derivativeError };
    }),
  );

  const save = (stored: MediaMetadata) =>
    db().$transaction(async (tx) => {
      await tx.derivative.deleteMany({ where: { mediaFileId } });
      await tx.derivative.createMany({
        data: derivatives.map((d) => ({ ...d, mediaFileId, sizeBytes: BigInt(d.sizeBytes) })),
      });
      await tx.mediaFile.update({
        where: { id: mediaFileId },
        data: { metadata: storableJson(stored) as Prisma.InputJsonValue, phash },
      });
      await appendAuditEvent(tx, {
        actorId: null,
        projectId: file.item.projectId,
        action: "media.processed",
        entityType: "MediaFile",
        entityId: mediaFileId,
        after: { derivatives: derivatives.map((d) => ({ kind: d.kind, sha256: d.sha256 })), phash, metadataUnreadable: stored.metadataUnreadable === true },
      });
      if (!derivativeError) await completeJobInTx(tx, job, { derivatives: derivatives.length, phash });
    });

  try {
    await save(metadata);
  } catch (error) {
    // Whatever the metadata holds must not cost the file its previews and hash: store those
    // with the metadata marked unreadable. A failure that is not about the metadata fails again.
    logger.warn("media metadata could not be stored; keeping derivatives without it", { mediaFileId, error });
    await save(unreadableMetadata(kind, normalizeMediaType(file.sniffedMime), "The file's metadata could not be stored."));
  }
  if (derivativeError) throw derivativeError;
  return { derivatives: derivatives.length, phash };
}
