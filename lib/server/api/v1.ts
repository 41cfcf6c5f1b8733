import "server-only";
import { z } from "zod";
import { DomainError, forbidden, notFound } from "@/lib/domain/errors";
import { submitEvidenceSchema } from "@/lib/domain/evidence";
import { can, type Actor } from "@/lib/domain/permissions";
import { db } from "../db";
import type { ItemDetail } from "../services/items/get-item-detail";
import { formatBytes } from "@/lib/domain/upload-limits";
import { uploadDir, maxUploadBytes } from "../uploads/config";
import { storeReceivedFiles } from "../uploads/direct-upload";
import { receiveMultipart, type ReceivedMultipart } from "../uploads/multipart";
import { acquireUploadSlot, assertProjectQuota } from "../uploads/upload-slots";
import { parseInput } from "../validation";

// Glue between the JSON API's HTTP shapes and the services: the services decide everything
// about permissions; these helpers only translate.

/** Files in one multipart request; more go through several requests or resumable uploads. */
export const MAX_DIRECT_FILES = 20;
/** Boundaries, part headers and the metadata part on top of the files themselves. */
const MULTIPART_OVERHEAD_BYTES = 1024 ** 2;
/** The `metadata` JSON part. */
const MAX_METADATA_BYTES = 256 * 1024;

export const slugParamSchema = z.string().trim().min(1).max(64);
export const referenceParamSchema = z.string().trim().min(1).max(64);

/**
 * A project the actor is a member of (through this token), whatever the token's scopes: a
 * submit-only token must be able to name the project it submits to. Services still check the
 * action itself. Unknown and not-a-member look the same.
 */
export async function findMemberProject(actor: Actor, slug: string) {
  const project = await db().project.findUnique({ where: { slug: parseInput(slugParamSchema, slug) }, select: { id: true, slug: true, name: true } });
  if (!project || !actor.active || !Object.hasOwn(actor.memberships, project.id)) throw notFound("That project");
  return project;
}

export function itemPaths(projectSlug: string, reference: string) {
  const slug = encodeURIComponent(projectSlug);
  const ref = encodeURIComponent(reference);
  return { url: `/projects/${slug}/items/${ref}`, apiUrl: `/api/v1/projects/${slug}/items/${ref}` };
}

/** JSON bodies: a malformed body is the client's mistake (400), not ours (500). */
export async function readJsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new DomainError("VALIDATION", "The request body is not valid JSON.");
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new DomainError("VALIDATION", "The submission must be a JSON object.");
  return value as Record<string, unknown>;
}

/**
 * The submitEvidence input of a POST to /items: a JSON body, or multipart/form-data with a
 * `metadata` JSON part and `file` parts.
 *
 * Multipart bodies are streamed to disk (lib/server/uploads/multipart.ts), never held in memory:
 * each file may be as large as a resumable upload (GROUNDTRUTH_MAX_UPLOAD_BYTES). Before a byte
 * is read, a declared Content-Length over the limit or the project's quota is refused (413) and
 * the account must hold one of its upload slots (concurrency and rate limits, 429). Files are
 * recorded only after the metadata has passed the same schema the service uses; any refusal
 * removes the temporary files and leaves no upload or item rows.
 */
