import "server-only";
import { forbidden, notFound } from "@/lib/domain/errors";
import { INCIDENT_EXPORT_CONTENT_TYPES, serialiseIncidents, type ExportIncidentRow, type IncidentExportFormat } from "@/lib/domain/export/incidents";
import { EVIDENCE_STATUSES } from "@/lib/domain/incidents";
import { incidentListStateToSearch, type IncidentListState } from "@/lib/domain/incident-list";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { Prisma } from "@/lib/generated/prisma/client";
import { findVisibleProject } from "../../access";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { incidentIdsSql, readableLinkSql } from "../incidents/incident-list-sql";
import { readScopeFor } from "../queue/query-queue";

const iso = (column: Prisma.Sql) => Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Every incident of an incident-list view (all pages), in list order, as CSV or GeoJSON; an
 * internal export (editors and admins), recorded in the audit log with its filter. Evidence
 * counts and references include only items the actor may read.
 */
export async function exportIncidents(actor: Actor, input: { projectSlug: string; state: IncidentListState; format: IncidentExportFormat; ip: string | null }) {
  const project = await findVisibleProject(actor, input.projectSlug);
  if (!can(actor, "incident:read", { kind: "project", projectId: project.id })) throw notFound("That project's incidents");
  if (!can(actor, "export:internal", { kind: "project", projectId: project.id })) throw forbidden("Only editors can export project data.");
  const scope = readScopeFor(actor, project.id);
  const result = await db().$queryRaw<Array<{ rows: string | null }>>`
    WITH wanted AS (SELECT ids."id", row_number() OVER () AS "position" FROM (${incidentIdsSql(project.id, input.state, scope)}) AS ids("id"))
    SELECT json_agg(json_build_object(
             'reference', inc."reference", 'externalId', inc."externalId", 'title', inc."title", 'incidentType', inc."incidentType",
             'startAt', ${iso(Prisma.sql`inc."startAt"`)}, 'endAt', ${iso(Prisma.sql`inc."endAt"`)},
             'latitude', inc."latitude", 'longitude', inc."longitude", 'precisionM', inc."precisionM", 'locationName', inc."locationName",
             'province', inc."province", 'district', inc."district", 'description', inc."description",
             'claimGroup', inc."claimGroup", 'attributionGroup', inc."attributionGroup", 'attributionConfidence', inc."attributionConfidence",
             'killedMin', inc."killedMin", 'killedMax', inc."killedMax", 'injuredMin', inc."injuredMin", 'injuredMax', inc."injuredMax",
             'targets', coalesce(inc."targets", ARRAY[]::text[]), 'tags', coalesce(inc."tags", ARRAY[]::text[]),
             'verifiedEvidence', coalesce(ev."verified", 0), 'leads', coalesce(ev."leads", 0), 'evidenceReferences', coalesce(ev."refs", '[]'::json)
           ) ORDER BY wanted."position")::text AS "rows"
      FROM wanted
      JOIN "Incident" inc ON inc."id" = wanted."id"
      LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE NOT ie."isLead" AND li."status" = ANY(${[...EVIDENCE_STATUSES]}::"ReviewStatus"[])) AS "verified",
               count(*) FILTER (WHERE ie."isLead") AS "leads",
               json_agg(li."reference" ORDER BY li."reference") AS "refs"
          FROM "IncidentEvidence" ie JOIN "EvidenceItem" li ON li."id" = ie."itemId"
         WHERE ie."incidentId" = inc."id" AND ${readableLinkSql(scope)}
      ) ev ON TRUE`;
  const text = result[0]?.rows;
  const rows = text ? (JSON.parse(text) as ExportIncidentRow[]) : [];
  const body = serialiseIncidents(input.format, rows);
  await db().$transaction(async (tx) => {
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: project.id,
      action: "export.incidents",
      entityType: "Project",
      entityId: project.id,
      after: { format: input.format, count: rows.length, filter: incidentListStateToSearch({ ...input.state, page: 1 }) },
      ip: input.ip,
    });
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  const slug = project.slug.replace(/[^a-z0-9-]/gi, "").slice(0, 60) || "project";
  return { filename: `${slug}-incidents-${stamp}.${input.format}`, contentType: INCIDENT_EXPORT_CONTENT_TYPES[input.format], body, count: rows.length };
}
