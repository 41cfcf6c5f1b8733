import "server-only";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { DomainError } from "@/lib/domain/errors";
import { formatBytes } from "@/lib/domain/upload-limits";
import { writeFileHashed } from "../storage/write-file-hashed";

/** A file part written to a temporary file as it arrived, hashed in the same pass. */
export interface ReceivedFile {
  tempPath: string;
  sha256: string;
  sizeBytes: number;
  /** As the client named it (unsanitised: callers sanitise before storing). */
  filename: string;
  /** As the client declared it (never trusted for anything but display). */
  declaredMime: string;
}

export interface ReceivedMultipart {
  /** Text fields (and `textFields` sent as file parts), by name; the last one of a name wins. */
  fields: Record<string, string>;
  files: ReceivedFile[];
  /** Removes the temporary files (idempotent). Always call it, in a finally. */
  cleanup(): Promise<void>;
}

export interface MultipartOptions {
  /** Folder for the temporary files (created if missing). */
  directory: string;
  /** Name of the file parts to keep; other file parts are read past and dropped. */
  fileField: string;
  /** Fields that may arrive as file parts (a JSON part sent as a Blob) and are read as text. */
  textFields: readonly string[];
  maxFiles: number;
  /** Largest single file. */
  maxFileBytes: number;
  /** Largest request body, boundaries and all. */
  maxTotalBytes: number;
  /** Largest text field. */
  maxFieldBytes: number;
}

const tooLarge = (what: string, limit: number) =>
  new DomainError("TOO_LARGE", `${what} is larger than the ${formatBytes(limit)} limit. Nothing was kept.`);

/**
 * Streams a multipart/form-data body to disk with busboy: each file part goes straight into a
 * temporary file (mode 600) while its SHA-256 is computed, so memory use does not grow with the
 * size of the upload. Limits are enforced as bytes arrive (TOO_LARGE, HTTP 413): the request
 * is no longer read once one is crossed. On any failure every temporary file is removed before
 * the error is thrown; on success the caller owns them until `cleanup()`.
 */
export async function receiveMultipart(request: Request, options: MultipartOptions): Promise<ReceivedMultipart> {
  if (!request.body) throw new DomainError("VALIDATION", "The request has no body.");
  await mkdir(options.directory, { recursive: true });

  const tempPaths: string[] = [];
  const cleanup = async () => {
    await Promise.all(tempPaths.map((p) => rm(p, { force: true })));
  };

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": request.headers.get("content-type") ?? "" },
      limits: { files: options.maxFiles, fields: 20, parts: options.maxFiles + 20, fieldSize: options.maxFieldBytes, fieldNameSize: 100 },
    });
  } catch {
    throw new DomainError("VALIDATION", "The multipart body could not be read: its Content-Type has no boundary.");
  }

  const fields: Record<string, string> = {};
  const files: ReceivedFile[] = [];
  const pending: Promise<unknown>[] = [];
  let failure: unknown = null;

  let received = 0;
  const source = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > options.maxTotalBytes) return callback(tooLarge("The request", options.maxTotalBytes));
      callback(null, chunk);
    },
  });

  const done = new Promise<void>((resolve) => {
    const fail = (error: unknown) => {
      failure ??= error;
      // Stop reading the request: nothing more of it will be kept.
      source.unpipe(counter);
      counter.unpipe(parser);
      source.destroy();
      counter.destroy();
      // Ends the file part being written (its write fails and is cleaned up below).
      parser.destroy();
      resolve();
    };
    source.on("error", (error) => fail(error));
    counter.on("error", (error) => fail(error));
    parser.on("error", () => fail(new DomainError("VALIDATION", "The multipart body could not be read: it is malformed or was cut off.")));
    parser.on("filesLimit", () => fail(new DomainError("VALIDATION", `At most ${options.maxFiles} files may be sent in one request.`)));
    parser.on("fieldsLimit", () => fail(new DomainError("VALIDATION", "The request has too many fields.")));
    parser.on("partsLimit", () => fail(new DomainError("VALIDATION", "The request has too many parts.")));
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) return fail(tooLarge(`The "${name}" part`, options.maxFieldBytes));
      fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      // A part cut short (the parser destroyed after a refusal) errors; the refusal says why.
      stream.on("error", () => undefined);
      if (failure) return void stream.resume();
      if (options.textFields.includes(name)) {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxFieldBytes) return fail(tooLarge(`The "${name}" part`, options.maxFieldBytes));
          chunks.push(chunk);
        });
        pending.push(new Promise<void>((res) => stream.on("close", () => {
          if (size <= options.maxFieldBytes) fields[name] = Buffer.concat(chunks).toString("utf8");
          res();
        })));
        return;
      }
      if (name !== options.fileField) return void stream.resume();
      const tempPath = path.join(options.directory, `direct-${randomBytes(16).toString("hex")}`);
      tempPaths.push(tempPath);
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > options.maxFileBytes) return callback(tooLarge(`The file "${info.filename ?? "file"}"`.slice(0, 240), options.maxFileBytes));
          callback(null, chunk);
        },
      });
      pending.push(
        writeFileHashed(stream.pipe(limit), tempPath, 0o600).then(
          ({ sha256, sizeBytes }) => files.push({ tempPath, sha256, sizeBytes, filename: info.filename ?? "file", declaredMime: info.mimeType ?? "" }),
          (error: unknown) => {
            stream.resume();
            fail(error);
          },
        ),
      );
      // Errors raised inside the limit transform reach the pipeline above; keep them from being unhandled here.
      limit.on("error", () => undefined);
    });
    parser.on("close", () => resolve());
  });

  source.pipe(counter).pipe(parser);
  await done;
  await Promise.allSettled(pending);
  if (failure) {
    await cleanup();
    if (failure instanceof DomainError) throw failure;
    // The client went away or its body broke off mid-way.
    throw new DomainError("VALIDATION", "The multipart body could not be read: it is malformed or was cut off.");
  }
  // Keep the order the client sent the files in.
  files.sort((a, b) => tempPaths.indexOf(a.tempPath) - tempPaths.indexOf(b.tempPath));
  return { fields, files, cleanup };
}
