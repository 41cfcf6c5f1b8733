// What the public may see, built field by field from an allow-list. Public snapshots are made
// only here, so a new internal column can never reach the public by accident: it would have
// to be added to these builders, on purpose, with a test.
import { z } from "zod";
import { reduceToPrecision } from "./coordinates";
import { mediaKindOf } from "./media-types";
import { TARGET_CATEGORIES, TARGET_CATEGORY_LABELS, type TargetCategory } from "./incident-fields";
import { idSchema } from "./schemas";

/** Version of the public field schema (docs/public-data.md). Bump on any change to the shapes below. */
export const PUBLIC_SCHEMA_VERSION = "1.0.0";

/** Public coordinates are never finer than this, whatever the stated precision. */
export const MIN_PUBLIC_PRECISION_M = 100;

export type TimePrecision = "minute" | "hour" | "day" | "week" | "month" | "year" | "unknown";

export interface PublicLocation {
  latitude: number;
  longitude: number;
  /** Radius in metres the point stands for; the point is the centre of a grid cell that size. */
  precisionM: number;
}

export interface PublicIncident {
  schemaVersion: string;
  id: string;
  title: string;
  type: string;
  description: string;
  /** ISO day of the start (UTC), the TimeMap `date`. */
  date: string | null;
  /** "HH:MM" UTC when the precision allows it. */
  time: string | null;
  timePrecision: TimePrecision;
  startAt: string | null;
  endAt: string | null;
  location: PublicLocation | null;
  locationWithheld: boolean;
  locationName: string | null;
  province: string | null;
  claim: { group: string | null; channel: string | null; date: string | null; url: string | null };
  attribution: { group: string | null; confidence: string | null };
  casualties: {
    killed: { min: number | null; max: number | null; source: string | null };
    injured: { min: number | null; max: number | null; source: string | null };
  };
  targets: Array<{ code: TargetCategory; label: string }>;
  publishedAt: string;
  updatedAt: string;
}

export interface PublicMediaRef {
  kind: "IMAGE" | "VIDEO" | "POSTER";
  sha256: string;
  mime: string;
  width: number | null;
  height: number | null;
  blurred: boolean;
}

export interface PublicItem {
  schemaVersion: string;
  id: string;
  title: string;
  description: string;
  incidentIds: string[];
  earliestAt: string | null;
  latestAt: string | null;
  date: string | null;
  time: string | null;
  timePrecision: TimePrecision;
  location: PublicLocation | null;
  locationWithheld: boolean;
  platform: string | null;
  graphic: boolean;
  /** SHA-256 of each original, so anyone holding a copy can check it is the same file. */
  originalSha256: string[];
  publishedAt: string;
  updatedAt: string;
}

// --- Inputs --------------------------------------------------------------------------------

const publicText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), "Remove control characters");

export const redactionRegionSchema = z
  .object({
    mediaFileId: idSchema,
    x: z.number().min(0).max(1),
    y: z.number().min(0).max(1),
    w: z.number().gt(0).max(1),
    h: z.number().gt(0).max(1),
  })
  .refine((r) => r.x + r.w <= 1.0001 && r.y + r.h <= 1.0001, "A blur region must lie inside the picture");
export type RedactionRegion = z.infer<typeof redactionRegionSchema>;

export const publishItemOptionsSchema = z.object({
  itemId: idSchema,
  /** Public title; the internal title is a working label and is never published by default. */
  title: publicText(200).pipe(z.string().min(1, "Give the public title")),
  description: publicText(4000).default(""),
  withholdLocation: z.boolean().default(false),
  redactions: z.array(redactionRegionSchema).max(50).default([]),
  /**
   * The files that get public copies. Left out, the default applies (every photo and video
   * except page captures, see defaultPublicMedia); an empty list publishes no media.
   */
  mediaFileIds: z.array(idSchema).max(200).optional(),
});
export type PublishItemOptions = z.infer<typeof publishItemOptionsSchema>;

export const publishIncidentSchema = z.object({
  incidentId: idSchema,
  expectedVersion: z.number().int().min(0),
  withholdLocation: z.boolean().default(false),
  /**
   * Evidence shown with the incident. Each item keeps the public title, description, blur
   * regions and files decided when it was itself published: an incident publish never changes
   * them, and an item that was never published on its own is refused.
   */
  items: z.array(z.object({ itemId: idSchema })).max(100).default([]),
  note: publicText(500).default(""),
});

// --- Which files of an item may be public --------------------------------------------------

export interface FileForPublication {
  id: string;
  sniffedMime: string;
  isPageCapture: boolean;
}

/** A file of an item as the publish panel lists it. */
export interface PublishableFile {
  mediaFileId: string;
  filename: string;
  mime: string;
  kind: "image" | "video" | "other";
  isPageCapture: boolean;
  /** Whether it is ticked in the panel: the last published choice, or the default before one. */
  included: boolean;
  /** A preview to mark blur regions on (thumbnail of a photo, first keyframe of a video). */
  preview: { id: string; width: number | null; height: number | null } | null;
}

