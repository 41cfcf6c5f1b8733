// The BlobStore contract, run against every driver: the local folder and an S3-compatible
// bucket (a real s3rver on 127.0.0.1). Hashes are always computed here, independently, with
// node:crypto over the same bytes the store was given.
import { createHash, randomUUID } from "node:crypto";
import { access, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BlobStore } from "../../lib/server/storage/blob-store";
import { LocalBlobStore } from "../../lib/server/storage/local-blob-store";
import { S3BlobStore } from "../../lib/server/storage/s3-blob-store";
import { startS3rver, type LocalS3Server } from "../../lib/infra/s3rver";

const MiB = 1024 * 1024;
const BUCKET = "groundtruth-contract";


// ---------------------------------------------------------------------------------------------
// Deterministic test data

/** `total` pseudo-random bytes from `seed` (xorshift32), yielded in chunks. */
function* generate(seed: number, total: number, chunkSize = 64 * 1024): Generator<Buffer> {
  let state = seed >>> 0 || 0x9e3779b9;
  for (let offset = 0; offset < total; offset += chunkSize) {
    const chunk = Buffer.allocUnsafe(Math.min(chunkSize, total - offset));
    for (let i = 0; i < chunk.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      chunk[i] = state & 0xff;
    }
    yield chunk;
  }
}

/** Yields `chunks`, then fails the way a dropped upload connection would. */
async function* failingAfter(chunks: Iterable<Buffer>): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
  throw new Error("source connection reset");
}

function sha256Of(chunks: Iterable<Buffer>): string {
  const hash = createHash("sha256");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}

function sizeOf(chunks: Iterable<Buffer>): number {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  return size;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Hash and size of a stream, without keeping its bytes. */
async function digestOf(stream: Readable): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Uint8Array);
    sizeBytes += (chunk as Uint8Array).length;
  }
  return { sha256: hash.digest("hex"), sizeBytes };
}

function layout(sha256: string): string {
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

async function exists(filePath: string): Promise<boolean> {
  return access(filePath).then(
    () => true,
    () => false,
  );
}

// ---------------------------------------------------------------------------------------------
// Drivers

interface StoreUnderTest {
  store: BlobStore;
  /** Stored blobs as "ab/cd/<sha256>" paths relative to the blob area. */
  listBlobs(): Promise<string[]>;
  /** Whatever is left in the temporary (incoming) area. */
  listIncoming(): Promise<string[]>;
}

interface Driver {
  name: string;
  create(): Promise<StoreUnderTest>;
}

let scratch: string;
let s3rver: LocalS3Server;
let s3Endpoint: string;
let s3Client: S3Client;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "gt-blob-contract-"));
  const directory = path.join(scratch, "s3rver");
  s3rver = await startS3rver({ directory });
  s3Endpoint = s3rver.endpoint;
  s3Client = testClient();
  await s3Client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3Client?.destroy();
  await s3rver?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Configured like S3BlobStore.fromEnv() configures its client. */
function testClient(): S3Client {
  return new S3Client({
    endpoint: s3Endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3Client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(prefix.length));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys.sort();
}

const localDriver: Driver = {
  name: "LocalBlobStore",
  async create() {
    const root = await mkdtemp(path.join(scratch, "local-"));
    return {
      store: new LocalBlobStore(root),
      async listBlobs() {
        const entries = await readdir(root, { recursive: true });
        return entries
          .map((entry) => entry.split(path.sep).join("/"))
          .filter((entry) => !entry.startsWith("incoming") && /^[0-9a-f]{64}$/.test(path.posix.basename(entry)))
          .sort();
      },
      async listIncoming() {
        return readdir(path.join(root, "incoming")).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return [];
          throw error;
        });
      },
    };
  },
};

