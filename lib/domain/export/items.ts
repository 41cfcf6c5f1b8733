// Internal exports of evidence items: one row per item with its current notes and every file's
// custody record, serialised as CSV (spreadsheets), GeoJSON (GIS) and KML (Google Earth).
// Internal only: these carry hashes, names of collectors and unpublished coordinates.
import { toKML } from "@placemarkio/tokml";
import type { Feature, FeatureCollection, Point } from "geojson";
import Papa from "papaparse";

export const EXPORT_FORMATS = ["csv", "geojson", "kml"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportMediaRow {
  sha256: string;
  /** Decimal string: sizes can exceed 2^53 in principle and are bigints in the database. */
  sizeBytes: string;
  sniffedMime: string;
  originalFilename: string;
  captureMethod: string;
  collectedAt: string;
  collectedBy: string;
  sourceUrl: string | null;
}

export interface ExportItemRow {
  id: string;
  reference: string;
  title: string;
  status: string;
  platform: string | null;
  postUrl: string | null;
  claimedPlace: string | null;
  claimedDate: string | null;
  platformUploadedAt: string | null;
  submittedAt: string;
  submittedBy: string;
  assignee: string | null;
  province: string | null;
  district: string | null;
  tags: string[];
  sensitiveGraphic: boolean;
  sensitiveIdentifiable: boolean;
  sensitiveMinors: boolean;
  sensitivePersonalData: boolean;
  /** The current geolocation (latest not superseded or disputed), if any. */
  geolocation: { latitude: number; longitude: number; precisionM: number; method: string; status: string } | null;
  chronolocation: { earliestAt: string; latestAt: string; confidence: string } | null;
  incidentReferences: string[];
  media: ExportMediaRow[];
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  geojson: "application/geo+json; charset=utf-8",
  kml: "application/vnd.google-earth.kml+xml; charset=utf-8",
};

// Spreadsheets run a cell starting with one of these as a formula (CSV injection); a leading
// apostrophe makes them show it as text. Applied to every text cell, including hashes and URLs.
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Several values in one cell: joined with " | " so they stay readable and splittable. */
const LIST_SEPARATOR = " | ";

export const CSV_COLUMNS = [
  "id",
  "reference",
  "title",
  "status",
  "platform",
  "post_url",
  "claimed_place",
  "claimed_date",
  "platform_uploaded_at",
  "submitted_at",
  "submitted_by",
  "assignee",
  "province",
  "district",
  "tags",
  "sensitive_graphic",
  "sensitive_identifiable",
  "sensitive_minors",
  "sensitive_personal_data",
  "latitude",
  "longitude",
  "precision_m",
  "geolocation_method",
  "geolocation_status",
  "earliest_at",
  "latest_at",
  "time_confidence",
  "incidents",
  "media_sha256",
  "media_size_bytes",
  "media_mime",
  "media_original_filename",
  "media_capture_method",
  "media_collected_at",
  "media_collected_by",
  "media_source_url",
] as const;

function csvRecord(row: ExportItemRow): string[] {
  const list = (values: Array<string | null>) => values.map((v) => v ?? "").join(LIST_SEPARATOR);
  const media = (pick: (m: ExportMediaRow) => string | null) => list(row.media.map(pick));
  const cells: Array<string | number | boolean | null> = [
    row.id,
    row.reference,
    row.title,
    row.status,
    row.platform,
    row.postUrl,
    row.claimedPlace,
    row.claimedDate,
    row.platformUploadedAt,
    row.submittedAt,
    row.submittedBy,
    row.assignee,
    row.province,
    row.district,
    row.tags.join(LIST_SEPARATOR),
    row.sensitiveGraphic,
    row.sensitiveIdentifiable,
    row.sensitiveMinors,
    row.sensitivePersonalData,
    row.geolocation?.latitude ?? null,
    row.geolocation?.longitude ?? null,
    row.geolocation?.precisionM ?? null,
    row.geolocation?.method ?? null,
    row.geolocation?.status ?? null,
    row.chronolocation?.earliestAt ?? null,
    row.chronolocation?.latestAt ?? null,
    row.chronolocation?.confidence ?? null,
    row.incidentReferences.join(LIST_SEPARATOR),
    media((m) => m.sha256),
    media((m) => m.sizeBytes),
    media((m) => m.sniffedMime),
    media((m) => m.originalFilename),
    media((m) => m.captureMethod),
    media((m) => m.collectedAt),
    media((m) => m.collectedBy),
    media((m) => m.sourceUrl),
  ];
  // Numbers are written as numbers (a negative longitude is data, not a formula); text is guarded.
  return cells.map((cell) => (cell === null ? "" : typeof cell === "string" ? neutraliseFormula(cell) : String(cell)));
}

/** One line per item; a file's fields are lists in the same order across the media_* columns. */
export function itemsToCsv(rows: readonly ExportItemRow[]): string {
  return Papa.unparse({ fields: [...CSV_COLUMNS], data: rows.map(csvRecord) }, { newline: "\r\n", quotes: true });
}

type ItemProperties = Omit<ExportItemRow, "geolocation" | "chronolocation"> & {
  precisionM: number | null;
  geolocationMethod: string | null;
  geolocationStatus: string | null;
  earliestAt: string | null;
  latestAt: string | null;
  timeConfidence: string | null;
};

// Written out field by field rather than with object rest/spread: this runs for every item of
// a 10,000-row export and the explicit literal is several times faster.
function itemProperties(row: ExportItemRow): ItemProperties {
  const geolocation = row.geolocation;
  const chronolocation = row.chronolocation;
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    status: row.status,
    platform: row.platform,
    postUrl: row.postUrl,
    claimedPlace: row.claimedPlace,
    claimedDate: row.claimedDate,
    platformUploadedAt: row.platformUploadedAt,
    submittedAt: row.submittedAt,
    submittedBy: row.submittedBy,
    assignee: row.assignee,
    province: row.province,
    district: row.district,
    tags: row.tags,
    sensitiveGraphic: row.sensitiveGraphic,
    sensitiveIdentifiable: row.sensitiveIdentifiable,
    sensitiveMinors: row.sensitiveMinors,
    sensitivePersonalData: row.sensitivePersonalData,
    incidentReferences: row.incidentReferences,
    media: row.media,
    precisionM: geolocation ? geolocation.precisionM : null,
    geolocationMethod: geolocation ? geolocation.method : null,
    geolocationStatus: geolocation ? geolocation.status : null,
    earliestAt: chronolocation ? chronolocation.earliestAt : null,
    latestAt: chronolocation ? chronolocation.latestAt : null,
    timeConfidence: chronolocation ? chronolocation.confidence : null,
  };
}

