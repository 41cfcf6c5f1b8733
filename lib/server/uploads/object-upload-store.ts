import "server-only";
import { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { DataStore, ERRORS, Upload as TusUpload } from "@tus/server";
import type { IHasher } from "hash-wasm";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "../db";
import { logger } from "../logger";
import type { BlobStore, StoredBlob } from "../storage/blob-store";
import { blobStore } from "../storage";
import { configuredS3Location, type S3Location } from "../storage/s3-blob-store";
import { hasherFromState, newHasher } from "./resumable-hash";
import type { ReceivedBytes, SavedProgress } from "./upload-store";

// Partial uploads kept in the bucket (GROUNDTRUTH_STORAGE=s3), so web instances share nothing
// but PostgreSQL and the bucket: any instance can take any PATCH, HEAD or DELETE.
//
// A PATCH is cut, as it streams in, into part objects of at most partSizeBytes:
// <prefix>uploads/<uploadId>/<offset, zero-padded>. Each part is hashed as it arrives (the
// SHA-256 continues from the state saved with the upload, as in the folder store) and, once
// its object is stored, recorded in one transaction: an UploadPart row, the upload's new
// receivedBytes and the hash state at the part's end. So the offset PostgreSQL reports never
// counts a byte that is not in the bucket, and the saved hash state always covers exactly
// that offset. A PATCH that breaks off still keeps what arrived: the bytes already cut and
// hashed become one last, shorter part. Memory per PATCH is one part being stored plus the
// next one filling, never a whole chunk.
//
// On completion the parts are streamed in order into the content-addressed store, which hashes
// them again and refuses them unless they match (BlobStore.adoptStream); then they are deleted.
// What FileStore keeps in <id>.json (the tus metadata) is in the Upload row.

const MiB = 1024 * 1024;
const DEFAULT_PART_BYTES = 8 * MiB;
/** Offsets in part keys are zero-padded so that the bucket lists an upload's parts in byte order. */
const OFFSET_DIGITS = 15;
/** Ids come from tus's naming function (hex); anything else never becomes part of a key. */
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;
const DELETE_CONCURRENCY = 8;

export interface ObjectUploadStoreOptions {
  location: S3Location;
  /**
   * Largest part object (default 8 MiB). A PATCH holds at most two parts' bytes in memory: one
   * being stored while the next fills.
   */
  partSizeBytes?: number;
  /** Where finished uploads go (default: the configured blob store). */
  blobStore?: () => Promise<BlobStore>;
}

interface RecordedPart {
  offset: number;
  sizeBytes: number;
}

export class ObjectUploadStore extends DataStore implements ReceivedBytes {
  private readonly location: S3Location;
  private readonly partSizeBytes: number;
  private readonly blobs: () => Promise<BlobStore>;

  constructor(options: ObjectUploadStoreOptions) {
    super();
    // No "expiration": abandoned uploads are expired by the worker (expire-uploads.ts).
    this.extensions = ["creation", "creation-with-upload", "creation-defer-length", "termination"];
    this.location = options.location;
    this.partSizeBytes = options.partSizeBytes ?? DEFAULT_PART_BYTES;
    if (!Number.isSafeInteger(this.partSizeBytes) || this.partSizeBytes < 1) throw new Error("partSizeBytes must be a positive integer");
    this.blobs = options.blobStore ?? blobStore;
  }

  /** The bucket of GROUNDTRUTH_STORAGE=s3, through the S3 client the blob store uses too. */
  static fromEnv(): ObjectUploadStore {
    return new ObjectUploadStore({ location: configuredS3Location() });
  }

  // --- tus DataStore ---------------------------------------------------------------------------

  async create(upload: TusUpload): Promise<TusUpload> {
    // The server's onUploadCreate hook wrote the row (who, which project, size) just before.
    const metadata = (upload.metadata ?? {}) as Prisma.InputJsonObject;
    const updated = await db().upload.updateMany({ where: { id: upload.id }, data: { tusMetadata: metadata } });
    if (updated.count !== 1) throw new Error(`upload ${upload.id} has no Upload row to keep its tus metadata in`);
    upload.storage = this.storageOf(upload.id);
    return upload;
  }

  async getUpload(id: string): Promise<TusUpload> {
    const row = await db().upload.findUnique({
      where: { id },
      select: { sizeBytes: true, receivedBytes: true, tusMetadata: true, createdAt: true, state: true },
    });
    if (!row) throw ERRORS.FILE_NOT_FOUND;
    // Rejected, expired or cancelled: its parts are gone, there is nothing to resume.
    if (row.state === "REJECTED") throw ERRORS.FILE_NO_LONGER_EXISTS;
    return new TusUpload({
      id,
      size: Number(row.sizeBytes),
      offset: Number(row.receivedBytes),
      metadata: tusMetadataOf(row.tusMetadata),
      creation_date: row.createdAt.toISOString(),
      storage: this.storageOf(id),
    });
  }

  async declareUploadLength(id: string, length: number): Promise<void> {
    const updated = await db().upload.updateMany({ where: { id, state: "RECEIVING" }, data: { sizeBytes: BigInt(length) } });
    if (updated.count !== 1) throw ERRORS.FILE_NOT_FOUND;
  }

  /** tus termination: the uploader gives up; the upload is closed for good and its parts deleted. */
  async remove(id: string): Promise<void> {
    const cancelled = await db().upload.updateMany({
      where: { id, state: "RECEIVING" },
      data: { state: "REJECTED", error: "Cancelled by the uploader.", hashState: null },
    });
    // A finished upload's bytes already left for the content-addressed store (as with the
    // folder store, whose file is gone by then): there is nothing to terminate.
    if (cancelled.count !== 1) throw ERRORS.FILE_NOT_FOUND;
    await this.discard(id);
  }

  async write(readable: Readable, id: string, offset: number): Promise<number> {
    const row = await db().upload.findUnique({ where: { id }, select: { receivedBytes: true, hashState: true, state: true } });
    if (!row || row.state !== "RECEIVING") throw ERRORS.FILE_NOT_FOUND;
    // The PATCH handler compared the offset with getUpload under the upload's lock already.
    if (Number(row.receivedBytes) !== offset) throw ERRORS.INVALID_OFFSET;
    const parts = new PartCutter(await this.resumeHasher(id, offset, row.hashState), this.partSizeBytes, offset, (part) => this.storePart(id, part));

    const chunks = readable[Symbol.asyncIterator]();
    let interruption: unknown = null;
    try {
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await chunks.next();
        } catch (error) {
          // The client went away or sent more than allowed: keep what arrived whole, below.
          interruption = error;
          break;
        }
        if (next.done) break;
        await parts.add(toBuffer(next.value));
      }
      const newOffset = await parts.finish();
      if (interruption) {
        logger.info("upload PATCH broke off; the bytes received are kept", { id, offset, newOffset });
        throw interruption;
      }
      return newOffset;
    } catch (error) {
      // Storing failed (or the source did): stop reading the request.
      readable.destroy();
      throw error;
    }
  }

  // --- finishing, rejecting, expiring ------------------------------------------------------------

  async digest({ id, sizeBytes, receivedBytes, hashState }: SavedProgress): Promise<string> {
    if (receivedBytes !== sizeBytes) throw new Error(`upload ${id} holds ${receivedBytes} of its ${sizeBytes} bytes`);
    return (await this.resumeHasher(id, receivedBytes, hashState)).digest("hex");
  }

  async readHead(id: string, length: number): Promise<Uint8Array> {
    const head: Buffer[] = [];
    let filled = 0;
    for (const part of (await this.recordedParts(id)).parts) {
      if (filled >= length) break;
      const wanted = Math.min(length - filled, part.sizeBytes);
      for await (const chunk of await this.getObject(this.partKey(id, part.offset), `bytes=0-${wanted - 1}`)) {
        const bytes = toBuffer(chunk);
        head.push(bytes);
        filled += bytes.length;
      }
    }
    return Buffer.concat(head).subarray(0, length);
  }

  async moveToBlobStore(id: string, sha256: string, sizeBytes: number): Promise<StoredBlob> {
    const { parts, end } = await this.recordedParts(id);
    if (end !== sizeBytes) throw new Error(`upload ${id}: its parts hold ${end} of its ${sizeBytes} bytes`);
    // s3rver and some S3-compatible servers lack UploadPartCopy, so the bytes pass through here,
    // one part at a time; the blob store checks them against the hash as it writes.
    return (await this.blobs()).adoptStream(Readable.from(this.partBytes(id, parts)), sha256, sizeBytes);
  }

  async discard(id: string): Promise<void> {
    // By listing, not by the rows: a part stored just before a failed or refused record has no
    // row but is deleted too. Objects first: a row without its object is harmless, the reverse
    // would be a forgotten object.
    const keys = await this.listKeys(this.partPrefix(id));
    let next = 0;
    const deleter = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        await this.location.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, deleter));
    await db().uploadPart.deleteMany({ where: { uploadId: id } });
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Stores one part's object, then records it; the upload's offset moves only if both succeed. */
  private async storePart(id: string, part: CutPart): Promise<void> {
    const { client, bucket } = this.location;
    const key = this.partKey(id, part.offset);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: part.bytes, ContentLength: part.bytes.length }));
    const end = part.offset + part.bytes.length;
    const recorded = await db().$transaction(async (tx) => {
      // Conditional on the offset the part starts at: an upload expired, cancelled or finished
      // meanwhile is not moved on.
      const moved = await tx.upload.updateMany({
        where: { id, state: "RECEIVING", receivedBytes: BigInt(part.offset) },
        data: { receivedBytes: BigInt(end), hashState: part.hashState },
      });
      if (moved.count !== 1) return false;
      await tx.uploadPart.create({ data: { uploadId: id, offset: BigInt(part.offset), sizeBytes: BigInt(part.bytes.length) } });
      return true;
    });
    if (!recorded) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
        logger.warn("could not delete an unrecorded upload part", { id, key, error });
      });
      throw ERRORS.FILE_NO_LONGER_EXISTS;
    }
  }

  /** A hasher that has seen exactly the first `offset` bytes of the upload. */
  private async resumeHasher(id: string, offset: number, hashState: Uint8Array | null): Promise<IHasher> {
    if (offset === 0) return newHasher();
    if (hashState) return hasherFromState(hashState);
    // Every recorded part saves its state, so this is only a safety net: hash the parts again.
    logger.warn("upload has no saved hash state; hashing its parts again", { id, offset });
    const { parts, end } = await this.recordedParts(id);
    if (end !== offset) throw new Error(`upload ${id}: its parts hold ${end} bytes, not the ${offset} recorded`);
    const hasher = await newHasher();
    for await (const chunk of this.partBytes(id, parts)) hasher.update(chunk);
    return hasher;
  }

  /** The recorded parts in order, checked to follow each other from byte 0 without a gap. */
  private async recordedParts(id: string): Promise<{ parts: RecordedPart[]; end: number }> {
    const rows = await db().uploadPart.findMany({ where: { uploadId: id }, orderBy: { offset: "asc" }, select: { offset: true, sizeBytes: true } });
    let end = 0;
    const parts = rows.map((row) => {
      const part = { offset: Number(row.offset), sizeBytes: Number(row.sizeBytes) };
      if (part.offset !== end) throw new Error(`upload ${id}: the part at ${part.offset} does not follow byte ${end}`);
      end += part.sizeBytes;
      return part;
    });
    return { parts, end };
  }

  /** The parts' bytes in order, each checked to be as long as recorded. */
  private async *partBytes(id: string, parts: RecordedPart[]): AsyncGenerator<Buffer> {
    for (const part of parts) {
      const key = this.partKey(id, part.offset);
      let received = 0;
      for await (const chunk of await this.getObject(key)) {
        const bytes = toBuffer(chunk);
        received += bytes.length;
        yield bytes;
      }
      if (received !== part.sizeBytes) throw new Error(`upload part ${key} holds ${received} bytes, ${part.sizeBytes} were recorded`);
    }
  }

  private async getObject(key: string, range?: string): Promise<Readable> {
    const { Body } = await this.location.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: key, Range: range }));
    if (Body instanceof Readable) return Body;
    if (Body && "transformToWebStream" in Body) return Readable.fromWeb(Body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
    throw new Error(`S3 returned no readable body for ${key}`);
  }

  private async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.location.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys;
  }

  private partPrefix(id: string): string {
    if (!UPLOAD_ID.test(id)) throw new Error("not an upload id");
    return `${this.location.prefix}uploads/${id}/`;
  }

  private partKey(id: string, offset: number): string {
    return `${this.partPrefix(id)}${String(offset).padStart(OFFSET_DIGITS, "0")}`;
  }

  private storageOf(id: string): { type: string; path: string; bucket: string } {
    return { type: "s3-parts", path: this.partPrefix(id), bucket: this.location.bucket };
  }
}

