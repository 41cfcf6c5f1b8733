import "server-only";
import { mediaDir } from "@/lib/infra/config";
import type { BlobStore } from "./blob-store";
import { LocalBlobStore } from "./local-blob-store";

let store: BlobStore | null = null;

/**
 * The configured store: a local folder by default; GROUNDTRUTH_STORAGE=s3 selects an
 * S3-compatible bucket (settings in lib/server/storage/s3-blob-store.ts).
 */
export async function blobStore(): Promise<BlobStore> {
  if (store) return store;
  if (process.env.GROUNDTRUTH_STORAGE === "s3") {
    const { S3BlobStore } = await import("./s3-blob-store");
    store = S3BlobStore.fromEnv();
  } else {
    store = new LocalBlobStore(mediaDir());
  }
  return store;
}
