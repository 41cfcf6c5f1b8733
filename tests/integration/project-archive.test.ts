// Project archive and restore end to end: an admin archives a project whose audit events are
// interleaved with another project's, the archive restores into a second, empty database and
// media store with identical ids and hashes, and both audit histories verify. A one-byte change
// to an original is refused before anything is written.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import yauzl from "yauzl";
import { DomainError } from "../../lib/domain/errors";
import { SYSTEM_ACTOR, type Actor } from "../../lib/domain/permissions";
import { ensureDatabase } from "../../lib/infra/embedded-postgres";
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { verifyRestoredAuditHistory, verifyStoredAuditChain } from "../../lib/server/audit";
import { createPrismaClient, db, type Tx } from "../../lib/server/db";
import { exportProjectArchive } from "../../lib/server/services/archive/export-project-archive";
import { restoreProjectArchive } from "../../lib/server/services/archive/restore-project-archive";
import { addComment } from "../../lib/server/services/comments/add-comment";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { transitionItem } from "../../lib/server/services/items/transition-item";
import { blobStore } from "../../lib/server/storage";
import { LocalBlobStore } from "../../lib/server/storage/local-blob-store";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-archive-media-"));
const workDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-archive-"));
const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const originalBytes = readFileSync(path.join(fixtures, "images", "exifr_IMG_5910.jpg"));
const thumbnailBytes = readFileSync(path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg"));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const MARKER = "OTHER-PROJECT-SECRET-7c1f";

let project: { id: string; slug: string };
let otherProject: { id: string; slug: string };
let admin: Actor;
let editor: Actor;
let investigator: Actor;
let itemId: string;
let otherItemId: string;
let archivePath: string;
const extraClients: PrismaClient[] = [];

/** A second database on the same server, cloned from the migrated template: empty, like a new install. */
async function emptyDatabase(): Promise<PrismaClient> {
  const name = `it_restore_${randomBytes(5).toString("hex")}`;
  const serverUrl = inject("pgServerUrl");
  await ensureDatabase(serverUrl, name, inject("templateDatabase"));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = createPrismaClient(url.toString());
  extraClients.push(client);
  return client;
}

/** What an attacker with database superuser rights could do: write with the append-only triggers off. */
async function asSuperuserBypassingTriggers(client: PrismaClient, change: (tx: Tx) => Promise<unknown>): Promise<void> {
  await client.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
    await change(tx);
  });
}

async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const entries = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return entries;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function projectRows(client: PrismaClient, projectId: string) {
  const ofItem = { item: { projectId } };
  const order = { orderBy: { id: "asc" as const } };
  return {
    project: await client.project.findUniqueOrThrow({ where: { id: projectId } }),
    memberships: await client.membership.findMany({ where: { projectId }, ...order }),
    items: await client.evidenceItem.findMany({ where: { projectId }, ...order }),
    media: await client.mediaFile.findMany({ where: ofItem, ...order }),
    derivatives: await client.derivative.findMany({ where: { mediaFile: ofItem }, ...order }),
    sources: await client.sourceUrl.findMany({ where: ofItem, ...order }),
    geolocations: await client.geolocation.findMany({ where: ofItem, ...order }),
    chronolocations: await client.chronolocation.findMany({ where: ofItem, ...order }),
    incidents: await client.incident.findMany({ where: { projectId }, ...order }),
    incidentEvidence: await client.incidentEvidence.findMany({ where: { incident: { projectId } }, ...order }),
    comments: await client.comment.findMany({ where: ofItem, ...order }),
    accesses: await client.mediaAccess.findMany({ where: { mediaFile: ofItem }, ...order }),
  };
}

