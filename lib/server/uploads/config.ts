import "server-only";
import path from "node:path";
import { dataDir } from "@/lib/infra/config";

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export function maxUploadBytes(): number {
  const raw = process.env.GROUNDTRUTH_MAX_UPLOAD_BYTES;
  const parsed = raw ? Number(raw) : DEFAULT_MAX_UPLOAD_BYTES;
  return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : DEFAULT_MAX_UPLOAD_BYTES;
}

/**
 * With local storage, partial uploads live here until complete, then move into the blob store
 * (several web instances must share it). With GROUNDTRUTH_STORAGE=s3 they live in the bucket
 * instead (object-upload-store.ts); only single-request uploads still pass through as temporary files.
 */
export function uploadDir(): string {
  return path.resolve(process.env.GROUNDTRUTH_UPLOAD_DIR ?? path.join(dataDir(), "uploads"));
}
