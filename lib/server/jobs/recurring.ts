import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "../db";

// Recurring work lives in the job queue itself: every run (and every worker start) makes sure
// exactly one future job of its queue is waiting. Several workers may do this at the same
// moment; without a partial unique index on Job, "is there one? if not, insert" is serialised
// by a transaction-scoped advisory lock, released at commit.

/** Queues the next run of `queue` unless a future one is already waiting; returns its id. */
export async function ensureRecurringJob(queue: string, intervalMs: number, lockKey: number, payload: Prisma.InputJsonValue, now = new Date()): Promise<string> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockKey}::bigint)`;
    const waiting = await tx.job.findFirst({ where: { queue, state: "QUEUED", runAfter: { gt: now } }, orderBy: { runAfter: "asc" }, select: { id: true } });
    if (waiting) return waiting.id;
    const created = await tx.job.create({ data: { queue, payload, runAfter: new Date(now.getTime() + intervalMs) }, select: { id: true } });
    return created.id;
  });
}
