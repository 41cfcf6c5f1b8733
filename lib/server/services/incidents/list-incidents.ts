import "server-only";
import { z } from "zod";
import { notFound } from "@/lib/domain/errors";
import { prefixTsQuery, type IncidentListState } from "@/lib/domain/incident-list";
import { countEvidence, type EvidenceCounts } from "@/lib/domain/incidents";
import { can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { storableText } from "@/lib/domain/storable-text";
import { Prisma } from "@/lib/generated/prisma/client";
import { findVisibleProject, readableItemsWhere } from "../../access";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { readScopeFor } from "../queue/query-queue";
import { incidentOrderSql, incidentWhereSql, readableLinkSql } from "./incident-list-sql";

export interface IncidentListRow {
  id: string;
  reference: string;
  title: string;
  incidentType: string;
  startAt: Date | null;
  endAt: Date | null;
  province: string | null;
  locationName: string | null;
  located: boolean;
  counts: EvidenceCounts;
}

export interface IncidentListPage {
  project: { id: string; slug: string; name: string };
  canManage: boolean;
  canExport: boolean;
  rows: IncidentListRow[];
  total: number;
  pageCount: number;
  /** The page actually shown: a page past the end falls back to the last one. */
  page: number;
  /** Incidents of the whole project (unfiltered), and how many of them have no known date. */
  projectTotal: number;
  projectUndated: number;
}

/**
 * One page of a project's incidents: filters, full-text search, sort and paging run in
 * PostgreSQL, and evidence is counted for the page's rows only, so 20,000 incidents cost
 * about what 200 do. Evidence counts include only items the actor may read.
 */
export async function listIncidents(actor: Actor, input: { projectSlug: string; state: IncidentListState }): Promise<IncidentListPage> {
  const project = await findVisibleProject(actor, input.projectSlug);
  if (!can(actor, "incident:read", { kind: "project", projectId: project.id })) throw notFound("That project's incidents");
  const { state } = input;
  const scope = readScopeFor(actor, project.id);
  const where = incidentWhereSql(project.id, state, scope);

  const [counted] = await db().$queryRaw<Array<{ total: bigint; projectTotal: bigint; projectUndated: bigint }>>`
    SELECT (SELECT count(*) FROM "Incident" inc WHERE ${where}) AS "total",
           count(*) AS "projectTotal", count(*) FILTER (WHERE "startAt" IS NULL) AS "projectUndated"
    FROM "Incident" WHERE "projectId" = ${project.id}`;
  const total = Number(counted?.total ?? 0);
  const pageCount = Math.max(1, Math.ceil(total / state.size));
  const page = Math.min(state.page, pageCount);
  const rows = await db().$queryRaw<Array<Omit<IncidentListRow, "counts">>>`
    SELECT inc."id", inc."reference", inc."title", inc."incidentType", inc."startAt", inc."endAt", inc."province", inc."locationName",
           (inc."latitude" IS NOT NULL) AS "located"
    FROM "Incident" inc
    WHERE ${where}
    ORDER BY ${incidentOrderSql(state)}
    LIMIT ${state.size} OFFSET ${(page - 1) * state.size}`;
  const links = rows.length === 0 ? [] : await db().$queryRaw<Array<{ incidentId: string; isLead: boolean; status: string }>>`
    SELECT ie."incidentId", ie."isLead", li."status"::text AS "status"
    FROM "IncidentEvidence" ie JOIN "EvidenceItem" li ON li."id" = ie."itemId"
    WHERE ie."incidentId" = ANY(${rows.map((r) => r.id)}) AND ${readableLinkSql(scope)}`;
  const byIncident = new Map<string, Array<{ isLead: boolean; itemStatus: string }>>();
  for (const link of links) {
    const list = byIncident.get(link.incidentId) ?? [];
    list.push({ isLead: link.isLead, itemStatus: link.status });
    byIncident.set(link.incidentId, list);
  }
  return {
    project: { id: project.id, slug: project.slug, name: project.name },
    canManage: can(actor, "incident:manage", { kind: "project", projectId: project.id }),
    canExport: can(actor, "export:internal", { kind: "project", projectId: project.id }),
    rows: rows.map((row) => ({ ...row, counts: countEvidence(byIncident.get(row.id) ?? []) })),
    total,
    pageCount,
    page,
    projectTotal: Number(counted?.projectTotal ?? 0),
    projectUndated: Number(counted?.projectUndated ?? 0),
  };
}

/** Filter choices for the incident list: the types and provinces the project's incidents use. */
export async function incidentListFacets(actor: Actor, projectSlug: string): Promise<{ types: string[]; provinces: string[] }> {
  const project = await findVisibleProject(actor, projectSlug);
  if (!can(actor, "incident:read", { kind: "project", projectId: project.id })) throw notFound("That project's incidents");
  const [types, provinces] = await Promise.all([
    db().$queryRaw<Array<{ value: string }>>`SELECT DISTINCT "incidentType" AS "value" FROM "Incident" WHERE "projectId" = ${project.id} ORDER BY 1 LIMIT 500`,
    db().$queryRaw<Array<{ value: string }>>`SELECT DISTINCT "province" AS "value" FROM "Incident" WHERE "projectId" = ${project.id} AND "province" IS NOT NULL ORDER BY 1 LIMIT 500`,
  ]);
  return { types: types.map((t) => t.value), provinces: provinces.map((p) => p.value) };
}

const pickerSchema = z.object({
  projectSlug: z.string().trim().min(1).max(64),
  query: z.string().max(200).default(""),
  /** Incidents already linked (left out of the choices). */
  excludeIds: z.array(idSchema).max(200).default([]),
});

export const PICKER_LIMIT = 12;

/**
 * Type-ahead choices for incident pickers: the reference typed exactly first, then prefix
 * matches on the reference, then words of the title and place (each word a prefix). An empty
 * query offers the most recently changed incidents.
 */
export async function searchIncidentChoices(actor: Actor, input: unknown): Promise<Array<{ id: string; reference: string; title: string; startAt: Date | null }>> {
  const data = parseInput(pickerSchema, input);
  const project = await findVisibleProject(actor, data.projectSlug);
  if (!can(actor, "incident:read", { kind: "project", projectId: project.id })) throw notFound("That project's incidents");
  const query = storableText(data.query).trim();
  const exclude = data.excludeIds.length > 0 ? Prisma.sql`AND NOT (inc."id" = ANY(${data.excludeIds}))` : Prisma.empty;
  if (!query) {
    return db().$queryRaw`
      SELECT inc."id", inc."reference", inc."title", inc."startAt" FROM "Incident" inc
      WHERE inc."projectId" = ${project.id} ${exclude}
      ORDER BY inc."updatedAt" DESC, inc."id" DESC LIMIT ${PICKER_LIMIT}`;
  }
  const prefix = prefixTsQuery(query);
  const words = prefix ? Prisma.sql`inc."searchVector" @@ to_tsquery('simple', ${prefix})` : Prisma.sql`FALSE`;
  const likeReference = `${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db().$queryRaw`
    SELECT inc."id", inc."reference", inc."title", inc."startAt" FROM "Incident" inc
    WHERE inc."projectId" = ${project.id} ${exclude}
      AND (upper(inc."reference") LIKE upper(${likeReference}) OR ${words})
    ORDER BY (upper(inc."reference") = upper(${query})) DESC, (upper(inc."reference") LIKE upper(${likeReference})) DESC,
             inc."startAt" DESC NULLS LAST, inc."id" DESC
    LIMIT ${PICKER_LIMIT}`;
}

const itemPanelSchema = z.object({ itemId: idSchema });

/**
 * The incidents panel of an item page: the incidents the item is linked to, and whether the
 * actor may link more (editors pick through searchIncidentChoices). Null when the actor may not
 * read incidents.
 */
export async function getItemIncidents(actor: Actor, input: unknown) {
  const { itemId } = parseInput(itemPanelSchema, input);
  const found = await db().evidenceItem.findUnique({ where: { id: itemId }, select: { projectId: true } });
  if (!found || !can(actor, "incident:read", { kind: "project", projectId: found.projectId })) return null;
  const item = await db().evidenceItem.findFirst({ where: { AND: [readableItemsWhere(actor, found.projectId), { id: itemId }] }, select: { id: true, projectId: true } });
  if (!item) return null;
  const canManage = can(actor, "incident:manage", { kind: "project", projectId: item.projectId });
  const links = await db().incidentEvidence.findMany({
    where: { itemId: item.id },
    orderBy: { createdAt: "asc" },
    select: { isLead: true, relation: true, incident: { select: { id: true, reference: true, title: true } } },
  });
  return {
    links: links.map((l) => ({ incidentId: l.incident.id, reference: l.incident.reference, title: l.incident.title, isLead: l.isLead, relation: l.relation })),
    canManage,
  };
}
