// Re-importing a newer export of the same dataset. For every row whose id an incident of the
// project already has, three versions are compared: the values as LAST IMPORTED (kept per
// incident in ImportRecord), the incident as it is NOW in the app, and the row in the FILE.
//   file = last imported                     -> unchanged (edits made in the app are kept)
//   file != last imported, app = last        -> changed (the file's values may be applied)
//   file != last imported, app != last       -> conflict (never applied; listed for a person)
// An incident with an id but no record (created in the app, or imported before records were
// kept) is unchanged when the app already has the file's values, otherwise a conflict.
import { createHash } from "node:crypto";
import type { IncidentDraft } from "./parse";

/** The incident fields an import writes and compares, in display order. */
export const COMPARED_FIELDS = [
  "title",
  "incidentType",
  "description",
  "startAt",
  "endAt",
  "latitude",
  "longitude",
  "precisionM",
  "locationName",
  "killedMin",
  "killedMax",
  "injuredMin",
  "injuredMax",
  "targets",
  "tags",
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

type Scalar = string | number | null | string[];
/** Values as JSON-safe scalars (dates as ISO text, lists sorted) so they compare and store exactly. */
export type ImportedValues = Record<ComparedField, Scalar> & { sources: string[] };

export type IncidentValues = { [K in ComparedField]: K extends "startAt" | "endAt" ? Date | null : K extends "targets" | "tags" ? string[] : string | number | null };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function valuesOfDraft(draft: IncidentDraft): ImportedValues {
  return {
    title: draft.title,
    incidentType: draft.incidentType,
    description: draft.description,
    startAt: iso(draft.startAt),
    endAt: iso(draft.endAt),
    latitude: draft.latitude,
    longitude: draft.longitude,
    precisionM: draft.precisionM,
    locationName: draft.locationName,
    killedMin: draft.killedMin,
    killedMax: draft.killedMax,
    injuredMin: draft.injuredMin,
    injuredMax: draft.injuredMax,
    targets: [...draft.targets].sort(),
    tags: [...draft.tags].sort(),
    sources: draft.sources.map((s) => s.url).sort(),
  };
}

export function valuesOfIncident(incident: IncidentValues): Record<ComparedField, Scalar> {
  const out = {} as Record<ComparedField, Scalar>;
  for (const field of COMPARED_FIELDS) {
    const value = incident[field] as Date | string | number | null | string[];
    out[field] = value instanceof Date ? value.toISOString() : Array.isArray(value) ? [...value].sort() : value;
  }
  return out;
}

export function hashValues(values: ImportedValues): string {
  const ordered = [...COMPARED_FIELDS, "sources" as const].map((field) => [field, values[field]]);
  return createHash("sha256").update(JSON.stringify(ordered)).digest("hex");
}

const same = (a: Scalar | undefined, b: Scalar | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export interface FieldChange {
  field: ComparedField | "sources";
  /** As last imported (null when no record was kept). */
  lastImported: Scalar | undefined;
  /** In the app now. */
  app: Scalar | undefined;
  /** In the file. */
  file: Scalar;
}

export type RowStatus = "new" | "unchanged" | "changed" | "conflict";

export interface Classification {
  status: RowStatus;
  /** changed: the fields the file changes; conflict: the fields either side changed. */
  changes: FieldChange[];
  /** Source URLs in the file that the last import did not bring in. */
  newSources: string[];
}

export function classifyRow(
  file: ImportedValues,
  existing: { app: Record<ComparedField, Scalar>; lastImported: ImportedValues | null } | null,
): Classification {
  if (!existing) return { status: "new", changes: [], newSources: file.sources };
  const { app, lastImported } = existing;
  if (!lastImported) {
    const changes = COMPARED_FIELDS.filter((f) => !same(app[f], file[f])).map((f) => ({ field: f, lastImported: undefined, app: app[f], file: file[f] }));
    return changes.length === 0 ? { status: "unchanged", changes: [], newSources: [] } : { status: "conflict", changes, newSources: [] };
  }
  const newSources = file.sources.filter((url) => !lastImported.sources.includes(url));
  const fileChanged = COMPARED_FIELDS.filter((f) => !same(lastImported[f], file[f]));
  if (fileChanged.length === 0 && newSources.length === 0) return { status: "unchanged", changes: [], newSources: [] };
  const appChanged = COMPARED_FIELDS.filter((f) => !same(lastImported[f], app[f]));
  if (appChanged.length === 0) {
    const changes: FieldChange[] = fileChanged.map((f) => ({ field: f, lastImported: lastImported[f], app: app[f], file: file[f] }));
    if (newSources.length > 0) changes.push({ field: "sources", lastImported: lastImported.sources, app: lastImported.sources, file: file.sources });
    return { status: "changed", changes, newSources };
  }
  const fields = COMPARED_FIELDS.filter((f) => fileChanged.includes(f) || appChanged.includes(f));
  return { status: "conflict", changes: fields.map((f) => ({ field: f, lastImported: lastImported[f], app: app[f], file: file[f] })), newSources };
}
