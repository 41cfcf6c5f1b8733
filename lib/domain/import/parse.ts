// Reads an import file (bytes) into incident drafts plus two kinds of findings, without touching
// the database. Every finding names its row (spreadsheet row number for CSV, with the header as
// row 1; position in the events list for JSON) so a user can fix the file; a file-level problem
// has row null.
// - ROW ERRORS (`problems`): the row cannot become an incident (no id, latitude without
//   longitude, ...). Such a row is never written; the person importing chooses between "import
//   the other rows and give me the rest as a file" and "nothing until clean".
// - CELL WARNINGS (`cellWarnings`): one cell's value was dropped or repaired and the row still
//   imports (placeholder text in a link column kept as a note, an over-long title cut, a
//   missing date stored as unknown). One warning per cell, never per word.
import Papa from "papaparse";
import { TARGET_CATEGORIES, TARGET_CATEGORY_LABELS, type TargetCategory } from "../incident-fields";
import { parseImportDate, endOfUtcDay, type DateStyle } from "./dates";
import { REQUIRED_IMPORT_FIELDS, columnMatches, normalizeColumnName, type ImportField, type ImportFormat, type ImportMapping } from "./mapping";

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
  /** null: the date is unknown (never the import day or 1970). */
  startAt: Date | null;
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
  /** Rows without row errors (they may have cell warnings). */
  drafts: IncidentDraft[];
  /** Row errors and file-level problems. */
  problems: ImportProblem[];
  /** Cell warnings: the value was dropped or repaired, the row still imports. */
  cellWarnings: ImportProblem[];
  /** File-level warnings (unmapped columns ignored, ...). */
  warnings: string[];
  /** The rows with row errors as the file had them, for the "rest of the file" download. */
  rejected: RejectedRows;
  /** For each mapped field, the file's columns that feed it. */
  fieldColumns: Partial<Record<ImportField, string[]>>;
}

export interface RejectedRows {
  /** CSV: the file's header; JSON: null (each row is the event as JSON). */
  header: string[] | null;
  rows: Array<{ rowNumber: number; cells: string[] | null; event: unknown; errors: string[] }>;
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
  /** The row as read: CSV cells, or the JSON event. */
  original: string[] | unknown;
}

type Records = { records: RawRecord[]; columns: string[]; problems: ImportProblem[]; topLevelSources?: Record<string, unknown>; rowCount?: number; header?: string[]; headerRow?: number };

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
    records.push({ rowNumber, values, original: cells });
  }
  return { records, columns: header.filter((h) => h !== ""), problems, header, headerRow: headerIndex + 1 };
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
    records.push({ rowNumber, values, original: event });
  });
  return { records, columns: [...columns], problems, topLevelSources, rowCount: events.length };
}

// --- Reading values ---------------------------------------------------------------------

class RowReader {
  readonly problems: ImportProblem[] = [];
  readonly warnings: ImportProblem[] = [];
  /** Labelled text kept on the incident's description (source notes, a cut title's full text). */
  readonly notes: string[] = [];
  constructor(
    private readonly record: RawRecord,
    /** For each field, the normalized names of the file's columns that feed it, in mapping order. */
    private readonly keys: Partial<Record<ImportField, string[]>>,
    /** Normalized column name -> the name as the file spells it. */
    private readonly labels: Map<string, string>,
  ) {}

  /** The value of the first column feeding the field. */
  raw(field: ImportField): unknown {
    const key = this.keys[field]?.[0];
    return key === undefined ? undefined : this.record.values.get(key);
  }

  /** The values of every column feeding the field, blank ones left out. */
  rawAll(field: ImportField): Array<{ column: string; value: unknown }> {
    return (this.keys[field] ?? [])
      .map((key) => ({ column: this.labels.get(key) ?? key, value: this.record.values.get(key) }))
      .filter(({ value }) => value !== undefined && value !== null && !(typeof value === "string" && value.trim() === ""));
  }

