// Partial uploads kept in the bucket (GROUNDTRUTH_STORAGE=s3), against a real s3rver on
// 127.0.0.1 and the test PostgreSQL. Two upload servers stand for two web instances: each has
// its own store, S3 client and local upload folder (which must stay empty), so whatever one
// instance knows about an upload can only have reached the other through the database and the
// bucket. Hashes are checked against node:crypto over the original bytes.
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Upload as TusUpload } from "@tus/server";
import * as tus from "tus-js-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeUploadLockPool } from "../../lib/server/uploads/postgres-locker";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { S3BlobStore, type S3Location } from "../../lib/server/storage/s3-blob-store";
import { HashingFileStore } from "../../lib/server/uploads/file-upload-store";
import { expireAbandonedUploads } from "../../lib/server/uploads/expire-uploads";
import { ObjectUploadStore } from "../../lib/server/uploads/object-upload-store";
import { createTusServer } from "../../lib/server/uploads/tus-server";
import { configuredUploadStore } from "../../lib/server/uploads/upload-store";
import { startS3rver, type LocalS3Server } from "../../lib/infra/s3rver";
import { actorFor, makeProject, makeUser } from "../support/fixtures";


const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const KiB = 1024;
const HOUR = 3_600_000;
/** Small parts, so every PATCH here spans several part objects and ends in a shorter one. */
const PART_BYTES = 64 * KiB;
const BUCKET = "groundtruth-uploads";
const PREFIX = `t-${randomUUID()}/`;
const scratch = mkdtempSync(path.join(os.tmpdir(), "groundtruth-object-uploads-"));

let s3rver: LocalS3Server;
let admin: S3Client;
let endpoint: string;
let project: { id: string };
let contributor: Actor;
const servers: http.Server[] = [];
const instanceFolders: string[] = [];
/** The two "web instances". */
let a: string;
let b: string;

function s3Client(): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** One "web instance": its own S3 client, store, upload server and (unused) local folder. */
function instanceStore(client: S3Client = s3Client()): ObjectUploadStore {
  const location: S3Location = { client, bucket: BUCKET, prefix: PREFIX };
  return new ObjectUploadStore({ location, partSizeBytes: PART_BYTES, blobStore: async () => new S3BlobStore(location) });
}

