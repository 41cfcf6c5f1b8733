// Column mappings for importing incidents: which column (CSV header) or key (JSON event) feeds
// which incident field. Each format has a documented default (docs/import.md); a user can
// override it with a JSON object of the same shape, and only the fields they name change.
import { z } from "zod";

export const IMPORT_FORMATS = ["timemap-json", "csv"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const IMPORT_FORMAT_LABELS: Record<ImportFormat, string> = {
  "timemap-json": "TimeMap-style JSON",
  csv: "CSV spreadsheet",
};

export const IMPORT_FIELDS = [
  "id",
  "title",
  "date",
  "time",
  "end_date",
  "latitude",
  "longitude",
  "precision",
  "location",
  "province",
  "type",
  "description",
  "killed_min",
  "killed_max",
  "injured_min",
  "injured_max",
  "targets",
  "tags",
  "sources",
  "source_description",
  "filters",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Without these a row cannot become an incident. */
export const REQUIRED_IMPORT_FIELDS: readonly ImportField[] = ["id", "date"];

/**
 * How slash dates are read. ISO 8601 (YYYY-MM-DD, optional time) is always accepted; a slash
 * date is read only in the order the mapping names, so 03/04/2022 is never guessed at.
 */
export const DATE_FORMATS = ["ISO", "MM/DD/YYYY", "DD/MM/YYYY"] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export interface ImportMapping {
  dateFormat: DateFormat;
  /** "warn": unmapped columns are listed and ignored; "error": the file is refused. */
  unknownColumns: "warn" | "error";
  /** For each field, the column names (or JSON keys) that feed it, first match wins. */
  columns: Partial<Record<ImportField, string[]>>;
}

const TIMEMAP_DEFAULT: ImportMapping = {
  // TimeMap exports write US-style dates (02/24/2022).
  dateFormat: "MM/DD/YYYY",
  // TimeMap events carry keys this import has no use for (time_precision, associations...).
  unknownColumns: "warn",
  columns: {
    id: ["id"],
    title: ["title"],
    date: ["date"],
    time: ["time"],
    end_date: ["end_date"],
    latitude: ["latitude"],
    longitude: ["longitude"],
    location: ["location"],
    province: ["province"],
    description: ["description"],
    sources: ["sources"],
    filters: ["filters"],
  },
};

const CSV_DEFAULT: ImportMapping = {
  dateFormat: "ISO",
  // Spreadsheet headers are typed by people: a misspelt "lattitude" must not silently drop a field.
  unknownColumns: "error",
  columns: {
    id: ["id", "event_id", "external_id"],
    title: ["title", "name"],
    date: ["date", "start_date", "start"],
    time: ["time"],
    end_date: ["end_date", "end"],
    latitude: ["latitude", "lat"],
    longitude: ["longitude", "lon", "lng", "long"],
    precision: ["precision_m", "precision"],
    location: ["location", "location_name", "place"],
    province: ["province", "admin1", "region"],
    type: ["type", "incident_type", "category"],
    description: ["description", "summary"],
    killed_min: ["killed_min"],
    killed_max: ["killed_max"],
    injured_min: ["injured_min"],
    injured_max: ["injured_max"],
    targets: ["targets", "target"],
    tags: ["tags"],
    sources: ["source_urls", "source_url", "sources", "source", "urls", "url"],
    source_description: ["source_description"],
  },
};

export const DEFAULT_MAPPINGS: Record<ImportFormat, ImportMapping> = { "timemap-json": TIMEMAP_DEFAULT, csv: CSV_DEFAULT };

/** Header and key comparison ignores case, surrounding space and space/hyphen/underscore differences. */
export function normalizeColumnName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, "_");
}

const columnNameSchema = z.string().trim().min(1, "Use a non-empty column name").max(200);

export const mappingOverrideSchema = z
  .object({
    dateFormat: z.enum(DATE_FORMATS).optional(),
    unknownColumns: z.enum(["warn", "error"]).optional(),
    columns: z
      .partialRecord(
        z.enum(IMPORT_FIELDS, { message: `Known fields are: ${IMPORT_FIELDS.join(", ")}` }),
        // null (or []) switches a field off; a string or a list of alternatives switches it on.
        z.union([columnNameSchema, z.array(columnNameSchema).max(20), z.null()]),
      )
      .optional(),
  })
  .strict();

export type MappingResult = { ok: true; mapping: ImportMapping } | { ok: false; errors: Record<string, string[]> };

/**
 * The default mapping of a format with a user's override applied. The override may be an
 * object or its JSON text; an empty text means "use the default".
 */
export function resolveMapping(format: ImportFormat, override: unknown): MappingResult {
  const base = DEFAULT_MAPPINGS[format];
  let value = override;
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return { ok: true, mapping: base };
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, errors: { mapping: ["The mapping is not valid JSON."] } };
    }
  }
  const parsed = mappingOverrideSchema.safeParse(value);
  if (!parsed.success) {
    const errors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const key = ["mapping", ...issue.path.map(String)].join(".");
      (errors[key] ??= []).push(issue.message);
    }
    return { ok: false, errors };
  }
  const columns: Partial<Record<ImportField, string[]>> = { ...base.columns };
  for (const [field, names] of Object.entries(parsed.data.columns ?? {}) as Array<[ImportField, string | string[] | null]>) {
    const list = names === null ? [] : Array.isArray(names) ? names : [names];
    if (list.length === 0) delete columns[field];
    else columns[field] = list;
  }
  const claimed = new Map<string, ImportField>();
  for (const [field, names] of Object.entries(columns) as Array<[ImportField, string[]]>) {
    for (const name of names) {
      const key = normalizeColumnName(name);
      const other = claimed.get(key);
      if (other && other !== field) return { ok: false, errors: { [`mapping.columns.${field}`]: [`"${name}" is already mapped to ${other}.`] } };
      claimed.set(key, field);
    }
  }
  return {
    ok: true,
    mapping: { dateFormat: parsed.data.dateFormat ?? base.dateFormat, unknownColumns: parsed.data.unknownColumns ?? base.unknownColumns, columns },
  };
}

/** The mapping as the editable JSON shown in the import form. */
export function mappingToJson(mapping: ImportMapping): string {
  return JSON.stringify(mapping, null, 2);
}

/** Picks a format from the file name, then from the first non-blank character. */
export function detectImportFormat(filename: string, head: string): ImportFormat {
  const lower = filename.toLowerCase();
  if (lower.endsWith(".json") || lower.endsWith(".geojson")) return "timemap-json";
  if (lower.endsWith(".csv") || lower.endsWith(".tsv") || lower.endsWith(".txt")) return "csv";
  const first = head.replace(/^\uFEFF/, "").trimStart()[0];
  return first === "[" || first === "{" ? "timemap-json" : "csv";
}
