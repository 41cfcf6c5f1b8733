import "server-only";
import { createHash } from "node:crypto";
import { PassThrough, Transform, type Readable } from "node:stream";
import { ZipFile } from "yazl";
import { z } from "zod";
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, AUDIT_PATH, CHECKSUMS_PATH, MANIFEST_PATH, formatChecksums, type ArchivedAuditEvent } from "@/lib/domain/archive";
import { forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { appendAuditEvent, storedAuditEvent } from "../../audit";
import { db } from "../../db";
import { blobStore } from "../../storage";
import type { BlobStore } from "../../storage/blob-store";
import { parseInput } from "../../validation";
import { ARCHIVE_TABLES, archiveJson, dataPath, derivativePath, originalPath, type ArchiveData, type ArchiveTableName } from "./archive-tables";

const exportArchiveSchema = z.object({
  // PostgreSQL text cannot hold NUL; such a slug names no project and must not reach the query.
  projectSlug: z.string().trim().min(1).max(80).refine((slug) => !slug.includes("\u0000"), "No project has that name."),
  ip: z.string().max(100).nullish(),
});

export interface ArchiveDependencies {
  client?: PrismaClient;
  store?: BlobStore;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  sizeBytes: number;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  createdAt: string;
  project: { id: string; slug: string; name: string };
  counts: Record<ArchiveTableName, number> & { auditEvents: number; redactedAuditEvents: number };
  audit: { firstSeq: number | null; lastSeq: number | null; headHash: string | null };
  files: ManifestFile[];
}

export interface ProjectArchive {
  filename: string;
  manifestSha256: string;
  manifest: ArchiveManifest;
  /** The ZIP, produced as it is read: originals are streamed from the store, never held in memory. */
  stream: Readable;
}

const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Everything of one project, read in one repeatable-read snapshot so the tables agree with each other. */
async function readSnapshot(client: PrismaClient, projectId: string): Promise<{ data: ArchiveData; audit: ArchivedAuditEvent[] }> {
  return client.$transaction(
    async (tx) => {
      const ofItem = { item: { projectId } };
      const [project, memberships, items, incidents, mediaFiles, derivatives, sourceUrls, urlCaptures, geolocations, chronolocations, reviews, incidentEvidence, comments, savedViews, mediaAccesses] =
        await Promise.all([
          tx.project.findMany({ where: { id: projectId } }),
          tx.membership.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
          tx.evidenceItem.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
          tx.incident.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
          tx.mediaFile.findMany({ where: ofItem, orderBy: { id: "asc" } }),
          tx.derivative.findMany({ where: { mediaFile: ofItem }, orderBy: { id: "asc" } }),
          tx.sourceUrl.findMany({ where: ofItem, orderBy: { id: "asc" } }),
          tx.urlCapture.findMany({ where: ofItem, orderBy: { id: "asc" } }),
          tx.geolocation.findMany({ where: ofItem, orderBy: { id: "asc" } }),
          tx.chronolocation.findMany({ where: ofItem, orderBy: { id: "asc" } }),
          tx.review.findMany({ where: ofItem, orderBy: { id: "asc" } }),
          tx.incidentEvidence.findMany({ where: { incident: { projectId }, item: { projectId } }, orderBy: { id: "asc" } }),
          tx.comment.findMany({ where: ofItem, orderBy: { id: "asc" } }),
          tx.savedView.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
          tx.mediaAccess.findMany({ where: { mediaFile: ofItem }, orderBy: { id: "asc" } }),
        ]);

      const full = await tx.auditEvent.findMany({ where: { projectId }, orderBy: { seq: "asc" } });
      let audit: ArchivedAuditEvent[] = [];
      if (full.length > 0) {
        const first = full[0]!.seq;
        const last = full[full.length - 1]!.seq;
        // Other events in the range travel as links only: they prove nothing between two of this
        // project's events was removed, and say nothing about the other investigation.
        const others = await tx.auditEvent.findMany({
          where: { seq: { gte: first, lte: last }, OR: [{ projectId: null }, { projectId: { not: projectId } }] },
          orderBy: { seq: "asc" },
          select: { seq: true, prevHash: true, hash: true },
        });
        audit = [
          ...full.map((e): ArchivedAuditEvent => ({ redacted: false, ...storedAuditEvent(e) })),
          ...others.map((e): ArchivedAuditEvent => ({ redacted: true, seq: e.seq, prevHash: e.prevHash, hash: e.hash })),
        ].sort((a, b) => a.seq - b.seq);
      }

      const userIds = new Set<string>();
      const add = (id: string | null | undefined) => {
        if (id) userIds.add(id);
      };
      memberships.forEach((r) => add(r.userId));
      items.forEach((r) => (add(r.submittedById), add(r.assigneeId)));
      incidents.forEach((r) => add(r.createdById));
      mediaFiles.forEach((r) => add(r.collectedById));
      sourceUrls.forEach((r) => add(r.addedById));
      urlCaptures.forEach((r) => add(r.requestedById));
      geolocations.forEach((r) => add(r.authorId));
      chronolocations.forEach((r) => add(r.authorId));
      reviews.forEach((r) => add(r.reviewerId));
      incidentEvidence.forEach((r) => add(r.createdById));
      comments.forEach((r) => add(r.authorId));
      savedViews.forEach((r) => add(r.userId));
      mediaAccesses.forEach((r) => add(r.userId));
      full.forEach((r) => add(r.actorId));
      // Never the password hash or session counter: restored accounts get new unusable passwords.
      const users = await tx.user.findMany({
        where: { id: { in: [...userIds] } },
        orderBy: { id: "asc" },
        select: { id: true, email: true, name: true, isAdmin: true, active: true, createdAt: true, updatedAt: true, deactivatedAt: true },
      });

      const data: ArchiveData = {
        users,
        project,
        memberships,
        items,
        incidents,
        "media-files": mediaFiles,
        derivatives,
        "source-urls": sourceUrls,
        "url-captures": urlCaptures,
        geolocations,
        chronolocations,
        reviews,
        "incident-evidence": incidentEvidence,
        comments,
        "saved-views": savedViews,
        "media-accesses": mediaAccesses,
      };
      return { data, audit };
    },
    { isolationLevel: "RepeatableRead", timeout: 120_000 },
  );
}

/** Hashes a blob as it streams into the ZIP and fails the archive if the store returned other bytes. */
function verifyingStream(source: Readable, expectedSha256: string, path: string): Readable {
  const hash = createHash("sha256");
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual = hash.digest("hex");
      callback(actual === expectedSha256 ? null : new Error(`stored blob for ${path} hashes to ${actual}: the media store is damaged`));
    },
  });
  source.on("error", (error) => check.destroy(error));
  return source.pipe(check);
}

