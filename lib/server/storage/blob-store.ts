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
 * digests computed while the bytes stream in; an existing key is never overwritten.
 */
export interface BlobStore {
  put(source: Readable): Promise<StoredBlob>;
  open(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
}
