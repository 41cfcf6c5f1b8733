import "server-only";
import { conflict, forbidden } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { createProjectSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { isUniqueViolation } from "../../prisma-errors";
import { parseInput } from "../../validation";

export async function createProject(actor: Actor, input: unknown): Promise<{ id: string; slug: string; name: string }> {
  if (!can(actor, "project:manage", { kind: "system" })) throw forbidden();
  const data = parseInput(createProjectSchema, input);
  try {
    return await db().$transaction(async (tx) => {
      const project = await tx.project.create({
        data,
        select: { id: true, slug: true, name: true, description: true },
      });
      await appendAuditEvent(tx, {
        actorId: auditActorId(actor),
        projectId: project.id,
        action: "project.create",
        entityType: "Project",
        entityId: project.id,
        after: project,
      });
      return project;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A project with the short name "${data.slug}" already exists.`);
    throw error;
  }
}
