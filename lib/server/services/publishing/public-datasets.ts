import "server-only";
import { createHash } from "node:crypto";
import { toKML } from "@placemarkio/tokml";
import type { Feature, FeatureCollection, Point } from "geojson";
import Papa from "papaparse";
import { PUBLIC_SCHEMA_VERSION, publicEventRow, type PublicEventRow, type PublicIncident, type PublicItem } from "@/lib/domain/publication";
import type { Tx } from "../../db";

// The public datasets of a project, rebuilt inside every transaction that changes what is
// published: a download is then one row read, and the ETag changes exactly when the content does.

export const PUBLIC_DATASET_FORMATS = ["geojson", "csv", "kml"] as const;
export type PublicDatasetFormat = (typeof PUBLIC_DATASET_FORMATS)[number];

export const PUBLIC_DATASET_TYPES: Record<PublicDatasetFormat, string> = {
  geojson: "application/geo+json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  kml: "application/vnd.google-earth.kml+xml; charset=utf-8",
};

/** Where public item pages live, for the `sources` links in datasets. */
export function publicItemUrl(projectSlug: string, itemId: string): string {
  const base = (process.env.GROUNDTRUTH_PUBLIC_URL ?? "").replace(/\/+$/, "");
  return `${base}/public/${projectSlug}/items/${encodeURIComponent(itemId)}`;
}

/** Spreadsheets run cells starting with these as formulas. */
function neutraliseFormula(value: unknown): unknown {
  return typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function buildDatasets(projectSlug: string, incidents: PublicIncident[], items: PublicItem[]): Record<PublicDatasetFormat, string> {
  const publishedIncidentIds = new Set(incidents.map((i) => i.id));
  const sourcesByIncident = new Map<string, PublicEventRow["sources"]>();
  for (const item of items) {
    for (const incidentId of item.incidentIds) {
      if (!publishedIncidentIds.has(incidentId)) continue;
      const list = sourcesByIncident.get(incidentId) ?? [];
      list.push({ id: item.id, title: item.title, url: publicItemUrl(projectSlug, item.id), sha256: item.originalSha256 });
      sourcesByIncident.set(incidentId, list);
    }
  }
  const rows = incidents.map((incident) => publicEventRow(incident, (sourcesByIncident.get(incident.id) ?? []).sort((a, b) => a.id.localeCompare(b.id))));

  const features: Array<Feature<Point | null, PublicEventRow>> = rows.map((row) => ({
    type: "Feature",
    id: row.id,
    geometry: row.latitude !== null && row.longitude !== null ? { type: "Point", coordinates: [row.longitude, row.latitude] } : null,
    properties: row,
  }));
  const collection: FeatureCollection<Point | null, PublicEventRow> & { metadata: Record<string, unknown> } = {
    type: "FeatureCollection",
    metadata: { schemaVersion: PUBLIC_SCHEMA_VERSION, project: projectSlug, count: rows.length },
    features,
  };

  const csv = Papa.unparse(
    rows.map((row) => {
      const { sources, ...rest } = row;
      const flat: Record<string, unknown> = {
        ...rest,
        source_ids: sources.map((s) => s.id).join(" "),
        source_urls: sources.map((s) => s.url).join(" "),
        source_sha256: sources.flatMap((s) => s.sha256).join(" "),
      };
      return Object.fromEntries(Object.entries(flat).map(([key, value]) => [key, neutraliseFormula(value)]));
    }),
    { columns: ["id", "title", "type", "date", "time", "time_precision", "latitude", "longitude", "precision_m", "location", "province", "description", "killed_min", "killed_max", "injured_min", "injured_max", "claimed_by", "attributed_to", "attribution_confidence", "targets", "source_ids", "source_urls", "source_sha256"] },
  );

  const kml = toKML({
    type: "FeatureCollection",
    features: features
      .filter((f): f is Feature<Point, PublicEventRow> => f.geometry !== null)
      .map((f) => ({
        type: "Feature",
        geometry: f.geometry,
        properties: {
          name: `${f.properties.id} ${f.properties.title}`,
          description: [f.properties.date, f.properties.type, f.properties.location, f.properties.description].filter(Boolean).join(" · "),
          id: f.properties.id,
          date: f.properties.date ?? "",
          precision_m: f.properties.precision_m ?? "",
        },
      })),
  });

  return { geojson: JSON.stringify(collection), csv, kml };
}

/** Rebuilds and stores a project's public datasets. Call inside the publishing transaction. */
export async function rebuildPublicDatasets(tx: Tx, projectId: string): Promise<void> {
  // One rebuild at a time per project, so two publications cannot store each other's stale view.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`public-datasets:${projectId}`}))`;
  const [project, incidents, items] = await Promise.all([
    tx.project.findUniqueOrThrow({ where: { id: projectId }, select: { slug: true } }),
    tx.publishedIncident.findMany({ where: { projectId }, orderBy: [{ startAt: "asc" }, { publicId: "asc" }], select: { data: true } }),
    tx.publishedItem.findMany({ where: { projectId }, orderBy: { publicId: "asc" }, select: { data: true } }),
  ]);
  const datasets = buildDatasets(
    project.slug,
    incidents.map((i) => i.data as unknown as PublicIncident),
    items.map((i) => i.data as unknown as PublicItem),
  );
  const builtAt = new Date();
  for (const format of PUBLIC_DATASET_FORMATS) {
    const body = datasets[format];
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
    await tx.publicDataset.upsert({
      where: { projectId_format: { projectId, format } },
      create: { projectId, format, body, etag, builtAt },
      update: { body, etag, builtAt },
    });
  }
}
