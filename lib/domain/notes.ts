// Geolocation and chronolocation notes, and peer reviews of them: the input rules shared by
// forms and services.
import { z } from "zod";
import { parseCoordinates } from "./coordinates";
import { isHttpUrl } from "./evidence";
import { idSchema } from "./schemas";

export const CHRONO_METHODS = ["METADATA", "PLATFORM_UPLOAD_TIME", "SUN_AND_SHADOWS", "WEATHER", "CORROBORATING_POSTS", "OTHER"] as const;
export const CHRONO_METHOD_LABELS: Record<(typeof CHRONO_METHODS)[number], string> = {
  METADATA: "File metadata",
  PLATFORM_UPLOAD_TIME: "Platform upload time",
  SUN_AND_SHADOWS: "Sun and shadows",
  WEATHER: "Weather",
  CORROBORATING_POSTS: "Corroborating posts",
  OTHER: "Other",
};
export const CONFIDENCE_LEVELS = ["LOW", "MEDIUM", "HIGH"] as const;

/** Coordinates typed or pasted in any common form (see coordinates.ts), parsed to a point. */
const pointSchema = z
  .string()
  .trim()
  .min(1, "Enter coordinates or paste a map link")
  .max(500)
  .transform((value, ctx) => {
    const parsed = parseCoordinates(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return { latitude: parsed.latitude, longitude: parsed.longitude, format: parsed.format };
  });

const optionalPointSchema = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const parsed = parseCoordinates(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return { latitude: parsed.latitude, longitude: parsed.longitude };
  });

export const referenceImagerySchema = z.object({
  provider: z.string().trim().min(1, "Name the imagery provider").max(100),
  captureDate: z.string().trim().max(40).default(""),
  // Shown as a link on the item page: http(s) or nothing (never javascript:, data: and the like).
  url: z
    .string()
    .trim()
    .max(2048, "URL is too long")
    .default("")
    .refine((value) => value === "" || isHttpUrl(value), "Enter a full http(s) URL for the imagery, or leave it empty"),
});

export const landmarkSchema = z.object({
  name: z.string().trim().min(1, "Name the landmark").max(200),
  description: z.string().trim().max(1000).default(""),
});

export const geolocationNoteSchema = z.object({
  itemId: idSchema,
  point: pointSchema,
  precisionM: z.coerce.number().int("Precision is a whole number of metres").min(1, "Precision must be at least 1 m").max(100_000, "Precision must be at most 100 km"),
  camera: optionalPointSchema,
  bearingDeg: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce.number().min(0, "Bearing is 0-359°").lt(360, "Bearing is 0-359°").optional(),
  ),
  method: z.string().trim().min(3, "Describe how you found the location").max(10_000),
  referenceImagery: z.array(referenceImagerySchema).max(20).default([]),
  landmarks: z.array(landmarkSchema).max(50).default([]),
});

const instant = z
  .string()
  .trim()
  .min(1, "Enter a date and time")
  .max(40)
  .transform((value, ctx) => {
    const withZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`;
    const date = new Date(withZone);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "Enter a valid date and time" });
      return z.NEVER;
    }
    return date;
  });

export const chronolocationNoteSchema = z
  .object({
    itemId: idSchema,
    earliest: instant,
    latest: instant,
    confidence: z.enum(CONFIDENCE_LEVELS),
    methods: z.array(z.enum(CHRONO_METHODS)).min(1, "Choose at least one method").max(CHRONO_METHODS.length),
    notes: z.string().trim().max(10_000).default(""),
  })
  .refine((v) => v.latest.getTime() >= v.earliest.getTime(), { message: "The latest time must not be before the earliest", path: ["latest"] });

export const noteReviewSchema = z
  .object({
    itemId: idSchema,
    target: z.enum(["GEOLOCATION", "CHRONOLOCATION"]),
    noteId: idSchema,
    decision: z.enum(["APPROVE", "REQUEST_CHANGES"]),
    comment: z.string().trim().max(5000).default(""),
    /** A reviewer's own, independent point: the distance to the proposal is recorded. */
    independentPoint: optionalPointSchema,
  })
  .refine((v) => v.decision === "APPROVE" || v.comment.length >= 3, { message: "Say what is wrong", path: ["comment"] });

export const REVIEW_DECISIONS = ["APPROVE", "REQUEST_CHANGES"] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** How the page names a reviewer's own decision ("You confirmed this note"). */
export const OWN_DECISION_TEXT: Record<ReviewDecision, string> = {
  APPROVE: "You confirmed this note",
  REQUEST_CHANGES: "You disputed this note",
};

/**
 * A person's review of a note is one decision. A new submission either records it (none yet),
 * repeats it (same decision: nothing changes, so a double click or a stale form is harmless), or
 * replaces it (confirm to dispute or back).
 */
export type ReviewChange = "record" | "unchanged" | "replace";
export function reviewChange(previous: ReviewDecision | null, next: ReviewDecision): ReviewChange {
  if (previous === null) return "record";
  return previous === next ? "unchanged" : "replace";
}

/**
 * Independent confirmations of one note: the number of distinct people whose current decision
 * is a confirmation, not counting anyone who wrote notes on the item.
 */
export function independentConfirmations(reviews: ReadonlyArray<{ reviewerId: string; decision: ReviewDecision }>, authorIds: readonly string[]): number {
  return new Set(reviews.filter((r) => r.decision === "APPROVE" && !authorIds.includes(r.reviewerId)).map((r) => r.reviewerId)).size;
}

interface StoredReview {
  id: string;
  reviewerId: string;
  geolocationId?: string | null;
  chronolocationId?: string | null;
  createdAt: Date;
}

/**
 * Each reviewer's latest review of each note (newest createdAt, then highest id), in the input
 * order. Versions before one-decision-per-note could store a reviewer's repeated reviews; the
 * database migration and the archive restore keep only the latest, as this does.
 */
export function latestReviewPerNote<T extends StoredReview>(rows: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const row of rows) {
    const note = row.geolocationId ? `g:${row.geolocationId}` : row.chronolocationId ? `c:${row.chronolocationId}` : `r:${row.id}`;
    const key = `${note}:${row.reviewerId}`;
    const kept = latest.get(key);
    const newer = !kept || row.createdAt.getTime() > kept.createdAt.getTime() || (row.createdAt.getTime() === kept.createdAt.getTime() && row.id > kept.id);
    if (newer) latest.set(key, row);
  }
  const keep = new Set(latest.values());
  return rows.filter((row) => keep.has(row));
}