export async function readSubmission(request: Request, actor: Actor, projectId: string): Promise<unknown> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    return { ...asObject(await readJsonBody(request)), projectId };
  }
  if (!can(actor, "item:create", { kind: "project", projectId })) throw forbidden("You cannot submit evidence to this project.");
  const maxFileBytes = maxUploadBytes();
  const maxTotalBytes = maxFileBytes + MULTIPART_OVERHEAD_BYTES;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxTotalBytes) {
    throw new DomainError("TOO_LARGE", `Files sent in one request are limited to ${formatBytes(maxFileBytes)}. Nothing was kept.`);
  }
  if (Number.isFinite(declared)) await assertProjectQuota(projectId, Math.max(0, declared - MULTIPART_OVERHEAD_BYTES));

  const slot = await acquireUploadSlot(actor.userId);
  let received: ReceivedMultipart | undefined;
  try {
    received = await receiveMultipart(request, {
      directory: uploadDir(),
      fileField: "file",
      textFields: ["metadata"],
      maxFiles: MAX_DIRECT_FILES,
      maxFileBytes,
      maxTotalBytes,
      maxFieldBytes: MAX_METADATA_BYTES,
    });
    let metadata: Record<string, unknown> = {};
    const rawMetadata = received.fields.metadata;
    if (rawMetadata !== undefined) {
      try {
        metadata = asObject(JSON.parse(rawMetadata));
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw new DomainError("VALIDATION", "The metadata part is not valid JSON.");
      }
    }
    const existing = Array.isArray(metadata.uploadIds) ? (metadata.uploadIds as unknown[]) : [];
    const submission = { ...metadata, projectId, uploadIds: existing };
    // Placeholder ids stand in for the files, so the count limits and "at least one" apply now.
    parseInput(submitEvidenceSchema, { ...submission, uploadIds: [...existing, ...received.files.map((_f, i) => `pending-${i}`)] });
    const stored = await storeReceivedFiles(actor, projectId, received.files);
    return { ...submission, uploadIds: [...existing, ...stored] };
  } finally {
    await received?.cleanup();
    await slot.release();
  }
}

/**
 * An item as the API returns it: the record, its files (custody facts), sources, captures,
 * current notes and discussion. Internal job state, view-permission hints and other users'
 * ids stay on the server.
 */
export function presentItem(detail: ItemDetail) {
  const { item } = detail;
  return {
    id: item.id,
    reference: item.reference,
    project: { slug: detail.project.slug, name: detail.project.name },
    title: item.title,
    description: item.description,
    status: item.status,
    version: item.version,
    statusReason: item.statusReason,
    assignee: item.assignee?.name ?? null,
    submittedBy: item.submittedBy.name,
    submittedAt: item.createdAt,
    platform: item.platform,
    postUrl: item.postUrl,
    posterHandle: item.posterHandle,
    platformUploadedAt: item.platformUploadedAt,
    claimedPlace: item.claimedPlace,
    claimedDate: item.claimedDate,
    language: item.language,
    sensitivity: {
      graphic: item.sensitiveGraphic,
      identifiable: item.sensitiveIdentifiable,
      minors: item.sensitiveMinors,
      personalData: item.sensitivePersonalData,
    },
    media: item.media.map((m) => ({
      id: m.id,
      sha256: m.sha256,
      sizeBytes: Number(m.sizeBytes),
      mime: m.sniffedMime,
      originalFilename: m.originalFilename,
      captureMethod: m.captureMethod,
      sourceUrl: m.sourceUrl,
      collectedAt: m.collectedAt,
      collectedBy: m.collectedBy.name,
    })),
    sources: item.sources.map((s) => ({ url: s.url, platform: s.platform, addedAt: s.createdAt })),
    captures: detail.captures.map((c) => ({ url: c.url, state: c.state, finalUrl: c.finalUrl, pageTitle: c.pageTitle, httpStatus: c.httpStatus, capturedAt: c.capturedAt })),
    geolocations: detail.geolocations.map((g) => ({
      id: g.id, status: g.status, createdAt: g.createdAt, author: g.author.name,
      latitude: g.latitude, longitude: g.longitude, precisionM: g.precisionM, province: g.province, method: g.method,
    })),
    chronolocations: detail.chronolocations.map((c) => ({
      id: c.id, status: c.status, createdAt: c.createdAt, author: c.author.name,
      earliestAt: c.earliestAt, latestAt: c.latestAt, confidence: c.confidence, methods: c.methods,
    })),
    comments: detail.comments.map((c) => ({ id: c.id, author: c.author, createdAt: c.createdAt, html: c.html })),
    availableActions: detail.availableActions,
  };
}
