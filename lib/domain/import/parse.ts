// Reads an import file (bytes) into incident drafts plus a list of problems, without touching
// the database. Every problem names its row (spreadsheet row number for CSV, with the header as
// row 1; position in the events list for JSON) so a user can fix the file; a file-level problem
// has row null. A service writes nothing while any problem remains.
import Papa from "papaparse";
import { TARGET_CATEGORIES, TARGET_CATEGORY_LABELS, type TargetCategory } from "../incident-fields";
import { parseImportDate, endOfUtcDay, type DateStyle } from "./dates";
import { REQUIRED_IMPORT_FIELDS, normalizeColumnName, type ImportField, type ImportFormat, type ImportMapping } from "./mapping";

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 50_000;
const MAX_TITLE = 200;
const MAX_TEXT = 20_000;
const MAX_SHORT = 200;
const MAX_URL = 2048;
const MAX_SOURCES_PER_ROW = 50;
const MAX_TAGS_PER_ROW = 100;
const MAX_CASUALTIES = 1_000_000;

export interface ImportProblem {
  /** Row number as the user sees it in the file, or null for the whole file. */
  row: number | null;
  field: string | null;
  message: string;
}

export interface ImportSource {
  url: string;
  description: string;
}

export interface IncidentDraft {
  rowNumber: number;
  externalId: string;
  title: string;
  incidentType: string;
  startAt: Date;
  endAt: Date | null;
  latitude: number | null;
  longitude: number | null;
  precisionM: number | null;
  locationName: string | null;
  province: string | null;
  description: string;
  killedMin: number | null;
  killedMax: number | null;
  injuredMin: number | null;
  injuredMax: number | null;
  targets: TargetCategory[];
  tags: string[];
  sources: ImportSource[];
  filters: Array<{ key: string; value: string }>;
}

export interface ParsedImport {
  format: ImportFormat;
  /** Rows read from the file (not counting a CSV header). */
  rowCount: number;
  /** Rows without problems. The import goes ahead only when every row is here. */
  drafts: IncidentDraft[];
  problems: ImportProblem[];
  warnings: string[];
}

export interface ParseOptions {
  format: ImportFormat;
  mapping: ImportMapping;
  /** The project's incident types (incidentTypesOf(settings)). */
  incidentTypes: readonly string[];
}

/** Strict UTF-8 (a UTF-8 byte order mark is dropped). */
export function decodeImportBytes(bytes: Uint8Array): { ok: true; text: string } | { ok: false; message: string } {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { ok: false, message: "The file is not UTF-8 (it looks like UTF-16). Re-save it as UTF-8 (in Excel: “CSV UTF-8”) and try again." };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, message: "The file is not UTF-8 (it may be Latin-1 or Windows-1252). Re-save it as UTF-8 (in Excel: “CSV UTF-8”) and try again." };
  }
}

// --- Reading records --------------------------------------------------------------------

/** One row or event: values by normalized column name. */
interface RawRecord {
  rowNumber: number;
  values: Map<string, unknown>;
}

type Records = { records: RawRecord[]; columns: string[]; problems: ImportProblem[]; topLevelSources?: Record<string, unknown>; rowCount?: number };

function readCsv(text: string): Records {
  const result = Papa.parse<string[]>(text, { header: false, skipEmptyLines: false });
  const problems: ImportProblem[] = [];
  const rows = result.data;
  const headerIndex = rows.findIndex((r) => r.some((cell) => cell.trim() !== ""));
  if (headerIndex < 0) return { records: [], columns: [], problems: [{ row: null, field: null, message: "The file is empty." }] };
  const header = rows[headerIndex]!.map((h) => h.trim());
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (name === "") return;
    const key = normalizeColumnName(name);
    if (seen.has(key)) problems.push({ row: headerIndex + 1, field: name, message: `Column "${name}" appears twice in the header.` });
    seen.set(key, index);
  });
  for (const error of result.errors) {
    // Papa reports unbalanced quotes and the like by record index; they make the row unreliable.
    if (error.code === "UndetectableDelimiter") continue;
    problems.push({ row: error.row === undefined ? null : error.row + 1, field: null, message: `The CSV could not be read here: ${error.message}.` });
  }
  const records: RawRecord[] = [];
  for (let index = headerIndex + 1; index < rows.length; index += 1) {
    const cells = rows[index]!;
    if (cells.every((cell) => cell.trim() === "")) continue;
    const rowNumber = index + 1;
    if (cells.length > header.length && cells.slice(header.length).some((cell) => cell.trim() !== "")) {
      problems.push({ row: rowNumber, field: null, message: `The row has ${cells.length} cells but the header has ${header.length} columns.` });
    }
    const values = new Map<string, unknown>();
    header.forEach((name, column) => {
      if (name !== "") values.set(normalizeColumnName(name), cells[column] ?? "");
    });
    records.push({ rowNumber, values });
  }
  return { records, columns: header.filter((h) => h !== ""), problems };
}

