import "server-only";
import { createReadStream } from "node:fs";
import { sanitizeFilename } from "@/lib/domain/media-types";
import { storableOptionalText } from "@/lib/domain/storable-text";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { CaptureError, captureUrl } from "../../capture/capture-url";
import { assertAcceptedMedia } from "../../media/sniff";
import { blobStore } from "../../storage";
import { withWorkDir } from "../../storage/local-copy";
import { maxUploadBytes } from "../../uploads/config";
import { enqueueJob, type ClaimedJob } from "../queue";
import { safeErrorText } from "../safe-error";

/**
 * Private, loopback and link-local addresses are refused unless GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE
 * is set to 1: a server that fetches arbitrary URLs for its users must not be turned against its
 * own machine or network (the admin pages on 127.0.0.1, a cloud metadata service on 169.254.x).
 * Every install, the embedded single-machine default included, is refused unless told otherwise;
 * the test suites set it where they need a page on loopback. A worker warns at start when it is set.
 */
export function capturePrivateAddressesAllowed(): boolean {
  const setting = process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE?.trim().toLowerCase();
  return setting === "1" || setting === "true";
}

export async function captureUrlJob(job: ClaimedJob): Promise<Record<string, unknown>> {
  const { captureId } = job.payload as { captureId: string };
  const capture = await db().urlCapture.findUniqueOrThrow({
    where: { id: captureId },
    include: { item: { select: { id: true, projectId: true } } },
  });
  if (capture.state === "DONE") return { alreadyDone: true };
  await db().urlCapture.update({ where: { id: captureId }, data: { state: "RUNNING", error: null } });
  const store = await blobStore();

  try {
    return await withWorkDir(async (workDir) => {
      const result = await captureUrl(capture.url, {
        workDir,
        allowPrivateAddresses: capturePrivateAddressesAllowed(),
        timeoutMs: positiveNumber(process.env.GROUNDTRUTH_CAPTURE_TIMEOUT_MS, 30_000),
        maxMediaBytes: maxUploadBytes(),
      });
      const common = {
        itemId: capture.itemId,
        captureMethod: "URL_CAPTURE" as const,
        sourceUrl: capture.url,
        collectedById: capture.requestedById,
        collectedAt: result.capturedAt,
      };

      if (result.kind === "media") {
        const sniffed = await assertAcceptedMedia(result.filePath);
        const blob = await store.put(createReadStream(result.filePath));
        return db().$transaction(async (tx) => {
          const media = await tx.mediaFile.create({
            data: { ...common, sha256: blob.sha256, sizeBytes: BigInt(blob.sizeBytes), sniffedMime: sniffed.mime, declaredMime: result.mime, originalFilename: filenameFromUrl(result.finalUrl) },
          });
          await tx.urlCapture.update({
            where: { id: captureId },
            data: { state: "DONE", finalUrl: result.finalUrl, httpStatus: result.httpStatus, capturedAt: result.capturedAt, mediaId: media.id },
          });
          await enqueueJob(tx, { queue: "media.process", payload: { mediaFileId: media.id }, projectId: capture.item.projectId, itemId: capture.itemId });
          await audit(tx, capture.item.projectId, captureId, { kind: "media", sha256: blob.sha256, finalUrl: result.finalUrl });
          return { kind: "media", sha256: blob.sha256 };
        });
      }

      const screenshot = await store.put(createReadStream(result.screenshotPath));
      const html = await store.put(createReadStream(result.htmlPath));
      return db().$transaction(async (tx) => {
        const shot = await tx.mediaFile.create({
          data: { ...common, sha256: screenshot.sha256, sizeBytes: BigInt(screenshot.sizeBytes), sniffedMime: "image/png", originalFilename: "page-screenshot.png", isPageCapture: true },
        });
        const page = await tx.mediaFile.create({
          data: { ...common, sha256: html.sha256, sizeBytes: BigInt(html.sizeBytes), sniffedMime: "text/html", originalFilename: "page.html", isPageCapture: true },
        });
        await tx.urlCapture.update({
          where: { id: captureId },
          data: {
            state: "DONE",
            finalUrl: result.finalUrl,
            httpStatus: result.httpStatus,
            pageTitle: storableOptionalText(result.title, 500) ?? null,
            capturedAt: result.capturedAt,
            screenshotId: shot.id,
            htmlId: page.id,
          },
        });
        await enqueueJob(tx, { queue: "media.process", payload: { mediaFileId: shot.id }, projectId: capture.item.projectId, itemId: capture.itemId });
        await audit(tx, capture.item.projectId, captureId, { kind: "page", screenshot: screenshot.sha256, html: html.sha256, finalUrl: result.finalUrl, title: storableOptionalText(result.title, 500) ?? null });
        return { kind: "page", screenshot: screenshot.sha256, html: html.sha256 };
      });
    });
  } catch (error) {
    // Our own reasons (CaptureError, DomainError) are kept; anything else is not shown as is.
    const message = safeErrorText(error, "The capture failed because of an internal error; the server log has the details.");
    await db().urlCapture.update({ where: { id: captureId }, data: { state: "FAILED", error: message } });
    // Invalid or blocked URLs will not change on retry; network trouble might.
    if (error instanceof CaptureError && (error.reason === "invalid_url" || error.reason === "blocked" || error.reason === "too_large")) {
      Object.assign(error, { permanent: true });
    }
    throw error;
  }
}

function audit(tx: Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0], projectId: string, captureId: string, after: Record<string, unknown>) {
  return appendAuditEvent(tx, { actorId: null, projectId, action: "url.captured", entityType: "UrlCapture", entityId: captureId, after });
}

function positiveNumber(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw && Number.isFinite(value) && value > 0 ? value : fallback;
}

function filenameFromUrl(url: string): string {
  try {
    const last = new URL(url).pathname.split("/").filter(Boolean).pop();
    return last ? sanitizeFilename(decodeURIComponent(last)) : "download";
  } catch {
    return "download";
  }
}
