// The review queue's view state, as it lives in the URL. Links get shared, bookmarked and
// hand-edited, so parsing never throws: a value that makes no sense is dropped and the
// default used instead, and `problems` says what was ignored so the page can tell the user.
export { parseDay } from "./url-params";
import { day, freeList, getListParam, getParam, orderedRange, pickFrom, type ParamSource } from "./url-params";
import { ITEM_STATES, type ItemState } from "./review-workflow";

export const PLATFORMS = ["TELEGRAM", "X_TWITTER", "FACEBOOK", "TIKTOK", "YOUTUBE", "INSTAGRAM", "WHATSAPP", "OTHER"] as const;
export type PlatformCode = (typeof PLATFORMS)[number];

export const SENSITIVITY_FLAGS = ["graphic", "identifiable", "minors", "personal"] as const;
export type SensitivityFlag = (typeof SENSITIVITY_FLAGS)[number];

export const SORT_KEYS = ["reference", "title", "status", "createdAt", "updatedAt", "platformUploadedAt", "province", "assignee"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const PAGE_SIZES = [25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

/** Columns a user can hide; reference and title always show. */
export const OPTIONAL_COLUMNS = ["status", "platform", "province", "assignee", "submittedBy", "tags", "createdAt", "platformUploadedAt", "flags"] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

export const MAX_PAGE = 100_000;
const MAX_TEXT = 200;

export interface QueueState {
  q: string;
  status: ItemState[];
  /** "me", "none" or a user id. */
  assignee: string | null;
  platform: PlatformCode[];
  province: string[];
  /** An incident reference such as INC-0004. */
  incident: string | null;
  sensitive: SensitivityFlag[];
  tags: string[];
  /** Inclusive calendar days, YYYY-MM-DD, in UTC. */
  submittedFrom: string | null;
  submittedTo: string | null;
  uploadedFrom: string | null;
  uploadedTo: string | null;
  /** Only items that share bytes or a source URL with another item of the project. */
  duplicates: boolean;
  sort: SortKey;
  dir: "asc" | "desc";
  page: number;
  size: PageSize;
  hidden: OptionalColumn[];
}

/** One queue row: only what the table shows. Times are Dates on the server, ISO strings in the browser. */
export interface QueueRowOf<Time> {
  id: string;
  reference: string;
  title: string;
  status: string;
  version: number;
  platform: string | null;
  province: string | null;
  tags: string[];
  assigneeId: string | null;
  assigneeName: string | null;
  submittedByName: string;
  createdAt: Time;
  platformUploadedAt: Time | null;
  sensitiveGraphic: boolean;
  sensitiveIdentifiable: boolean;
  sensitiveMinors: boolean;
  sensitivePersonalData: boolean;
}

export const DEFAULT_QUEUE_STATE: Readonly<QueueState> = Object.freeze({
  q: "",
  status: [],
  assignee: null,
  platform: [],
  province: [],
  incident: null,
  sensitive: [],
  tags: [],
  submittedFrom: null,
  submittedTo: null,
  uploadedFrom: null,
  uploadedTo: null,
  duplicates: false,
  sort: "createdAt",
  dir: "desc",
  page: 1,
  size: 50,
  hidden: [],
});

export interface ParsedQueueState {
  state: QueueState;
  /** Parameters that were ignored, for a gentle notice: "Ignored: status=BOGUS". */
  problems: string[];
}

const ID_PATTERN = /^[a-z0-9]{8,40}$/i;
const REFERENCE_PATTERN = /^[A-Z0-9]{1,12}(-[A-Z0-9]{1,12}){0,2}-\d{1,8}$/i;

export function parseQueueState(source: ParamSource): ParsedQueueState {
  const problems: string[] = [];
  const state: QueueState = { ...DEFAULT_QUEUE_STATE, status: [], platform: [], province: [], sensitive: [], tags: [], hidden: [] };

  const q = getParam(source, "q");
  if (q !== undefined) {
    state.q = q.replace(/[\u0000-\u001f\u007f]/g, " ").trim().slice(0, MAX_TEXT);
  }
  state.status = pickFrom(getListParam(source, "status"), ITEM_STATES, "status", problems, (s) => s.toUpperCase());
  state.platform = pickFrom(getListParam(source, "platform"), PLATFORMS, "platform", problems, (s) => s.toUpperCase());
  state.sensitive = pickFrom(getListParam(source, "sensitive"), SENSITIVITY_FLAGS, "sensitive", problems, (s) => s.toLowerCase());
  state.hidden = pickFrom(getListParam(source, "hide"), OPTIONAL_COLUMNS, "hide", problems);
  state.province = freeList(getListParam(source, "province"), "province", problems, false);
  state.tags = freeList(getListParam(source, "tags"), "tags", problems, true);

  const assignee = getParam(source, "assignee");
  if (assignee !== undefined && assignee !== "") {
    if (assignee === "me" || assignee === "none" || ID_PATTERN.test(assignee)) state.assignee = assignee;
    else problems.push(`assignee=${assignee.slice(0, 40)}`);
  }
  const incident = getParam(source, "incident");
  if (incident !== undefined && incident !== "") {
    if (REFERENCE_PATTERN.test(incident)) state.incident = incident.toUpperCase();
    else problems.push(`incident=${incident.slice(0, 40)}`);
  }
  [state.submittedFrom, state.submittedTo] = orderedRange(day(source, "submittedFrom", problems), day(source, "submittedTo", problems));
  [state.uploadedFrom, state.uploadedTo] = orderedRange(day(source, "uploadedFrom", problems), day(source, "uploadedTo", problems));

  const dup = getParam(source, "dup");
  if (dup !== undefined && dup !== "") {
    if (dup === "1" || dup === "true") state.duplicates = true;
    else if (dup !== "0" && dup !== "false") problems.push(`dup=${dup.slice(0, 40)}`);
  }

  const sort = getParam(source, "sort");
  if (sort !== undefined && sort !== "") {
    if ((SORT_KEYS as readonly string[]).includes(sort)) state.sort = sort as SortKey;
    else problems.push(`sort=${sort.slice(0, 40)}`);
  }
  const dir = getParam(source, "dir");
  if (dir !== undefined && dir !== "") {
    if (dir === "asc" || dir === "desc") state.dir = dir;
    else problems.push(`dir=${dir.slice(0, 40)}`);
  }
  const page = getParam(source, "page");
  if (page !== undefined && page !== "") {
    const n = Number(page);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_PAGE) state.page = n;
    else problems.push(`page=${page.slice(0, 40)}`);
  }
  const size = getParam(source, "size");
  if (size !== undefined && size !== "") {
    const n = Number(size);
    if ((PAGE_SIZES as readonly number[]).includes(n)) state.size = n as PageSize;
    else problems.push(`size=${size.slice(0, 40)}`);
  }
  return { state, problems };
}

/**
 * The canonical query string for a state: defaults are left out, lists are sorted, so the
 * same view always has the same URL (and saved views compare equal).
 */
export function queueStateToSearch(state: QueueState): string {
  const params = new URLSearchParams();
  const list = (key: string, values: readonly string[]) => {
    if (values.length > 0) params.set(key, [...values].sort().join(","));
  };
  if (state.q) params.set("q", state.q);
  list("status", state.status);
  if (state.assignee) params.set("assignee", state.assignee);
  list("platform", state.platform);
  list("province", state.province);
  if (state.incident) params.set("incident", state.incident);
  list("sensitive", state.sensitive);
  list("tags", state.tags);
  if (state.submittedFrom) params.set("submittedFrom", state.submittedFrom);
  if (state.submittedTo) params.set("submittedTo", state.submittedTo);
  if (state.uploadedFrom) params.set("uploadedFrom", state.uploadedFrom);
  if (state.uploadedTo) params.set("uploadedTo", state.uploadedTo);
  if (state.duplicates) params.set("dup", "1");
  if (state.sort !== DEFAULT_QUEUE_STATE.sort) params.set("sort", state.sort);
  if (state.dir !== DEFAULT_QUEUE_STATE.dir) params.set("dir", state.dir);
  if (state.page !== 1) params.set("page", String(state.page));
  if (state.size !== DEFAULT_QUEUE_STATE.size) params.set("size", String(state.size));
  list("hide", state.hidden);
  // Commas are legal in a query string; leaving them readable keeps shared links legible.
  return params.toString().replace(/%2C/gi, ",");
}

/** True when the view filters anything (used to offer "clear filters"). */
export function hasFilters(state: QueueState): boolean {
  return (
    state.q !== "" ||
    state.status.length + state.platform.length + state.province.length + state.sensitive.length + state.tags.length > 0 ||
    state.assignee !== null ||
    state.incident !== null ||
    state.submittedFrom !== null ||
    state.submittedTo !== null ||
    state.uploadedFrom !== null ||
    state.uploadedTo !== null ||
    state.duplicates
  );
}

/** Saved views every member starts with; they are plain URLs like any saved view. */
export const BUILT_IN_VIEWS: ReadonlyArray<{ name: string; search: string }> = [
  { name: "My review queue", search: "assignee=me&status=IN_PROGRESS,IN_REVIEW" },
  { name: "Needs triage", search: "status=SUBMITTED&sort=createdAt&dir=asc" },
  { name: "Needs geolocation", search: "status=IN_PROGRESS,TRIAGED" },
  { name: "Awaiting review", search: "status=IN_REVIEW&sort=updatedAt&dir=asc" },
  { name: "Possible duplicates", search: "dup=1" },
];

export const SAVED_VIEW_NAME_MAX = 60;

// --- Bulk actions --------------------------------------------------------------------------

export const BULK_ACTIONS = ["assign", "tag", "untag", "transition"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const BULK_LIMIT = 200;

/** Tags as people type them: lower case, spaces to dashes, bounded. Null when unusable. */
export function normaliseTag(raw: string): string | null {
  const tag = raw
    .trim()
    .toLowerCase()
    .replace(/\s+/g, "-")
    .replace(/[^\p{L}\p{N}:_.-]/gu, "");
  return tag.length >= 1 && tag.length <= 40 ? tag : null;
}

export type BulkItemOutcome = { itemId: string; reference: string | null; ok: true; message: string } | { itemId: string; reference: string | null; ok: false; code: string; message: string };

export function summariseBulk(outcomes: readonly BulkItemOutcome[]): { applied: number; skipped: number; text: string } {
  const applied = outcomes.filter((o) => o.ok).length;
  const skipped = outcomes.length - applied;
  const text = skipped === 0 ? `Applied to all ${applied} items.` : `Applied to ${applied} of ${outcomes.length} items; ${skipped} not changed (see each row).`;
  return { applied, skipped, text };
}
