import "server-only";
import { db } from "../../db";
import { publicProject, type PublicProject } from "./project";

// Counts for the public stats page, computed from the published snapshots only.

export interface PublicMonthStats {
  month: string;
  incidents: number;
  killedMin: number;
  killedMax: number;
  injuredMin: number;
  injuredMax: number;
}

export interface PublicStats {
  project: PublicProject;
  total: number;
  undated: number;
  months: PublicMonthStats[];
  provinces: Array<{ province: string; incidents: number }>;
}

export async function publicStats(slug: string): Promise<PublicStats> {
  const project = await publicProject(slug);
  // A range's missing end counts as its known end (a "at least 3" figure adds 3 to both sums).
  const [months, provinces, totals] = await Promise.all([
    db().$queryRaw<PublicMonthStats[]>`
      SELECT to_char(date_trunc('month', "startAt" AT TIME ZONE 'UTC'), 'YYYY-MM') AS "month",
        count(*)::int AS "incidents",
        coalesce(sum(coalesce(("data"->'casualties'->'killed'->>'min')::int, ("data"->'casualties'->'killed'->>'max')::int)), 0)::int AS "killedMin",
        coalesce(sum(coalesce(("data"->'casualties'->'killed'->>'max')::int, ("data"->'casualties'->'killed'->>'min')::int)), 0)::int AS "killedMax",
        coalesce(sum(coalesce(("data"->'casualties'->'injured'->>'min')::int, ("data"->'casualties'->'injured'->>'max')::int)), 0)::int AS "injuredMin",
        coalesce(sum(coalesce(("data"->'casualties'->'injured'->>'max')::int, ("data"->'casualties'->'injured'->>'min')::int)), 0)::int AS "injuredMax"
      FROM "PublishedIncident" WHERE "projectId" = ${project.id} AND "startAt" IS NOT NULL
      GROUP BY 1 ORDER BY 1`,
    db().$queryRaw<Array<{ province: string; incidents: number }>>`
      SELECT coalesce("province", 'Unknown') AS "province", count(*)::int AS "incidents"
      FROM "PublishedIncident" WHERE "projectId" = ${project.id} GROUP BY 1 ORDER BY 2 DESC, 1`,
    db().$queryRaw<Array<{ total: number; undated: number }>>`
      SELECT count(*)::int AS "total", count(*) FILTER (WHERE "startAt" IS NULL)::int AS "undated" FROM "PublishedIncident" WHERE "projectId" = ${project.id}`,
  ]);
  return { project, total: totals[0]?.total ?? 0, undated: totals[0]?.undated ?? 0, months: fillMonths(months), provinces };
}

/** Months without incidents appear as zero bars, so the time axis is honest. */
function fillMonths(months: PublicMonthStats[]): PublicMonthStats[] {
  if (months.length < 2) return months;
  const byMonth = new Map(months.map((m) => [m.month, m]));
  const filled: PublicMonthStats[] = [];
  let [year, month] = months[0]!.month.split("-").map(Number) as [number, number];
  const last = months[months.length - 1]!.month;
  for (let guard = 0; guard < 1200; guard++) {
    const key = `${year}-${String(month).padStart(2, "0")}`;
    filled.push(byMonth.get(key) ?? { month: key, incidents: 0, killedMin: 0, killedMax: 0, injuredMin: 0, injuredMax: 0 });
    if (key === last) break;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return filled;
}
