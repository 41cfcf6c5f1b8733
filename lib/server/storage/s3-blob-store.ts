import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { logger } from "../logger";
import { assertAdoptedBytesMatch, type BlobStore, type StoredBlob } from "./blob-store";

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** S3 limits: parts are 5 MiB..5 GiB (the last may be smaller), at most 10,000 per upload. */
const MIN_PART_BYTES = 5 * MiB;
const MAX_PART_BYTES = 5 * GiB;
const MAX_PARTS = 10_000;
/** CopyObject refuses sources larger than 5 GiB; bigger objects are copied part by part. */
const MAX_COPY_OBJECT_BYTES = 5 * GiB;
/** UploadPartCopy requests run at once during a multipart copy (server-side, no bytes pass through us). */
const COPY_CONCURRENCY = 4;
/** Retries of a conditional write that S3 answered with 409 ConditionalRequestConflict. */
const CONFLICT_RETRIES = 3;

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key verbatim, e.g. "groundtruth/" (include the trailing slash). */
  prefix?: string;
  /**
   * Multipart part size for uploads (default 8 MiB, at least 5 MiB). Also the largest object
   * sent as a single PutObject. Memory per upload stays at a small multiple of this (one part
   * uploading while the next is read and sliced off), whatever the object size. put() streams of unknown length can reach
   * MAX_PARTS × this (≈78 GiB at the default); adoptFile() grows the part size to fit.
   */
  partSizeBytes?: number;
  /** Objects larger than this are moved into place with UploadPartCopy (default and max 5 GiB). */
  maxCopyObjectBytes?: number;
  /** Part size of a multipart copy (default 1 GiB, 5 MiB..5 GiB; grown to fit 10,000 parts). */
  copyPartSizeBytes?: number;
}

/** A bucket, the client that reaches it and the key prefix everything of ours lives under. */
export interface S3Location {
  client: S3Client;
  bucket: string;
  /** Prepended to every key verbatim, e.g. "groundtruth/" (include the trailing slash). */
  prefix: string;
}

/**
 * Settings for GROUNDTRUTH_STORAGE=s3, shared by the blob store and the store of partial
 * uploads: GROUNDTRUTH_S3_ENDPOINT, GROUNDTRUTH_S3_BUCKET, GROUNDTRUTH_S3_ACCESS_KEY_ID and
 * GROUNDTRUTH_S3_SECRET_ACCESS_KEY are required; GROUNDTRUTH_S3_REGION defaults to us-east-1,
 * GROUNDTRUTH_S3_FORCE_PATH_STYLE to true (what MinIO, Ceph, Garage and most self-hosted
 * servers need), GROUNDTRUTH_S3_PREFIX to "".
 */
let configuredLocation: S3Location | null = null;

/** The configured bucket and the process's one S3 client for it, shared by the blob store and partial uploads. */
export function configuredS3Location(): S3Location {
  configuredLocation ??= s3LocationFromEnv();
  return configuredLocation;
}

