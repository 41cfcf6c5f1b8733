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
  open(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
}
