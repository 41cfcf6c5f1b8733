import "server-only";
import { mediaDir } from "@/lib/infra/config";
import type { BlobStore } from "./blob-store";
import { LocalBlobStore } from "./local-blob-store";

let configured: BlobStore | null = null;

/** The configured content-addressed store: a local folder by default. */
export async function blobStore(): Promise<BlobStore> {
  configured ??= new LocalBlobStore(mediaDir());
  return configured;
}
