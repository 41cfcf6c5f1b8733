import "server-only";
import { notFound } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { db } from "../../db";
import { readableItemsWhere } from "../projects/get-project-overview";
import { duplicatesOfItem, type DuplicateCandidate } from "./find-duplicates";

/** Everything the item page shows. Unreadable and unknown items are both NOT_FOUND. */
export async function getItemDetail(actor: Actor, projectSlug: string, reference: string) {
  const project = await db().project.findUnique({ where: { slug: projectSlug }, select: { id: true, slug: true, name: true, settings: true } });
  if (!project || !can(actor, "project:view", { kind: "project", projectId: project.id })) throw notFound("That item");
  const item = await db().evidenceItem.findFirst({
    where: { AND: [readableItemsWhere(actor, project.id), { reference }] },
    select: {
      id: true,
      projectId: true,
      reference: true,
      title: true,
      description: true,
      status: true,
      platform: true,
      postUrl: true,
      posterHandle: true,
      platformUploadedAt: true,
      claimedPlace: true,
      claimedDate: true,
      language: true,
      sensitiveGraphic: true,
      sensitiveIdentifiable: true,
      sensitiveMinors: true,
      sensitivePersonalData: true,
      createdAt: true,
      submittedBy: { select: { name: true } },
      media: {
        orderBy: { collectedAt: "asc" },
        select: {
          id: true,
          sha256: true,
          sizeBytes: true,
          sniffedMime: true,
          declaredMime: true,
          originalFilename: true,
          captureMethod: true,
          sourceUrl: true,
          collectedAt: true,
          metadata: true,
          phash: true,
          collectedBy: { select: { name: true } },
          derivatives: {
            orderBy: [{ kind: "asc" }, { position: "asc" }],
            select: { id: true, kind: true, sha256: true, mime: true, width: true, height: true, timestampMs: true, position: true },
          },
          _count: { select: { accesses: true } },
        },
      },
      sources: { orderBy: { createdAt: "asc" }, select: { id: true, url: true, platform: true, createdAt: true } },
    },
  });
  if (!item) throw notFound("That item");

  const [captures, jobs, duplicates] = await Promise.all([
    db().urlCapture.findMany({
      where: { itemId: item.id },
      orderBy: { createdAt: "asc" },
      select: { id: true, url: true, state: true, finalUrl: true, pageTitle: true, httpStatus: true, capturedAt: true, screenshotId: true, htmlId: true, mediaId: true, error: true },
    }),
    db().job.findMany({
      where: { itemId: item.id },
      orderBy: { createdAt: "asc" },
      select: { id: true, queue: true, state: true, attempts: true, maxAttempts: true, lastError: true, createdAt: true, finishedAt: true, runAfter: true },
    }),
    duplicatesOfItem(actor, item) as Promise<DuplicateCandidate[]>,
  ]);

  return {
    project: { id: project.id, slug: project.slug, name: project.name },
    item,
    captures,
    jobs,
    duplicates,
    canRetryJobs: can(actor, "item:work", { kind: "project", projectId: project.id }),
  };
}

export type ItemDetail = Awaited<ReturnType<typeof getItemDetail>>;
