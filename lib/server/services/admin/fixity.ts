import "server-only";
import { forbidden } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { enqueueFixityNow, FIXITY_QUEUE } from "../../fixity/schedule";

export interface FixityStatus {
  lastRun: { id: string; startedAt: Date; finishedAt: Date; checked: number; mismatches: number; missing: number } | null;
  /** A run started but not finished: in progress, or interrupted and waiting for a retry. */
  unfinishedSince: Date | null;
  nextRunAfter: Date | null;
  runNowPending: boolean;
}

export async function getFixityStatus(actor: Actor): Promise<FixityStatus> {
  if (!can(actor, "audit:verify", { kind: "system" })) throw forbidden();
  const now = new Date();
  const [lastRun, unfinished, next, pending] = await Promise.all([
    db().fixityRun.findFirst({
      where: { finishedAt: { not: null } },
      orderBy: { finishedAt: "desc" },
      select: { id: true, startedAt: true, finishedAt: true, checked: true, mismatches: true, missing: true },
    }),
    db().fixityRun.findFirst({ where: { finishedAt: null }, orderBy: { startedAt: "desc" }, select: { startedAt: true } }),
    db().job.findFirst({ where: { queue: FIXITY_QUEUE, state: "QUEUED", runAfter: { gt: now } }, orderBy: { runAfter: "asc" }, select: { runAfter: true } }),
    db().job.count({ where: { queue: FIXITY_QUEUE, OR: [{ state: "RUNNING" }, { state: "QUEUED", runAfter: { lte: now } }] } }),
  ]);
  return {
    lastRun: lastRun ? { ...lastRun, finishedAt: lastRun.finishedAt! } : null,
    unfinishedSince: unfinished && (!lastRun || unfinished.startedAt > lastRun.startedAt) ? unfinished.startedAt : null,
    nextRunAfter: next?.runAfter ?? null,
    runNowPending: pending > 0,
  };
}

/** Queues a fixity check to run as soon as a worker is free (one at a time). */
export async function requestFixityCheck(actor: Actor, _input?: unknown): Promise<{ jobId: string; created: boolean }> {
  if (!can(actor, "audit:verify", { kind: "system" })) throw forbidden();
  return db().$transaction(async (tx) => {
    const queued = await enqueueFixityNow(tx);
    if (queued.created) {
      await appendAuditEvent(tx, {
        actorId: auditActorId(actor),
        projectId: null,
        action: "fixity.request",
        entityType: "Job",
        entityId: queued.jobId,
        after: { queue: FIXITY_QUEUE },
      });
    }
    return queued;
  });
}
