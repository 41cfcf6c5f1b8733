import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { z } from "zod";
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  AUDIT_PATH,
  CHECKSUMS_PATH,
  MANIFEST_PATH,
  compareChecksums,
  parseChecksums,
  verifyAuditSegment,
  type ArchivedAuditEvent,
} from "@/lib/domain/archive";
import { DomainError, forbidden } from "@/lib/domain/errors";
import { latestReviewPerNote } from "@/lib/domain/notes";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { refreshPlannerStatistics } from "../../planner-statistics";
import { hashPassword } from "../../passwords";
import { blobStore } from "../../storage";
import type { BlobStore } from "../../storage/blob-store";
import { parseInput } from "../../validation";
import { ARCHIVE_TABLES, dataPath, reviveRows, type ArchiveData, type ArchiveTableName } from "./archive-tables";
import type { ArchiveDependencies, ArchiveManifest } from "./export-project-archive";

const restoreSchema = z.object({ archivePath: z.string().min(1).max(4096) });

/** Small files read into memory during verification; originals are only ever streamed. */
const MAX_TEXT_ENTRY_BYTES = 1024 * 1024 * 1024;
const BLOB_PATH = /^(originals|derivatives)\/([0-9a-f]{64})$/;
const INSERT_CHUNK = 1000;

export interface RestoreReport {
  restoreId: string;
  project: { id: string; slug: string; name: string };
  manifestSha256: string;
  counts: Record<ArchiveTableName, number>;
  blobs: number;
  restoredAuditEvents: number;
  restoredHeadHash: string | null;
}

const refused = (reason: string) => new DomainError("VALIDATION", `The archive was refused: ${reason}.`);

function isTextEntry(path: string): boolean {
  return path === MANIFEST_PATH || path === CHECKSUMS_PATH || path === AUDIT_PATH || path.startsWith("data/");
}

async function openZip(archivePath: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(archivePath, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true, autoClose: true });
  } catch {
    throw refused("it is not a readable ZIP file");
  }
}

/** Reads one entry to its end, hashing it; keeps the bytes only when asked. */
async function hashEntry(stream: Readable, keep: boolean): Promise<{ sha256: string; bytes: Buffer | null }> {
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  let size = 0;
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        if (keep) {
          if (size > MAX_TEXT_ENTRY_BYTES) return callback(new Error("entry too large"));
          chunks.push(chunk);
        }
        callback();
      },
    }),
  );
  return { sha256: hash.digest("hex"), bytes: keep ? Buffer.concat(chunks) : null };
}

/** Pass one: every entry hashed, the data files kept. Nothing is written anywhere. */
async function readAndHash(archivePath: string): Promise<{ actual: Map<string, string>; texts: Map<string, Buffer> }> {
  const zip = await openZip(archivePath);
  const actual = new Map<string, string>();
  const texts = new Map<string, Buffer>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith("/")) continue;
      if (actual.has(entry.fileName)) throw refused(`${entry.fileName} appears twice`);
      const keep = isTextEntry(entry.fileName);
      const stream = await zip.openReadStreamPromise(entry);
      const { sha256, bytes } = await hashEntry(stream, keep).catch(() => {
        throw refused(`${entry.fileName} could not be read (the archive is damaged)`);
      });
      actual.set(entry.fileName, sha256);
      if (bytes) texts.set(entry.fileName, bytes);
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw refused("it could not be read to the end (the archive is damaged)");
  } finally {
    zip.close();
  }
  return { actual, texts };
}

function parseJson<T>(texts: Map<string, Buffer>, path: string): T {
  const bytes = texts.get(path);
  if (!bytes) throw refused(`${path} is missing`);
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch {
    throw refused(`${path} is not valid JSON`);
  }
}

function parseAudit(texts: Map<string, Buffer>): ArchivedAuditEvent[] {
  const bytes = texts.get(AUDIT_PATH);
  if (!bytes) throw refused(`${AUDIT_PATH} is missing`);
  const lines = bytes.toString("utf8").split("\n").filter((line) => line.length > 0);
  return lines.map((line, index) => {
    try {
      return JSON.parse(line) as ArchivedAuditEvent;
    } catch {
      throw refused(`line ${index + 1} of ${AUDIT_PATH} is not valid JSON`);
    }
  });
}

/** Pass two, after everything verified: blobs into the store, each re-hashed by the store itself. */
async function storeBlobs(archivePath: string, store: BlobStore, expected: ReadonlyMap<string, string>): Promise<number> {
  const zip = await openZip(archivePath);
  let stored = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const match = BLOB_PATH.exec(entry.fileName);
      if (!match) continue;
      const stream = await zip.openReadStreamPromise(entry);
      const result = await store.put(stream);
      if (result.sha256 !== match[2] || expected.get(entry.fileName) !== result.sha256) {
        throw refused(`${entry.fileName} changed while it was being restored`);
      }
      stored += 1;
    }
  } finally {
    zip.close();
  }
  return stored;
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) await insert(rows.slice(start, start + INSERT_CHUNK));
}