export function s3LocationFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): S3Location {
  const required = [
    "GROUNDTRUTH_S3_ENDPOINT",
    "GROUNDTRUTH_S3_BUCKET",
    "GROUNDTRUTH_S3_ACCESS_KEY_ID",
    "GROUNDTRUTH_S3_SECRET_ACCESS_KEY",
  ] as const;
  const missing = required.filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new Error(`S3 blob storage (GROUNDTRUTH_STORAGE=s3) needs ${missing.join(", ")}: missing or empty`);
  }
  const endpoint = env.GROUNDTRUTH_S3_ENDPOINT!.trim();
  try {
    new URL(endpoint);
  } catch {
    throw new Error(`GROUNDTRUTH_S3_ENDPOINT must be a URL such as https://s3.example.org, got "${endpoint}"`);
  }
  const client = new S3Client({
    endpoint,
    region: env.GROUNDTRUTH_S3_REGION?.trim() || "us-east-1",
    forcePathStyle: parseBoolean(env.GROUNDTRUTH_S3_FORCE_PATH_STYLE, true, "GROUNDTRUTH_S3_FORCE_PATH_STYLE"),
    credentials: {
      accessKeyId: env.GROUNDTRUTH_S3_ACCESS_KEY_ID!.trim(),
      secretAccessKey: env.GROUNDTRUTH_S3_SECRET_ACCESS_KEY!.trim(),
    },
    // Send/verify the SDK's CRC checksums only where the API requires them: many
    // S3-compatible servers reject or mis-store the default aws-chunked checksum encoding.
    // Integrity comes from the SHA-256 content address anyway.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return { client, bucket: env.GROUNDTRUTH_S3_BUCKET!.trim(), prefix: env.GROUNDTRUTH_S3_PREFIX ?? "" };
}

/**
 * Blobs in an S3-compatible bucket under <prefix>blobs/ab/cd/<sha256>, never overwritten.
 *
 * put() streams to <prefix>incoming/<uuid> while hashing, then copies server-side to the
 * content key and deletes the temporary object. Writes to content keys carry
 * `If-None-Match: *` so an existing blob is never replaced; servers that ignore the header
 * (s3rver, older MinIO) only narrow that guarantee to "identical bytes may be rewritten
 * by a racing writer", which is harmless for content-addressed keys. Temporary objects and
 * multipart uploads are removed on failure; a crashed process can still leave some, so a
 * bucket lifecycle rule expiring <prefix>incoming/ and aborting incomplete multipart uploads
 * after a day is recommended.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSizeBytes: number;
  private readonly maxCopyObjectBytes: number;
  private readonly copyPartSizeBytes: number;
  /** Cleared after the server answers a conditional write with 501 Not Implemented. */
  private conditionalWrites = true;

  constructor(options: S3BlobStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? "";
    this.partSizeBytes = sizeOption("partSizeBytes", options.partSizeBytes, 8 * MiB, MIN_PART_BYTES, MAX_PART_BYTES);
    this.maxCopyObjectBytes = sizeOption("maxCopyObjectBytes", options.maxCopyObjectBytes, MAX_COPY_OBJECT_BYTES, 0, MAX_COPY_OBJECT_BYTES);
    this.copyPartSizeBytes = sizeOption("copyPartSizeBytes", options.copyPartSizeBytes, GiB, MIN_PART_BYTES, MAX_PART_BYTES);
  }

  /** The configured bucket (GROUNDTRUTH_STORAGE=s3); see s3LocationFromEnv for the settings. */
  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): S3BlobStore {
    return new S3BlobStore(s3LocationFromEnv(env));
  }

  private keyFor(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error("not a SHA-256 key");
    return `${this.prefix}blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async put(source: Readable): Promise<StoredBlob> {
    const tempKey = `${this.prefix}incoming/${randomUUID()}`;
    const hash = createHash("sha256");
    let sizeBytes = 0;
    let failed = true;
    try {
      // Hash and count in the same pass that uploads: the bytes are read exactly once.
      await this.writeObject(tempKey, source, this.partSizeBytes, false, {
        onChunk: (chunk) => {
          hash.update(chunk);
          sizeBytes += chunk.length;
        },
      });
      const sha256 = hash.digest("hex");
      const finalKey = this.keyFor(sha256);
      const created = (await this.exists(finalKey)) ? false : await this.copyIntoPlace(tempKey, finalKey, sizeBytes);
      failed = false;
      return { sha256, sizeBytes, created };
    } finally {
      // Also after a failed upload: a single-part PutObject may have landed before the error.
      await this.deleteTemp(tempKey, failed);
    }
  }

  async adoptFile(filePath: string, sha256: string, sizeBytes: number): Promise<StoredBlob> {
    const key = this.keyFor(sha256);
    try {
      if (await this.exists(key)) return { sha256, sizeBytes, created: false };
      // The hash is trusted (computed while the file was received), so the file goes straight
      // to its content key; the conditional write keeps a concurrent writer's copy.
      const { size } = await stat(filePath);
      const created = await this.writeObject(key, createReadStream(filePath), this.partSizeFor(size), true);
      return { sha256, sizeBytes, created };
    } finally {
      await rm(filePath, { force: true });
    }
  }

  async adoptStream(source: Readable, sha256: string, sizeBytes: number): Promise<StoredBlob> {
    try {
      const key = this.keyFor(sha256);
      if (await this.exists(key)) return { sha256, sizeBytes, created: false };
      // Straight to the content key (no temporary object and copy), but checked before the
      // object is committed: the last PutObject or CompleteMultipartUpload happens only after
      // every byte was read and matched. A refused multipart upload is aborted.
      const hash = createHash("sha256");
      let received = 0;
      const created = await this.writeObject(key, source, this.partSizeFor(sizeBytes), true, {
        onChunk: (chunk) => {
          hash.update(chunk);
          received += chunk.length;
        },
        beforeCommit: () => assertAdoptedBytesMatch(sha256, sizeBytes, hash.digest("hex"), received),
      });
      return { sha256, sizeBytes, created };
    } finally {
      // Unread when the blob already existed or the key was refused; a no-op once consumed.
      source.destroy();
    }
  }

  async open(sha256: string): Promise<Readable> {
    const key = this.keyFor(sha256);
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (Body instanceof Readable) return Body;
      if (Body && "transformToWebStream" in Body) return Readable.fromWeb(Body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
      throw new Error(`S3 returned no readable body for blob ${sha256}`);
    } catch (error) {
      if (isNotFound(error)) throw new Error(`blob ${sha256} not found in bucket ${this.bucket}`, { cause: error });
      throw error;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return this.exists(this.keyFor(sha256));
  }

  /** Throws unless the bucket answers and these credentials may use it (readiness checks). */
  async assertReachable(signal?: AbortSignal): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal });
  }

  /** The configured part size, grown so that `size` bytes fit in MAX_PARTS parts. */
  private partSizeFor(size: number): number {
    return Math.max(this.partSizeBytes, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Streams `source` to `key`: one PutObject when it fits in a part, otherwise a multipart
   * upload with one part in flight while the next is read (memory ≈ 3 × partSize). A failed
   * multipart upload is aborted. Returns false when `ifNoneMatch` found the key taken.
   * `onChunk` sees every byte as it is read; `beforeCommit` runs once the source is exhausted,
   * before the object exists, and refuses the write by throwing.
   */
  private async writeObject(
    key: string,
    source: AsyncIterable<unknown>,
    partSize: number,
    ifNoneMatch: boolean,
    hooks: { onChunk?: (chunk: Buffer) => void; beforeCommit?: () => void } = {},
  ): Promise<boolean> {
    const pending = new PendingBytes();
    const parts: CompletedPart[] = [];
    let uploadId: string | undefined;
    let partCount = 0;
    let inFlight: Promise<void> | undefined;
    let finished = false;

    const sendPart = async (body: Buffer) => {
      uploadId ??= await this.createMultipartUpload(key);
      const partNumber = ++partCount;
      if (partNumber > MAX_PARTS) {
        throw new Error(`stream exceeds ${MAX_PARTS} parts of ${partSize} bytes; raise partSizeBytes`);
      }
      if (inFlight) await inFlight;
      const request = this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
        }),
      );
      inFlight = request.then(({ ETag }) => {
        if (!ETag) throw new Error(`S3 returned no ETag for part ${partNumber} of ${key}`);
        parts.push({ ETag, PartNumber: partNumber });
      });
      // Observed when awaited (next part, completion or cleanup); never an unhandled rejection.
      inFlight.catch(() => undefined);
    };

    try {
      for await (const chunk of source) {
        const bytes = toBuffer(chunk);
        hooks.onChunk?.(bytes);
        pending.push(bytes);
        // Strictly greater: a stream of exactly one part stays a single PutObject.
        while (pending.size > partSize) await sendPart(pending.take(partSize));
      }
      hooks.beforeCommit?.();
      const last = pending.take(pending.size);
      if (partCount === 0) {
        const written = await this.conditionalWrite(ifNoneMatch, (IfNoneMatch) =>
          this.client.send(
            new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: last, ContentLength: last.length, IfNoneMatch }),
          ),
        );
        finished = true;
        return written;
      }
      await sendPart(last);
      await inFlight;
      const completedParts = [...parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      // sendPart(last) above created the upload; this only tells the type checker.
      if (uploadId === undefined) throw new Error("multipart upload was never created");
      const written = await this.completeMultipartUpload(key, uploadId, completedParts, ifNoneMatch);
      // A refused completion leaves the upload open: abort it below.
      finished = written;
      return written;
    } finally {
      if (!finished && uploadId !== undefined) {
        await inFlight?.catch(() => undefined);
        await this.abortMultipartUpload(key, uploadId);
      }
    }
  }

  /** Completes a multipart upload, conditionally when `ifNoneMatch` (false if the key already existed). */
  private completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[], ifNoneMatch: boolean): Promise<boolean> {
    return this.conditionalWrite(ifNoneMatch, (IfNoneMatch) =>
      this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, IfNoneMatch }),
      ),
    );
  }

  /** Server-side copy of the temporary object to its content key, never replacing one. */
  private async copyIntoPlace(from: string, to: string, sizeBytes: number): Promise<boolean> {
    const copySource = `${encodeURIComponent(this.bucket)}/${from.split("/").map(encodeURIComponent).join("/")}`;
    if (sizeBytes <= this.maxCopyObjectBytes) {
      return this.conditionalWrite(true, (IfNoneMatch) =>
        this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: copySource, IfNoneMatch })),
      );
    }

    // CopyObject is limited to 5 GiB: copy byte ranges with UploadPartCopy instead.
    const partSize = Math.max(this.copyPartSizeBytes, Math.ceil(sizeBytes / MAX_PARTS / MiB) * MiB);
    const partCount = Math.ceil(sizeBytes / partSize);
    const uploadId = await this.createMultipartUpload(to);
    let finished = false;
    try {
      const parts: CompletedPart[] = new Array<CompletedPart>(partCount);
      let next = 0;
      const worker = async () => {
        while (next < partCount) {
          const index = next++;
          const start = index * partSize;
          const end = Math.min(start + partSize, sizeBytes) - 1;
          const { CopyPartResult } = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: to,
              UploadId: uploadId,
              PartNumber: index + 1,
              CopySource: copySource,
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          );
          if (!CopyPartResult?.ETag) throw new Error(`S3 returned no ETag for copied part ${index + 1} of ${to}`);
          parts[index] = { ETag: CopyPartResult.ETag, PartNumber: index + 1 };
        }
      };
      const results = await Promise.allSettled(Array.from({ length: Math.min(COPY_CONCURRENCY, partCount) }, worker));
      const failure = results.find((result) => result.status === "rejected");
      if (failure) throw failure.reason;
      const written = await this.completeMultipartUpload(to, uploadId, parts, true);
      finished = written;
      return written;
    } finally {
      if (!finished) await this.abortMultipartUpload(to, uploadId);
    }
  }

  /**
   * Runs a write to a content key with `If-None-Match: *` (unless `conditional` is false).
   * Returns false when the key already exists (412). A 409 conflict with a concurrent
   * conditional write is retried, as S3 asks. A server that rejects the header as not
   * implemented gets unconditional writes from then on; one that ignores it simply
   * overwrites identical bytes.
   */
  private async conditionalWrite(conditional: boolean, send: (ifNoneMatch: "*" | undefined) => Promise<unknown>): Promise<boolean> {
    if (!conditional) {
      await send(undefined);
      return true;
    }
    for (let attempt = 0; this.conditionalWrites; attempt++) {
      try {
        await send("*");
        return true;
      } catch (error) {
        if (statusOf(error) === 412 || nameOf(error) === "PreconditionFailed") return false;
        if (nameOf(error) === "ConditionalRequestConflict" && attempt < CONFLICT_RETRIES) continue;
        if (statusOf(error) !== 501 && nameOf(error) !== "NotImplemented") throw error;
        this.conditionalWrites = false;
        logger.warn("S3 server does not support If-None-Match writes; relying on HeadObject checks", { bucket: this.bucket });
      }
    }
    await send(undefined);
    return true;
  }

  private async createMultipartUpload(key: string): Promise<string> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    if (!UploadId) throw new Error(`S3 returned no UploadId for ${key}`);
    return UploadId;
  }

  /** Best effort: an abort failing must not hide the error that caused it. */
  private async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      logger.warn("could not abort S3 multipart upload; its parts stay until a lifecycle rule removes them", {
        bucket: this.bucket,
        key,
        uploadId,
        error,
      });
    }
  }

  /**
   * Deletes a temporary object (deleting an absent key succeeds in S3). After a failure the
   * original error matters more; after a success the blob is stored and a leftover temporary
   * object is only garbage. Either way a failed delete is logged, not thrown.
   */
  private async deleteTemp(key: string, afterFailure: boolean): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      logger.warn("could not delete temporary S3 object", { bucket: this.bucket, key, afterFailure, error });
    }
  }
}

/** Bytes read but not yet uploaded. */
class PendingBytes {
  private chunks: Buffer[] = [];
  size = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Removes and returns the first `count` bytes (at most `size`). */
  take(count: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    const taken = all.subarray(0, count);
    // Copy the remainder so the part buffer can be released once uploaded.
    const rest = all.length > count ? Buffer.from(all.subarray(count)) : undefined;
    this.chunks = rest ? [rest] : [];
    this.size = rest?.length ?? 0;
    return taken;
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  throw new TypeError("blob streams must yield bytes (Buffer, Uint8Array or string)");
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

function isNotFound(error: unknown): boolean {
  const name = nameOf(error);
  return statusOf(error) === 404 || name === "NotFound" || name === "NoSuchKey";
}

function sizeOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`S3BlobStore ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function parseBoolean(raw: string | undefined, fallback: boolean, name: string): boolean {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === "") return fallback;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}