beforeAll(async () => {
  project = await makeProject();
  otherProject = await makeProject();
  admin = await actorFor((await makeUser({ isAdmin: true })).id);
  editor = await actorFor((await makeUser({ projectId: project.id, role: "EDITOR" })).id);
  investigator = await actorFor((await makeUser({ projectId: project.id, role: "INVESTIGATOR" })).id);
  const otherEditor = await actorFor((await makeUser({ projectId: otherProject.id, role: "EDITOR" })).id);
  await db().project.update({ where: { id: otherProject.id }, data: { description: MARKER } });

  // Interleave the two projects' audit events so the archive's segment has redacted gaps.
  const item = await submitEvidence(editor, { projectId: project.id, title: "Blast at the bus station", sourceUrls: ["https://example.org/post/1"] });
  itemId = item.id;
  otherItemId = (await submitEvidence(otherEditor, { projectId: otherProject.id, title: `${MARKER} item`, sourceUrls: ["https://example.org/secret"] })).id;
  await transitionItem(editor, { itemId, action: "triage", expectedVersion: 0 });
  await addComment(otherEditor, { itemId: otherItemId, body: `${MARKER} comment` });
  await addComment(editor, { itemId, body: "Minaret matches, see \"north\" side — ✓" });
  await transitionItem(otherEditor, { itemId: otherItemId, action: "triage", expectedVersion: 0 });
  await transitionItem(editor, { itemId, action: "claim", expectedVersion: 1 });

  const store = await blobStore();
  const original = await store.put(Readable.from([originalBytes]));
  const thumbnail = await store.put(Readable.from([thumbnailBytes]));
  const media = await db().mediaFile.create({
    data: {
      itemId,
      sha256: original.sha256,
      sizeBytes: BigInt(original.sizeBytes),
      sniffedMime: "image/jpeg",
      originalFilename: "IMG_5910.jpg",
      captureMethod: "UPLOAD",
      collectedById: editor.userId,
      metadata: { Make: "Apple", nested: { iso: 100 } },
      phash: "0123456789abcdef",
    },
  });
  await db().derivative.create({ data: { mediaFileId: media.id, kind: "THUMBNAIL", sha256: thumbnail.sha256, sizeBytes: BigInt(thumbnail.sizeBytes), mime: "image/jpeg", width: 160, height: 120 } });
  await db().mediaAccess.create({ data: { mediaFileId: media.id, userId: editor.userId, purpose: "download_original", ip: "203.0.113.5" } });
  await db().geolocation.create({ data: { itemId, authorId: editor.userId, latitude: 34.5553, longitude: 69.2075, precisionM: 100, method: "Minaret", referenceImagery: [{ provider: "Maxar", captureDate: "2022-09-01", url: "https://example.org/img" }] } });
  await db().chronolocation.create({ data: { itemId, authorId: editor.userId, earliestAt: new Date("2022-09-30T02:30:00Z"), latestAt: new Date("2022-09-30T03:30:00Z"), confidence: "MEDIUM", methods: ["SUN", "UPLOAD"] } });
  const incident = await db().incident.create({
    data: { projectId: project.id, reference: "INC-0001", title: "Bus station attack", incidentType: "IED", createdById: editor.userId, targets: ["CIVILIANS"], tags: ["kabul"], killedMin: 3, killedMax: 5, startAt: new Date("2022-09-30T02:45:00Z") },
  });
  await db().incidentEvidence.create({ data: { incidentId: incident.id, itemId, relation: "shows aftermath", createdById: editor.userId } });
});

afterAll(async () => {
  for (const client of extraClients) await client.$disconnect();
});