async function startInstance(): Promise<string> {
  const folder = mkdtempSync(path.join(scratch, "instance-folder-"));
  const tusServer = createTusServer({ resolveActor: async () => contributor, directory: folder, store: instanceStore(), maxSize: 64 * 1024 * 1024 });
  const server = http.createServer((req, res) => void tusServer.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  instanceFolders.push(folder);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Keys under the test prefix, relative to it, in listing order. */
async function listKeys(under: string): Promise<{ key: string; size: number }[]> {
  const found: { key: string; size: number }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}${under}`, ContinuationToken }));
    for (const object of page.Contents ?? []) found.push({ key: object.Key!.slice(PREFIX.length), size: object.Size ?? -1 });
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return found;
}

const partKey = (id: string, offset: number) => `uploads/${id}/${String(offset).padStart(15, "0")}`;

async function recordedParts(id: string) {
  const rows = await db().uploadPart.findMany({ where: { uploadId: id }, orderBy: { offset: "asc" } });
  return rows.map((row) => ({ key: partKey(id, Number(row.offset)), size: Number(row.sizeBytes) }));
}

/** What the bucket holds for an upload is exactly what PostgreSQL lists, and adds up to its offset. */
async function expectPartsConsistent(id: string): Promise<number> {
  const parts = await recordedParts(id);
  expect(await listKeys(`uploads/${id}/`)).toEqual(parts);
  const row = await db().upload.findUniqueOrThrow({ where: { id } });
  expect(parts.reduce((sum, part) => sum + part.size, 0)).toBe(Number(row.receivedBytes));
  return Number(row.receivedBytes);
}

function startOn(origin: string, bytes: Buffer, options: Partial<tus.UploadOptions> = {}): tus.Upload {
  return new tus.Upload(bytes, {
    endpoint: `${origin}/api/uploads`,
    retryDelays: [],
    metadata: { filename: "IMG_0034.MOV", filetype: "video/quicktime", projectId: project.id },
    ...options,
  });
}

/** Sends only the first chunk of an upload on `origin`; returns the upload's path. */
function firstChunkOn(origin: string, bytes: Buffer, chunkSize: number, filename = "IMG_0034.MOV"): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload: tus.Upload = startOn(origin, bytes, {
      chunkSize,
      metadata: { filename, filetype: "video/quicktime", projectId: project.id },
      onChunkComplete: () => void upload.abort().then(() => resolve(new URL(upload.url!).pathname)),
      onError: reject,
    });
    upload.start();
  });
}

/** Finishes (or does all of) an upload on `origin`. */
function finishOn(origin: string, bytes: Buffer, options: Partial<tus.UploadOptions>): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload: tus.Upload = startOn(origin, bytes, { ...options, onSuccess: () => resolve(upload.url!.split("/").pop()!), onError: reject });
    upload.start();
  });
}

async function createUpload(origin: string, size: number, filename: string): Promise<string> {
  const created = await fetch(`${origin}/api/uploads`, {
    method: "POST",
    headers: {
      "Tus-Resumable": "1.0.0",
      "Upload-Length": String(size),
      "Upload-Metadata": `filename ${Buffer.from(filename).toString("base64")},projectId ${Buffer.from(project.id).toString("base64")}`,
    },
  });
  expect(created.status).toBe(201);
  return new URL(created.headers.get("location")!, origin).pathname;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const video = () => readFileSync(path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV"));

beforeAll(async () => {
  s3rver = await startS3rver({ directory: path.join(scratch, "s3rver") });
  endpoint = s3rver.endpoint;
  admin = s3Client();
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // The configured blob store (perceptual hashes, expiry) is this same bucket and prefix.
  Object.assign(process.env, {
    GROUNDTRUTH_STORAGE: "s3",
    GROUNDTRUTH_S3_ENDPOINT: endpoint,
    GROUNDTRUTH_S3_BUCKET: BUCKET,
    GROUNDTRUTH_S3_ACCESS_KEY_ID: "S3RVER",
    GROUNDTRUTH_S3_SECRET_ACCESS_KEY: "S3RVER",
    GROUNDTRUTH_S3_PREFIX: PREFIX,
    GROUNDTRUTH_UPLOAD_DIR: path.join(scratch, "configured-upload-dir"),
  });
  project = await makeProject();
  contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
  a = await startInstance();
  b = await startInstance();
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  // Nothing of any upload ever touched an instance's local folder.
  for (const folder of instanceFolders) expect(readdirSync(folder)).toEqual([]);
  admin?.destroy();
  await s3rver?.close();
  await closeUploadLockPool();
});

describe("choosing where partial uploads live", () => {
  it("is the bucket with GROUNDTRUTH_STORAGE=s3 and the upload folder otherwise", () => {
    expect(configuredUploadStore()).toBeInstanceOf(ObjectUploadStore);
    const storage = process.env.GROUNDTRUTH_STORAGE;
    try {
      delete process.env.GROUNDTRUTH_STORAGE;
      expect(configuredUploadStore({ directory: mkdtempSync(path.join(scratch, "folder-store-")) })).toBeInstanceOf(HashingFileStore);
    } finally {
      process.env.GROUNDTRUTH_STORAGE = storage;
    }
  });
});

describe("partial uploads in the bucket", () => {
  it("starts on A, continues on B in several PATCHes, and ends in the content-addressed store with the file's SHA-256", async () => {
    const bytes = video();
    const chunkSize = 90 * KiB;

    const uploadPath = await firstChunkOn(a, bytes, chunkSize);
    const id = uploadPath.split("/").pop()!;
    // One PATCH of 90 KiB: a full 64 KiB part and the 26 KiB that followed it, both stored.
    expect(await recordedParts(id)).toEqual([
      { key: partKey(id, 0), size: PART_BYTES },
      { key: partKey(id, PART_BYTES), size: chunkSize - PART_BYTES },
    ]);
    expect(await expectPartsConsistent(id)).toBe(chunkSize);
    const afterA = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(afterA).toMatchObject({ state: "RECEIVING", tusMetadata: { filename: "IMG_0034.MOV", projectId: project.id } });
    expect(afterA.hashState).not.toBeNull();

    // B knows the offset and the metadata from PostgreSQL alone.
    const head = await fetch(`${b}${uploadPath}`, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0" } });
    expect(head.status).toBe(200);
    expect(head.headers.get("upload-offset")).toBe(String(chunkSize));
    expect(head.headers.get("upload-length")).toBe(String(bytes.length));
    expect(head.headers.get("upload-metadata")).toContain(`filename ${Buffer.from("IMG_0034.MOV").toString("base64")}`);

    await finishOn(b, bytes, { uploadUrl: `${b}${uploadPath}`, chunkSize });
    const finished = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(finished).toMatchObject({ state: "COMPLETE", sha256: sha256(bytes), sniffedMime: "video/quicktime", hashState: null });
    expect(Number(finished.receivedBytes)).toBe(bytes.length);

    const contentStore = new S3BlobStore({ client: admin, bucket: BUCKET, prefix: PREFIX });
    const stored: Buffer[] = [];
    for await (const chunk of await contentStore.open(sha256(bytes))) stored.push(chunk as Buffer);
    expect(Buffer.concat(stored).equals(bytes)).toBe(true);
    // The part objects and their rows are gone.
    expect(await listKeys(`uploads/${id}/`)).toEqual([]);
    expect(await recordedParts(id)).toEqual([]);
    expect(await listKeys("incoming/")).toEqual([]);
  });

  it("stores the same bytes uploaded twice once", async () => {
    const bytes = video();
    const id = await finishOn(b, bytes, { chunkSize: 100 * KiB });
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "COMPLETE", sha256: sha256(bytes) });
    const blobs = await listKeys("blobs/");
    expect(blobs.filter(({ key }) => key.endsWith(sha256(bytes)))).toHaveLength(1);
    expect(await listKeys(`uploads/${id}/`)).toEqual([]);
  });

  it("keeps what a broken-off PATCH delivered, in whole parts, and resumes on the other instance to the same SHA-256", async () => {
    const bytes = video();
    const uploadPath = await createUpload(a, bytes.length, "broken.mov");
    const id = uploadPath.split("/").pop()!;
    const sent = 100_000;

    // The request announces the whole file but delivers 100,000 bytes, then the connection drops.
    const request = http.request(`${a}${uploadPath}`, {
      method: "PATCH",
      headers: { "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "Content-Length": String(bytes.length) },
    });
    request.on("error", () => undefined);
    request.write(bytes.subarray(0, sent));
    const received = async () => Number((await db().upload.findUniqueOrThrow({ where: { id } })).receivedBytes);
    // The first full part is stored while the request is still open; give the rest time to be read.
    await until(async () => (await received()) >= PART_BYTES, "the first part to be recorded");
    await new Promise((resolve) => setTimeout(resolve, 300));
    request.destroy();

    await until(async () => (await received()) === sent, "the bytes after the first part to be kept as a last part");
    expect(await recordedParts(id)).toEqual([
      { key: partKey(id, 0), size: PART_BYTES },
      { key: partKey(id, PART_BYTES), size: sent - PART_BYTES },
    ]);
    expect(await expectPartsConsistent(id)).toBe(sent);

    await finishOn(b, bytes, { uploadUrl: `${b}${uploadPath}`, chunkSize: 64 * KiB });
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "COMPLETE", sha256: sha256(bytes) });
    expect(await listKeys(`uploads/${id}/`)).toEqual([]);
  });

  it("never records a part the bucket did not store, and continues the hash after it", async () => {
    const bytes = video();
    const id = randomUUID().replaceAll("-", "");
    const failingKey = `${PREFIX}${partKey(id, PART_BYTES)}`;
    const real = s3Client();
    let refused = 0;
    // The bucket refuses the second part once, as a dropped connection to S3 would.
    const flaky = {
      send(command: { constructor: { name: string }; input: { Key?: string } }) {
        if (command.constructor.name === "PutObjectCommand" && command.input.Key === failingKey && refused++ === 0) {
          return Promise.reject(new Error("connection to the bucket reset"));
        }
        return real.send(command as Parameters<S3Client["send"]>[0]);
      },
    } as unknown as S3Client;
    const store = instanceStore(flaky);
    await db().upload.create({ data: { id, projectId: project.id, userId: contributor.userId, declaredFilename: "flaky.mov", sizeBytes: BigInt(bytes.length) } });
    await store.create(new TusUpload({ id, size: bytes.length, offset: 0, metadata: { filename: "flaky.mov" } }));

    const firstPatch = bytes.subarray(0, 3 * PART_BYTES);
    await expect(store.write(Readable.from([firstPatch]), id, 0)).rejects.toThrow("connection to the bucket reset");
    // Only the first part counts: the refused one, and the third that was never sent, do not.
    expect(await recordedParts(id)).toEqual([{ key: partKey(id, 0), size: PART_BYTES }]);
    expect(await expectPartsConsistent(id)).toBe(PART_BYTES);
    expect((await store.getUpload(id)).offset).toBe(PART_BYTES);

    // The client resumes from the offset it is given; the hash state saved with part 1 continues.
    expect(await store.write(Readable.from([bytes.subarray(PART_BYTES)]), id, PART_BYTES)).toBe(bytes.length);
    const row = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(await store.digest({ id, sizeBytes: bytes.length, receivedBytes: Number(row.receivedBytes), hashState: row.hashState })).toBe(sha256(bytes));
    await store.discard(id);
    expect(await listKeys(`uploads/${id}/`)).toEqual([]);
    real.destroy();
  });

  it("rejects a file of a refused type and keeps none of its parts", async () => {
    const elf = readFileSync("/bin/ls").subarray(0, 200_000);
    await expect(
      finishOn(a, elf, { chunkSize: 80 * KiB, metadata: { filename: "clip.mp4", filetype: "video/mp4", projectId: project.id } }),
    ).rejects.toThrow(/415|not an accepted/);
    const row = await db().upload.findFirstOrThrow({ where: { declaredFilename: "clip.mp4", projectId: project.id } });
    expect(row).toMatchObject({ state: "REJECTED", sha256: null });
    expect(await listKeys(`uploads/${row.id}/`)).toEqual([]);
    expect(await recordedParts(row.id)).toEqual([]);
    expect((await listKeys("blobs/")).some(({ key }) => key.endsWith(sha256(elf)))).toBe(false);
  });

  it("deletes the parts of an upload its uploader cancels", async () => {
    const uploadPath = await firstChunkOn(a, video(), 70 * KiB, "cancelled.mov");
    const id = uploadPath.split("/").pop()!;
    expect((await listKeys(`uploads/${id}/`)).length).toBe(2);

    const deleted = await fetch(`${b}${uploadPath}`, { method: "DELETE", headers: { "Tus-Resumable": "1.0.0" } });
    expect(deleted.status).toBe(204);
    expect(await listKeys(`uploads/${id}/`)).toEqual([]);
    expect((await db().upload.findUniqueOrThrow({ where: { id } })).state).toBe("REJECTED");
    const head = await fetch(`${a}${uploadPath}`, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0" } });
    expect(head.status).toBe(410);
  });

  it("expires an abandoned upload's parts and leaves a fresh one's alone", async () => {
    const abandonedId = (await firstChunkOn(a, video(), 70 * KiB, "abandoned.mov")).split("/").pop()!;
    const freshId = (await firstChunkOn(a, video(), 70 * KiB, "fresh.mov")).split("/").pop()!;
    await db().$executeRaw`UPDATE "Upload" SET "updatedAt" = now() - make_interval(hours => 80) WHERE "id" = ${abandonedId}`;

    // The configured store (GROUNDTRUTH_STORAGE=s3 above), as the worker's scheduled job runs it.
    expect(await expireAbandonedUploads({ maxAgeMs: 72 * HOUR })).toEqual({ expired: 1 });
    expect(await db().upload.findUniqueOrThrow({ where: { id: abandonedId } })).toMatchObject({ state: "REJECTED", hashState: null });
    expect(await listKeys(`uploads/${abandonedId}/`)).toEqual([]);
    expect(await recordedParts(abandonedId)).toEqual([]);
    expect(await expectPartsConsistent(freshId)).toBe(70 * KiB);
  });
});