/** Accepted photos and videos can have public copies; HTML pages and other files never do. */
export function canHavePublicCopy(file: Pick<FileForPublication, "sniffedMime">): boolean {
  return mediaKindOf(file.sniffedMime) !== null;
}

/**
 * The files offered for publication before an editor has chosen: every photo and video except
 * screenshots of source pages, which show the posting account (docs/public-data.md).
 */
export function defaultPublicMedia(files: readonly FileForPublication[]): string[] {
  return files.filter((f) => canHavePublicCopy(f) && !f.isPageCapture).map((f) => f.id);
}

/** Checks an editor's choice of files: each must be one of the item's photos or videos. Returns a problem or null. */
export function publicMediaProblem(files: readonly FileForPublication[], chosen: readonly string[]): string | null {
  const byId = new Map(files.map((f) => [f.id, f]));
  for (const id of chosen) {
    const file = byId.get(id);
    if (!file) return "A chosen file is not part of this item.";
    if (!canHavePublicCopy(file)) return "Only photos and videos can be published; page HTML and other files stay internal.";
  }
  return null;
}

export const unpublishSchema = z.object({
  /** Internal reason, kept in the audit log. */
  reason: z.string().trim().min(3, "Say why (kept in the audit log)").max(2000),
  /** Optional public note for the changelog. */
  publicNote: publicText(500).default(""),
});

// --- Builders -------------------------------------------------------------------------------

/** The public version of a point: withheld, or snapped to a grid no finer than its precision. */
export function publicLocation(point: { latitude: number | null; longitude: number | null; precisionM: number | null } | null, withhold: boolean): PublicLocation | null {
  if (withhold || !point || point.latitude === null || point.longitude === null) return null;
  const precisionM = Math.max(MIN_PUBLIC_PRECISION_M, Math.ceil(point.precisionM ?? MIN_PUBLIC_PRECISION_M));
  const reduced = reduceToPrecision(point.latitude, point.longitude, precisionM);
  // Shown with no more decimals than the precision supports (1e-5° is about 1 m).
  const decimals = precisionM >= 10_000 ? 2 : precisionM >= 1_000 ? 3 : 4;
  const round = (value: number) => Number(value.toFixed(decimals));
  return { latitude: round(reduced.latitude), longitude: round(reduced.longitude), precisionM };
}

/** How precisely a time window pins the moment down. */
export function timePrecisionOf(start: Date | null, end: Date | null): TimePrecision {
  if (!start) return "unknown";
  const span = end ? Math.abs(end.getTime() - start.getTime()) : 0;
  const hour = 3_600_000;
  if (span <= 5 * 60_000) return "minute";
  if (span <= 2 * hour) return "hour";
  if (span <= 36 * hour) return "day";
  if (span <= 8 * 24 * hour) return "week";
  if (span <= 32 * 24 * hour) return "month";
  return "year";
}

function dayAndTime(start: Date | null, precision: TimePrecision): { date: string | null; time: string | null } {
  if (!start) return { date: null, time: null };
  const iso = start.toISOString();
  const date = precision === "year" ? iso.slice(0, 4) : precision === "month" ? iso.slice(0, 7) : iso.slice(0, 10);
  return { date, time: precision === "minute" || precision === "hour" ? iso.slice(11, 16) : null };
}

/** The internal incident fields the public builder reads (and nothing else). */
export interface IncidentForPublication {
  reference: string;
  title: string;
  incidentType: string;
  description: string;
  startAt: Date | null;
  endAt: Date | null;
  latitude: number | null;
  longitude: number | null;
  precisionM: number | null;
  locationName: string | null;
  province: string | null;
  claimGroup: string | null;
  claimChannel: string | null;
  claimDate: Date | null;
  claimUrl: string | null;
  attributionGroup: string | null;
  attributionConfidence: string | null;
  killedMin: number | null;
  killedMax: number | null;
  killedSource: string | null;
  injuredMin: number | null;
  injuredMax: number | null;
  injuredSource: string | null;
  targets: string[];
}

