import "server-only";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** A pass-through stream that shows every chunk to `see` on its way (hashing, counting). */
export function meteringStream(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      see(chunk);
      callback(null, chunk);
    },
  });
}

/**
 * Streams `source` into a new file (refusing to overwrite one), computing its SHA-256 and size
 * in the same pass that writes: the bytes are read exactly once and never held whole in memory.
 */
export async function writeFileHashed(source: Readable, filePath: string, mode = 0o444): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  const meter = meteringStream((chunk) => {
    hash.update(chunk);
    sizeBytes += chunk.length;
  });
  await pipeline(source, meter, createWriteStream(filePath, { flags: "wx", mode }));
  return { sha256: hash.digest("hex"), sizeBytes };
}
