import "server-only";
import { ensureUploadExpiryScheduled, expireAbandonedUploads } from "../../uploads/expire-uploads";
import type { ClaimedJob } from "../queue";

/** Removes abandoned partial uploads, then books the next check. */
export async function expireUploadsJob(_job: ClaimedJob): Promise<Record<string, unknown>> {
  try {
    return await expireAbandonedUploads();
  } finally {
    await ensureUploadExpiryScheduled();
  }
}