function readJson(text: string): Records {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? ` (${error.message})` : "";
    return { records: [], columns: [], problems: [{ row: null, field: null, message: `The file is not valid JSON${detail}.` }] };
  }
  const container = document as { events?: unknown; sources?: unknown } | null;
  const events = Array.isArray(document) ? document : container && typeof container === "object" && Array.isArray(container.events) ? container.events : null;
  if (!events) {
    return { records: [], columns: [], problems: [{ row: null, field: null, message: 'Expected a list of events, or an object with an "events" list.' }] };
  }
  // A full TimeMap export keeps sources apart ({"sources": {"SRC1": {...}}}) and events name them by id.
  const topLevelSources =
    !Array.isArray(document) && container?.sources && typeof container.sources === "object" && !Array.isArray(container.sources)
      ? (container.sources as Record<string, unknown>)
      : undefined;
  const problems: ImportProblem[] = [];
  const records: RawRecord[] = [];
  const columns = new Set<string>();
  events.forEach((event, index) => {
    const rowNumber = index + 1;
    if (!event || typeof event !== "object" || Array.isArray(event)) {
      problems.push({ row: rowNumber, field: null, message: "This event is not an object." });
      return;
    }
    const values = new Map<string, unknown>();
    for (const [key, value] of Object.entries(event as Record<string, unknown>)) {
      columns.add(key);
      values.set(normalizeColumnName(key), value);
    }
    records.push({ rowNumber, values });
  });
  return { records, columns: [...columns], problems, topLevelSources, rowCount: events.length };
}

// --- Reading values ---------------------------------------------------------------------

class RowReader {
  readonly problems: ImportProblem[] = [];
  constructor(
    private readonly record: RawRecord,
    private readonly keys: Partial<Record<ImportField, string>>,
  ) {}

  raw(field: ImportField): unknown {
    const key = this.keys[field];
    return key === undefined ? undefined : this.record.values.get(key);
  }

  problem(field: ImportField | null, message: string) {
    this.problems.push({ row: this.record.rowNumber, field, message });
  }

