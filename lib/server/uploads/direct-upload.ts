import "server-only";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { forbidden } from "@/lib/domain/errors";
import { sanitizeFilename } from "@/lib/domain/media-types";
import { storableOptionalText } from "@/lib/domain/storable-text";
import { can, type Actor } from "@/lib/domain/permissions";
import { db } from "../db";
import { assertAcceptedMedia } from "../media/sniff";
import { blobStore } from "../storage";
import { writeFileHashed } from "../storage/write-file-hashed";
import { uploadDir } from "./config";

/**
 * Stores one file sent in a single request (the JSON API's multipart submit) exactly as a
 * finished resumable upload would be: hashed while written to a temporary file, type-sniffed
 * from its bytes, adopted into the content-addressed store, and recorded as a COMPLETE upload
 * of the actor's, so submitEvidence attaches it like any other. Returns the upload id.
 */
export async function storeDirectUpload(actor: Actor, projectId: string, file: File): Promise<string> {
  if (!can(actor, "item:create", { kind: "project", projectId })) throw forbidden("You cannot submit evidence to this project.");
  const id = randomBytes(16).toString("hex");
  const directory = uploadDir();
  await mkdir(directory, { recursive: true });
  const tempPath = path.join(directory, `direct-${id}`);
  try {
    const { sha256, sizeBytes: size } = await writeFileHashed(Readable.fromWeb(file.stream() as WebReadableStream<Uint8Array>), tempPath, 0o600);
    const sniffed = await assertAcceptedMedia(tempPath);
    await (await blobStore()).adoptFile(tempPath, sha256, size);
    await db().upload.create({
      data: {
        id,
        projectId,
        userId: actor.userId,
        declaredFilename: sanitizeFilename(file.name || "file"),
        declaredMime: storableOptionalText(file.type, 200) ?? null,
        sizeBytes: BigInt(size),
        receivedBytes: BigInt(size),
        sha256,
        sniffedMime: sniffed.mime,
        state: "COMPLETE",
      },
    });
    return id;
  } finally {
    await rm(tempPath, { force: true });
  }
}
