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
  "killed",
  "killed_min",
  "killed_max",
  "injured_min",
  "injured_max",
  "targets",
  "tags",
  "sources",
  "source_description",
  "source_notes",
  "filters",
  "time_precision",
  "geo_precision",
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

/** Precision code tables the mapping's time_precision / geo_precision columns use. */
export const PRECISION_CODES = ["acled", "ucdp"] as const;
export type PrecisionCodes = (typeof PRECISION_CODES)[number];

export interface ImportMapping {
  /** The shipped mapping this one starts from (absent: the format's default). */
  preset?: MappingPresetId;
  dateFormat: DateFormat;
  /** How time_precision and geo_precision codes are read; without it those fields are ignored. */
  precisionCodes?: PrecisionCodes;
  /** "warn": unmapped columns are listed and ignored; "error": the file is refused. */
  unknownColumns: "warn" | "error";
  /**
   * For each field, the column names (or JSON keys) that feed it. Single-value fields take the
   * first one present; sources, source_notes, tags, targets and description take every one
   * present. A trailing "*" matches any ending ("source_*" matches source_1, source_2...).
   */
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
    sources: ["source_urls", "source_url", "sources", "source", "urls", "url", "link", "links"],
    source_description: ["source_description"],
  },
};

export const DEFAULT_MAPPINGS: Record<ImportFormat, ImportMapping> = { "timemap-json": TIMEMAP_DEFAULT, csv: CSV_DEFAULT };

/**
 * Shipped mappings for published dataset shapes. Each replaces the format's default entirely
 * (fields it does not name are not read).
 */
export const MAPPING_PRESETS = {
  "timemap-sheet": {
    label: "TimeMap sheet (Bellingcat civilian-harm CSV: link, geolocation, source_1..n)",
    format: "csv",
    mapping: {
      dateFormat: "MM/DD/YYYY",
      unknownColumns: "warn",
      columns: {
        id: ["id"],
        title: ["title"],
        date: ["date"],
        time: ["time"],
        latitude: ["latitude", "lat"],
        longitude: ["longitude", "lon", "long"],
        location: ["location"],
        province: ["province", "oblast"],
        description: ["description"],
        tags: ["type_of_area_affected", "type_of_impact", "weapon_system", "filters"],
        sources: ["link", "geolocation", "source_*", "sources"],
      },
    },
  },
  acled: {
    label: "ACLED export (event_id_cnty, event_date, time_precision, geo_precision...)",
    format: "csv",
    mapping: {
      dateFormat: "ISO",
      unknownColumns: "warn",
      precisionCodes: "acled",
      columns: {
        id: ["event_id_cnty"],
        date: ["event_date"],
        time_precision: ["time_precision"],
        latitude: ["latitude"],
        longitude: ["longitude"],
        geo_precision: ["geo_precision"],
        location: ["location"],
        province: ["admin1"],
        description: ["notes"],
        killed: ["fatalities"],
        tags: ["disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "admin2"],
        source_notes: ["source"],
      },
    },
  },
  "ucdp-ged": {
    label: "UCDP GED export (id, date_start, date_end, where_prec, best, low, high...)",
    format: "csv",
    mapping: {
      dateFormat: "ISO",
      unknownColumns: "warn",
      precisionCodes: "ucdp",
      columns: {
        id: ["id"],
        date: ["date_start"],
        end_date: ["date_end"],
        latitude: ["latitude"],
        longitude: ["longitude"],
        geo_precision: ["where_prec"],
        location: ["where_coordinates"],
        province: ["adm_1"],
        description: ["where_description"],
        killed_min: ["low"],
        killed_max: ["high"],
        tags: ["side_a", "side_b", "dyad_name", "best"],
        source_notes: ["source_article", "source_headline"],
      },
    },
  },
} as const satisfies Record<string, { label: string; format: ImportFormat; mapping: ImportMapping }>;
export type MappingPresetId = keyof typeof MAPPING_PRESETS;
export const MAPPING_PRESET_IDS = Object.keys(MAPPING_PRESETS) as MappingPresetId[];

function presetMapping(id: MappingPresetId): ImportMapping {
  const { mapping } = MAPPING_PRESETS[id];
  return { ...mapping, preset: id, columns: Object.fromEntries(Object.entries(mapping.columns).map(([f, c]) => [f, [...c]])) } as ImportMapping;
}

/** Whether a mapping's column name matches a (normalized) column of the file; "source_*" matches source_1. */
export function columnMatches(alias: string, normalizedColumn: string): boolean {
  const key = normalizeColumnName(alias);
  if (key.endsWith("*")) return normalizedColumn.startsWith(key.slice(0, -1)) && normalizedColumn.length > key.length - 1;
  return key === normalizedColumn;
}

/** Header and key comparison ignores case, surrounding space and space/hyphen/underscore differences. */
export function normalizeColumnName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, "_");
}

const columnNameSchema = z.string().trim().min(1, "Use a non-empty column name").max(200);

export const mappingOverrideSchema = z
  .object({
    preset: z.enum(MAPPING_PRESET_IDS as [MappingPresetId, ...MappingPresetId[]]).optional(),
    dateFormat: z.enum(DATE_FORMATS).optional(),
    precisionCodes: z.enum(PRECISION_CODES).nullable().optional(),
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
  let base = DEFAULT_MAPPINGS[format];
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
  if (parsed.data.preset) {
    if (MAPPING_PRESETS[parsed.data.preset].format !== format) {
      return { ok: false, errors: { "mapping.preset": [`The "${parsed.data.preset}" mapping is for ${IMPORT_FORMAT_LABELS[MAPPING_PRESETS[parsed.data.preset].format]} files.`] } };
    }
    base = presetMapping(parsed.data.preset);
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
    mapping: {
      ...(base.preset ? { preset: base.preset } : {}),
      dateFormat: parsed.data.dateFormat ?? base.dateFormat,
      unknownColumns: parsed.data.unknownColumns ?? base.unknownColumns,
      ...((parsed.data.precisionCodes === undefined ? base.precisionCodes : parsed.data.precisionCodes) ? { precisionCodes: (parsed.data.precisionCodes ?? base.precisionCodes)! } : {}),
      columns,
    },
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