  /** Text or null when blank. Numbers are accepted as text (JSON ids are often numbers). */
  text(field: ImportField, max = MAX_SHORT): string | null {
    const value = this.raw(field);
    if (value === undefined || value === null) return null;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value !== "string") {
      this.problem(field, `${field} must be text, not ${describe(value)}.`);
      return null;
    }
    const trimmed = value.trim();
    if (trimmed === "") return null;
    if (trimmed.length > max) {
      this.problem(field, `${field} is longer than ${max} characters.`);
      return null;
    }
    return trimmed;
  }

  number(field: ImportField): number | null {
    const value = this.raw(field);
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return null;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value.trim())) return Number(value.trim());
    this.problem(field, `${field} must be a number, not ${describe(value)}.`);
    return null;
  }

  count(field: ImportField): number | null {
    const value = this.number(field);
    if (value === null) return null;
    if (!Number.isInteger(value) || value < 0 || value > MAX_CASUALTIES) {
      this.problem(field, `${field} must be a whole number from 0 to ${MAX_CASUALTIES}, not ${value}.`);
      return null;
    }
    return value;
  }

  /** A list given as a JSON array of strings or as text separated by "|" or ";". */
  list(field: ImportField): string[] {
    const value = this.raw(field);
    if (value === undefined || value === null) return [];
    let parts: unknown[];
    if (Array.isArray(value)) parts = value;
    else if (typeof value === "string") parts = value.split(/[|;]/);
    else {
      this.problem(field, `${field} must be a list or text, not ${describe(value)}.`);
      return [];
    }
    const out: string[] = [];
    for (const part of parts) {
      if (typeof part !== "string") {
        this.problem(field, `${field} entries must be text, not ${describe(part)}.`);
        continue;
      }
      const trimmed = part.trim();
      if (trimmed !== "") out.push(trimmed);
    }
    return out;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

function httpUrl(text: string): boolean {
  if (text.length > MAX_URL || /\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

const TYPE_FILTER_KEYS = new Set(["type", "type_of_incident", "incident_type", "type_of_attack", "attack_type", "category"]);

const TARGET_BY_NAME = new Map<string, TargetCategory>(
  TARGET_CATEGORIES.flatMap((category) => [
    [category.toLowerCase(), category],
    [TARGET_CATEGORY_LABELS[category].toLowerCase(), category],
  ]),
);

// --- Sources and filters ----------------------------------------------------------------

function readSources(reader: RowReader, format: ImportFormat, topLevelSources: Record<string, unknown> | undefined): ImportSource[] {
  const value = reader.raw("sources");
  const sharedDescription = reader.text("source_description", MAX_TEXT) ?? "";
  const out: ImportSource[] = [];
  const add = (url: unknown, description: string) => {
    if (typeof url !== "string" || url.trim() === "") {
      reader.problem("sources", `A source URL must be text, not ${describe(url)}.`);
      return;
    }
    const trimmed = url.trim();
    if (!httpUrl(trimmed)) {
      reader.problem("sources", `"${trimmed.slice(0, 80)}" is not a valid http(s) URL.`);
      return;
    }
    if (!out.some((s) => s.url === trimmed)) out.push({ url: trimmed, description: description.slice(0, MAX_TEXT) });
  };
  const fromObject = (source: Record<string, unknown>) => {
    const description = typeof source.description === "string" ? source.description.trim() : "";
    const paths = source.paths ?? source.path ?? source.url ?? source.urls;
    if (Array.isArray(paths)) for (const p of paths) add(p, description);
    else if (paths === undefined || paths === null || paths === "") reader.problem("sources", "A source has no path or URL.");
    else add(paths, description);
  };

  if (value === undefined || value === null || value === "") return out;
  if (format === "csv" || typeof value === "string") {
    if (typeof value !== "string") reader.problem("sources", `sources must be text, not ${describe(value)}.`);
    else for (const url of value.split(/[\s|]+/)) if (url !== "") add(url, sharedDescription);
  } else if (Array.isArray(value)) {
    for (const source of value) {
      if (source && typeof source === "object" && !Array.isArray(source)) fromObject(source as Record<string, unknown>);
      else if (typeof source === "string" && httpUrl(source.trim())) add(source, sharedDescription);
      else if (typeof source === "string" && topLevelSources && Object.hasOwn(topLevelSources, source)) {
        const referenced = topLevelSources[source];
        if (referenced && typeof referenced === "object" && !Array.isArray(referenced)) fromObject(referenced as Record<string, unknown>);
        else reader.problem("sources", `Source "${source}" in the sources list is not an object.`);
      } else if (typeof source === "string") {
        reader.problem("sources", `Source "${source.slice(0, 80)}" is neither a URL nor an id in the file's "sources" list.`);
      } else reader.problem("sources", `A source must be an object or a URL, not ${describe(source)}.`);
    }
  } else reader.problem("sources", `sources must be a list, not ${describe(value)}.`);

  if (out.length > MAX_SOURCES_PER_ROW) {
    reader.problem("sources", `A row may have at most ${MAX_SOURCES_PER_ROW} source URLs (this one has ${out.length}).`);
    return [];
  }
  return out;
}

function readFilters(reader: RowReader): Array<{ key: string; value: string }> {
  const value = reader.raw("filters");
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    reader.problem("filters", `filters must be a list of {key, value}, not ${describe(value)}.`);
    return [];
  }
  const out: Array<{ key: string; value: string }> = [];
  for (const filter of value) {
    const f = filter as { key?: unknown; value?: unknown } | null;
    const filterValue = typeof f?.value === "number" ? String(f.value) : f?.value;
    if (!f || typeof f !== "object" || typeof f.key !== "string" || typeof filterValue !== "string") {
      reader.problem("filters", `A filter must be {"key": text, "value": text}, not ${describe(filter)}.`);
      continue;
    }
    if (f.key.trim() !== "" && filterValue.trim() !== "") out.push({ key: f.key.trim(), value: filterValue.trim() });
  }
  return out;
}

// --- One row ----------------------------------------------------------------------------

function firstLine(text: string, max: number): string {
  const line = text.split(/\r?\n/)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

function readRow(
  reader: RowReader,
  options: ParseOptions,
  topLevelSources: Record<string, unknown> | undefined,
): { draft: Omit<IncidentDraft, "rowNumber">; dateStyle: DateStyle | null } {
  const { mapping, incidentTypes, format } = options;
  const externalId = reader.text("id", MAX_SHORT);
  const dateText = reader.text("date", 64);
  const timeText = reader.text("time", 32);
  const endText = reader.text("end_date", 64);

  let startAt: Date | null = null;
  let endAt: Date | null = null;
  let dateStyle: DateStyle | null = null;
  if (dateText) {
    const parsed = parseImportDate(dateText, mapping.dateFormat, timeText ?? undefined);
    if (parsed.ok) {
      startAt = parsed.date;
      dateStyle = parsed.style;
      // A bare date means "some time that day".
      endAt = parsed.hasTime ? null : endOfUtcDay(parsed.date);
    } else reader.problem("date", parsed.error);
  } else if (reader.problems.every((p) => p.field !== "date")) {
    reader.problem("date", "The date is missing.");
  }
  if (endText) {
    const parsed = parseImportDate(endText, mapping.dateFormat);
    if (!parsed.ok) reader.problem("end_date", parsed.error);
    else {
      endAt = parsed.hasTime ? parsed.date : endOfUtcDay(parsed.date);
      if (dateStyle && parsed.style !== dateStyle) reader.problem("end_date", "The end date is written in a different format from the date.");
      if (startAt && endAt < startAt) reader.problem("end_date", "The end date is before the date.");
    }
  }
  if (!externalId && reader.problems.every((p) => p.field !== "id")) reader.problem("id", "The id is missing; every row needs an id so re-imports can be recognised.");

  const latitude = reader.number("latitude");
  const longitude = reader.number("longitude");
  if (latitude !== null && (latitude < -90 || latitude > 90)) reader.problem("latitude", `Latitude ${latitude} is outside -90 to 90.`);
  if (longitude !== null && (longitude < -180 || longitude > 180)) reader.problem("longitude", `Longitude ${longitude} is outside -180 to 180.`);
  if ((latitude === null) !== (longitude === null) && reader.problems.every((p) => p.field !== "latitude" && p.field !== "longitude")) {
    reader.problem(latitude === null ? "latitude" : "longitude", "Give both latitude and longitude, or neither.");
  }
  if (latitude === 0 && longitude === 0) reader.problem("latitude", "0, 0 is almost always a missing location; leave both empty instead.");
  const precision = reader.number("precision");
  if (precision !== null && (!Number.isInteger(precision) || precision < 1 || precision > 100_000)) {
    reader.problem("precision", "Precision must be a whole number of metres from 1 to 100000.");
  }

  const description = reader.text("description", MAX_TEXT) ?? "";
  const locationName = reader.text("location", MAX_SHORT);
  const titleText = reader.text("title", MAX_TITLE);
  const title = titleText ?? (description ? firstLine(description, 120) : locationName && dateText ? `${locationName}, ${dateText}` : null);
  if (!title) reader.problem("title", "The row has no title, description or location to name the incident by.");

  const filters = readFilters(reader);
  const tags = reader.list("tags");
  for (const filter of filters) tags.push(`${filter.key}: ${filter.value}`);

  const typeByName = new Map(incidentTypes.map((t) => [t.toLowerCase(), t]));
  let incidentType: string | null = null;
  const typeText = reader.text("type", MAX_SHORT);
  if (typeText) {
    incidentType = typeByName.get(typeText.toLowerCase()) ?? null;
    if (!incidentType) reader.problem("type", `"${typeText}" is not an incident type of this project (${incidentTypes.join(", ")}).`);
  } else {
    const typeFilter = filters.find((f) => TYPE_FILTER_KEYS.has(normalizeColumnName(f.key)) && typeByName.has(f.value.toLowerCase()));
    incidentType = typeFilter ? typeByName.get(typeFilter.value.toLowerCase())! : (typeByName.get("other") ?? null);
    if (!incidentType) reader.problem("type", 'No incident type given and this project has no "Other" type to fall back on.');
  }

  const targets: TargetCategory[] = [];
  for (const name of reader.list("targets")) {
    const target = TARGET_BY_NAME.get(name.toLowerCase());
    if (!target) reader.problem("targets", `"${name}" is not a target category (${TARGET_CATEGORIES.join(", ")}).`);
    else if (!targets.includes(target)) targets.push(target);
  }

  const killedMin = reader.count("killed_min");
  const killedMax = reader.count("killed_max");
  const injuredMin = reader.count("injured_min");
  const injuredMax = reader.count("injured_max");
  if (killedMin !== null && killedMax !== null && killedMin > killedMax) reader.problem("killed_max", "killed_max is less than killed_min.");
  if (injuredMin !== null && injuredMax !== null && injuredMin > injuredMax) reader.problem("injured_max", "injured_max is less than injured_min.");

  const uniqueTags = [...new Set(tags.map((t) => t.slice(0, MAX_SHORT)))];
  if (uniqueTags.length > MAX_TAGS_PER_ROW) reader.problem("tags", `A row may have at most ${MAX_TAGS_PER_ROW} tags.`);

  return {
    dateStyle,
    draft: {
      externalId: externalId ?? "",
      title: title ?? "",
      incidentType: incidentType ?? "",
      startAt: startAt ?? new Date(0),
      endAt,
      latitude,
      longitude,
      precisionM: precision,
      locationName,
      province: reader.text("province", MAX_SHORT),
      description,
      killedMin,
      killedMax,
      injuredMin,
      injuredMax,
      targets,
      tags: uniqueTags,
      sources: readSources(reader, format, topLevelSources),
      filters,
    },
  };
}

// --- The whole file ---------------------------------------------------------------------

export function parseImportFile(bytes: Uint8Array, options: ParseOptions): ParsedImport {
  const fail = (message: string): ParsedImport => ({ format: options.format, rowCount: 0, drafts: [], problems: [{ row: null, field: null, message }], warnings: [] });
  if (bytes.length > MAX_IMPORT_BYTES) return fail(`The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB; split it into smaller files.`);
  const decoded = decodeImportBytes(bytes);
  if (!decoded.ok) return fail(decoded.message);
  if (decoded.text.trim() === "") return fail("The file is empty.");

  const read = options.format === "csv" ? readCsv(decoded.text) : readJson(decoded.text);
  const problems = [...read.problems];
  const warnings: string[] = [];
  const rowCount = read.rowCount ?? read.records.length;
  if (rowCount > MAX_IMPORT_ROWS) return fail(`The file has ${rowCount} rows; at most ${MAX_IMPORT_ROWS} can be imported at once.`);
  if (rowCount === 0 && problems.length === 0) problems.push({ row: null, field: null, message: "The file has no rows to import." });

  // Which actual column feeds each field: the first alias present in the file.
  const present = new Set(read.columns.map(normalizeColumnName));
  const keys: Partial<Record<ImportField, string>> = {};
  for (const [field, aliases] of Object.entries(options.mapping.columns) as Array<[ImportField, string[]]>) {
    const hit = aliases.map(normalizeColumnName).find((alias) => present.has(alias));
    if (hit) keys[field] = hit;
  }
  if (read.records.length > 0) {
    for (const field of REQUIRED_IMPORT_FIELDS) {
      if (!keys[field]) {
        const expected = options.mapping.columns[field]?.join('", "') ?? "";
        problems.push({ row: null, field, message: `No column for ${field}${expected ? ` (looked for "${expected}")` : ""}; add one or map it.` });
      }
    }
  }
  const used = new Set(Object.values(keys));
  const unknown = read.columns.filter((column) => !used.has(normalizeColumnName(column)));
  if (unknown.length > 0) {
    const message = `Columns not mapped to any field: ${unknown.join(", ")}.`;
    if (options.mapping.unknownColumns === "error") problems.push({ row: null, field: null, message: `${message} Map them or set "unknownColumns": "warn".` });
    else warnings.push(`${message} They were ignored.`);
  }
  if (problems.some((p) => p.row === null)) return { format: options.format, rowCount, drafts: [], problems, warnings };

  const rows = read.records.map((record) => {
    const reader = new RowReader(record, keys);
    const { draft, dateStyle } = readRow(reader, options, read.topLevelSources);
    return { rowNumber: record.rowNumber, draft, dateStyle, problems: reader.problems };
  });

  // Mixed date formats: the style most rows use is the file's; the others are flagged.
  const styleCounts = new Map<DateStyle, number>();
  for (const row of rows) if (row.dateStyle) styleCounts.set(row.dateStyle, (styleCounts.get(row.dateStyle) ?? 0) + 1);
  if (styleCounts.size > 1) {
    const fileStyle = [...styleCounts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const label = (style: DateStyle) => (style === "iso" ? "YYYY-MM-DD" : options.mapping.dateFormat);
    for (const row of rows) {
      if (row.dateStyle && row.dateStyle !== fileStyle) {
        row.problems.push({ row: row.rowNumber, field: "date", message: `Dates are mixed: this row uses ${label(row.dateStyle)}, most rows use ${label(fileStyle)}. Use one format.` });
      }
    }
  }

  const firstRowById = new Map<string, number>();
  for (const row of rows) {
    if (!row.draft.externalId) continue;
    const first = firstRowById.get(row.draft.externalId);
    if (first === undefined) firstRowById.set(row.draft.externalId, row.rowNumber);
    else row.problems.push({ row: row.rowNumber, field: "id", message: `The id "${row.draft.externalId}" is also used on row ${first}.` });
  }

  const drafts: IncidentDraft[] = [];
  for (const row of rows) {
    if (row.problems.length > 0) problems.push(...row.problems);
    else drafts.push({ rowNumber: row.rowNumber, ...row.draft });
  }
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return { format: options.format, rowCount, drafts, problems, warnings };
}