const s3Driver: Driver = {
  name: "S3BlobStore",
  async create() {
    // One bucket, a fresh prefix per test: tests never see each other's objects.
    const prefix = `t-${randomUUID()}/`;
    return {
      store: new S3BlobStore({ client: s3Client, bucket: BUCKET, prefix }),
      listBlobs: () => listKeys(`${prefix}blobs/`),
      listIncoming: () => listKeys(`${prefix}incoming/`),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// The contract

describe.each([localDriver, s3Driver])("BlobStore contract: $name", (driver) => {
  let sut: StoreUnderTest;
  let store: BlobStore;

  beforeEach(async () => {
    sut = await driver.create();
    store = sut.store;
  });

  it("put stores a stream under its SHA-256 and open returns the same bytes", async () => {
    const chunks = [Buffer.from("exhibit A: "), Buffer.from(randomUUID()), Buffer.from([0, 1, 2, 255])];
    const expected = sha256Of(chunks);

    const stored = await store.put(Readable.from(chunks));

    expect(stored).toEqual({ sha256: expected, sizeBytes: sizeOf(chunks), created: true });
    expect(await store.has(expected)).toBe(true);
    expect(await readAll(await store.open(expected))).toEqual(Buffer.concat(chunks));
    expect(await sut.listBlobs()).toEqual([layout(expected)]);
    expect(await sut.listIncoming()).toEqual([]);
  });

  it("stores an empty stream", async () => {
    const expected = sha256Of([]);
    await expect(store.put(Readable.from([]))).resolves.toEqual({ sha256: expected, sizeBytes: 0, created: true });
    expect(await readAll(await store.open(expected))).toEqual(Buffer.alloc(0));
  });

  it("stores identical bytes once: the second put reports created:false", async () => {
    const bytes = Buffer.from(`same bytes ${randomUUID()}`);
    const expected = sha256Of([bytes]);

    const first = await store.put(Readable.from([bytes]));
    const second = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));

    expect(first).toEqual({ sha256: expected, sizeBytes: bytes.length, created: true });
    expect(second).toEqual({ sha256: expected, sizeBytes: bytes.length, created: false });
    expect(await sut.listBlobs()).toEqual([layout(expected)]);
    expect(await sut.listIncoming()).toEqual([]);
    expect(await readAll(await store.open(expected))).toEqual(bytes);
  });

  it("stores different bytes under different keys", async () => {
    const a = Buffer.from(`first ${randomUUID()}`);
    const b = Buffer.from(`second ${randomUUID()}`);

    const storedA = await store.put(Readable.from([a]));
    const storedB = await store.put(Readable.from([b]));

    expect(storedA.sha256).toBe(sha256Of([a]));
    expect(storedB.sha256).toBe(sha256Of([b]));
    expect(storedA.sha256).not.toBe(storedB.sha256);
    expect(await sut.listBlobs()).toEqual([layout(storedA.sha256), layout(storedB.sha256)].sort());
    expect(await readAll(await store.open(storedA.sha256))).toEqual(a);
    expect(await readAll(await store.open(storedB.sha256))).toEqual(b);
  });

  it("has() is false and open() rejects for a key that was never stored", async () => {
    const unknown = sha256Of([Buffer.from(`never stored ${randomUUID()}`)]);
    expect(await store.has(unknown)).toBe(false);
    // Rejecting up front (not a stream that errors later) lets callers answer 404 before
    // sending any response headers.
    const outcome = await store.open(unknown).then(
      (stream) => {
        stream.on("error", () => undefined);
        stream.destroy();
        return "resolved with a stream";
      },
      (error: unknown) => (error instanceof Error ? "rejected" : "rejected with a non-Error"),
    );
    expect(outcome).toBe("rejected");
  });

  it.each([
    ["a path", "../etc/passwd"],
    ["uppercase hex", sha256Of([Buffer.from("upper")]).toUpperCase()],
    ["63 characters", sha256Of([Buffer.from("short")]).slice(1)],
    ["65 characters", `${sha256Of([Buffer.from("long")])}0`],
    ["non-hex characters", "g".repeat(64)],
    ["a trailing newline", `${sha256Of([Buffer.from("newline")])}\n`],
    ["the empty string", ""],
  ])("rejects a key that is %s", async (_label, key) => {
    await expect(store.open(key)).rejects.toThrow();
    // has() may reject or answer false, but never claims such a key exists.
    expect(await store.has(key).catch(() => false)).toBe(false);
    const file = path.join(await mkdtemp(path.join(scratch, "adopt-")), "upload.bin");
    await writeFile(file, "bytes");
    await expect(store.adoptFile(file, key, 5)).rejects.toThrow();
    await expect(store.adoptStream(Readable.from([Buffer.from("bytes")]), key, 5)).rejects.toThrow();
    expect(await sut.listBlobs()).toEqual([]);
  });

  it.each([
    ["early, within the first part", 1, 1024],
    ["late, after a multipart part was uploaded", 150, 64 * 1024],
  ])("a source stream that fails %s rejects put and stores nothing", async (_label, chunkCount, chunkSize) => {
    const sent = [...generate(7, chunkCount * chunkSize, chunkSize)];

    await expect(store.put(Readable.from(failingAfter(sent)))).rejects.toThrow("source connection reset");

    expect(await store.has(sha256Of(sent))).toBe(false);
    expect(await store.has(sha256Of([]))).toBe(false);
    expect(await sut.listBlobs()).toEqual([]);
    expect(await sut.listIncoming()).toEqual([]);
  });

  it("adoptFile stores a file under the given hash, removes it, and reports created:false on repeat", async () => {
    const folder = await mkdtemp(path.join(scratch, "adopt-"));
    const bytes = Buffer.from(`finished upload ${randomUUID()}`);
    const sha256 = sha256Of([bytes]);
    const first = path.join(folder, "first.bin");
    const second = path.join(folder, "second.bin");
    await writeFile(first, bytes);
    await writeFile(second, bytes);

    await expect(store.adoptFile(first, sha256, bytes.length)).resolves.toEqual({ sha256, sizeBytes: bytes.length, created: true });
    expect(await exists(first)).toBe(false);
    expect(await store.has(sha256)).toBe(true);
    expect(await readAll(await store.open(sha256))).toEqual(bytes);

    await expect(store.adoptFile(second, sha256, bytes.length)).resolves.toEqual({ sha256, sizeBytes: bytes.length, created: false });
    expect(await exists(second)).toBe(false);
    expect(await sut.listBlobs()).toEqual([layout(sha256)]);
    expect(await readAll(await store.open(sha256))).toEqual(bytes);
  });

  it("adoptFile of bytes already stored by put reports created:false", async () => {
    const bytes = Buffer.from(`put first ${randomUUID()}`);
    const { sha256 } = await store.put(Readable.from([bytes]));
    const file = path.join(await mkdtemp(path.join(scratch, "adopt-")), "dup.bin");
    await writeFile(file, bytes);

    await expect(store.adoptFile(file, sha256, bytes.length)).resolves.toEqual({ sha256, sizeBytes: bytes.length, created: false });
    expect(await exists(file)).toBe(false);
    expect(await sut.listBlobs()).toEqual([layout(sha256)]);
  });

  it("adoptStream stores a stream under the given hash and reports created:false on repeat without reading it", async () => {
    const chunks = [Buffer.from(`parts of an upload ${randomUUID()}`), Buffer.from([0, 1, 2, 255])];
    const sha256 = sha256Of(chunks);
    const size = sizeOf(chunks);

    await expect(store.adoptStream(Readable.from(chunks), sha256, size)).resolves.toEqual({ sha256, sizeBytes: size, created: true });
    expect(await readAll(await store.open(sha256))).toEqual(Buffer.concat(chunks));

    let read = false;
    const again = Readable.from(
      (async function* () {
        read = true;
        yield* chunks;
      })(),
    );
    await expect(store.adoptStream(again, sha256, size)).resolves.toEqual({ sha256, sizeBytes: size, created: false });
    expect(read).toBe(false);
    expect(again.destroyed).toBe(true);
    expect(await sut.listBlobs()).toEqual([layout(sha256)]);
    expect(await sut.listIncoming()).toEqual([]);
  });

  it.each([
    ["a small stream (one write)", 4 * 1024],
    ["a 12 MiB stream (multipart)", 12 * MiB],
  ])("adoptStream refuses %s whose bytes do not match the hash, and stores nothing", async (_label, size) => {
    const claimed = sha256Of(generate(21, size));
    // Same length, one byte different: only the hash can tell.
    const tampered = [...generate(21, size)];
    tampered[tampered.length - 1]![0]! ^= 0xff;

    await expect(store.adoptStream(Readable.from(tampered), claimed, size)).rejects.toThrow(/do not match/);
    // A stream of the right bytes but the wrong length is refused too.
    await expect(store.adoptStream(Readable.from(generate(21, size)), claimed, size + 1)).rejects.toThrow(/do not match/);

    expect(await store.has(claimed)).toBe(false);
    expect(await sut.listBlobs()).toEqual([]);
    expect(await sut.listIncoming()).toEqual([]);
  });

  it("round-trips a 12 MiB stream and a 12 MiB adopted file", async () => {
    const size = 12 * MiB;
    const expected = sha256Of(generate(42, size));

    const stored = await store.put(Readable.from(generate(42, size)));
    expect(stored).toEqual({ sha256: expected, sizeBytes: size, created: true });
    await expect(digestOf(await store.open(expected))).resolves.toEqual({ sha256: expected, sizeBytes: size });

    const file = path.join(await mkdtemp(path.join(scratch, "adopt-")), "big.bin");
    await writeFile(file, Readable.from(generate(43, size)));
    const adoptedSha = sha256Of(generate(43, size));
    await expect(store.adoptFile(file, adoptedSha, size)).resolves.toEqual({ sha256: adoptedSha, sizeBytes: size, created: true });
    expect(await exists(file)).toBe(false);
    await expect(digestOf(await store.open(adoptedSha))).resolves.toEqual({ sha256: adoptedSha, sizeBytes: size });

    expect(await sut.listBlobs()).toEqual([layout(expected), layout(adoptedSha)].sort());
    expect(await sut.listIncoming()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// S3 driver specifics

describe("S3BlobStore.fromEnv", () => {
  const complete = {
    GROUNDTRUTH_S3_ENDPOINT: "http://127.0.0.1:9",
    GROUNDTRUTH_S3_BUCKET: BUCKET,
    GROUNDTRUTH_S3_ACCESS_KEY_ID: "S3RVER",
    GROUNDTRUTH_S3_SECRET_ACCESS_KEY: "S3RVER",
  };

  it("names every missing variable", () => {
    expect(() => S3BlobStore.fromEnv({ GROUNDTRUTH_S3_ENDPOINT: "http://127.0.0.1:9", GROUNDTRUTH_S3_BUCKET: " " })).toThrow(
      "GROUNDTRUTH_S3_BUCKET, GROUNDTRUTH_S3_ACCESS_KEY_ID, GROUNDTRUTH_S3_SECRET_ACCESS_KEY",
    );
    expect(() => S3BlobStore.fromEnv({ ...complete, GROUNDTRUTH_S3_ENDPOINT: undefined })).toThrow("GROUNDTRUTH_S3_ENDPOINT");
  });

  it("rejects a malformed endpoint or path-style flag", () => {
    expect(() => S3BlobStore.fromEnv({ ...complete, GROUNDTRUTH_S3_ENDPOINT: "not a url" })).toThrow("GROUNDTRUTH_S3_ENDPOINT");
    expect(() => S3BlobStore.fromEnv({ ...complete, GROUNDTRUTH_S3_FORCE_PATH_STYLE: "maybe" })).toThrow(
      "GROUNDTRUTH_S3_FORCE_PATH_STYLE",
    );
  });

  it("builds a working store from the environment", async () => {
    const prefix = `env-${randomUUID()}/`;
    const store = S3BlobStore.fromEnv({ ...complete, GROUNDTRUTH_S3_ENDPOINT: s3Endpoint, GROUNDTRUTH_S3_PREFIX: prefix });
    const bytes = Buffer.from(`from env ${randomUUID()}`);
    const { sha256 } = await store.put(Readable.from([bytes]));
    expect(sha256).toBe(sha256Of([bytes]));
    expect(await listKeys(`${prefix}blobs/`)).toEqual([layout(sha256)]);
    await s3Client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}blobs/${layout(sha256)}` }));
  });
});

/**
 * s3rver implements neither UploadPartCopy nor If-None-Match, so the paths that depend on
 * them are checked against a scripted client: the requests must be the right ones.
 */
describe("S3BlobStore with a scripted S3 client", () => {
  interface Sent {
    command: string;
    input: Record<string, unknown>;
  }

  function scriptedClient(respond: (command: string, input: Record<string, unknown>) => unknown): { client: S3Client; sent: Sent[] } {
    const sent: Sent[] = [];
    const client = {
      async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
        const name = command.constructor.name;
        sent.push({ command: name, input: command.input });
        return respond(name, command.input);
      },
    } as unknown as S3Client;
    return { client, sent };
  }

  function s3Error(name: string, status: number): Error {
    return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  }

  function defaultResponse(command: string, input: Record<string, unknown>): unknown {
    switch (command) {
      case "HeadObjectCommand":
        throw s3Error("NotFound", 404);
      case "CreateMultipartUploadCommand":
        return { UploadId: `upload-${String(input.Key)}` };
      case "UploadPartCommand":
        return { ETag: `"part-${String(input.PartNumber)}"` };
      case "UploadPartCopyCommand":
        return { CopyPartResult: { ETag: `"copy-${String(input.PartNumber)}"` } };
      default:
        return {};
    }
  }

  it("sanity: command names are what the script expects", () => {
    expect(new CreateMultipartUploadCommand({ Bucket: "b", Key: "k" }).constructor.name).toBe("CreateMultipartUploadCommand");
  });

  it("moves objects above the CopyObject limit into place with ranged UploadPartCopy", async () => {
    const { client, sent } = scriptedClient(defaultResponse);
    const store = new S3BlobStore({
      client,
      bucket: "b",
      prefix: "p/",
      partSizeBytes: 5 * MiB,
      maxCopyObjectBytes: 5 * MiB,
      copyPartSizeBytes: 5 * MiB,
    });
    const size = 12 * MiB;
    const expected = sha256Of(generate(5, size));

    await expect(store.put(Readable.from(generate(5, size)))).resolves.toEqual({ sha256: expected, sizeBytes: size, created: true });

    const finalKey = `p/blobs/${layout(expected)}`;
    const uploads = sent.filter((s) => s.command === "UploadPartCommand");
    const tempKey = String(uploads[0]?.input.Key);
    expect(tempKey).toMatch(/^p\/incoming\/[0-9a-f-]{36}$/);
    expect(uploads.map((s) => [s.input.Key, s.input.PartNumber, s.input.ContentLength])).toEqual([
      [tempKey, 1, 5 * MiB],
      [tempKey, 2, 5 * MiB],
      [tempKey, 3, 2 * MiB],
    ]);
    expect(sent.some((s) => s.command === "CopyObjectCommand")).toBe(false);
    const copies = sent.filter((s) => s.command === "UploadPartCopyCommand");
    expect(copies.map((s) => [s.input.Key, s.input.CopySource, s.input.PartNumber, s.input.CopySourceRange]).sort()).toEqual([
      [finalKey, `b/${tempKey}`, 1, `bytes=0-${5 * MiB - 1}`],
      [finalKey, `b/${tempKey}`, 2, `bytes=${5 * MiB}-${10 * MiB - 1}`],
      [finalKey, `b/${tempKey}`, 3, `bytes=${10 * MiB}-${size - 1}`],
    ]);
    const completions = sent.filter((s) => s.command === "CompleteMultipartUploadCommand");
    expect(completions.map((s) => [s.input.Key, s.input.IfNoneMatch])).toEqual([
      [tempKey, undefined],
      [finalKey, "*"],
    ]);
    expect(completions[1]?.input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"copy-1"', PartNumber: 1 },
        { ETag: '"copy-2"', PartNumber: 2 },
        { ETag: '"copy-3"', PartNumber: 3 },
      ],
    });
    expect(sent.at(-1)).toEqual({ command: "DeleteObjectCommand", input: { Bucket: "b", Key: tempKey } });
    expect(sent.some((s) => s.command === "AbortMultipartUploadCommand")).toBe(false);
  });

  it("treats 412 on the conditional copy as created:false and still removes the temporary object", async () => {
    const { client, sent } = scriptedClient((command, input) => {
      if (command === "CopyObjectCommand") throw s3Error("PreconditionFailed", 412);
      return defaultResponse(command, input);
    });
    const store = new S3BlobStore({ client, bucket: "b" });
    const bytes = Buffer.from("raced");

    await expect(store.put(Readable.from([bytes]))).resolves.toEqual({ sha256: sha256Of([bytes]), sizeBytes: 5, created: false });

    const copy = sent.find((s) => s.command === "CopyObjectCommand");
    expect(copy?.input.IfNoneMatch).toBe("*");
    expect(sent.at(-1)?.command).toBe("DeleteObjectCommand");
    expect(sent.at(-1)?.input.Key).toMatch(/^incoming\//);
  });

  it("falls back to unconditional writes when the server answers 501 Not Implemented", async () => {
    const { client, sent } = scriptedClient((command, input) => {
      if (command === "PutObjectCommand" && input.IfNoneMatch === "*") throw s3Error("NotImplemented", 501);
      return defaultResponse(command, input);
    });
    const store = new S3BlobStore({ client, bucket: "b" });
    const folder = await mkdtemp(path.join(scratch, "adopt-"));
    const file = path.join(folder, "x.bin");
    await writeFile(file, "adopt me");
    const sha256 = sha256Of([Buffer.from("adopt me")]);

    await expect(store.adoptFile(file, sha256, 8)).resolves.toEqual({ sha256, sizeBytes: 8, created: true });
    expect(sent.filter((s) => s.command === "PutObjectCommand").map((s) => s.input.IfNoneMatch)).toEqual(["*", undefined]);
    expect(await exists(file)).toBe(false);
  });

  it("aborts the multipart upload when the source fails after parts were sent", async () => {
    const { client, sent } = scriptedClient(defaultResponse);
    const store = new S3BlobStore({ client, bucket: "b", partSizeBytes: 5 * MiB });

    await expect(store.put(Readable.from(failingAfter(generate(9, 11 * MiB))))).rejects.toThrow("source connection reset");

    const uploads = sent.filter((s) => s.command === "UploadPartCommand");
    expect(uploads.length).toBe(2);
    const tempKey = uploads[0]?.input.Key;
    expect(sent.filter((s) => s.command === "AbortMultipartUploadCommand").map((s) => s.input.Key)).toEqual([tempKey]);
    expect(sent.some((s) => s.command === "CompleteMultipartUploadCommand" || s.command === "CopyObjectCommand")).toBe(false);
    expect(sent.at(-1)).toEqual({ command: "DeleteObjectCommand", input: { Bucket: "b", Key: tempKey } });
  });
});
