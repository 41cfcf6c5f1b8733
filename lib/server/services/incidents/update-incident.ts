import "server-only";
import { z } from "zod";
import { conflict } from "@/lib/domain/errors";
import { changedIncidentFields, incidentUpdateSchema, INCIDENT_VALUE_KEYS, type IncidentValues } from "@/lib/domain/incidents";
import { type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { adminAreaAt } from "../../geo/admin-areas";
import { parseInput } from "../../validation";
import { incidentTypesOfProject, lockManageableIncident } from "./incident-access";

const incidentOnlySchema = z.object({ incidentId: idSchema });

/**
 * Replaces an incident's editable fields, conditional on the version the editor saw: a stale
 * form gets CONFLICT and changes nothing. The audit event holds the changed fields only.
 */
export async function updateIncident(actor: Actor, input: unknown): Promise<{ id: string; reference: string; version: number; changed: string[] }> {
  const { incidentId } = parseInput(incidentOnlySchema.loose(), input);
  return db().$transaction(async (tx) => {
    const locked = await lockManageableIncident(tx, actor, incidentId);
    const current = await tx.incident.findUniqueOrThrow({ where: { id: locked.id } });
    // A type the project has since dropped (or an imported one) may be kept, not newly chosen.
    const types = [...(await incidentTypesOfProject(tx, locked.projectId)), current.incidentType];
    const { expectedVersion, values } = parseInput(incidentUpdateSchema(types), input);
    if (locked.version !== expectedVersion) throw conflict("This incident changed since you opened it. Reload to see the latest version.");

    const before = Object.fromEntries(INCIDENT_VALUE_KEYS.map((key) => [key, current[key]])) as IncidentValues;
    const diff = changedIncidentFields(before, values);
    const changed = Object.keys(diff.after);
    if (changed.length === 0) return { id: locked.id, reference: locked.reference, version: locked.version, changed };

    const moved = changed.includes("latitude") || changed.includes("longitude");
    const area = moved && values.latitude !== null && values.longitude !== null ? adminAreaAt(values.latitude, values.longitude) : null;
    const location = moved ? { province: area?.province ?? null, district: null } : {};
    const updated = await tx.incident.updateMany({
      where: { id: locked.id, version: expectedVersion },
      data: { ...values, ...location, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw conflict("Someone else changed this incident at the same moment. Reload to see the latest version.");

    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: locked.projectId,
      action: "incident.update",
      entityType: "Incident",
      entityId: locked.id,
      before: { ...diff.before, ...(moved ? { province: current.province } : {}), version: locked.version },
      after: { ...diff.after, ...location, version: locked.version + 1 },
    });
    return { id: locked.id, reference: locked.reference, version: locked.version + 1, changed };
  });
}
