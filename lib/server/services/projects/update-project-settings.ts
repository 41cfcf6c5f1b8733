import "server-only";
import { forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { projectSettingsSchema } from "@/lib/domain/schemas";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";

/** Changes a project's time zone and the number of independent confirmations that verify an item. */
export async function updateProjectSettings(actor: Actor, input: unknown) {
  if (!can(actor, "settings:manage", { kind: "system" })) throw forbidden();
  const { projectId, ...changes } = parseInput(projectSettingsSchema, input);
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ settings: Prisma.JsonValue }>>`SELECT "settings" FROM "Project" WHERE "id" = ${projectId} FOR UPDATE`;
    if (!rows[0]) throw notFound("That project");
    const before = (rows[0].settings ?? {}) as Record<string, Prisma.JsonValue>;
    const after = { ...before, ...changes };
    await tx.project.update({ where: { id: projectId }, data: { settings: after } });
    await appendAuditEvent(tx, { actorId: auditActorId(actor), projectId, action: "project.settings", entityType: "Project", entityId: projectId, before, after });
    return after;
  });
}