type Rows = Array<Record<string, unknown>>;

async function insertData(tx: Tx, data: Record<ArchiveTableName, Rows>, passwordHashes: Map<string, string>): Promise<void> {
  const users = data.users.map((u) => ({ ...u, passwordHash: passwordHashes.get(u.id as string)!, sessionVersion: 0 }));
  await insertChunked(users, (chunk) => tx.user.createMany({ data: chunk as unknown as Prisma.UserCreateManyInput[] }));
  await tx.project.createMany({ data: data.project as unknown as Prisma.ProjectCreateManyInput[] });
  await insertChunked(data.memberships, (chunk) => tx.membership.createMany({ data: chunk as unknown as Prisma.MembershipCreateManyInput[] }));
  // Duplicates point at other items: insert all items first, then the links.
  const items = data.items.map((item) => ({ ...item, duplicateOfId: null }));
  await insertChunked(items, (chunk) => tx.evidenceItem.createMany({ data: chunk as unknown as Prisma.EvidenceItemCreateManyInput[] }));
  for (const item of data.items) {
    if (item.duplicateOfId) await tx.evidenceItem.update({ where: { id: item.id as string }, data: { duplicateOfId: item.duplicateOfId as string, updatedAt: item.updatedAt as Date } });
  }
  await insertChunked(data.incidents, (chunk) => tx.incident.createMany({ data: chunk as unknown as Prisma.IncidentCreateManyInput[] }));
  await insertChunked(data["media-files"], (chunk) => tx.mediaFile.createMany({ data: chunk as unknown as Prisma.MediaFileCreateManyInput[] }));
  await insertChunked(data.derivatives, (chunk) => tx.derivative.createMany({ data: chunk as unknown as Prisma.DerivativeCreateManyInput[] }));
  await insertChunked(data["source-urls"], (chunk) => tx.sourceUrl.createMany({ data: chunk as unknown as Prisma.SourceUrlCreateManyInput[] }));
  await insertChunked(data["url-captures"], (chunk) => tx.urlCapture.createMany({ data: chunk as unknown as Prisma.UrlCaptureCreateManyInput[] }));
  await insertChunked(data.geolocations, (chunk) => tx.geolocation.createMany({ data: chunk as unknown as Prisma.GeolocationCreateManyInput[] }));
  await insertChunked(data.chronolocations, (chunk) => tx.chronolocation.createMany({ data: chunk as unknown as Prisma.ChronolocationCreateManyInput[] }));
  await insertChunked(data.reviews, (chunk) => tx.review.createMany({ data: chunk as unknown as Prisma.ReviewCreateManyInput[] }));
  await insertChunked(data["incident-evidence"], (chunk) => tx.incidentEvidence.createMany({ data: chunk as unknown as Prisma.IncidentEvidenceCreateManyInput[] }));
  await insertChunked(data.comments, (chunk) => tx.comment.createMany({ data: chunk as unknown as Prisma.CommentCreateManyInput[] }));
  await insertChunked(data["saved-views"], (chunk) => tx.savedView.createMany({ data: chunk as unknown as Prisma.SavedViewCreateManyInput[] }));
  await insertChunked(data["media-accesses"], (chunk) => tx.mediaAccess.createMany({ data: chunk as unknown as Prisma.MediaAccessCreateManyInput[] }));
}

function restoredAuditRows(restoreId: string, audit: ArchivedAuditEvent[]): Prisma.RestoredAuditEventCreateManyInput[] {
  return audit.map((e) =>
    e.redacted
      ? { id: `${restoreId}-${e.seq}`, restoreId, seq: e.seq, redacted: true, prevHash: e.prevHash, hash: e.hash }
      : {
          id: e.id,
          restoreId,
          seq: e.seq,
          redacted: false,
          actorId: e.actorId,
          projectId: e.projectId,
          action: e.action,
          entityType: e.entityType,
          entityId: e.entityId,
          before: e.before === null ? Prisma.DbNull : e.before,
          after: e.after === null ? Prisma.DbNull : e.after,
          ip: e.ip,
          createdAt: new Date(e.createdAt),
          prevHash: e.prevHash,
          hash: e.hash,
        },
  );
}

/**
 * Loads a project archive into an EMPTY installation (no users, projects or items), keeping every
 * original id, value and SHA-256. Every file is checked against SHA256SUMS and the audit segment
 * against its hash chain before anything is written; a tampered archive is refused naming the
 * file. Restored accounts get an unusable random password: an administrator must reset them.
 */