interface CutPart {
  offset: number;
  bytes: Buffer;
  /** The SHA-256 state after this part's last byte. */
  hashState: Buffer<ArrayBuffer>;
}

/**
 * Cuts a stream of chunks into parts of `partSize` bytes (the last may be shorter), feeding each
 * byte to the hasher as it arrives, and stores them in order with one part in flight while the
 * next one fills.
 */
class PartCutter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Where the next part starts: every byte before it has been hashed. */
  private nextOffset: number;
  /** End of the parts stored and recorded so far. */
  private recordedOffset: number;
  private storing: Promise<void> | null = null;

  constructor(
    private readonly hasher: IHasher,
    private readonly partSize: number,
    offset: number,
    private readonly store: (part: CutPart) => Promise<void>,
  ) {
    this.nextOffset = offset;
    this.recordedOffset = offset;
  }

  async add(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      const piece = rest.subarray(0, this.partSize - this.pendingBytes);
      rest = rest.subarray(piece.length);
      this.hasher.update(piece);
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      if (this.pendingBytes === this.partSize) await this.cut();
    }
  }

  /** Stores what is left as a last part and waits for every part; returns the recorded offset. */
  async finish(): Promise<number> {
    if (this.pendingBytes > 0) await this.cut();
    await this.storing;
    return this.recordedOffset;
  }

  private async cut(): Promise<void> {
    // One part at a time, in order: each record continues from the previous part's end. A failed
    // part surfaces here, and no later part is stored after it.
    await this.storing;
    const part: CutPart = {
      offset: this.nextOffset,
      bytes: Buffer.concat(this.pending, this.pendingBytes),
      // Nothing beyond this part has been hashed yet: add() waits for cut().
      hashState: Buffer.from(this.hasher.save()),
    };
    this.pending = [];
    this.pendingBytes = 0;
    this.nextOffset += part.bytes.length;
    this.storing = this.store(part).then(() => {
      this.recordedOffset = part.offset + part.bytes.length;
    });
    // Observed by the next cut() or finish(); never an unhandled rejection meanwhile.
    this.storing.catch(() => undefined);
  }
}

function tusMetadataOf(value: Prisma.JsonValue | null): Record<string, string | null> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, typeof entry === "string" ? entry : null]));
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  throw new TypeError("upload streams must yield bytes");
}
