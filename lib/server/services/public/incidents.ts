import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { PUBLIC_SCHEMA_VERSION, type PublicFilter, type PublicIncident } from "@/lib/domain/publication";
import { parsePublicQuery, publicQueryString, type ParsedPublicQuery, type RawQuery } from "@/lib/domain/public-query";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "../../db";
import { publicProject, type PublicProject } from "./project";

// Lists of published incidents, filtered in SQL on the columns copied out of each snapshot.

/** The API's reading of a query: any bad parameter is a 400 naming it. */
export function strictPublicQuery(raw: RawQuery, defaults: { limit?: number } = {}): PublicFilter {
  const parsed = parsePublicQuery(raw, defaults);
  if (Object.keys(parsed.invalid).length > 0) throw new DomainError("VALIDATION", "Some query parameters are not valid.", parsed.invalid as Record<string, string[]>);
  return parsed.filter;
}

/** The pages' reading: bad parameters are dropped and reported back for a notice. */
export function lenientPublicQuery(raw: RawQuery, defaults: { limit?: number } = {}): ParsedPublicQuery {
  return parsePublicQuery(raw, defaults);
}

const dayStart = (day: string) => new Date(`${day}T00:00:00.000Z`);
const dayAfter = (day: string) => new Date(dayStart(day).getTime() + 86_400_000);

function whereOf(projectId: string, filter: PublicFilter): Prisma.PublishedIncidentWhereInput {
  return {
    projectId,
    ...(filter.from || filter.to ? { startAt: { ...(filter.from ? { gte: dayStart(filter.from) } : {}), ...(filter.to ? { lt: dayAfter(filter.to) } : {}) } } : {}),
    ...(filter.province ? { province: filter.province } : {}),
    ...(filter.type ? { incidentType: filter.type } : {}),
    ...(filter.target ? { targets: { has: filter.target } } : {}),
  };
}

/** The same conditions for raw queries over "PublishedIncident" aliased as i. */
function conditionsSql(projectId: string, filter: PublicFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`i."projectId" = ${projectId}`];
  if (filter.from) parts.push(Prisma.sql`i."startAt" >= ${dayStart(filter.from)}`);
  if (filter.to) parts.push(Prisma.sql`i."startAt" < ${dayAfter(filter.to)}`);
  if (filter.province) parts.push(Prisma.sql`i."province" = ${filter.province}`);
  if (filter.type) parts.push(Prisma.sql`i."incidentType" = ${filter.type}`);
  if (filter.target) parts.push(Prisma.sql`i."targets" @> ARRAY[${filter.target}]::text[]`);
  return Prisma.join(parts, " AND ");
}

export interface PublicIncidentPage {
  schemaVersion: string;
  page: number;
  limit: number;
  total: number;
  items: PublicIncident[];
  /** Query string of the next page, or null on the last one. */
  next: string | null;
}

export async function listPublicIncidentsIn(project: PublicProject, filter: PublicFilter): Promise<PublicIncidentPage> {
  const where = whereOf(project.id, filter);
  const [total, rows] = await Promise.all([
    db().publishedIncident.count({ where }),
    db().publishedIncident.findMany({
      where,
      orderBy: [{ startAt: { sort: "desc", nulls: "last" } }, { publicId: "asc" }],
      skip: (filter.page - 1) * filter.limit,
      take: filter.limit,
      select: { data: true },
    }),
  ]);
  const hasNext = filter.page * filter.limit < total;
  return {
    schemaVersion: PUBLIC_SCHEMA_VERSION,
    page: filter.page,
    limit: filter.limit,
    total,
    items: rows.map((row) => row.data as unknown as PublicIncident),
    next: hasNext ? publicQueryString(filter, { page: filter.page + 1 }) : null,
  };
}

export async function listPublicIncidents(slug: string, filter: PublicFilter): Promise<PublicIncidentPage> {
  return listPublicIncidentsIn(await publicProject(slug), filter);
}

