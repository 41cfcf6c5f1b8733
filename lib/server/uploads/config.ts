import "server-only";
import path from "node:path";
import { dataDir } from "@/lib/infra/config";

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export function maxUploadBytes(): number {
  const raw = process.env.GROUNDTRUTH_MAX_UPLOAD_BYTES;
  const parsed = raw ? Number(raw) : DEFAULT_MAX_UPLOAD_BYTES;
  return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : DEFAULT_MAX_UPLOAD_BYTES;
}

/** Partial uploads live here until complete; then they move into the blob store. */
export function uploadDir(): string {
  return path.resolve(process.env.GROUNDTRUTH_UPLOAD_DIR ?? path.join(dataDir(), "uploads"));
}
