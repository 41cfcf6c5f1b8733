import "server-only";
import type { QueueState, SensitivityFlag, SortKey } from "@/lib/domain/queue";
import { Prisma } from "@/lib/generated/prisma/client";

// The review queue's filters as one SQL where-clause over `"EvidenceItem" i`. The queue page,
// exports of a filtered view and bulk "select all matching" all use it, so they always agree
// on which items a view contains. Every value is a bound parameter.

/** Whose items the reader may see in this project (from `scopeOf(actor, "item:read")`). */
export type ReadScope = { kind: "any" } | { kind: "own"; userId: string } | { kind: "none" };

const SENSITIVITY_COLUMNS: Record<SensitivityFlag, Prisma.Sql> = {
  graphic: Prisma.sql`i."sensitiveGraphic"`,
  identifiable: Prisma.sql`i."sensitiveIdentifiable"`,
  minors: Prisma.sql`i."sensitiveMinors"`,
  personal: Prisma.sql`i."sensitivePersonalData"`,
};

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** The full-text query: stemmed English or exact words (names in any language) may match. */
export function searchQuerySql(q: string): Prisma.Sql {
  return Prisma.sql`(websearch_to_tsquery('english', ${q}) || websearch_to_tsquery('simple', ${q}))`;
}

export function queueWhereSql(projectId: string, state: QueueState, scope: ReadScope, actorUserId: string): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`i."projectId" = ${projectId}`];
  if (scope.kind === "none") conditions.push(Prisma.sql`FALSE`);
  if (scope.kind === "own") conditions.push(Prisma.sql`i."submittedById" = ${scope.userId}`);

  if (state.q) conditions.push(Prisma.sql`i."searchVector" @@ ${searchQuerySql(state.q)}`);
  // Compared as the enum types, so PostgreSQL can use the indexes and its statistics.
  if (state.status.length > 0) conditions.push(Prisma.sql`i."status" = ANY(${state.status}::"ReviewStatus"[])`);
  if (state.platform.length > 0) conditions.push(Prisma.sql`i."platform" = ANY(${state.platform}::"Platform"[])`);
  if (state.province.length > 0) conditions.push(Prisma.sql`i."province" = ANY(${state.province})`);
  if (state.tags.length > 0) conditions.push(Prisma.sql`i."tags" @> ${state.tags}::text[]`);
  if (state.assignee === "none") conditions.push(Prisma.sql`i."assigneeId" IS NULL`);
  else if (state.assignee === "me") conditions.push(Prisma.sql`i."assigneeId" = ${actorUserId}`);
  else if (state.assignee) conditions.push(Prisma.sql`i."assigneeId" = ${state.assignee}`);
  if (state.sensitive.length > 0) {
    conditions.push(Prisma.sql`(${Prisma.join(state.sensitive.map((flag) => SENSITIVITY_COLUMNS[flag]), " OR ")})`);
  }
  if (state.incident) {
    conditions.push(Prisma.sql`EXISTS (
      SELECT 1 FROM "IncidentEvidence" ie JOIN "Incident" inc ON inc."id" = ie."incidentId"
      WHERE ie."itemId" = i."id" AND inc."projectId" = ${projectId} AND inc."reference" = ${state.incident})`);
  }
  if (state.submittedFrom) conditions.push(Prisma.sql`i."createdAt" >= ${state.submittedFrom}::date`);
  if (state.submittedTo) conditions.push(Prisma.sql`i."createdAt" < ${nextDay(state.submittedTo)}::date`);
  if (state.uploadedFrom) conditions.push(Prisma.sql`i."platformUploadedAt" >= ${state.uploadedFrom}::date`);
  if (state.uploadedTo) conditions.push(Prisma.sql`i."platformUploadedAt" < ${nextDay(state.uploadedTo)}::date`);
  if (state.duplicates) {
    conditions.push(Prisma.sql`(
      EXISTS (
        SELECT 1 FROM "MediaFile" m JOIN "MediaFile" m2 ON m2."sha256" = m."sha256" AND m2."itemId" <> m."itemId"
        JOIN "EvidenceItem" i2 ON i2."id" = m2."itemId" AND i2."projectId" = i."projectId"
        WHERE m."itemId" = i."id")
      OR EXISTS (
        SELECT 1 FROM "SourceUrl" s JOIN "SourceUrl" s2 ON s2."url" = s."url" AND s2."itemId" <> s."itemId"
        JOIN "EvidenceItem" i2 ON i2."id" = s2."itemId" AND i2."projectId" = i."projectId"
        WHERE s."itemId" = i."id")
      OR i."duplicateOfId" IS NOT NULL)`);
  }
  return Prisma.join(conditions, " AND ");
}

const SORT_SQL: Record<SortKey, Prisma.Sql> = {
  reference: Prisma.sql`i."reference"`,
  title: Prisma.sql`lower(i."title")`,
  status: Prisma.sql`i."status"`,
  createdAt: Prisma.sql`i."createdAt"`,
  updatedAt: Prisma.sql`i."updatedAt"`,
  platformUploadedAt: Prisma.sql`i."platformUploadedAt"`,
  province: Prisma.sql`i."province"`,
  assignee: Prisma.sql`assignee."name"`,
};

/**
 * ORDER BY with the id as a tie-breaker, so paging never repeats or skips a row. PostgreSQL's
 * default null placement (last when ascending, first when descending) is kept on purpose: it
 * is what a backward scan of the (projectId, column, id) indexes yields, so deep pages walk an
 * index instead of sorting the table.
 */
export function queueOrderSql(state: QueueState): Prisma.Sql {
  const direction = state.dir === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  return Prisma.sql`${SORT_SQL[state.sort]} ${direction}, i."id" ${direction}`;
}

/** Joins the sort needs (only sorting by assignee name needs one). */
export function queueSortJoinSql(state: QueueState): Prisma.Sql {
  return state.sort === "assignee" ? Prisma.sql`LEFT JOIN "User" assignee ON assignee."id" = i."assigneeId"` : Prisma.empty;
}

/** `SELECT i."id" ...` for every item of the view (all pages): exports and bulk selection. */
export function queueItemIdsSql(projectId: string, state: QueueState, scope: ReadScope, actorUserId: string): Prisma.Sql {
  return Prisma.sql`SELECT i."id" FROM "EvidenceItem" i WHERE ${queueWhereSql(projectId, state, scope, actorUserId)}`;
}