/** ETag of the map points for a filter, known without reading any incident. */
export function mapPointsEtagPart(filter: PublicFilter): string {
  return `map:${PUBLIC_SCHEMA_VERSION}:${publicQueryString({ ...filter, page: undefined, limit: undefined })}`;
}

/**
 * Every matching incident with a public location as a compact JSON text:
 * {"schemaVersion", "count", "points": [[id, lat, lon, precisionM, title, date, type], ...]}.
 * PostgreSQL builds the array, so 10,000 points are one row read.
 */
export async function publicMapPointsJson(project: PublicProject, filter: PublicFilter): Promise<string> {
  const rows = await db().$queryRaw<Array<{ count: number; points: string }>>`
    SELECT count(*)::int AS "count",
      coalesce(json_agg(json_build_array(
        i."publicId",
        (i."data"->'location'->>'latitude')::float8,
        (i."data"->'location'->>'longitude')::float8,
        (i."data"->'location'->>'precisionM')::int,
        i."data"->>'title',
        i."data"->>'date',
        i."incidentType"
      ) ORDER BY i."startAt" NULLS LAST, i."publicId"), '[]'::json)::text AS "points"
    FROM "PublishedIncident" i
    WHERE ${conditionsSql(project.id, filter)} AND jsonb_typeof(i."data"->'location') = 'object'`;
  const row = rows[0] ?? { count: 0, points: "[]" };
  return `{"schemaVersion":${JSON.stringify(PUBLIC_SCHEMA_VERSION)},"count":${row.count},"points":${row.points}}`;
}

/** Incidents per day for the timeline strip (dated incidents only). */
export async function publicIncidentDays(project: PublicProject, filter: PublicFilter): Promise<Array<{ day: string; count: number }>> {
  return db().$queryRaw<Array<{ day: string; count: number }>>`
    SELECT to_char(i."startAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "day", count(*)::int AS "count"
    FROM "PublishedIncident" i
    WHERE ${conditionsSql(project.id, filter)} AND i."startAt" IS NOT NULL
    GROUP BY 1 ORDER BY 1`;
}

export interface PublicFacets {
  provinces: string[];
  types: string[];
  targets: string[];
}

/** Filter choices: only values that published incidents actually have. */
export async function publicFacets(project: PublicProject): Promise<PublicFacets> {
  const [provinces, types, targets] = await Promise.all([
    db().$queryRaw<Array<{ value: string }>>`SELECT DISTINCT "province" AS "value" FROM "PublishedIncident" WHERE "projectId" = ${project.id} AND "province" IS NOT NULL ORDER BY 1`,
    db().$queryRaw<Array<{ value: string }>>`SELECT DISTINCT "incidentType" AS "value" FROM "PublishedIncident" WHERE "projectId" = ${project.id} ORDER BY 1`,
    db().$queryRaw<Array<{ value: string }>>`SELECT DISTINCT unnest("targets") AS "value" FROM "PublishedIncident" WHERE "projectId" = ${project.id} ORDER BY 1`,
  ]);
  return { provinces: provinces.map((r) => r.value), types: types.map((r) => r.value), targets: targets.map((r) => r.value) };
}

export interface PublicMapPage {
  project: PublicProject;
  filter: PublicFilter;
  invalid: ParsedPublicQuery["invalid"];
  list: PublicIncidentPage;
  days: Array<{ day: string; count: number }>;
  facets: PublicFacets;
}

/** Everything the public map page renders on the server (the points come from the API). */
export async function publicMapPage(slug: string, raw: RawQuery): Promise<PublicMapPage> {
  const project = await publicProject(slug);
  const { filter, invalid } = lenientPublicQuery(raw, { limit: 50 });
  const [list, days, facets] = await Promise.all([listPublicIncidentsIn(project, filter), publicIncidentDays(project, filter), publicFacets(project)]);
  return { project, filter, invalid, list, days, facets };
}
