import "server-only";
import { DomainError, forbidden } from "@/lib/domain/errors";
import { submitEvidenceSchema } from "@/lib/domain/evidence";
import { can, type Actor } from "@/lib/domain/permissions";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { enqueueJob } from "../../jobs/queue";
import { parseInput } from "../../validation";
import { nextItemReference } from "./item-reference";

export interface SubmittedItem {
  id: string;
  reference: string;
  projectSlug: string;
}

/**
 * Turns finished uploads and source URLs into one evidence item in state SUBMITTED, with a
 * custody record per file, queued jobs for metadata/derivatives and URL capture, and an audit
 * event, all in one transaction. Uploads are claimed conditionally, so one upload can never
 * end up attached to two items.
 */
export async function submitEvidence(actor: Actor, input: unknown): Promise<SubmittedItem> {
  const data = parseInput(submitEvidenceSchema, input);
  if (!can(actor, "item:create", { kind: "project", projectId: data.projectId })) throw forbidden("You cannot submit evidence to this project.");

  return db().$transaction(async (tx) => {
    const project = await tx.project.findUniqueOrThrow({ where: { id: data.projectId }, select: { slug: true } });
    const uploads = await tx.upload.findMany({
      where: { id: { in: data.uploadIds }, userId: actor.userId, projectId: data.projectId },
    });
    const byId = new Map(uploads.map((u) => [u.id, u]));
    for (const id of data.uploadIds) {
      const upload = byId.get(id);
      if (!upload) throw new DomainError("VALIDATION", "One of the files is not an upload of yours in this project.");
      if (upload.state === "ATTACHED") throw new DomainError("CONFLICT", `${upload.declaredFilename} was already submitted.`);
      if (upload.state !== "COMPLETE" || !upload.sha256 || !upload.sniffedMime) {
        throw new DomainError("VALIDATION", `${upload.declaredFilename} has not finished uploading.`);
      }
    }

    const reference = await nextItemReference(tx, data.projectId, project.slug);
    const item = await tx.evidenceItem.create({
      data: {
        projectId: data.projectId,
        reference,
        title: data.title,
        description: data.description,
        submittedById: actor.userId,
        platform: data.platform,
        postUrl: data.postUrl,
        posterHandle: data.posterHandle,
        platformUploadedAt: data.platformUploadedAt,
        claimedPlace: data.claimedPlace,
        claimedDate: data.claimedDate,
        language: data.language,
        sensitiveGraphic: data.sensitiveGraphic,
        sensitiveIdentifiable: data.sensitiveIdentifiable,
        sensitiveMinors: data.sensitiveMinors,
        sensitivePersonalData: data.sensitivePersonalData,
      },
      select: { id: true, reference: true },
    });

    const media = [];
    for (const id of data.uploadIds) {
      const upload = byId.get(id)!;
      const claimed = await tx.upload.updateMany({ where: { id, state: "COMPLETE" }, data: { state: "ATTACHED" } });
      if (claimed.count !== 1) throw new DomainError("CONFLICT", `${upload.declaredFilename} was just submitted elsewhere. Reload and try again.`);
      const file = await tx.mediaFile.create({
        data: {
          itemId: item.id,
          sha256: upload.sha256!,
          sizeBytes: upload.sizeBytes,
          sniffedMime: upload.sniffedMime!,
          declaredMime: upload.declaredMime,
          originalFilename: upload.declaredFilename,
          captureMethod: "UPLOAD",
          sourceUrl: data.postUrl ?? null,
          collectedById: actor.userId,
          collectedAt: upload.updatedAt,
          uploadId: upload.id,
        },
        select: { id: true, sha256: true, sizeBytes: true, sniffedMime: true, originalFilename: true },
      });
      media.push(file);
      await enqueueJob(tx, { queue: "media.process", payload: { mediaFileId: file.id }, projectId: data.projectId, itemId: item.id });
    }

    const urls = [...new Set(data.sourceUrls)];
    for (const url of urls) {
      await tx.sourceUrl.create({ data: { itemId: item.id, url, platform: data.platform, addedById: actor.userId } });
      const capture = await tx.urlCapture.create({ data: { itemId: item.id, url, requestedById: actor.userId }, select: { id: true } });
      await enqueueJob(tx, { queue: "url.capture", payload: { captureId: capture.id }, projectId: data.projectId, itemId: item.id });
    }

    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: data.projectId,
      action: "item.submit",
      entityType: "EvidenceItem",
      entityId: item.id,
      after: {
        reference,
        title: data.title,
        platform: data.platform ?? null,
        postUrl: data.postUrl ?? null,
        media: media.map((m) => ({ id: m.id, sha256: m.sha256, sizeBytes: m.sizeBytes, mime: m.sniffedMime, filename: m.originalFilename })),
        sourceUrls: urls,
      },
    });
    return { id: item.id, reference, projectSlug: project.slug };
  });
}
