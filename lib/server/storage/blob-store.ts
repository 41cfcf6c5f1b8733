import "server-only";
import type { Readable } from "node:stream";

export interface StoredBlob {
  sha256: string;
  sizeBytes: number;
  /** False when identical bytes were already stored (the new copy was discarded). */
  created: boolean;
}

/**
 * Content-addressed, write-once storage for originals and derivatives. Keys are SHA-256 hex
 * digests; an existing key is never overwritten, so identical bytes are stored once.
 */
export interface BlobStore {
  /** Stores a stream, hashing it in the same pass that writes it. */
  put(source: Readable): Promise<StoredBlob>;
  /**
   * Adopts a complete local file whose SHA-256 was already computed while it was received
   * (a finished resumable upload). The file is moved or uploaded, never re-read to hash it;
   * the caller's file is gone afterwards either way.
   */
  adoptFile(filePath: string, sha256: string, sizeBytes: number): Promise<StoredBlob>;
  /**
   * Adopts a stream whose SHA-256 was already computed while it was received (a finished
   * resumable upload kept in parts in the bucket). The bytes are hashed again as they are
   * written, and unless they match `sha256` and `sizeBytes` the write is refused before anything
   * lands under the content key, so a damaged part can never be stored under another file's
   * hash. When identical bytes are already stored the source is not read, only destroyed.
   */
  adoptStream(source: Readable, sha256: string, sizeBytes: number): Promise<StoredBlob>;
  open(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
}

/** Throws unless bytes read for adoptStream are exactly the ones their hash was computed over. */
export function assertAdoptedBytesMatch(sha256: string, sizeBytes: number, readSha256: string, readBytes: number): void {
  if (readSha256 !== sha256 || readBytes !== sizeBytes) {
    throw new Error(`adopted bytes do not match: expected ${sizeBytes} bytes with SHA-256 ${sha256}, read ${readBytes} bytes with SHA-256 ${readSha256}`);
  }
}
