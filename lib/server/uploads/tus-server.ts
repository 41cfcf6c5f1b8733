import "server-only";
import { randomUUID } from "node:crypto";
import { Server, type Upload as TusUpload } from "@tus/server";
import { DomainError } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { mediaKindOf, sanitizeFilename } from "@/lib/domain/media-types";
import { storableOptionalText } from "@/lib/domain/storable-text";
import { db } from "../db";
import { logger } from "../logger";
import { blobStore } from "../storage";
import { perceptualHash } from "../media/derivatives";
import { assertAcceptedMediaHead, SNIFF_BYTES } from "../media/sniff";
import { withLocalCopy } from "../storage/local-copy";
import { assertProjectQuota } from "./upload-slots";
import { maxUploadBytes } from "./config";
import { PostgresLocker } from "./postgres-locker";
import { configuredUploadStore, type UploadStore } from "./upload-store";

export const UPLOAD_ROUTE = "/api/uploads";

function tusError(status: number, message: string) {
  return { status_code: status, body: `${message}\n` };
}

export interface TusServerOptions {
  /** Who is asking: the web route reads the session; tests pass real actors directly. */
  resolveActor(request: Request): Promise<Actor | null>;
  /** Folder of the local store (default GROUNDTRUTH_UPLOAD_DIR); unused with GROUNDTRUTH_STORAGE=s3. */
  directory?: string;
  /** Where partial uploads are kept, instead of the one configuration picks (upload-store.ts). */
  store?: UploadStore;
  path?: string;
  maxSize?: number;
}

export function createTusServer(options: TusServerOptions): Server {
  const store = options.store ?? configuredUploadStore({ directory: options.directory });
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
      try {
        await assertProjectQuota(projectId, upload.size);
      } catch (error) {
        if (error instanceof DomainError && error.code === "TOO_LARGE") throw tusError(413, error.message);
        throw error;
      }
      await db().upload.create({
        data: {
          id: upload.id,
          projectId,
          userId: actor.userId,
          declaredFilename: sanitizeFilename(upload.metadata?.filename ?? "file"),
          declaredMime: storableOptionalText(upload.metadata?.filetype, 200) ?? null,
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
        await finishUpload(upload, store);
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
async function finishUpload(upload: TusUpload, store: UploadStore): Promise<void> {
  const row = await db().upload.findUniqueOrThrow({ where: { id: upload.id } });
  if (row.state !== "RECEIVING") return;
  const size = Number(row.sizeBytes);
  const sha256 = await store.digest({ id: upload.id, sizeBytes: size, receivedBytes: Number(row.receivedBytes), hashState: row.hashState });

  // Failing to read the head is our problem (the upload stays, to be retried); only a verdict on
  // the bytes themselves rejects the upload.
  const head = await store.readHead(upload.id, SNIFF_BYTES);
  let sniffed: { mime: string };
  try {
    sniffed = await assertAcceptedMediaHead(head);
  } catch (error) {
    await db().upload.update({ where: { id: upload.id }, data: { state: "REJECTED", error: (error as Error).message } });
    await store.discard(upload.id);
    throw error;
  }
  const stored = await store.moveToBlobStore(upload.id, sha256, size);
  // A perceptual hash now lets the submitter see near duplicates before confirming.
  const phash = mediaKindOf(sniffed.mime) === "image" ? await withLocalCopy(await blobStore(), sha256, (p) => perceptualHash(p)).catch(() => null) : null;
  await db().upload.update({
    where: { id: upload.id },
    data: { state: "COMPLETE", sha256, sniffedMime: sniffed.mime, phash, receivedBytes: BigInt(size), hashState: null },
  });
  // The original is safely stored: a leftover partial copy is only garbage, not a failed upload.
  await store.discard(upload.id).catch((error: unknown) => logger.warn("could not delete a finished upload's partial bytes", { id: upload.id, error }));
  logger.info("upload stored", { id: upload.id, sha256, size, deduplicated: !stored.created });
}
