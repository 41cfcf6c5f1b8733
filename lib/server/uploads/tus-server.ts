import "server-only";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import type http from "node:http";
import { FileStore } from "@tus/file-store";
import { Server, type Upload as TusUpload } from "@tus/server";
import { DomainError } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { mediaKindOf, sanitizeFilename } from "@/lib/domain/media-types";
import { db } from "../db";
import { logger } from "../logger";
import { blobStore } from "../storage";
import { perceptualHash } from "../media/derivatives";
import { assertAcceptedMedia } from "../media/sniff";
import { withLocalCopy } from "../storage/local-copy";
import { maxUploadBytes, uploadDir } from "./config";
import { PostgresLocker } from "./postgres-locker";
import { hashFileRange, hasherFromState } from "./resumable-hash";

export const UPLOAD_ROUTE = "/api/uploads";

/** A tus FileStore that hashes every byte on its way to disk and saves the hash state per chunk. */
class HashingFileStore extends FileStore {
  async write(readable: http.IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const row = await db().upload.findUnique({ where: { id }, select: { receivedBytes: true, hashState: true } });
    if (!row) throw { status_code: 404, body: "Upload not found\n" };
    const saved = Number(row.receivedBytes);
    const filePath = path.join(this.directory, id);
    // Normally saved === offset. After a crash mid-chunk the file can hold bytes the saved state
    // has not seen: catch up on just those. A state ahead of the file cannot be trusted: restart.
    const hasher = await hasherFromState(saved <= offset ? row.hashState : null);
    await hashFileRange(hasher, filePath, saved <= offset ? saved : 0, offset);

    let hashed = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hasher.update(chunk);
        hashed += chunk.length;
        callback(null, chunk);
      },
    });
    readable.on("error", (error) => meter.destroy(error));
    readable.pipe(meter);
    const newOffset = await super.write(meter, id, offset);
    // Save only a state that matches the bytes on disk exactly; otherwise the next chunk catches up.
    const consistent = newOffset - offset === hashed;
    await db().upload.update({
      where: { id },
      data: consistent
        ? { receivedBytes: BigInt(newOffset), hashState: Buffer.from(hasher.save()) }
        : { receivedBytes: BigInt(offset), hashState: Buffer.from((await hasherFromState(row.hashState)).save()) },
    });
    if (!consistent) logger.warn("upload chunk hash state discarded", { id, offset, newOffset, hashed });
    return newOffset;
  }
}

function tusError(status: number, message: string) {
  return { status_code: status, body: `${message}\n` };
}

export interface TusServerOptions {
  /** Who is asking: the web route reads the session; tests pass real actors directly. */
  resolveActor(request: Request): Promise<Actor | null>;
  directory?: string;
  path?: string;
  maxSize?: number;
}

