import "server-only";
import { EVIDENCE_STATUSES } from "@/lib/domain/incidents";
import { prefixTsQuery, type IncidentListState, type IncidentSortKey } from "@/lib/domain/incident-list";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ReadScope } from "../queue/queue-sql";
import { searchQuerySql } from "../queue/queue-sql";

// The incident list's filters as one where-clause over `"Incident" inc`: the page, its count
// and the export of a view all use it, so they always agree. Every value is a bound parameter.

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** Which linked items the reader may see (evidence filters count only those). */
export function readableLinkSql(scope: ReadScope): Prisma.Sql {
  if (scope.kind === "any") return Prisma.sql`TRUE`;
  if (scope.kind === "own") return Prisma.sql`li."submittedById" = ${scope.userId}`;
  return Prisma.sql`FALSE`;
}

/**
 * Words typed in the search box: stemmed English or exact words, and (for plain words, not
 * quoted phrases or exclusions) each word as a prefix, so "kab" finds Kabul as people type.
 */
export function incidentSearchSql(q: string): Prisma.Sql {
  const prefix = /["]|(^|\s)-|\bor\b/i.test(q) ? null : prefixTsQuery(q);
  const query = prefix ? Prisma.sql`(${searchQuerySql(q)} || to_tsquery('simple', ${prefix}))` : searchQuerySql(q);
  return Prisma.sql`inc."searchVector" @@ ${query}`;
}

export function incidentWhereSql(projectId: string, state: IncidentListState, scope: ReadScope): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`inc."projectId" = ${projectId}`];
  if (state.q) conditions.push(incidentSearchSql(state.q));
  if (state.type.length > 0) conditions.push(Prisma.sql`inc."incidentType" = ANY(${state.type})`);
  if (state.province.length > 0) conditions.push(Prisma.sql`inc."province" = ANY(${state.province})`);
  if (state.dated === "dated") conditions.push(Prisma.sql`inc."startAt" IS NOT NULL`);
  if (state.dated === "undated") conditions.push(Prisma.sql`inc."startAt" IS NULL`);
  if (state.from) conditions.push(Prisma.sql`inc."startAt" >= ${state.from}::date`);
  if (state.to) conditions.push(Prisma.sql`inc."startAt" < ${nextDay(state.to)}::date`);
  const linked = (extra: Prisma.Sql) => Prisma.sql`EXISTS (
    SELECT 1 FROM "IncidentEvidence" ie JOIN "EvidenceItem" li ON li."id" = ie."itemId"
    WHERE ie."incidentId" = inc."id" AND ${readableLinkSql(scope)} AND ${extra})`;
  const verified = linked(Prisma.sql`NOT ie."isLead" AND li."status" = ANY(${[...EVIDENCE_STATUSES]}::"ReviewStatus"[])`);
  if (state.evidence === "verified") conditions.push(verified);
  if (state.evidence === "leads-only") conditions.push(Prisma.sql`NOT ${verified} AND ${linked(Prisma.sql`ie."isLead"`)}`);
  if (state.evidence === "none") conditions.push(Prisma.sql`NOT ${linked(Prisma.sql`TRUE`)}`);
  return Prisma.join(conditions, " AND ");
}

const SORT_SQL: Record<IncidentSortKey, Prisma.Sql> = {
  startAt: Prisma.sql`inc."startAt"`,
  reference: Prisma.sql`inc."reference"`,
  title: Prisma.sql`lower(inc."title")`,
  incidentType: Prisma.sql`inc."incidentType"`,
  province: Prisma.sql`inc."province"`,
  updatedAt: Prisma.sql`inc."updatedAt"`,
};

/**
 * ORDER BY with the id as tie-breaker so paging never repeats or skips a row. Unknown values
 * (undated incidents, no province) come last in both directions: they are what a reader looks
 * at least, and "newest first" must not open on a page of undated records.
 */
export function incidentOrderSql(state: IncidentListState): Prisma.Sql {
  const direction = state.dir === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  return Prisma.sql`${SORT_SQL[state.sort]} ${direction} NULLS LAST, inc."id" ${direction}`;
}

/** `SELECT inc."id" ...` for every incident of the view (all pages), in list order: exports. */
export function incidentIdsSql(projectId: string, state: IncidentListState, scope: ReadScope): Prisma.Sql {
  return Prisma.sql`SELECT inc."id" FROM "Incident" inc WHERE ${incidentWhereSql(projectId, state, scope)} ORDER BY ${incidentOrderSql(state)}`;
}
