import "server-only";
import { scopeOf, type Actor } from "@/lib/domain/permissions";
import type { QueueRowOf, QueueState } from "@/lib/domain/queue";
import { Prisma } from "@/lib/generated/prisma/client";
import { findVisibleProject } from "../../access";
import { db } from "../../db";
import { queueOrderSql, queueSortJoinSql, queueWhereSql, type ReadScope } from "./queue-sql";

export const COUNT_LIMIT = 10_000;
/** Views with at most this many matches are fetched by their filters first, then sorted. */
export const SMALL_VIEW = 5_000;

/**
 * Counting 85,000 matches of a common word costs more than the page itself: past COUNT_LIMIT
 * the queue says "10,000+" and asks for a narrower view instead.
 */
export function queueCountSql(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT count(*) AS total FROM (SELECT 1 FROM "EvidenceItem" i WHERE ${where} LIMIT ${COUNT_LIMIT + 1}) capped`;
}

/**
 * One page of a view. Large views walk the sort order's index and stop after the page; small
 * views (a rare search word, a province) are collected through their own indexes first and the
 * few matches sorted, which the planner cannot know to do when it misjudges a filter's
 * selectivity. Either way only the page's ids are sorted, then the display columns fetched.
 */
export function queuePageSql(where: Prisma.Sql, state: QueueState, page: number, matches: number): Prisma.Sql {
  // OFFSET 0 keeps the subquery from being flattened into the sorted scan. Only the columns a
  // sort can use are carried, so sorting a few thousand matches stays cheap.
  const source =
    matches <= SMALL_VIEW
      ? Prisma.sql`(SELECT i."id", i."reference", i."title", i."status", i."createdAt", i."updatedAt", i."platformUploadedAt", i."province", i."assigneeId" FROM "EvidenceItem" i WHERE ${where} OFFSET 0)`
      : Prisma.sql`"EvidenceItem"`;
  const filter = matches <= SMALL_VIEW ? Prisma.sql`TRUE` : where;
  return Prisma.sql`
    WITH page AS MATERIALIZED (
      SELECT i."id" FROM ${source} i ${queueSortJoinSql(state)}
      WHERE ${filter}
      ORDER BY ${queueOrderSql(state)}
      LIMIT ${state.size} OFFSET ${(page - 1) * state.size}
    )
    SELECT i."id", i."reference", i."title", i."status"::text AS "status", i."version", i."platform"::text AS "platform", i."province",
           coalesce(i."tags", ARRAY[]::text[]) AS "tags", i."assigneeId", assignee."name" AS "assigneeName", s."name" AS "submittedByName",
           i."createdAt", i."platformUploadedAt", i."sensitiveGraphic", i."sensitiveIdentifiable", i."sensitiveMinors", i."sensitivePersonalData"
    FROM page
    JOIN "EvidenceItem" i ON i."id" = page."id"
    JOIN "User" s ON s."id" = i."submittedById"
    LEFT JOIN "User" assignee ON assignee."id" = i."assigneeId"
    ORDER BY ${queueOrderSql(state)}`;
}

/** One queue row as the database returns it. */
export type QueueRow = QueueRowOf<Date>;

export interface QueuePage {
  project: { id: string; slug: string; name: string };
  rows: QueueRow[];
  /** Matching items, counted up to COUNT_LIMIT. */
  total: number;
  /** True when more than COUNT_LIMIT items match (only the first COUNT_LIMIT can be paged). */
  totalCapped: boolean;
  pageCount: number;
  /** The page actually shown: a page past the end falls back to the last one. */
  page: number;
}

export function readScopeFor(actor: Actor, projectId: string): ReadScope {
  const scope = scopeOf(actor, "item:read", projectId);
  if (scope === "any") return { kind: "any" };
  if (scope === "own") return { kind: "own", userId: actor.userId };
  return { kind: "none" };
}

/**
 * The review queue: filtering, sorting, full-text search and paging all happen in PostgreSQL,
 * limited to what the actor may read, so 100,000 items cost the same as 100.
 */
export async function queryQueue(actor: Actor, input: { projectSlug: string; state: QueueState }): Promise<QueuePage> {
  const project = await findVisibleProject(actor, input.projectSlug);
  const { state } = input;
  const where = queueWhereSql(project.id, state, readScopeFor(actor, project.id), actor.userId);

  const countRows = await db().$queryRaw<Array<{ total: bigint }>>(queueCountSql(where));
  const counted = Number(countRows[0]?.total ?? 0);
  const totalCapped = counted > COUNT_LIMIT;
  const total = Math.min(counted, COUNT_LIMIT);
  const pageCount = Math.max(1, Math.ceil(total / state.size));
  const page = Math.min(state.page, pageCount);
  const rows = await db().$queryRaw<QueueRow[]>(queuePageSql(where, state, page, counted));

  return { project: { id: project.id, slug: project.slug, name: project.name }, rows, total, totalCapped, pageCount, page };
}

export interface QueueFacets {
  members: Array<{ id: string; name: string }>;
  provinces: string[];
  tags: string[];
  incidents: Array<{ reference: string; title: string }>;
  canBulkTransition: boolean;
}

/** Choices for the filter bar: who can be assigned, which provinces, tags and incidents exist. */
export async function queueFacets(actor: Actor, projectSlug: string): Promise<QueueFacets> {
  const project = await findVisibleProject(actor, projectSlug);
  const scope = readScopeFor(actor, project.id);
  const seesAll = scope.kind === "any";
  const [members, provinces, tags, incidents] = await Promise.all([
    seesAll
      ? db().membership.findMany({ where: { projectId: project.id, role: { not: "CONTRIBUTOR" }, user: { active: true } }, select: { user: { select: { id: true, name: true } } }, orderBy: { user: { name: "asc" } } })
      : Promise.resolve([]),
    seesAll ? db().$queryRaw<Array<{ province: string }>>`SELECT DISTINCT "province" FROM "EvidenceItem" WHERE "projectId" = ${project.id} AND "province" IS NOT NULL ORDER BY 1` : Promise.resolve([]),
    seesAll
      ? db().$queryRaw<Array<{ tag: string }>>`SELECT tag FROM (SELECT unnest("tags") AS tag FROM "EvidenceItem" WHERE "projectId" = ${project.id}) t GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 200`
      : Promise.resolve([]),
    scopeOf(actor, "incident:read", project.id)
      ? db().incident.findMany({ where: { projectId: project.id }, select: { reference: true, title: true }, orderBy: { reference: "desc" }, take: 500 })
      : Promise.resolve([]),
  ]);
  return {
    members: members.map((m) => m.user),
    provinces: provinces.map((p) => p.province),
    tags: tags.map((t) => t.tag),
    incidents,
    canBulkTransition: scopeOf(actor, "item:triage", project.id) !== null,
  };
}
