import "server-only";
import { notFound } from "@/lib/domain/errors";
import { db } from "../../db";

// Public code reads only the publication tables and a project's slug and name, and only for
// projects that have published something: any other slug is "not found", so private project
// names are never confirmed.

export interface PublicProject {
  id: string;
  slug: string;
  name: string;
  /** ETag of the project's GeoJSON dataset: it changes whenever what is published changes. */
  stateEtag: string | null;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,79}$/;

export async function findPublicProject(slug: string): Promise<PublicProject | null> {
  if (!SLUG.test(slug)) return null;
  const rows = await db().$queryRaw<PublicProject[]>`
    SELECT p."id", p."slug", p."name", d."etag" AS "stateEtag"
    FROM "Project" p
    LEFT JOIN "PublicDataset" d ON d."projectId" = p."id" AND d."format" = 'geojson'
    WHERE p."slug" = ${slug} AND EXISTS (SELECT 1 FROM "PublicationEvent" e WHERE e."projectId" = p."id")`;
  return rows[0] ?? null;
}

export async function publicProject(slug: string): Promise<PublicProject> {
  const project = await findPublicProject(slug);
  if (!project) throw notFound("That project");
  return project;
}

export interface PublicProjectSummary {
  slug: string;
  name: string;
  incidents: number;
  lastPublishedAt: Date;
}

export async function listPublicProjects(): Promise<PublicProjectSummary[]> {
  const rows = await db().$queryRaw<Array<{ slug: string; name: string; incidents: number; lastPublishedAt: Date }>>`
    SELECT p."slug", p."name",
      (SELECT count(*)::int FROM "PublishedIncident" i WHERE i."projectId" = p."id") AS "incidents",
      e."last" AS "lastPublishedAt"
    FROM (SELECT "projectId", max("at") AS "last" FROM "PublicationEvent" GROUP BY "projectId") e
    JOIN "Project" p ON p."id" = e."projectId"
    ORDER BY p."name"`;
  return rows;
}
