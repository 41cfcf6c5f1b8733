import "server-only";
import { z } from "zod";
import { DomainError, notFound } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { requeueJob } from "../../jobs/queue";
import { parseInput } from "../../validation";

const retrySchema = z.object({ jobId: idSchema });

/** Investigators and above put a failed job back in the queue. */
export async function retryJob(actor: Actor, input: unknown): Promise<void> {
  const { jobId } = parseInput(retrySchema, input);
  const job = await db().job.findUnique({ where: { id: jobId }, select: { id: true, projectId: true, itemId: true, queue: true, state: true, payload: true } });
  if (!job || !job.projectId || !can(actor, "project:view", { kind: "project", projectId: job.projectId })) throw notFound("That job");
  if (!can(actor, "item:work", { kind: "project", projectId: job.projectId })) throw new DomainError("FORBIDDEN", "Only investigators can retry jobs.");
  await db().$transaction(async (tx) => {
    if (!(await requeueJob(tx, jobId))) throw new DomainError("CONFLICT", "That job is not failed any more. Reload to see its state.");
    const captureId = job.queue === "url.capture" ? (job.payload as { captureId?: string }).captureId : undefined;
    if (captureId) await tx.urlCapture.updateMany({ where: { id: captureId, state: "FAILED" }, data: { state: "QUEUED" } });
    await appendAuditEvent(tx, { actorId: actor.userId, projectId: job.projectId, action: "job.retry", entityType: "Job", entityId: jobId });
  });
}