export async function restoreProjectArchive(actor: Actor, input: unknown, deps: ArchiveDependencies = {}): Promise<RestoreReport> {
  const { archivePath } = parseInput(restoreSchema, input);
  if (!can(actor, "project:import", { kind: "system" })) throw forbidden("Only administrators can restore a project archive.");
  const client: PrismaClient = deps.client ?? db();

  const { actual, texts } = await readAndHash(archivePath);
  const checksumText = texts.get(CHECKSUMS_PATH);
  if (!checksumText) throw refused(`${CHECKSUMS_PATH} is missing`);
  const listed = parseChecksums(checksumText.toString("utf8"));
  if (!listed.ok) throw refused(listed.reason);
  const problems = compareChecksums(listed.sums, actual);
  if (problems.length > 0) throw refused(problems[0]!);

  const manifest = parseJson<ArchiveManifest>(texts, MANIFEST_PATH);
  if (manifest.format !== ARCHIVE_FORMAT || manifest.version !== ARCHIVE_VERSION) throw refused(`it is not a version ${ARCHIVE_VERSION} Groundtruth project archive`);
  for (const file of manifest.files) {
    if (actual.get(file.path) !== file.sha256) throw refused(`${file.path} does not match its SHA-256 in ${MANIFEST_PATH}`);
  }
  for (const [path, sha256] of actual) {
    const blob = BLOB_PATH.exec(path);
    if (blob && blob[2] !== sha256) throw refused(`${path} does not hash to its name`);
    if (!blob && !isTextEntry(path)) throw refused(`${path} is not part of the archive format`);
  }

  const raw = Object.fromEntries(ARCHIVE_TABLES.map((t) => [t.name, parseJson<Rows>(texts, dataPath(t.name))])) as Record<ArchiveTableName, Rows>;
  if (raw.project.length !== 1) throw refused(`${dataPath("project")} must hold exactly one project`);
  const data = Object.fromEntries(ARCHIVE_TABLES.map((t) => [t.name, reviveRows(t, raw[t.name])])) as ArchiveData;
  // Archives from before a reviewer's review of a note became one decision may repeat it: keep
  // each reviewer's latest review of each note, as the database migration did.
  const archivedReviews = data.reviews.length;
  data.reviews = latestReviewPerNote(data.reviews as unknown as Parameters<typeof latestReviewPerNote>[0]) as unknown as Rows;
  const droppedDuplicateReviews = archivedReviews - data.reviews.length;
  for (const m of data["media-files"]) if (!actual.has(`originals/${m.sha256 as string}`)) throw refused(`the original ${m.sha256 as string} is missing`);
  for (const d of data.derivatives) if (!actual.has(`derivatives/${d.sha256 as string}`)) throw refused(`the derivative ${d.sha256 as string} is missing`);

  const audit = parseAudit(texts);
  const segment = verifyAuditSegment(audit);
  if (!segment.ok) throw refused(`its audit history is broken at event #${segment.brokenAtSeq}: ${segment.reason}`);

  const [users, projects, items] = await Promise.all([client.user.count(), client.project.count(), client.evidenceItem.count()]);
  if (users + projects + items > 0) {
    throw new DomainError("CONFLICT", "A project archive can only be restored into an empty installation (no users, projects or items).");
  }

  const store = deps.store ?? (await blobStore());
  const blobs = await storeBlobs(archivePath, store, actual);

  // Unknown to anyone: restored accounts cannot sign in until an administrator resets them.
  const passwordHashes = new Map<string, string>();
  for (const user of data.users) passwordHashes.set(user.id as string, await hashPassword(randomBytes(32).toString("base64url")));

  const restoreId = randomUUID();
  const manifestSha256 = actual.get(MANIFEST_PATH)!;
  const project = data.project[0] as { id: string; slug: string; name: string };
  const counts = Object.fromEntries(ARCHIVE_TABLES.map((t) => [t.name, data[t.name].length])) as Record<ArchiveTableName, number>;

  await client.$transaction(
    async (tx) => {
      // Re-checked under the transaction: two restores started together must not both pass.
      await tx.$executeRaw`LOCK TABLE "Project" IN EXCLUSIVE MODE`;
      if ((await tx.project.count()) > 0 || (await tx.user.count()) > 0) {
        throw new DomainError("CONFLICT", "A project archive can only be restored into an empty installation (no users, projects or items).");
      }
      await insertData(tx, data, passwordHashes);
      await insertChunked(restoredAuditRows(restoreId, audit), (chunk) => tx.restoredAuditEvent.createMany({ data: chunk }));
      await appendAuditEvent(tx, {
        actorId: auditActorId(actor),
        projectId: project.id,
        action: "project.restore",
        entityType: "Project",
        entityId: project.id,
        after: {
          restoreId,
          manifestSha256,
          counts,
          blobs,
          restoredAuditEvents: audit.length,
          restoredHeadSeq: segment.headSeq,
          restoredHeadHash: segment.headHash,
          ...(droppedDuplicateReviews > 0 ? { droppedDuplicateReviews } : {}),
        },
      });
    },
    { timeout: 300_000 },
  );
  await refreshPlannerStatistics([
    "User", "Project", "Membership", "EvidenceItem", "Incident", "MediaFile", "Derivative", "SourceUrl", "UrlCapture",
    "Geolocation", "Chronolocation", "Review", "IncidentEvidence", "Comment", "SavedView", "MediaAccess", "RestoredAuditEvent",
  ], client);

  return { restoreId, project: { id: project.id, slug: project.slug, name: project.name }, manifestSha256, counts, blobs, restoredAuditEvents: audit.length, restoredHeadHash: segment.headHash };
}
