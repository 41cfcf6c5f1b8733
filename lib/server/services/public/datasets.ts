import "server-only";
import { db } from "../../db";
import { PUBLIC_DATASET_FORMATS, PUBLIC_DATASET_TYPES, type PublicDatasetFormat } from "../publishing/public-datasets";
import { findPublicProject } from "./project";

// Downloads of the prebuilt datasets (rebuilt in every publishing transaction).

export { PUBLIC_DATASET_FORMATS, PUBLIC_DATASET_TYPES, type PublicDatasetFormat };

export function isDatasetFormat(value: string): value is PublicDatasetFormat {
  return (PUBLIC_DATASET_FORMATS as readonly string[]).includes(value);
}

export const DATASET_EXTENSIONS: Record<PublicDatasetFormat, string> = { geojson: "geojson", csv: "csv", kml: "kml" };

/** Just the ETag (one small indexed query), so a conditional request can be answered at once. */
export async function publicDatasetEtag(slug: string, format: PublicDatasetFormat): Promise<{ projectId: string; slug: string; etag: string } | null> {
  const rows = await db().$queryRaw<Array<{ projectId: string; slug: string; etag: string }>>`
    SELECT d."projectId", p."slug", d."etag"
    FROM "Project" p JOIN "PublicDataset" d ON d."projectId" = p."id" AND d."format" = ${format}
    WHERE p."slug" = ${slug} AND EXISTS (SELECT 1 FROM "PublicationEvent" e WHERE e."projectId" = p."id")`;
  return rows[0] ?? null;
}

export async function publicDatasetBody(projectId: string, format: PublicDatasetFormat): Promise<{ body: string; etag: string } | null> {
  return db().publicDataset.findUnique({ where: { projectId_format: { projectId, format } }, select: { body: true, etag: true } });
}

/** For pages: the dataset's size and build time, or null. */
export async function publicDatasetInfo(slug: string): Promise<{ builtAt: Date | null } | null> {
  const project = await findPublicProject(slug);
  if (!project) return null;
  const row = await db().publicDataset.findUnique({ where: { projectId_format: { projectId: project.id, format: "geojson" } }, select: { builtAt: true } });
  return { builtAt: row?.builtAt ?? null };
}