describe("project archive", () => {
  it("is refused to an investigator and allowed to an admin without membership", async () => {
    const error = await exportProjectArchive(investigator, { projectSlug: project.slug }).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe("FORBIDDEN");

    const archive = await exportProjectArchive(admin, { projectSlug: project.slug });
    archivePath = path.join(workDir, archive.filename);
    await pipeline(archive.stream, createWriteStream(archivePath));
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "project.archive", projectId: project.id } });
    expect(event.actorId).toBe(admin.userId);
    expect((event.after as { manifestSha256: string }).manifestSha256).toBe(archive.manifestSha256);
  });

  it("lists every file in SHA256SUMS with its real SHA-256, and holds the original bytes", async () => {
    const entries = await unzip(archivePath);
    const sums = entries.get("SHA256SUMS")!.toString("utf8").trim().split("\n").map((line) => line.split("  ") as [string, string]);
    const listed = new Map(sums.map(([hash, file]) => [file, hash]));
    expect(new Set(listed.keys())).toEqual(new Set([...entries.keys()].filter((name) => name !== "SHA256SUMS")));
    for (const [name, bytes] of entries) if (name !== "SHA256SUMS") expect(listed.get(name), name).toBe(sha256(bytes));

    expect(entries.get(`originals/${sha256(originalBytes)}`)!.equals(originalBytes)).toBe(true);
    expect(entries.get(`derivatives/${sha256(thumbnailBytes)}`)!.equals(thumbnailBytes)).toBe(true);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "project.archive", projectId: project.id } });
    expect((event.after as { manifestSha256: string }).manifestSha256).toBe(sha256(entries.get("manifest.json")!));

    const users = JSON.parse(entries.get("data/users.json")!.toString("utf8")) as Array<Record<string, unknown>>;
    expect(users.length).toBeGreaterThan(0);
    for (const user of users) expect(Object.keys(user)).not.toContain("passwordHash");
  });

  it("carries nothing of the other project beyond redacted chain links", async () => {
    const entries = await unzip(archivePath);
    for (const [name, bytes] of entries) {
      const text = bytes.toString("latin1");
      expect(text.includes(MARKER), name).toBe(false);
      expect(text.includes(otherProject.id), name).toBe(false);
      expect(text.includes(otherItemId), name).toBe(false);
    }
    const events = entries.get("audit/events.jsonl")!.toString("utf8").trim().split("\n").map((line) => JSON.parse(line) as { redacted: boolean; seq: number });
    const redacted = events.filter((e) => e.redacted);
    expect(redacted.length).toBeGreaterThan(0);
    for (const e of redacted) expect(Object.keys(e).sort()).toEqual(["hash", "prevHash", "redacted", "seq"]);
    // Consecutive: the gaps are filled by the redacted links.
    events.forEach((e, i) => i > 0 && expect(e.seq).toBe(events[i - 1]!.seq + 1));
  });

  it("refuses an archive with one byte of an original changed, naming the file, and writes nothing", async () => {
    const bytes = readFileSync(archivePath);
    const at = bytes.indexOf(originalBytes.subarray(0, 256));
    expect(at).toBeGreaterThan(0);
    bytes[at + 1000] = bytes[at + 1000]! ^ 0xff;
    const tamperedPath = path.join(workDir, "tampered.zip");
    writeFileSync(tamperedPath, bytes);

    const target = await emptyDatabase();
    const error = await restoreProjectArchive(SYSTEM_ACTOR, { archivePath: tamperedPath }, { client: target, store: new LocalBlobStore(mkdtempSync(path.join(workDir, "store-"))) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toContain(`originals/${sha256(originalBytes)}`);
    expect(await target.user.count()).toBe(0);
    expect(await target.project.count()).toBe(0);
    expect(await target.auditEvent.count()).toBe(0);
    expect(await target.restoredAuditEvent.count()).toBe(0);
  });

  it("restores into an empty database with identical ids, hashes and counts and verifying audit history", async () => {
    const target = await emptyDatabase();
    const storeDir = mkdtempSync(path.join(workDir, "store-"));
    const targetStore = new LocalBlobStore(storeDir);
    const report = await restoreProjectArchive(SYSTEM_ACTOR, { archivePath }, { client: target, store: targetStore });
    expect(report.project.id).toBe(project.id);

    const before = await projectRows(db(), project.id);
    const after = await projectRows(target, project.id);
    expect(after.project).toEqual(before.project);
    for (const key of ["memberships", "items", "media", "derivatives", "sources", "geolocations", "chronolocations", "incidents", "incidentEvidence", "comments", "accesses"] as const) {
      expect(after[key], key).toEqual(before[key]);
      expect(after[key].length, key).toBeGreaterThan(0);
    }
    // The other project and its people never arrive.
    expect(await target.project.count()).toBe(1);
    expect(await target.evidenceItem.count({ where: { id: otherItemId } })).toBe(0);

    // Blobs: the restored store returns bytes hashing to the recorded SHA-256.
    for (const m of after.media) expect(sha256(await readAll(await targetStore.open(m.sha256)))).toBe(sha256(originalBytes));
    for (const d of after.derivatives) expect(sha256(await readAll(await targetStore.open(d.sha256)))).toBe(d.sha256);

    // Restored users cannot sign in with anything they knew; their hash is new.
    const sourceUser = await db().user.findUniqueOrThrow({ where: { id: editor.userId } });
    const restoredUser = await target.user.findUniqueOrThrow({ where: { id: editor.userId } });
    expect(restoredUser.email).toBe(sourceUser.email);
    expect(restoredUser.passwordHash).not.toBe(sourceUser.passwordHash);

    // Live chain: one restore event recording the manifest and the restored head.
    const live = await verifyStoredAuditChain(target);
    expect(live).toMatchObject({ ok: true, count: 1 });
    const restoreEvent = await target.auditEvent.findFirstOrThrow({ where: { action: "project.restore" } });
    const lastSourceEvent = await db().auditEvent.findFirstOrThrow({ where: { projectId: project.id, action: { not: "project.archive" } }, orderBy: { seq: "desc" } });
    expect(restoreEvent.after).toMatchObject({ manifestSha256: report.manifestSha256, restoredHeadHash: lastSourceEvent.hash });

    // Restored history: the same seqs and hashes as the source chain.
    const history = await verifyRestoredAuditHistory(target);
    expect(history.ok).toBe(true);
    const restored = await target.restoredAuditEvent.findMany({ orderBy: { seq: "asc" } });
    const source = await db().auditEvent.findMany({ where: { seq: { gte: restored[0]!.seq, lte: restored[restored.length - 1]!.seq } }, orderBy: { seq: "asc" } });
    expect(restored.map((e) => [e.seq, e.hash])).toEqual(source.map((e) => [e.seq, e.hash]));
    expect(restored.filter((e) => !e.redacted).every((e) => e.projectId === project.id)).toBe(true);

    // A second restore into the now non-empty database is refused.
    const again = await restoreProjectArchive(SYSTEM_ACTOR, { archivePath }, { client: target, store: targetStore }).catch((e: unknown) => e);
    expect((again as DomainError).code).toBe("CONFLICT");

    // Restored history is append-only; a superuser bypassing that is caught by the hashes.
    const victim = restored.find((e) => !e.redacted && e.action === "comment.add") ?? restored.find((e) => !e.redacted)!;
    await expect(target.restoredAuditEvent.update({ where: { id: victim.id }, data: { entityId: "forged" } })).rejects.toThrow(/append-only/);
    await asSuperuserBypassingTriggers(target, (tx) => tx.restoredAuditEvent.update({ where: { id: victim.id }, data: { entityId: "forged" } }));
    expect(await verifyRestoredAuditHistory(target)).toMatchObject({ ok: false, brokenAtSeq: victim.seq, eventId: victim.id });
    await asSuperuserBypassingTriggers(target, (tx) => tx.restoredAuditEvent.update({ where: { id: victim.id }, data: { entityId: victim.entityId } }));
    expect((await verifyRestoredAuditHistory(target)).ok).toBe(true);
    const redactedVictim = restored.find((e) => e.redacted)!;
    await asSuperuserBypassingTriggers(target, (tx) => tx.restoredAuditEvent.update({ where: { id: redactedVictim.id }, data: { hash: "f".repeat(64) } }));
    expect(await verifyRestoredAuditHistory(target)).toMatchObject({ ok: false, brokenAtSeq: redactedVictim.seq + 1 });
  });

  it("refuses a restore by anyone but an administrator", async () => {
    const error = await restoreProjectArchive(editor, { archivePath }).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe("FORBIDDEN");
  });
});
