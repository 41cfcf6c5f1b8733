import "server-only";
import { mediaDir } from "@/lib/infra/config";
import type { BlobStore } from "./blob-store";
import { LocalBlobStore } from "./local-blob-store";

let configured: BlobStore | null = null;

/**
 * The configured content-addressed store: a local folder by default; GROUNDTRUTH_STORAGE=s3
 * selects an S3-compatible bucket (settings in s3-blob-store.ts).
 */
export async function blobStore(): Promise<BlobStore> {
  if (!configured) {
    if (bucketStorageConfigured()) {
      const { S3BlobStore, configuredS3Location } = await import("./s3-blob-store");
      configured = new S3BlobStore(configuredS3Location());
    } else {
      configured = new LocalBlobStore(mediaDir());
    }
  }
  return configured;
}

/** True when originals (and partial uploads) live in an S3-compatible bucket rather than local folders. */
export function bucketStorageConfigured(): boolean {
  return process.env.GROUNDTRUTH_STORAGE === "s3";
}
