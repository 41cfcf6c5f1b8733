// The incident list's view state, as it lives in the URL (the same rules as the review queue:
// parsing never throws, anything unusable is dropped and named in `problems`).
import { day, freeList, getListParam, getParam, orderedRange, type ParamSource } from "./url-params";

export const INCIDENT_SORT_KEYS = ["startAt", "reference", "title", "incidentType", "province", "updatedAt"] as const;
export type IncidentSortKey = (typeof INCIDENT_SORT_KEYS)[number];

export const INCIDENT_PAGE_SIZES = [25, 50, 100] as const;
export type IncidentPageSize = (typeof INCIDENT_PAGE_SIZES)[number];

/** Whether the incident's date is known: archives hold incidents whose date nobody knows. */
export const DATED_FILTERS = ["any", "dated", "undated"] as const;
export type DatedFilter = (typeof DATED_FILTERS)[number];

/** Evidence filter: incidents with verified evidence, with leads only, or with nothing linked. */
export const EVIDENCE_FILTERS = ["any", "verified", "leads-only", "none"] as const;
export type EvidenceFilter = (typeof EVIDENCE_FILTERS)[number];

export const INCIDENT_LIST_MAX_PAGE = 100_000;
const MAX_TEXT = 200;

export interface IncidentListState {
  /** Full-text words over reference, title, description, place and groups. */
  q: string;
  type: string[];
  province: string[];
  dated: DatedFilter;
  evidence: EvidenceFilter;
  /** Inclusive calendar days (UTC) the incident's start falls in. */
  from: string | null;
  to: string | null;
  sort: IncidentSortKey;
  dir: "asc" | "desc";
  page: number;
  size: IncidentPageSize;
}

export const DEFAULT_INCIDENT_LIST_STATE: Readonly<IncidentListState> = Object.freeze({
  q: "",
  type: [],
  province: [],
  dated: "any",
  evidence: "any",
  from: null,
  to: null,
  sort: "startAt",
  dir: "desc",
  page: 1,
  size: 50,
});

function pickOne<T extends string>(source: ParamSource, key: string, allowed: readonly T[], problems: string[]): T | undefined {
  const raw = getParam(source, key);
  if (raw === undefined || raw === "") return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${key}=${raw.slice(0, 40)}`);
  return undefined;
}

function positiveInt(source: ParamSource, key: string, max: number, problems: string[]): number | undefined {
  const raw = getParam(source, key);
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= max) return n;
  problems.push(`${key}=${raw.slice(0, 40)}`);
  return undefined;
}

export function parseIncidentListState(source: ParamSource): { state: IncidentListState; problems: string[] } {
  const problems: string[] = [];
  const state: IncidentListState = { ...DEFAULT_INCIDENT_LIST_STATE, type: [], province: [] };
  const q = getParam(source, "q");
  if (q !== undefined) state.q = q.replace(/[\u0000-\u001f\u007f]/g, " ").trim().slice(0, MAX_TEXT);
  state.type = freeList(getListParam(source, "type"), "type", problems, false);
  state.province = freeList(getListParam(source, "province"), "province", problems, false);
  state.dated = pickOne(source, "dated", DATED_FILTERS, problems) ?? state.dated;
  state.evidence = pickOne(source, "evidence", EVIDENCE_FILTERS, problems) ?? state.evidence;
  [state.from, state.to] = orderedRange(day(source, "from", problems), day(source, "to", problems));
  state.sort = pickOne(source, "sort", INCIDENT_SORT_KEYS, problems) ?? state.sort;
  state.dir = pickOne(source, "dir", ["asc", "desc"] as const, problems) ?? state.dir;
  state.page = positiveInt(source, "page", INCIDENT_LIST_MAX_PAGE, problems) ?? state.page;
  const size = positiveInt(source, "size", 1000, problems);
  if (size !== undefined) {
    if ((INCIDENT_PAGE_SIZES as readonly number[]).includes(size)) state.size = size as IncidentPageSize;
    else problems.push(`size=${size}`);
  }
  // A date range only makes sense for dated incidents.
  if ((state.from || state.to) && state.dated === "undated") {
    problems.push("dated=undated (with a date range)");
    state.dated = "any";
  }
  return { state, problems };
}

/** The canonical query string: defaults left out, lists sorted, so one view has one URL. */
export function incidentListStateToSearch(state: IncidentListState): string {
  const params = new URLSearchParams();
  const list = (key: string, values: readonly string[]) => {
    if (values.length > 0) params.set(key, [...values].sort().join(","));
  };
  const d = DEFAULT_INCIDENT_LIST_STATE;
  if (state.q) params.set("q", state.q);
  list("type", state.type);
  list("province", state.province);
  if (state.dated !== d.dated) params.set("dated", state.dated);
  if (state.evidence !== d.evidence) params.set("evidence", state.evidence);
  if (state.from) params.set("from", state.from);
  if (state.to) params.set("to", state.to);
  if (state.sort !== d.sort) params.set("sort", state.sort);
  if (state.dir !== d.dir) params.set("dir", state.dir);
  if (state.page !== 1) params.set("page", String(state.page));
  if (state.size !== d.size) params.set("size", String(state.size));
  return params.toString().replace(/%2C/gi, ",");
}

export function incidentListHasFilters(state: IncidentListState): boolean {
  return state.q !== "" || state.type.length + state.province.length > 0 || state.dated !== "any" || state.evidence !== "any" || state.from !== null || state.to !== null;
}

/**
 * A type-ahead query as a PostgreSQL tsquery in the 'simple' configuration: every word a
 * prefix ("kab bomb" finds "Kabul bombing"). Only letters and digits survive, so no input can
 * make a malformed tsquery. Null when nothing searchable is left.
 */
export function prefixTsQuery(raw: string): string | null {
  const words = raw
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 8)
    .map((w) => w.slice(0, 40));
  return words.length === 0 ? null : words.map((w) => `${w}:*`).join(" & ");
}
