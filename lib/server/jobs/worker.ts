import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { logger } from "../logger";
import { safeErrorText } from "./safe-error";
import { mediaTools, mediaToolsWarning } from "../media/media-tools";
import { claimNextJob, completeJob, failJob, newWorkerId, renewLease, type ClaimedJob, type JobQueue } from "./queue";
import { ensureFixityScheduled } from "../fixity/schedule";
import { captureUrlJob, capturePrivateAddressesAllowed } from "./handlers/capture-url";
import { fixityCheckJob } from "./handlers/fixity-check";
import { processMediaJob } from "./handlers/process-media";
import { publishMediaJob } from "./handlers/publish-media";
import { expireUploadsJob } from "./handlers/expire-uploads";
import { ensureUploadExpiryScheduled } from "../uploads/expire-uploads";

export type JobHandler = (job: ClaimedJob) => Promise<Record<string, unknown>>;

const HANDLERS: Record<JobQueue, JobHandler> = {
  "media.process": processMediaJob,
  "url.capture": captureUrlJob,
  "media.publish": publishMediaJob,
  "fixity.check": fixityCheckJob,
  "uploads.expire": expireUploadsJob,
};

/** How long a claim lasts without a heartbeat; a dead worker's job is claimed again after it. */
const LEASE_MS = (() => {
  const configured = Number(process.env.GROUNDTRUTH_JOB_LEASE_MS);
  return Number.isInteger(configured) && configured >= 2_000 ? configured : 60_000;
})();

export interface WorkerOptions {
  idleDelayMs?: number;
  signal?: AbortSignal;
  /** Fixed id, so a supervisor can release this worker's jobs (releaseJobsOf) if it cannot wait. */
  workerId?: string;
}

/** Runs jobs until the signal aborts; finishes the job in hand before returning. */
export async function runWorker(options: WorkerOptions = {}): Promise<void> {
  const workerId = options.workerId ?? newWorkerId();
  const idleDelayMs = options.idleDelayMs ?? 1000;
  logger.info("worker started", { workerId });
  try {
    const tools = mediaTools();
    const warning = mediaToolsWarning(tools);
    if (warning) logger.warn(warning, { workerId, ffmpeg: tools.ffmpeg });
    else logger.info("media tools", { workerId, ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe, source: tools.source });
  } catch (error) {
    logger.error("no ffmpeg/ffprobe could be found: videos cannot be processed", { workerId, error });
  }
  if (capturePrivateAddressesAllowed()) {
    logger.warn(
      "GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE is set: URL capture may reach loopback, private and link-local addresses (this machine, its network, cloud metadata services). Only for tests and trusted single-user setups.",
      { workerId },
    );
  }
  try {
    await ensureFixityScheduled();
  } catch (error) {
    logger.error("could not schedule the fixity check", { error });
  }
  try {
    await ensureUploadExpiryScheduled();
  } catch (error) {
    logger.error("could not schedule the clean-up of abandoned uploads", { error });
  }
  while (!options.signal?.aborted) {
    let job: ClaimedJob | null = null;
    try {
      job = await claimNextJob(workerId, LEASE_MS);
    } catch (error) {
      logger.error("could not claim a job (database unavailable?)", { error });
    }
    if (!job) {
      await sleep(idleDelayMs, options.signal);
      continue;
    }
    await runOne(job, workerId);
  }
  logger.info("worker stopped", { workerId });
}

/** Runs a single claimed job to completion or failure. Exported for tests. */
export async function runOne(job: ClaimedJob, workerId: string): Promise<void> {
  const handler = HANDLERS[job.queue];
  const heartbeat = setInterval(() => void renewLease(job.id, workerId, LEASE_MS).catch(() => {}), LEASE_MS / 3);
  const started = Date.now();
  try {
    const result = await handler(job);
    await completeJob(job.id, workerId, JSON.parse(JSON.stringify(result)));
    logger.info("job done", { jobId: job.id, queue: job.queue, ms: Date.now() - started });
  } catch (error) {
    // Our own errors (bad media, blocked URL) will not improve on retry; anything else might.
    const permanent = error instanceof DomainError || (error as { permanent?: boolean }).permanent === true;
    // What the item page shows: our own words only, never a database or library's raw error.
    const reference = job.id.slice(0, 8);
    const reason = safeErrorText(error, `Processing failed because of an internal error (reference ${reference}); the server log has the details.`);
    const outcome = await failJob(job, workerId, reason, !permanent);
    logger.warn("job failed", { jobId: job.id, queue: job.queue, outcome, reason, error });
  } finally {
    clearInterval(heartbeat);
  }
}

/** Processes queued jobs until none is runnable. For tests and one-shot runs. */
export async function drainJobs(maxJobs = 100): Promise<number> {
  const workerId = newWorkerId();
  let count = 0;
  while (count < maxJobs) {
    const job = await claimNextJob(workerId, LEASE_MS);
    if (!job) break;
    await runOne(job, workerId);
    count += 1;
  }
  return count;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
