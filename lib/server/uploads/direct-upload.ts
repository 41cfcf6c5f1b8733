import "server-only";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { forbidden } from "@/lib/domain/errors";
import { sanitizeFilename } from "@/lib/domain/media-types";
import { can, type Actor } from "@/lib/domain/permissions";
import { storableOptionalText } from "@/lib/domain/storable-text";
import { db } from "../db";
import { assertAcceptedMedia } from "../media/sniff";
import { blobStore } from "../storage";
import { writeFileHashed } from "../storage/write-file-hashed";
import { uploadDir } from "./config";
import type { ReceivedFile } from "./multipart";
import { assertProjectQuota } from "./upload-slots";

/**
 * Stores files that arrived in a single request (the JSON API's multipart submit, already on
 * disk as temporary files with their SHA-256: lib/server/uploads/multipart.ts) exactly as
 * finished resumable uploads would be: type-sniffed from their bytes, checked against the
 * project's quota, adopted into the content-addressed store, and recorded as COMPLETE uploads
 * of the actor's, so submitEvidence attaches them like any other. Every file is checked before
 * any is recorded: one refused file leaves no upload rows. Returns the upload ids in order.
 * The caller removes the temporary files.
 */
export async function storeReceivedFiles(actor: Actor, projectId: string, files: readonly ReceivedFile[]): Promise<string[]> {
  if (!can(actor, "item:create", { kind: "project", projectId })) throw forbidden("You cannot submit evidence to this project.");
  const sniffed: string[] = [];
  for (const file of files) sniffed.push((await assertAcceptedMedia(file.tempPath)).mime);
  await assertProjectQuota(projectId, files.reduce((sum, f) => sum + f.sizeBytes, 0));
  const store = await blobStore();
  for (const file of files) await store.adoptFile(file.tempPath, file.sha256, file.sizeBytes);
  const ids = files.map(() => randomBytes(16).toString("hex"));
  await db().upload.createMany({
    data: files.map((file, i) => ({
      id: ids[i]!,
      projectId,
      userId: actor.userId,
      declaredFilename: sanitizeFilename(file.filename || "file"),
      declaredMime: storableOptionalText(file.declaredMime, 200) ?? null,
      sizeBytes: BigInt(file.sizeBytes),
      receivedBytes: BigInt(file.sizeBytes),
      sha256: file.sha256,
      sniffedMime: sniffed[i]!,
      state: "COMPLETE" as const,
    })),
  });
  return ids;
}

/** One in-memory File stored like a single-request upload (scripts and tests). Returns the upload id. */
export async function storeDirectUpload(actor: Actor, projectId: string, file: File): Promise<string> {
  const directory = uploadDir();
  await mkdir(directory, { recursive: true });
  const tempPath = path.join(directory, `direct-${randomBytes(16).toString("hex")}`);
  try {
    const { sha256, sizeBytes } = await writeFileHashed(Readable.fromWeb(file.stream() as WebReadableStream<Uint8Array>), tempPath, 0o600);
    const [id] = await storeReceivedFiles(actor, projectId, [{ tempPath, sha256, sizeBytes, filename: file.name, declaredMime: file.type }]);
    return id!;
  } finally {
    await rm(tempPath, { force: true });
  }
}
