import "server-only";
import { type Actor, can } from "@/lib/domain/permissions";
import { forbidden, notFound } from "@/lib/domain/errors";
import { incidentTypesOf } from "@/lib/domain/incident-fields";
import type { Tx } from "../../db";

/**
 * Locks an incident's row for the rest of the transaction and checks the actor may manage it.
 * Unknown incidents and incidents the actor may not read look the same (NOT_FOUND); readers who
 * may not change incidents get FORBIDDEN.
 */
export async function lockManageableIncident(tx: Tx, actor: Actor, incidentId: string) {
  const rows = await tx.$queryRaw<Array<{ id: string; projectId: string; reference: string; version: number }>>`
    SELECT "id", "projectId", "reference", "version" FROM "Incident" WHERE "id" = ${incidentId} FOR UPDATE`;
  const incident = rows[0];
  if (!incident || !can(actor, "incident:read", { kind: "project", projectId: incident.projectId })) throw notFound("That incident");
  if (!can(actor, "incident:manage", { kind: "project", projectId: incident.projectId })) throw forbidden("Only editors can change incidents.");
  return incident;
}

/** The incident types a project allows (its setting, else the defaults). */
export async function incidentTypesOfProject(tx: Tx, projectId: string): Promise<readonly string[]> {
  const project = await tx.project.findUnique({ where: { id: projectId }, select: { settings: true } });
  return incidentTypesOf(project?.settings ?? null);
}

/**
 * Next human reference for an incident (INC-0042), unique per project. A per-project transaction
 * lock makes concurrent creations take distinct numbers, as for item references.
 */
export async function nextIncidentReference(tx: Tx, projectId: string): Promise<string> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`incident-ref:${projectId}`}))`;
  const rows = await tx.$queryRaw<Array<{ max: number | null }>>`
    SELECT max(substring("reference" from '^INC-([0-9]+)$')::int) AS max FROM "Incident" WHERE "projectId" = ${projectId}`;
  const next = (rows[0]?.max ?? 0) + 1;
  return `INC-${String(next).padStart(4, "0")}`;
}
