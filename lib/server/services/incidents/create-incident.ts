import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { incidentInputSchema } from "@/lib/domain/incidents";
import { can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { adminAreaAt } from "../../geo/admin-areas";
import { parseInput } from "../../validation";
import { incidentTypesOfProject, nextIncidentReference } from "./incident-access";

const projectOnlySchema = z.object({ projectId: idSchema }, { message: "Name the project" });

/**
 * Creates an incident (editors only). The incident type is checked against the project's own
 * list; the province is derived from the point. The row and its audit event share a transaction.
 */
export async function createIncident(actor: Actor, input: unknown): Promise<{ id: string; reference: string }> {
  const { projectId } = parseInput(projectOnlySchema.loose(), input);
  if (!can(actor, "project:view", { kind: "project", projectId })) throw notFound("That project");
  if (!can(actor, "incident:manage", { kind: "project", projectId })) throw forbidden("Only editors can create incidents.");

  return db().$transaction(async (tx) => {
    const types = await incidentTypesOfProject(tx, projectId);
    const { values } = parseInput(incidentInputSchema(types), input);
    // The boundary data names provinces only; district stays empty until a source provides it.
    const area = values.latitude !== null && values.longitude !== null ? adminAreaAt(values.latitude, values.longitude) : null;
    const reference = await nextIncidentReference(tx, projectId);
    const incident = await tx.incident.create({
      data: { ...values, projectId, reference, province: area?.province ?? null, district: null, createdById: actor.userId },
      select: { id: true, reference: true },
    });
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId,
      action: "incident.create",
      entityType: "Incident",
      entityId: incident.id,
      after: { reference, ...values, province: area?.province ?? null },
    });
    return incident;
  });
}