/**
 * A full archive of one project as a streaming ZIP: data/*.json (every row with its original id),
 * the project's audit segment, every original and derivative file by SHA-256, manifest.json and
 * SHA256SUMS over all of them. The archive and its manifest hash are recorded in the audit log.
 */
export async function exportProjectArchive(actor: Actor, input: unknown, deps: ArchiveDependencies = {}): Promise<ProjectArchive> {
  const data = parseInput(exportArchiveSchema, input);
  const client = deps.client ?? db();
  const project = await client.project.findUnique({ where: { slug: data.projectSlug }, select: { id: true, slug: true, name: true } });
  const isAdmin = can(actor, "project:archive", { kind: "system" });
  if (!project || (!isAdmin && !can(actor, "project:view", { kind: "project", projectId: project.id }))) throw notFound("That project");
  if (!isAdmin && !can(actor, "archive:export", { kind: "project", projectId: project.id })) throw forbidden("Only editors and administrators can archive a project.");

  const store = deps.store ?? (await blobStore());
  const snapshot = await readSnapshot(client, project.id);

  const buffers: Array<{ path: string; bytes: Buffer }> = ARCHIVE_TABLES.map((table) => ({ path: dataPath(table.name), bytes: Buffer.from(archiveJson(snapshot.data[table.name])) }));
  buffers.push({ path: AUDIT_PATH, bytes: Buffer.from(snapshot.audit.map((e) => JSON.stringify(e)).join("\n") + (snapshot.audit.length > 0 ? "\n" : "")) });

  // Blob sizes and hashes come from the database (content-addressed: the name is the hash);
  // the bytes are checked against them while they stream.
  const blobs = new Map<string, { sha256: string; sizeBytes: number }>();
  for (const m of snapshot.data["media-files"]) blobs.set(originalPath(m.sha256 as string), { sha256: m.sha256 as string, sizeBytes: Number(m.sizeBytes) });
  for (const d of snapshot.data.derivatives) blobs.set(derivativePath(d.sha256 as string), { sha256: d.sha256 as string, sizeBytes: Number(d.sizeBytes) });

  const files: ManifestFile[] = [
    ...buffers.map((b) => ({ path: b.path, sha256: sha256Of(b.bytes), sizeBytes: b.bytes.length })),
    ...[...blobs].map(([path, blob]) => ({ path, ...blob })),
  ];
  const counts = Object.fromEntries(ARCHIVE_TABLES.map((t) => [t.name, snapshot.data[t.name].length])) as Record<ArchiveTableName, number>;
  const lastEvent = snapshot.audit[snapshot.audit.length - 1];
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    createdAt: new Date().toISOString(),
    project,
    counts: { ...counts, auditEvents: snapshot.audit.filter((e) => !e.redacted).length, redactedAuditEvents: snapshot.audit.filter((e) => e.redacted).length },
    audit: { firstSeq: snapshot.audit[0]?.seq ?? null, lastSeq: lastEvent?.seq ?? null, headHash: lastEvent?.hash ?? null },
    files,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  const manifestSha256 = sha256Of(manifestBytes);
  const checksums = Buffer.from(formatChecksums([...files, { path: MANIFEST_PATH, sha256: manifestSha256 }]));

  await client.$transaction(async (tx) => {
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: project.id,
      action: "project.archive",
      entityType: "Project",
      entityId: project.id,
      after: { manifestSha256, counts: manifest.counts, files: files.length + 2, auditHeadHash: manifest.audit.headHash },
      ip: data.ip ?? null,
    });
  });

  const zip = new ZipFile();
  const mtime = new Date(manifest.createdAt);
  zip.addBuffer(manifestBytes, MANIFEST_PATH, { mtime });
  for (const b of buffers) zip.addBuffer(b.bytes, b.path, { mtime });
  for (const [path, blob] of blobs) {
    // Lazy: a blob is opened only when the ZIP reaches it, so one file handle is open at a time.
    zip.addReadStreamLazy(path, { mtime, size: blob.sizeBytes, compress: false }, (callback) => {
      store.open(blob.sha256).then(
        (stream) => callback(null, verifyingStream(stream, blob.sha256, path)),
        (error: unknown) => callback(error, new PassThrough()),
      );
    });
  }
  zip.addBuffer(checksums, CHECKSUMS_PATH, { mtime });
  zip.end();

  const output = new PassThrough();
  zip.outputStream.on("error", (error) => output.destroy(error));
  zip.on("error", (error: Error) => output.destroy(error));
  zip.outputStream.pipe(output);
  const stamp = manifest.createdAt.slice(0, 19).replace(/[:T]/g, "-");
  return { filename: `${project.slug.replace(/[^a-z0-9-]/gi, "")}-archive-${stamp}.zip`, manifestSha256, manifest, stream: output };
}