export function buildPublicIncident(incident: IncidentForPublication, options: { withholdLocation: boolean; publishedAt: Date; updatedAt: Date }): PublicIncident {
  const precision = timePrecisionOf(incident.startAt, incident.endAt);
  const { date, time } = dayAndTime(incident.startAt, precision);
  const coarse = precision !== "minute" && precision !== "hour";
  return {
    schemaVersion: PUBLIC_SCHEMA_VERSION,
    id: incident.reference,
    title: incident.title,
    type: incident.incidentType,
    description: incident.description,
    date,
    time,
    timePrecision: precision,
    // A coarse window is published as its days, not as instants that look more exact than known.
    startAt: incident.startAt ? (coarse ? incident.startAt.toISOString().slice(0, 10) : incident.startAt.toISOString()) : null,
    endAt: incident.endAt ? (coarse ? incident.endAt.toISOString().slice(0, 10) : incident.endAt.toISOString()) : null,
    location: publicLocation(incident, options.withholdLocation),
    locationWithheld: options.withholdLocation,
    locationName: options.withholdLocation ? null : incident.locationName,
    province: incident.province,
    claim: { group: incident.claimGroup, channel: incident.claimChannel, date: incident.claimDate?.toISOString().slice(0, 10) ?? null, url: incident.claimUrl },
    attribution: { group: incident.attributionGroup, confidence: incident.attributionConfidence },
    casualties: {
      killed: { min: incident.killedMin, max: incident.killedMax, source: incident.killedSource },
      injured: { min: incident.injuredMin, max: incident.injuredMax, source: incident.injuredSource },
    },
    targets: incident.targets.filter((t): t is TargetCategory => (TARGET_CATEGORIES as readonly string[]).includes(t)).map((code) => ({ code, label: TARGET_CATEGORY_LABELS[code] })),
    publishedAt: options.publishedAt.toISOString(),
    updatedAt: options.updatedAt.toISOString(),
  };
}

export interface ItemForPublication {
  reference: string;
  platform: string | null;
  sensitiveGraphic: boolean;
  geolocation: { latitude: number; longitude: number; precisionM: number } | null;
  chronolocation: { earliestAt: Date; latestAt: Date } | null;
  originalSha256: string[];
}

export function buildPublicItem(item: ItemForPublication, options: PublishItemOptions & { incidentIds: string[]; publishedAt: Date; updatedAt: Date }): PublicItem {
  const window = item.chronolocation;
  const precision = timePrecisionOf(window?.earliestAt ?? null, window?.latestAt ?? null);
  const { date, time } = dayAndTime(window?.earliestAt ?? null, precision);
  return {
    schemaVersion: PUBLIC_SCHEMA_VERSION,
    id: item.reference,
    title: options.title,
    description: options.description,
    incidentIds: [...options.incidentIds].sort(),
    earliestAt: window ? window.earliestAt.toISOString() : null,
    latestAt: window ? window.latestAt.toISOString() : null,
    date,
    time,
    timePrecision: precision,
    location: publicLocation(item.geolocation, options.withholdLocation),
    locationWithheld: options.withholdLocation,
    platform: item.platform,
    graphic: item.sensitiveGraphic,
    originalSha256: [...new Set(item.originalSha256)].sort(),
    publishedAt: options.publishedAt.toISOString(),
    updatedAt: options.updatedAt.toISOString(),
  };
}

// --- Public query parameters ---------------------------------------------------------------

export const PUBLIC_PAGE_SIZE_MAX = 500;

/** Filters of the public map, timeline and API, parsed leniently (nonsense → 400 from the API, defaults on pages). */
export const publicFilterSchema = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD").optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD").optional(),
  province: z.string().trim().min(1).max(80).optional(),
  type: z.string().trim().min(1).max(80).optional(),
  target: z.enum(TARGET_CATEGORIES).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(PUBLIC_PAGE_SIZE_MAX).default(100),
});
export type PublicFilter = z.infer<typeof publicFilterSchema>;

/** TimeMap-compatible event: the shape of each GeoJSON feature's properties and CSV row. */
export interface PublicEventRow {
  id: string;
  title: string;
  type: string;
  date: string | null;
  time: string | null;
  time_precision: TimePrecision;
  latitude: number | null;
  longitude: number | null;
  precision_m: number | null;
  location: string | null;
  province: string | null;
  description: string;
  killed_min: number | null;
  killed_max: number | null;
  injured_min: number | null;
  injured_max: number | null;
  claimed_by: string | null;
  attributed_to: string | null;
  attribution_confidence: string | null;
  targets: string;
  sources: Array<{ id: string; title: string; url: string; sha256: string[] }>;
}

export function publicEventRow(incident: PublicIncident, sources: PublicEventRow["sources"]): PublicEventRow {
  return {
    id: incident.id,
    title: incident.title,
    type: incident.type,
    date: incident.date,
    time: incident.time,
    time_precision: incident.timePrecision,
    latitude: incident.location?.latitude ?? null,
    longitude: incident.location?.longitude ?? null,
    precision_m: incident.location?.precisionM ?? null,
    location: incident.locationName,
    province: incident.province,
    description: incident.description,
    killed_min: incident.casualties.killed.min,
    killed_max: incident.casualties.killed.max,
    injured_min: incident.casualties.injured.min,
    injured_max: incident.casualties.injured.max,
    claimed_by: incident.claim.group,
    attributed_to: incident.attribution.group,
    attribution_confidence: incident.attribution.confidence,
    targets: incident.targets.map((t) => t.code).join(";"),
    sources,
  };
}
