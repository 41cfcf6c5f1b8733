import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, serialiseItems, type ExportFormat, type ExportItemRow } from "@/lib/domain/export/items";
import { auditActorId, can, scopeOf, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { Prisma } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";

const exportItemsSchema = z.object({
  projectId: idSchema,
  format: z.enum(EXPORT_FORMATS),
  /** `SELECT i."id" FROM "EvidenceItem" i WHERE ...` from the queue's filter builder. */
  itemIds: z.custom<Prisma.Sql>((value) => value instanceof Prisma.Sql, "itemIds must be an SQL fragment"),
  /** What the filter was, in words or as the queue's query string, for the audit record. */
  filterDescription: z.string().max(2000).default(""),
  ip: z.string().max(100).nullish(),
});

export interface ItemExport {
  filename: string;
  contentType: string;
  body: string;
  count: number;
}

/** ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes it. */
const iso = (column: Prisma.Sql) => Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Items of one project as rows for export, in one set-based query whatever the count: PostgreSQL
 * builds each row (current notes, incidents, every file's custody record) as JSON and sends the
 * whole list as one text value, which is far cheaper than decoding 10,000 typed rows. The id
 * fragment is only ever intersected with the project and the actor's read scope, so a filter
 * naming another project's ids yields nothing from it.
 */
export async function loadExportRows(actor: Actor, projectId: string, itemIds: Prisma.Sql): Promise<ExportItemRow[]> {
  const scope = scopeOf(actor, "item:read", projectId);
  if (!scope) return [];
  const ownOnly = scope === "own" ? Prisma.sql`AND i."submittedById" = ${actor.userId}` : Prisma.empty;
  const result = await db().$queryRaw<Array<{ rows: string | null }>>`
    WITH wanted AS (SELECT DISTINCT picked."id" FROM (${itemIds}) AS picked("id"))
    SELECT json_agg(json_build_object(
             'id', i."id", 'reference', i."reference", 'title', i."title", 'status', i."status",
             'platform', i."platform", 'postUrl', i."postUrl", 'claimedPlace', i."claimedPlace", 'claimedDate', i."claimedDate",
             'platformUploadedAt', ${iso(Prisma.sql`i."platformUploadedAt"`)}, 'submittedAt', ${iso(Prisma.sql`i."createdAt"`)},
             'submittedBy', submitter."name", 'assignee', assignee."name", 'province', i."province", 'district', i."district",
             'tags', i."tags", 'sensitiveGraphic', i."sensitiveGraphic", 'sensitiveIdentifiable', i."sensitiveIdentifiable",
             'sensitiveMinors', i."sensitiveMinors", 'sensitivePersonalData', i."sensitivePersonalData",
             'geolocation', CASE WHEN geo."latitude" IS NULL THEN NULL ELSE json_build_object(
               'latitude', geo."latitude", 'longitude', geo."longitude", 'precisionM', geo."precisionM", 'method', geo."method", 'status', geo."status") END,
             'chronolocation', CASE WHEN chrono."earliestAt" IS NULL THEN NULL ELSE json_build_object(
               'earliestAt', ${iso(Prisma.sql`chrono."earliestAt"`)}, 'latestAt', ${iso(Prisma.sql`chrono."latestAt"`)}, 'confidence', chrono."confidence") END,
             'incidentReferences', COALESCE(incidents."refs", '[]'::json),
             'media', COALESCE(media."files", '[]'::json)
           ) ORDER BY i."createdAt", i."id")::text AS "rows"
      FROM "EvidenceItem" i
      JOIN wanted ON wanted."id" = i."id"
      JOIN "User" submitter ON submitter."id" = i."submittedById"
      LEFT JOIN "User" assignee ON assignee."id" = i."assigneeId"
      LEFT JOIN LATERAL (
        SELECT g."latitude", g."longitude", g."precisionM", g."method", g."status" FROM "Geolocation" g
         WHERE g."itemId" = i."id" AND g."status" <> 'SUPERSEDED' ORDER BY g."createdAt" DESC, g."id" DESC LIMIT 1
      ) geo ON TRUE
      LEFT JOIN LATERAL (
        SELECT c."earliestAt", c."latestAt", c."confidence" FROM "Chronolocation" c
         WHERE c."itemId" = i."id" AND c."status" <> 'SUPERSEDED' ORDER BY c."createdAt" DESC, c."id" DESC LIMIT 1
      ) chrono ON TRUE
      LEFT JOIN LATERAL (
        SELECT json_agg(inc."reference" ORDER BY inc."reference") AS "refs"
          FROM "IncidentEvidence" link JOIN "Incident" inc ON inc."id" = link."incidentId"
         WHERE link."itemId" = i."id" AND inc."projectId" = i."projectId"
      ) incidents ON TRUE
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object(
                 'sha256', m."sha256", 'sizeBytes', m."sizeBytes"::text, 'sniffedMime', m."sniffedMime",
                 'originalFilename', m."originalFilename", 'captureMethod', m."captureMethod",
                 'collectedAt', ${iso(Prisma.sql`m."collectedAt"`)}, 'collectedBy', collector."name", 'sourceUrl', m."sourceUrl"
               ) ORDER BY m."collectedAt", m."id") AS "files"
          FROM "MediaFile" m JOIN "User" collector ON collector."id" = m."collectedById"
         WHERE m."itemId" = i."id"
      ) media ON TRUE
     WHERE i."projectId" = ${projectId} ${ownOnly}`;
  const text = result[0]?.rows;
  return text ? (JSON.parse(text) as ExportItemRow[]) : [];
}

const EXTENSIONS: Record<ExportFormat, string> = { csv: "csv", geojson: "geojson", kml: "kml" };

/** A filename safe in a Content-Disposition header and on every file system. */
export function safeExportFilename(slug: string, format: ExportFormat, at: Date): string {
  const cleanSlug = slug.replace(/[^a-z0-9-]/gi, "").slice(0, 60) || "project";
  const stamp = at.toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return `${cleanSlug}-items-${stamp}.${EXTENSIONS[format]}`;
}

/** An internal export (CSV, GeoJSON or KML) of a filtered set of items, recorded in the audit log. */
export async function exportItems(actor: Actor, input: unknown): Promise<ItemExport> {
  const data = parseInput(exportItemsSchema, input);
  const project = await db().project.findUnique({ where: { id: data.projectId }, select: { id: true, slug: true } });
  if (!project || !can(actor, "project:view", { kind: "project", projectId: project.id })) throw notFound("That project");
  if (!can(actor, "export:internal", { kind: "project", projectId: project.id })) throw forbidden("Only editors can export project data.");

  const rows = await loadExportRows(actor, project.id, data.itemIds);
  const body = serialiseItems(data.format, rows);
  await db().$transaction(async (tx) => {
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: project.id,
      action: "export.items",
      entityType: "Project",
      entityId: project.id,
      after: { format: data.format, count: rows.length, filter: data.filterDescription },
      ip: data.ip ?? null,
    });
  });
  return { filename: safeExportFilename(project.slug, data.format, new Date()), contentType: EXPORT_CONTENT_TYPES[data.format], body, count: rows.length };
}