export function createTusServer(options: TusServerOptions): Server {
  const directory = options.directory ?? uploadDir();
  const store = new HashingFileStore({ directory });
  return new Server({
    path: options.path ?? UPLOAD_ROUTE,
    datastore: store,
    // Requests for one upload may reach different web instances: serialise them in PostgreSQL.
    locker: new PostgresLocker(),
    maxSize: options.maxSize ?? maxUploadBytes(),
    relativeLocation: true,
    respectForwardedHeaders: false,
    async onIncomingRequest(req, uploadId) {
      const actor = await options.resolveActor(req);
      if (!actor) throw tusError(401, "Sign in to upload.");
      // Creation is checked in onUploadCreate; every other request must be on one's own upload.
      if (req.method === "POST" || req.method === "OPTIONS") return;
      const owned = await db().upload.findFirst({ where: { id: uploadId, userId: actor.userId }, select: { state: true, projectId: true } });
      // Someone else's upload id looks exactly like a missing one.
      if (!owned) throw tusError(404, "Upload not found.");
      if (owned.state === "REJECTED") throw tusError(410, "This upload was rejected.");
      // Writing or abandoning an upload is part of submitting: ownership alone is not enough, or
      // the owner's read-only token (or a user since removed from the project) could still do it.
      const changes = req.method !== "GET" && req.method !== "HEAD";
      if (changes && !can(actor, "item:create", { kind: "project", projectId: owned.projectId })) throw tusError(403, "You cannot submit evidence to this project.");
    },
    async onUploadCreate(req, upload) {
      const actor = await options.resolveActor(req);
      if (!actor) throw tusError(401, "Sign in to upload.");
      const projectId = upload.metadata?.projectId ?? "";
      if (!projectId || !can(actor, "item:create", { kind: "project", projectId })) throw tusError(403, "You cannot submit evidence to this project.");
      if (upload.size === undefined) throw tusError(400, "The file size must be known when the upload starts.");
      if (upload.size === 0) throw tusError(400, "The file is empty.");
      await db().upload.create({
        data: {
          id: upload.id,
          projectId,
          userId: actor.userId,
          declaredFilename: sanitizeFilename(upload.metadata?.filename ?? "file"),
          declaredMime: upload.metadata?.filetype?.slice(0, 200) || null,
          sizeBytes: BigInt(upload.size),
        },
      });
      return { metadata: upload.metadata ?? {} };
    },
    // @tus/server appends an unexpected error's message to its 500 body; that text can be a
    // database or file-system internal. Protocol errors (with a status) keep their own wording.
    onResponseError(_req, error) {
      if ("status_code" in error && typeof error.status_code === "number") return undefined;
      const reference = randomUUID().slice(0, 8);
      logger.error("unexpected error in upload", { reference, error });
      return { status_code: 500, body: `Something went wrong (reference ${reference}).\n` };
    },
    async onUploadFinish(_req, upload) {
      try {
        await finishUpload(upload, directory);
        return {};
      } catch (error) {
        if (error instanceof DomainError) throw tusError(415, error.message);
        logger.error("upload could not be finished", { id: upload.id, error });
        throw tusError(500, "The upload could not be stored. Nothing was kept; try again.");
      }
    },
  });
}

/** Digest, type check and move into the content-addressed store. Idempotent per upload. */
async function finishUpload(upload: TusUpload, directory: string): Promise<void> {
  const row = await db().upload.findUniqueOrThrow({ where: { id: upload.id } });
  if (row.state !== "RECEIVING") return;
  const filePath = path.join(directory, upload.id);
  const size = Number(row.sizeBytes);
  const hasher = await hasherFromState(Number(row.receivedBytes) <= size ? row.hashState : null);
  await hashFileRange(hasher, filePath, Number(row.receivedBytes) <= size ? Number(row.receivedBytes) : 0, size);
  const sha256 = hasher.digest("hex");

  let sniffed: { mime: string };
  try {
    sniffed = await assertAcceptedMedia(filePath);
  } catch (error) {
    await db().upload.update({ where: { id: upload.id }, data: { state: "REJECTED", error: (error as Error).message } });
    await removeUploadFiles(directory, upload.id);
    throw error;
  }
  const store = await blobStore();
  const stored = await store.adoptFile(filePath, sha256, size);
  // A perceptual hash now lets the submitter see near duplicates before confirming.
  const phash = mediaKindOf(sniffed.mime) === "image" ? await withLocalCopy(store, sha256, (p) => perceptualHash(p)).catch(() => null) : null;
  await db().upload.update({
    where: { id: upload.id },
    data: { state: "COMPLETE", sha256, sniffedMime: sniffed.mime, phash, receivedBytes: BigInt(size), hashState: null },
  });
  await removeUploadFiles(directory, upload.id);
  logger.info("upload stored", { id: upload.id, sha256, size, deduplicated: !stored.created });
}

async function removeUploadFiles(directory: string, id: string): Promise<void> {
  await rm(path.join(directory, id), { force: true });
  await rm(path.join(directory, `${id}.json`), { force: true });
}
