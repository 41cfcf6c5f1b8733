import "server-only";
import { type Tx } from "../db";
import { ensureRecurringJob } from "../jobs/recurring";

// Fixity runs on a timer kept in the job queue itself: every run (and every worker start) makes
// sure exactly one future fixity job is waiting. Several workers may do this at the same moment,
// and without a partial unique index on Job the "is there one? if not, insert" must be
// serialised: a transaction-scoped advisory lock does that and is released at commit.

export const FIXITY_QUEUE = "fixity.check";
const FIXITY_SCHEDULE_LOCK = 7_203_411_201;
const DEFAULT_INTERVAL_HOURS = 24;

export function fixityIntervalMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.GROUNDTRUTH_FIXITY_INTERVAL_HOURS;
  if (raw === undefined || raw.trim() === "") return DEFAULT_INTERVAL_HOURS * 3_600_000;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`GROUNDTRUTH_FIXITY_INTERVAL_HOURS must be a positive number of hours, got "${raw}"`);
  return hours * 3_600_000;
}

async function lockSchedule(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIXITY_SCHEDULE_LOCK}::bigint)`;
}

/** Queues the next scheduled run unless a future one is already waiting. Returns the waiting job's id. */
export async function ensureFixityScheduled(now = new Date()): Promise<string> {
  return ensureRecurringJob(FIXITY_QUEUE, fixityIntervalMs(), FIXITY_SCHEDULE_LOCK, { trigger: "schedule" }, now);
}

/**
 * Queues a run for now, unless one is already due or running (pressing the button twice does not
 * hash the store twice). Runs inside the caller's transaction so the request can be audited with it.
 */
export async function enqueueFixityNow(tx: Tx, now = new Date()): Promise<{ jobId: string; created: boolean }> {
  await lockSchedule(tx);
  const pending = await tx.job.findFirst({
    where: {
      queue: FIXITY_QUEUE,
      OR: [{ state: "RUNNING" }, { state: "QUEUED", runAfter: { lte: now } }],
    },
    select: { id: true },
  });
  if (pending) return { jobId: pending.id, created: false };
  const created = await tx.job.create({ data: { queue: FIXITY_QUEUE, payload: { trigger: "manual" }, runAfter: now }, select: { id: true } });
  return { jobId: created.id, created: true };
}
