// Limits on single-request (multipart) submissions, so one account cannot exhaust a web
// instance's memory, disk or the project's storage. Pure: the server counts, these rules decide.

export interface UploadLimits {
  /** Multipart submissions one account may have in flight at once (across all instances). */
  maxConcurrent: number;
  /** Multipart submissions one account may start per rolling minute. */
  maxPerMinute: number;
  /** Bytes of originals (and uploads in progress) one project may hold; null = no quota. */
  projectQuotaBytes: number | null;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxConcurrent: 2, maxPerMinute: 30, projectQuotaBytes: null };

/** The rolling window of maxPerMinute. */
export const UPLOAD_RATE_WINDOW_MS = 60_000;

function positiveInteger(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * Limits from the environment: GROUNDTRUTH_MULTIPART_MAX_CONCURRENT,
 * GROUNDTRUTH_MULTIPART_MAX_PER_MINUTE, GROUNDTRUTH_PROJECT_QUOTA_BYTES. Missing or invalid values
 * keep the defaults (a quota that is not a positive integer means none).
 */
export function uploadLimitsFrom(env: Record<string, string | undefined>): UploadLimits {
  return {
    maxConcurrent: positiveInteger(env.GROUNDTRUTH_MULTIPART_MAX_CONCURRENT) ?? DEFAULT_UPLOAD_LIMITS.maxConcurrent,
    maxPerMinute: positiveInteger(env.GROUNDTRUTH_MULTIPART_MAX_PER_MINUTE) ?? DEFAULT_UPLOAD_LIMITS.maxPerMinute,
    projectQuotaBytes: positiveInteger(env.GROUNDTRUTH_PROJECT_QUOTA_BYTES) ?? DEFAULT_UPLOAD_LIMITS.projectQuotaBytes,
  };
}

export type AdmissionDecision =
  | { ok: true }
  | { ok: false; reason: "concurrent" | "rate"; message: string; retryAfterSeconds: number };

/**
 * Whether an account may start another multipart submission, given how many it has in flight
 * and how many it started within the last UPLOAD_RATE_WINDOW_MS (with the oldest start among them).
 */
export function admitUpload(
  counts: { inFlight: number; startedInWindow: number; oldestStartInWindowMs?: number | null; nowMs: number },
  limits: UploadLimits,
): AdmissionDecision {
  if (counts.inFlight >= limits.maxConcurrent) {
    return {
      ok: false,
      reason: "concurrent",
      message: `You already have ${counts.inFlight} file upload${counts.inFlight === 1 ? "" : "s"} in progress; at most ${limits.maxConcurrent} at a time. Wait for one to finish, or use a resumable upload.`,
      retryAfterSeconds: 5,
    };
  }
  if (counts.startedInWindow >= limits.maxPerMinute) {
    const oldest = counts.oldestStartInWindowMs ?? counts.nowMs;
    const waitMs = Math.max(1_000, oldest + UPLOAD_RATE_WINDOW_MS - counts.nowMs);
    return {
      ok: false,
      reason: "rate",
      message: `Too many file uploads: at most ${limits.maxPerMinute} per minute. Try again in ${Math.ceil(waitMs / 1000)} s.`,
      retryAfterSeconds: Math.ceil(waitMs / 1000),
    };
  }
  return { ok: true };
}

/** Whether `additionalBytes` more fit in the project's quota, with a message for the refusal. */
export function checkProjectQuota(usedBytes: number, additionalBytes: number, quotaBytes: number | null): { ok: true } | { ok: false; message: string } {
  if (quotaBytes === null || usedBytes + additionalBytes <= quotaBytes) return { ok: true };
  return {
    ok: false,
    message: `This project's storage quota of ${formatBytes(quotaBytes)} would be exceeded (${formatBytes(usedBytes)} used, this upload adds ${formatBytes(additionalBytes)}). Ask an administrator to raise it.`,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
