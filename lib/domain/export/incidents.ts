// Internal exports of incidents (the incident list's "Download this view"): CSV for
// spreadsheets, GeoJSON for GIS. Column names follow the CSV import's defaults (docs/import.md)
// where a field exists in both, so an export can be edited and re-imported.
import type { Feature, FeatureCollection, Point } from "geojson";
import Papa from "papaparse";
import { neutraliseFormula } from "./items";

export const INCIDENT_EXPORT_FORMATS = ["csv", "geojson"] as const;
export type IncidentExportFormat = (typeof INCIDENT_EXPORT_FORMATS)[number];

export const INCIDENT_EXPORT_CONTENT_TYPES: Record<IncidentExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  geojson: "application/geo+json; charset=utf-8",
};

export interface ExportIncidentRow {
  reference: string;
  externalId: string | null;
  title: string;
  incidentType: string;
  /** ISO 8601 UTC, or null when the date is unknown. */
  startAt: string | null;
  endAt: string | null;
  latitude: number | null;
  longitude: number | null;
  precisionM: number | null;
  locationName: string | null;
  province: string | null;
  district: string | null;
  description: string;
  claimGroup: string | null;
  attributionGroup: string | null;
  attributionConfidence: string | null;
  killedMin: number | null;
  killedMax: number | null;
  injuredMin: number | null;
  injuredMax: number | null;
  targets: string[];
  tags: string[];
  verifiedEvidence: number;
  leads: number;
  evidenceReferences: string[];
}

export const INCIDENT_CSV_COLUMNS = [
  "id", "reference", "title", "type", "date", "end_date", "date_known", "latitude", "longitude", "precision", "location",
  "province", "district", "description", "claim_group", "attribution_group", "attribution_confidence",
  "killed_min", "killed_max", "injured_min", "injured_max", "targets", "tags", "verified_evidence", "leads", "evidence_references",
] as const;

const LIST_SEPARATOR = " | ";

function csvRecord(row: ExportIncidentRow): string[] {
  const cells: Array<string | number | null> = [
    row.externalId ?? row.reference, row.reference, row.title, row.incidentType, row.startAt, row.endAt, row.startAt ? "yes" : "no",
    row.latitude, row.longitude, row.precisionM, row.locationName, row.province, row.district, row.description,
    row.claimGroup, row.attributionGroup, row.attributionConfidence, row.killedMin, row.killedMax, row.injuredMin, row.injuredMax,
    row.targets.join(LIST_SEPARATOR), row.tags.join(LIST_SEPARATOR), row.verifiedEvidence, row.leads, row.evidenceReferences.join(LIST_SEPARATOR),
  ];
  // Numbers stay numbers (a negative longitude is data, not a formula); text is guarded.
  return cells.map((cell) => (cell === null ? "" : typeof cell === "string" ? neutraliseFormula(cell) : String(cell)));
}

export function incidentsToCsv(rows: readonly ExportIncidentRow[]): string {
  return Papa.unparse({ fields: [...INCIDENT_CSV_COLUMNS], data: rows.map(csvRecord) }, { newline: "\r\n", quotes: true });
}

/** Incidents without coordinates keep a null geometry (valid GeoJSON), so none is lost. */
export function incidentsToGeoJson(rows: readonly ExportIncidentRow[]): FeatureCollection<Point | null, ExportIncidentRow> {
  const features: Array<Feature<Point | null, ExportIncidentRow>> = rows.map((row) => ({
    type: "Feature",
    id: row.reference,
    geometry: row.latitude !== null && row.longitude !== null ? { type: "Point", coordinates: [row.longitude, row.latitude] } : null,
    properties: row,
  }));
  return { type: "FeatureCollection", features };
}

export function serialiseIncidents(format: IncidentExportFormat, rows: readonly ExportIncidentRow[]): string {
  return format === "csv" ? incidentsToCsv(rows) : JSON.stringify(incidentsToGeoJson(rows));
}