function pointOf(row: ExportItemRow): Point | null {
  return row.geolocation ? { type: "Point", coordinates: [row.geolocation.longitude, row.geolocation.latitude] } : null;
}

/** A FeatureCollection; items not yet geolocated keep a null geometry (valid GeoJSON) so none is lost. */
export function itemsToGeoJson(rows: readonly ExportItemRow[]): FeatureCollection<Point | null, ItemProperties> {
  return {
    type: "FeatureCollection",
    features: rows.map((row): Feature<Point | null, ItemProperties> => ({ type: "Feature", id: row.id, geometry: pointOf(row), properties: itemProperties(row) })),
  };
}

function kmlDescription(row: ExportItemRow): string {
  const lines = [
    `${row.reference}: ${row.status}`,
    row.claimedPlace ? `Claimed place: ${row.claimedPlace}` : null,
    row.geolocation ? `Precision: ${row.geolocation.precisionM} m (${row.geolocation.status})` : "Not geolocated",
    row.chronolocation ? `Filmed between ${row.chronolocation.earliestAt} and ${row.chronolocation.latestAt} (${row.chronolocation.confidence})` : null,
    ...row.media.map((m) => `File ${m.originalFilename} SHA-256 ${m.sha256}`),
  ];
  return lines.filter((line): line is string => line !== null).join("\n");
}

/**
 * KML for Google Earth. Placemarks carry name and description; flat custody fields go to
 * ExtendedData (KML has no nested values, so lists are joined like in the CSV).
 */
export function itemsToKml(rows: readonly ExportItemRow[]): string {
  const features = rows.map((row) => {
    const flat: Record<string, string | number | boolean | null> = {
      name: `${row.reference} ${row.title}`,
      description: kmlDescription(row),
    };
    for (const [key, value] of Object.entries(itemProperties(row))) {
      if (key === "media") continue;
      flat[key] = Array.isArray(value) ? value.join(LIST_SEPARATOR) : (value as string | number | boolean | null);
    }
    for (const key of ["sha256", "sizeBytes", "sniffedMime", "originalFilename", "captureMethod", "collectedAt", "collectedBy", "sourceUrl"] as const) {
      flat[`media_${key}`] = row.media.map((m) => m[key] ?? "").join(LIST_SEPARATOR);
    }
    return { type: "Feature" as const, geometry: pointOf(row), properties: flat };
  });
  return toKML({ type: "FeatureCollection", features });
}

export function serialiseItems(format: ExportFormat, rows: readonly ExportItemRow[]): string {
  if (format === "csv") return itemsToCsv(rows);
  if (format === "geojson") return JSON.stringify(itemsToGeoJson(rows));
  return itemsToKml(rows);
}
