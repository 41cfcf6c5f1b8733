import "server-only";
import { randomUUID } from "node:crypto";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db, type Tx } from "../db";

// A small job queue in PostgreSQL. Workers claim with FOR UPDATE SKIP LOCKED, so any number
// of worker processes share one queue without double-claiming. A claim is a lease: a worker
// that dies lets it lapse and the job is claimed again, so handlers must be idempotent.

export const JOB_QUEUES = ["media.process", "url.capture", "media.publish", "fixity.check", "uploads.expire"] as const;
export type JobQueue = (typeof JOB_QUEUES)[number];

export interface NewJob {
  queue: JobQueue;
  payload: Prisma.InputJsonValue;
  projectId?: string | null;
  itemId?: string | null;
  maxAttempts?: number;
}

export async function enqueueJob(tx: Tx, job: NewJob): Promise<string> {
  const created = await tx.job.create({
    data: {
      queue: job.queue,
      payload: job.payload,
      projectId: job.projectId ?? null,
      itemId: job.itemId ?? null,
      maxAttempts: job.maxAttempts ?? 3,
    },
    select: { id: true },
  });
  return created.id;
}

export interface ClaimedJob {
  id: string;
  queue: JobQueue;
  payload: Prisma.JsonValue;
  projectId: string | null;
  itemId: string | null;
  attempts: number;
  maxAttempts: number;
  /** The worker holding the lease; a handler's final write is conditional on it. */
  workerId: string;
}

export const newWorkerId = () => `worker-${process.pid}-${randomUUID().slice(0, 8)}`;

/** Claims the oldest runnable job (queued and due, or running with an expired lease). */
export async function claimNextJob(workerId: string, leaseMs: number): Promise<ClaimedJob | null> {
  const rows = await db().$queryRaw<ClaimedJob[]>`
    UPDATE "Job" SET
      "state" = 'RUNNING',
      "attempts" = "attempts" + 1,
      "workerId" = ${workerId},
      "leaseUntil" = now() + make_interval(secs => ${leaseMs / 1000}),
      "startedAt" = now()
    WHERE "id" = (
      SELECT "id" FROM "Job"
      WHERE ("state" = 'QUEUED' AND "runAfter" <= now())
         OR ("state" = 'RUNNING' AND "leaseUntil" < now())
      ORDER BY "runAfter", "createdAt"
      FOR UPDATE SKIP LOCKED
      LIMIT 1
    )
    RETURNING "id", "queue", "payload", "projectId", "itemId", "attempts", "maxAttempts", "workerId"`;
  return rows[0] ?? null;
}

/** Extends the lease while a long job runs; false if the job was taken from this worker. */
export async function renewLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const updated = await db().job.updateMany({
    where: { id: jobId, workerId, state: "RUNNING" },
    data: { leaseUntil: new Date(Date.now() + leaseMs) },
  });
  return updated.count === 1;
}

/** Marks success. Conditional on still holding the job, so a lapsed lease cannot double-finish. */
export async function completeJob(jobId: string, workerId: string, result: Prisma.InputJsonValue): Promise<boolean> {
  const updated = await db().job.updateMany({
    where: { id: jobId, workerId, state: "RUNNING" },
    data: { state: "DONE", result, finishedAt: new Date(), leaseUntil: null, lastError: null },
  });
  return updated.count === 1;
}

/**
 * Marks the job done inside the handler's own transaction, so the job's effect and its
 * completion commit together: a worker killed before the commit leaves nothing written and the
 * job is claimed again; killed after it, the job is already done and never runs twice. If the
 * lease was lost to another worker meanwhile, the whole transaction is rolled back.
 */
export async function completeJobInTx(tx: Tx, job: ClaimedJob, result: Prisma.InputJsonValue): Promise<void> {
  const updated = await tx.job.updateMany({
    where: { id: job.id, workerId: job.workerId, state: "RUNNING" },
    data: { state: "DONE", result, finishedAt: new Date(), leaseUntil: null, lastError: null },
  });
  if (updated.count !== 1) throw new Error("The job's lease was lost to another worker; its result was not saved.");
}

/** Records a failure: retried with backoff until maxAttempts, then FAILED with the reason kept. */
export async function failJob(job: ClaimedJob, workerId: string, reason: string, retryable = true): Promise<"retry" | "failed"> {
  const final = !retryable || job.attempts >= job.maxAttempts;
  const backoffMs = Math.min(60_000, 2_000 * 2 ** (job.attempts - 1));
  await db().job.updateMany({
    where: { id: job.id, workerId, state: "RUNNING" },
    data: final
      ? { state: "FAILED", lastError: reason, finishedAt: new Date(), leaseUntil: null }
      : { state: "QUEUED", lastError: reason, runAfter: new Date(Date.now() + backoffMs), leaseUntil: null },
  });
  return final ? "failed" : "retry";
}

/** Puts a failed job back in the queue with a fresh set of attempts. */
export async function requeueJob(tx: Tx, jobId: string): Promise<boolean> {
  const updated = await tx.job.updateMany({
    where: { id: jobId, state: "FAILED" },
    data: { state: "QUEUED", attempts: 0, runAfter: new Date(), lastError: null, finishedAt: null },
  });
  return updated.count === 1;
}

/**
 * Hands a worker's running jobs back to the queue at once (a shutdown that cannot wait for
 * them), instead of leaving them until the lease expires. The attempt is not counted.
 */
export async function releaseJobsOf(workerId: string): Promise<number> {
  const released = await db().$executeRaw`
    UPDATE "Job" SET "state" = 'QUEUED', "attempts" = GREATEST("attempts" - 1, 0), "workerId" = NULL, "leaseUntil" = NULL, "runAfter" = now()
    WHERE "workerId" = ${workerId} AND "state" = 'RUNNING'`;
  return released;
}
