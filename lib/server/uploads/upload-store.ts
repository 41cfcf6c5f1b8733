import "server-only";
import type { DataStore } from "@tus/server";
import { bucketStorageConfigured } from "../storage";
import type { StoredBlob } from "../storage/blob-store";
import { uploadDir } from "./config";
import { HashingFileStore, removeFolderUpload } from "./file-upload-store";
import { ObjectUploadStore } from "./object-upload-store";

// Where a resumable upload's bytes wait until the last one arrives. Either way the Upload row
// in PostgreSQL holds receivedBytes and the serialised SHA-256 state, so a PATCH may reach any
// web instance; what differs is where the bytes themselves are:
// - local storage (the default): one file per upload in GROUNDTRUTH_UPLOAD_DIR, which several
//   web instances must share as a mount (file-upload-store.ts);
// - GROUNDTRUTH_STORAGE=s3: part objects in the bucket, listed in PostgreSQL, so instances
//   share nothing but the database and the bucket (object-upload-store.ts).

/** What is saved in PostgreSQL about an upload's progress. */
export interface SavedProgress {
  id: string;
  sizeBytes: number;
  receivedBytes: number;
  hashState: Uint8Array | null;
}

/** What finishing, rejecting or expiring an upload needs from wherever its bytes are kept. */
export interface ReceivedBytes {
  /** SHA-256 of all `sizeBytes` bytes, continuing the saved hash state (no full re-read). */
  digest(upload: SavedProgress): Promise<string>;
  /** The first `length` bytes (all of them when the upload is shorter), to sniff the type. */
  readHead(id: string, length: number): Promise<Uint8Array>;
  /** Puts the complete upload into the content-addressed store under its SHA-256. */
  moveToBlobStore(id: string, sha256: string, sizeBytes: number): Promise<StoredBlob>;
  /** Deletes whatever is kept of the upload's bytes; nothing left to delete is not an error. */
  discard(id: string): Promise<void>;
}

export type UploadStore = DataStore & ReceivedBytes;

/** The store for this configuration; `directory` (default GROUNDTRUTH_UPLOAD_DIR) is the local one's folder. */
export function configuredUploadStore(options: { directory?: string } = {}): UploadStore {
  return bucketStorageConfigured() ? ObjectUploadStore.fromEnv() : new HashingFileStore(options.directory ?? uploadDir());
}

/** Deletes a partial upload's bytes wherever this configuration keeps them (abandoned uploads). */
export async function discardPartialUpload(id: string, options: { directory?: string } = {}): Promise<void> {
  // Not through configuredUploadStore: a FileStore creates its folder as it is constructed,
  // which a worker expiring uploads has no business doing.
  if (bucketStorageConfigured()) await ObjectUploadStore.fromEnv().discard(id);
  else await removeFolderUpload(options.directory ?? uploadDir(), id);
}