  columnCount(field: ImportField): number {
    return this.keys[field]?.length ?? 0;
  }

  problem(field: ImportField | null, message: string) {
    this.problems.push({ row: this.record.rowNumber, field, message });
  }

  warn(field: ImportField | null, message: string) {
    this.warnings.push({ row: this.record.rowNumber, field, message });
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
    const columns = this.rawAll(field);
    // Several columns feeding one list field (ACLED's actor1, actor2...): each value is labelled
    // with its column, "actor1: Military Forces of X".
    if (columns.length > 1 || (columns.length === 1 && this.columnCount(field) > 1)) {
      return columns.flatMap(({ column, value }) => this.listOf(field, value).map((v) => `${column}: ${v}`));
    }
    return this.listOf(field, this.raw(field));
  }

  private listOf(field: ImportField, value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (typeof value === "number" && Number.isFinite(value)) return [String(value)];
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

const URL_IN_TEXT = /https?:\/\/[^\s|<>"'\])]+/gi;

/** A note kept on the incident for text that was in a source column but is not a link. */
function sourceNote(column: string, text: string): string {
  return `Source note (column "${column}", not a link): ${text}`;
}

function readSources(reader: RowReader, format: ImportFormat, topLevelSources: Record<string, unknown> | undefined): ImportSource[] {
  const sharedDescription = reader.text("source_description", MAX_TEXT) ?? "";
  const out: ImportSource[] = [];
  const add = (url: string, description: string) => {
    if (!out.some((s) => s.url === url)) out.push({ url, description: description.slice(0, MAX_TEXT) });
  };
  const short = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);
  /**
   * One cell (or one JSON entry) of text: links separated by spaces or "|" are sources; anything
   * else (HIDDEN, "Access can be requested...", "https://t.me/c/1/2 part 2") is kept whole as a
   * labelled note on the incident, its URLs still imported as sources, with ONE warning.
   */
  const addText = (field: ImportField, column: string, text: string, description: string) => {
    const trimmed = text.trim();
    if (trimmed === "") return;
    const tokens = trimmed.split(/[\s|]+/).filter((t) => t !== "");
    if (tokens.every(httpUrl)) {
      for (const url of tokens) add(url, description);
      return;
    }
    const urls = [...trimmed.matchAll(URL_IN_TEXT)].map((m) => m[0].replace(/[.,;:]+$/, "")).filter(httpUrl);
    for (const url of urls) add(url, description);
    reader.notes.push(sourceNote(column, trimmed.slice(0, MAX_TEXT)));
    reader.warn(
      field,
      urls.length > 0
        ? `"${short(trimmed)}" in ${column} is not only a link: its ${urls.length === 1 ? "URL was" : `${urls.length} URLs were`} imported as a source and the full text kept as a note on the incident.`
        : `"${short(trimmed)}" in ${column} is not a link; it was kept as a text note on the incident, not as a source.`,
    );
  };

  // Free text in a "notes about the sources" column (ACLED's source): kept as a note, URLs extracted, no warning.
  for (const { column, value } of reader.rawAll("source_notes")) {
    const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
    if (text === "") continue;
    for (const m of text.matchAll(URL_IN_TEXT)) {
      const url = m[0].replace(/[.,;:]+$/, "");
      if (httpUrl(url)) add(url, sharedDescription);
    }
    reader.notes.push(`Sources (column "${column}"): ${text.slice(0, MAX_TEXT)}`);
  }

  const fromObject = (column: string, source: Record<string, unknown>) => {
    const description = typeof source.description === "string" ? source.description.trim() : "";
    const paths = source.paths ?? source.path ?? source.url ?? source.urls;
    const list = Array.isArray(paths) ? paths : paths === undefined || paths === null || paths === "" ? [] : [paths];
    if (list.length === 0) {
      reader.warn("sources", `A source${description ? ` ("${short(description)}")` : ""} in ${column} has no path or URL; it was left out.`);
      return;
    }
    for (const p of list) {
      if (typeof p === "string") addText("sources", column, p, description);
      else reader.problem("sources", `A source URL must be text, not ${describe(p)}.`);
    }
  };

  for (const { column, value } of reader.rawAll("sources")) {
    if (format === "csv" || typeof value === "string") {
      if (typeof value !== "string") reader.problem("sources", `sources must be text, not ${describe(value)}.`);
      else addText("sources", column, value, sharedDescription);
    } else if (Array.isArray(value)) {
      for (const source of value) {
        if (source && typeof source === "object" && !Array.isArray(source)) fromObject(column, source as Record<string, unknown>);
        else if (typeof source === "string" && topLevelSources && Object.hasOwn(topLevelSources, source)) {
          const referenced = topLevelSources[source];
          if (referenced && typeof referenced === "object" && !Array.isArray(referenced)) fromObject(column, referenced as Record<string, unknown>);
          else reader.problem("sources", `Source "${source}" in the sources list is not an object.`);
        } else if (typeof source === "string") addText("sources", column, source, sharedDescription);
        else reader.problem("sources", `A source must be an object or a URL, not ${describe(source)}.`);
      }
    } else reader.problem("sources", `sources must be a list, not ${describe(value)}.`);
  }

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

function cutAtWord(text: string, max: number): string {
  const head = text.slice(0, max - 1);
  const space = head.lastIndexOf(" ");
  return `${(space > max / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}

/** The description column(s); a second or later column is labelled with its name. */
function readDescription(reader: RowReader): string {
  const parts: string[] = [];
  for (const [index, { column, value }] of reader.rawAll("description").entries()) {
    if (typeof value !== "string" && typeof value !== "number") {
      reader.problem("description", `description must be text, not ${describe(value)}.`);
      continue;
    }
    const text = String(value).trim();
    parts.push(index === 0 ? text : `${column}: ${text}`);
  }
  const joined = parts.join("\n\n");
  if (joined.length > MAX_TEXT) reader.problem("description", `description is longer than ${MAX_TEXT} characters.`);
  return joined.slice(0, MAX_TEXT);
}

function withNotes(description: string, notes: string[]): string {
  if (notes.length === 0) return description;
  return [description, ...notes].filter((p) => p !== "").join("\n\n").slice(0, MAX_TEXT * 2);
}

const DAY_MS = 86_400_000;
const startOfUtcDay = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));

/**
 * ACLED's time_precision (1 day, 2 week, 3 month) widens the chronolocation window around the
 * event date: the day, the week around it (date - 3 to date + 3 days), or the calendar month.
 * UCDP's date_prec is informational: its date_start and date_end already are the window.
 */
function precisionWindow(reader: RowReader, mapping: ImportMapping, startAt: Date, endAt: Date | null): { startAt: Date; endAt: Date | null } {
  if (mapping.precisionCodes !== "acled") return { startAt, endAt };
  const code = reader.number("time_precision");
  if (code === null || code === 1) return { startAt, endAt };
  const day = startOfUtcDay(startAt);
  if (code === 2) return { startAt: new Date(day.getTime() - 3 * DAY_MS), endAt: new Date(day.getTime() + 4 * DAY_MS - 1) };
  if (code === 3) {
    return {
      startAt: new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1)),
      endAt: new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1) - 1),
    };
  }
  reader.warn("time_precision", `time_precision ${code} is not 1, 2 or 3; the date is taken as the day.`);
  return { startAt, endAt };
}

/** Location precision in metres from ACLED's geo_precision or UCDP's where_prec. */
const ACLED_GEO_METRES: Record<number, number> = { 1: 5_000, 2: 25_000, 3: 100_000 };
const UCDP_WHERE_METRES: Record<number, number> = { 1: 1_000, 2: 25_000, 3: 50_000, 4: 100_000, 5: 100_000, 6: 100_000, 7: 100_000 };

function geoPrecisionMetres(reader: RowReader, mapping: ImportMapping): number | null {
  if (!mapping.precisionCodes) return null;
  const code = reader.number("geo_precision");
  if (code === null) return null;
  const table = mapping.precisionCodes === "acled" ? ACLED_GEO_METRES : UCDP_WHERE_METRES;
  const metres = table[code];
  if (metres === undefined) {
    reader.warn("geo_precision", `Location precision code ${code} is not one ${mapping.precisionCodes === "acled" ? "ACLED (1-3)" : "UCDP (1-7)"} uses; it was left out.`);
    return null;
  }
  if (mapping.precisionCodes === "ucdp" && code >= 6) reader.warn("geo_precision", `where_prec ${code}: only the country (or sea) is known; the point is at best a 100 km guess.`);
  return metres;
}

function readRow(
  reader: RowReader,
  options: ParseOptions,
  topLevelSources: Record<string, unknown> | undefined,
): { draft: Omit<IncidentDraft, "rowNumber">; dateStyle: DateStyle | null } {
  const { mapping, incidentTypes, format } = options;
  const externalId = reader.text("id", MAX_SHORT);
  // UCDP writes day dates as "2020-01-01 00:00:00.000": a day, not an instant at midnight.
  const dayOnly = (text: string | null) => (text && mapping.precisionCodes === "ucdp" && /^\d{4}-\d{2}-\d{2}[ T]00:00(:00(\.0+)?)?$/.test(text) ? text.slice(0, 10) : text);
  const dateText = dayOnly(reader.text("date", 64));
  const timeText = reader.text("time", 32);
  const endText = dayOnly(reader.text("end_date", 64));

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
    reader.warn("date", "The date is missing; the incident is imported with its date unknown.");
  }
  if (endText && !startAt && !reader.problems.some((p) => p.field === "date")) {
    reader.warn("end_date", `The end date "${endText}" was left out because the row has no start date.`);
  } else if (endText) {
    const parsed = parseImportDate(endText, mapping.dateFormat);
    if (!parsed.ok) reader.problem("end_date", parsed.error);
    else {
      endAt = parsed.hasTime ? parsed.date : endOfUtcDay(parsed.date);
      if (dateStyle && parsed.style !== dateStyle && parsed.style !== "text" && dateStyle !== "text") reader.problem("end_date", "The end date is written in a different format from the date.");
      if (startAt && endAt < startAt) reader.problem("end_date", "The end date is before the date.");
    }
  }
  if (!externalId && reader.problems.every((p) => p.field !== "id")) reader.problem("id", "The id is missing; every row needs an id so re-imports can be recognised.");
  if (startAt) {
    const window = precisionWindow(reader, mapping, startAt, endAt);
    startAt = window.startAt;
    endAt = window.endAt;
  }

  const latitude = reader.number("latitude");
  const longitude = reader.number("longitude");
  if (latitude !== null && (latitude < -90 || latitude > 90)) reader.problem("latitude", `Latitude ${latitude} is outside -90 to 90.`);
  if (longitude !== null && (longitude < -180 || longitude > 180)) reader.problem("longitude", `Longitude ${longitude} is outside -180 to 180.`);
  if ((latitude === null) !== (longitude === null) && reader.problems.every((p) => p.field !== "latitude" && p.field !== "longitude")) {
    reader.problem(latitude === null ? "latitude" : "longitude", "Give both latitude and longitude, or neither.");
  }
  if (latitude === 0 && longitude === 0) reader.problem("latitude", "0, 0 is almost always a missing location; leave both empty instead.");
  const precision = reader.number("precision") ?? geoPrecisionMetres(reader, mapping);
  if (precision !== null && (!Number.isInteger(precision) || precision < 1 || precision > 100_000)) {
    reader.problem("precision", "Precision must be a whole number of metres from 1 to 100000.");
  }

  const sources = readSources(reader, format, topLevelSources);
  const description = readDescription(reader);
  const locationName = reader.text("location", MAX_SHORT);
  const fullTitle = reader.text("title", MAX_TEXT);
  let titleText = fullTitle;
  if (fullTitle && fullTitle.length > MAX_TITLE) {
    titleText = cutAtWord(fullTitle, MAX_TITLE);
    reader.notes.unshift(`Full title: ${fullTitle}`);
    reader.warn("title", `The title is longer than ${MAX_TITLE} characters; it was cut at a word boundary and the full text kept in the description.`);
  }
  let title = titleText ?? (description ? firstLine(description, 120) : locationName ? (dateText ? `${locationName}, ${dateText}` : locationName) : null);
  if (!title && externalId) {
    title = `Imported record ${externalId}`;
    reader.warn("title", `The row has no title, description or location; it is named "${title}".`);
  }

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

  const killedBoth = reader.count("killed");
  const killedMin = reader.count("killed_min") ?? killedBoth;
  const killedMax = reader.count("killed_max") ?? killedBoth;
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
      startAt,
      endAt,
      latitude,
      longitude,
      precisionM: precision,
      locationName,
      province: reader.text("province", MAX_SHORT),
      description: withNotes(description, reader.notes),
      killedMin,
      killedMax,
      injuredMin,
      injuredMax,
      targets,
      tags: uniqueTags,
      sources,
      filters,
    },
  };
}

// --- The whole file ---------------------------------------------------------------------

export function parseImportFile(bytes: Uint8Array, options: ParseOptions): ParsedImport {
  const fail = (message: string): ParsedImport => ({
    format: options.format,
    rowCount: 0,
    drafts: [],
    problems: [{ row: null, field: null, message }],
    cellWarnings: [],
    warnings: [],
    rejected: { header: null, rows: [] },
    fieldColumns: {},
  });
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

  // Which actual columns feed each field: for a single-value field the first alias present in
  // the file; for a field that can take several (sources, tags, ...) every column the mapping
  // names that is present, "source_*" matching source_1, source_2...
  const present = [...new Set(read.columns.map(normalizeColumnName))];
  const labels = new Map(read.columns.map((c) => [normalizeColumnName(c), c]));
  const keys: Partial<Record<ImportField, string[]>> = {};
  for (const [field, aliases] of Object.entries(options.mapping.columns) as Array<[ImportField, string[]]>) {
    const hits: string[] = [];
    for (const alias of aliases) for (const column of present) if (columnMatches(alias, column) && !hits.includes(column)) hits.push(column);
    if (hits.length > 0) keys[field] = MULTI_COLUMN_FIELDS.has(field) ? hits : [hits[0]!];
  }
  const fieldColumns = Object.fromEntries(Object.entries(keys).map(([field, columns]) => [field, columns.map((c) => labels.get(c) ?? c)])) as Partial<Record<ImportField, string[]>>;
  if (read.records.length > 0) {
    for (const field of REQUIRED_IMPORT_FIELDS) {
      if (!keys[field]) {
        const expected = options.mapping.columns[field]?.join('", "') ?? "";
        problems.push({ row: null, field, message: `No column for ${field}${expected ? ` (looked for "${expected}")` : ""}; add one or map it.` });
      }
    }
  }
  const used = new Set(Object.values(keys).flat());
  const unknown = read.columns.filter((column) => !used.has(normalizeColumnName(column)));
  if (unknown.length > 0) {
    const message = `Columns not mapped to any field: ${unknown.join(", ")}.`;
    if (options.mapping.unknownColumns === "error") problems.push({ row: null, field: null, message: `${message} Map them or set "unknownColumns": "warn".` });
    else warnings.push(`${message} They were ignored.`);
  }
  const rejected: RejectedRows = { header: read.header ?? null, rows: [] };
  // A problem with the whole file, or with its header row, stops every row.
  if (problems.some((p) => p.row === null || (read.headerRow !== undefined && p.row <= read.headerRow))) return { format: options.format, rowCount, drafts: [], problems, cellWarnings: [], warnings, rejected, fieldColumns };

  const rows = read.records.map((record) => {
    const reader = new RowReader(record, keys, labels);
    const { draft, dateStyle } = readRow(reader, options, read.topLevelSources);
    return { rowNumber: record.rowNumber, record, draft, dateStyle, problems: reader.problems, warnings: reader.warnings };
  });

  // Mixed date formats: the style most rows use is the file's; the others are flagged.
  const styleCounts = new Map<DateStyle, number>();
  // "15 January 2023" cannot be misread, so it mixes with either.
  for (const row of rows) if (row.dateStyle && row.dateStyle !== "text") styleCounts.set(row.dateStyle, (styleCounts.get(row.dateStyle) ?? 0) + 1);
  if (styleCounts.size > 1) {
    const fileStyle = [...styleCounts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const label = (style: DateStyle) => (style === "iso" ? "YYYY-MM-DD" : options.mapping.dateFormat);
    for (const row of rows) {
      if (row.dateStyle && row.dateStyle !== "text" && row.dateStyle !== fileStyle) {
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
  const cellWarnings: ImportProblem[] = [];
  // Rows Papa could not read cleanly (file-level CSV problems with a row number) are rejected too.
  const unreadable = new Map<number, string[]>();
  for (const p of problems) if (p.row !== null) unreadable.set(p.row, [...(unreadable.get(p.row) ?? []), p.message]);
  for (const row of rows) {
    if (row.problems.length > 0 || unreadable.has(row.rowNumber)) {
      problems.push(...row.problems);
      const cells = Array.isArray(row.record.original) && read.header ? (row.record.original as string[]) : null;
      rejected.rows.push({
        rowNumber: row.rowNumber,
        cells,
        event: cells ? null : row.record.original,
        errors: [...(unreadable.get(row.rowNumber) ?? []), ...row.problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message))],
      });
    } else {
      drafts.push({ rowNumber: row.rowNumber, ...row.draft });
      cellWarnings.push(...row.warnings);
    }
  }
  // Rows that could not even be read as a record (a JSON event that is not an object).
  const seen = new Set(rows.map((r) => r.rowNumber));
  for (const [rowNumber, errors] of unreadable) if (!seen.has(rowNumber)) rejected.rows.push({ rowNumber, cells: null, event: null, errors });
  rejected.rows.sort((a, b) => a.rowNumber - b.rowNumber);
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return { format: options.format, rowCount, drafts, problems, cellWarnings, warnings, rejected, fieldColumns };
}

/** Fields that read every mapped column present instead of the first one. */
const MULTI_COLUMN_FIELDS = new Set<ImportField>(["sources", "source_notes", "tags", "targets", "description"]);

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The rows that were not imported, as a CSV the person can fix and import again: a CSV file's
 * own columns (unchanged) plus "import_row" and "import_errors"; for a JSON file, the row number,
 * the errors and the event as JSON.
 */
export function rejectedRowsCsv(rejected: RejectedRows): string {
  const lines: string[] = [];
  if (rejected.header) {
    lines.push([...rejected.header, "import_row", "import_errors"].map(csvCell).join(","));
    for (const row of rejected.rows) {
      const cells = rejected.header.map((_, i) => row.cells?.[i] ?? "");
      lines.push([...cells, String(row.rowNumber), row.errors.join(" | ")].map(csvCell).join(","));
    }
  } else {
    lines.push("import_row,import_errors,event_json");
    for (const row of rejected.rows) lines.push([String(row.rowNumber), row.errors.join(" | "), JSON.stringify(row.event)].map(csvCell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
