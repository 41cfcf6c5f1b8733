import "server-only";
import { notFound } from "@/lib/domain/errors";
import { displayableJobError } from "@/lib/domain/job-errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { availableActions, type ItemState } from "@/lib/domain/review-workflow";
import { db } from "../../db";
import { renderMarkdown } from "../../markdown";
import { findVisibleProject, readableItemsWhere } from "../../access";
import { CUSTODY_FIELDS } from "./custody-report";
import { duplicatesOfItem, type DuplicateCandidate } from "./find-duplicates";

/** Everything the item page shows. Unreadable and unknown items are both NOT_FOUND. */
export async function getItemDetail(actor: Actor, projectSlug: string, reference: string) {
  const project = await findVisibleProject(actor, projectSlug, "That item");
  const item = await db().evidenceItem.findFirst({
    where: { AND: [readableItemsWhere(actor, project.id), { reference }] },
    select: {
      id: true,
      projectId: true,
      reference: true,
      title: true,
      description: true,
      status: true,
      version: true,
      statusReason: true,
      assignee: { select: { name: true } },
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
      submittedById: true,
      submittedBy: { select: { name: true } },
      media: {
        orderBy: { collectedAt: "asc" },
        select: {
          ...CUSTODY_FIELDS,
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

  const noteSelect = {
    id: true,
    status: true,
    createdAt: true,
    authorId: true,
    author: { select: { name: true } },
    reviews: { orderBy: { createdAt: "asc" as const }, select: { id: true, decision: true, comment: true, createdAt: true, reviewerId: true, reviewer: { select: { name: true } } } },
  };
  const [captures, jobs, duplicates, geolocations, chronolocations, history, comments] = await Promise.all([
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
    db().geolocation.findMany({
      where: { itemId: item.id },
      orderBy: { createdAt: "desc" },
      select: { ...noteSelect, latitude: true, longitude: true, precisionM: true, cameraLatitude: true, cameraLongitude: true, bearingDeg: true, method: true, referenceImagery: true, landmarks: true, province: true },
    }),
    db().chronolocation.findMany({
      where: { itemId: item.id },
      orderBy: { createdAt: "desc" },
      select: { ...noteSelect, earliestAt: true, latestAt: true, confidence: true, methods: true, notes: true },
    }),
    db().auditEvent.findMany({
      where: { entityId: item.id },
      orderBy: { seq: "asc" },
      select: { seq: true, action: true, createdAt: true, after: true, actor: { select: { name: true } } },
    }),
    db().comment.findMany({
      where: { itemId: item.id },
      orderBy: { createdAt: "asc" },
      select: { id: true, body: true, createdAt: true, author: { select: { name: true } } },
    }),
  ]);

  return {
    project: { id: project.id, slug: project.slug, name: project.name },
    item,
    // Failure texts as fit to show: never a raw database or library error (lib/domain/job-errors.ts).
    captures: captures.map((c) => ({ ...c, error: displayableJobError(c.error) })),
    jobs: jobs.map((j) => ({ ...j, lastError: displayableJobError(j.lastError) })),
    duplicates,
    canRetryJobs: can(actor, "item:work", { kind: "project", projectId: project.id }),
    canWork: can(actor, "item:work", { kind: "project", projectId: project.id }),
    canReview: can(actor, "item:review", { kind: "project", projectId: project.id }),
    actorId: actor.userId,
    /** The investigation's local zone for display (project setting `timeZone`). */
    timeZone: projectTimeZone(project.settings),
    availableActions: availableActions(actor, project.id, item.status as ItemState),
    geolocations,
    chronolocations,
    comments: comments.map((c) => ({ id: c.id, html: renderMarkdown(c.body), createdAt: c.createdAt, author: c.author.name })),
    canComment: can(actor, "item:comment", { kind: "record", projectId: project.id, ownerId: item.submittedById }),
    history: history.map((h) => ({
      seq: h.seq,
      action: h.action,
      at: h.createdAt,
      by: h.actor?.name ?? "system",
      reason: ((h.after ?? {}) as { reason?: string | null; comment?: string | null }).reason ?? ((h.after ?? {}) as { comment?: string | null }).comment ?? null,
    })),
  };
}

export type ItemDetail = Awaited<ReturnType<typeof getItemDetail>>;

function projectTimeZone(settings: unknown): string {
  const zone = (settings as { timeZone?: unknown } | null)?.timeZone;
  if (typeof zone === "string") {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      return zone;
    } catch {
      // fall through to the default
    }
  }
  return "Asia/Kabul";
}
