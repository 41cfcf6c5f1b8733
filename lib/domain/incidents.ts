// Incidents and the evidence linked to them: input rules shared by forms and services, and the
// rule deciding when an item counts as evidence. Pure: no I/O, no framework.
//
// Decisions worth knowing (the tests pin each one down):
// - What a group claimed (claim*) and what the analysts attribute (attribution*) are separate
//   fields and are never merged: an attack can be unclaimed, and a claim can be inflated.
// - Times without a zone are read as UTC; a bare date (2022-09-30) is midnight UTC.
// - Casualty figures are ranges; either end may be unknown ("at least 5" has no max), but when
//   both are given min <= max.
// - Only VERIFIED or PUBLISHED items count as evidence. Any other live item may be attached as
//   an "unverified lead", which never counts. Rejected items and duplicates cannot be attached:
//   a rejected item was judged irrelevant or recycled, and a duplicate's original is the item to link.
import { z } from "zod";
import { PRECISION_PRESETS, parseCoordinates } from "./coordinates";
import { ATTRIBUTION_CONFIDENCES, TARGET_CATEGORIES } from "./incident-fields";
import { httpUrlSchema } from "./evidence";
import { EVIDENCE_STATES, UNLINKABLE_STATES, isEvidenceState, isUnlinkableState } from "./review-workflow";
import { idSchema } from "./schemas";

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;
export const PRECISION_CHOICES: readonly number[] = Object.values(PRECISION_PRESETS);

/** Item states whose items count as evidence when linked (the workflow's list). */
export const EVIDENCE_STATUSES = EVIDENCE_STATES;
/** Item states that cannot be attached to an incident at all (the workflow's list). */
export const UNLINKABLE_STATUSES = UNLINKABLE_STATES;

export function isVerifiedStatus(status: string): boolean {
  return isEvidenceState(status);
}

export type LinkKind = { ok: true; isLead: boolean } | { ok: false; message: string };

/** Whether an item in `itemStatus` may be linked, and as what. */
export function linkKindFor(itemStatus: string, asLead: boolean): LinkKind {
  if (isUnlinkableState(itemStatus)) {
    return { ok: false, message: itemStatus === "DUPLICATE" ? "This item is a duplicate: link the original item instead." : "Rejected items cannot be linked to an incident." };
  }
  if (asLead) return { ok: true, isLead: true };
  if (isVerifiedStatus(itemStatus)) return { ok: true, isLead: false };
  return { ok: false, message: "Only verified items can be linked as evidence. Link it as an unverified lead instead." };
}

/**
 * Whether a link counts as evidence now. An item linked as evidence and later reopened (no
 * longer verified) stops counting until it is verified again.
 */
export function countsAsEvidence(link: { isLead: boolean; itemStatus: string }): boolean {
  return !link.isLead && isVerifiedStatus(link.itemStatus);
}

export type EvidenceCounts = { verified: number; leads: number; noLongerVerified: number };

export function countEvidence(links: ReadonlyArray<{ isLead: boolean; itemStatus: string }>): EvidenceCounts {
  const counts: EvidenceCounts = { verified: 0, leads: 0, noLongerVerified: 0 };
  for (const link of links) {
    if (link.isLead) counts.leads += 1;
    else if (isVerifiedStatus(link.itemStatus)) counts.verified += 1;
    else counts.noLongerVerified += 1;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Field schemas. Forms send strings; "" means "not given".

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value === null ? undefined : value);

const optionalText = (max: number, tooLong: string) =>
  z.preprocess(blankToUndefined, z.string().trim().max(max, tooLong).optional());

/** An instant in ISO form; no zone means UTC, a bare date means midnight UTC. */
export const optionalInstantSchema = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .max(40, "Enter a date and time such as 2022-09-30T06:15")
    .transform((value, ctx) => {
      const withTime = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value;
      const withZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(withTime) ? withTime : `${withTime}Z`;
      const date = new Date(withZone);
      if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
        ctx.addIssue({ code: "custom", message: "Enter a date and time such as 2022-09-30T06:15 (UTC)" });
        return z.NEVER;
      }
      return date;
    })
    .optional(),
);

const casualtyCount = z.preprocess(
  blankToUndefined,
  z.coerce.number({ message: "Enter a whole number" }).int("Enter a whole number").min(0, "Cannot be negative").max(1_000_000, "That number is too large").optional(),
);

/** Coordinates in any form parseCoordinates() reads. */
const optionalLocationSchema = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .max(500)
    .transform((value, ctx) => {
      const parsed = parseCoordinates(value);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: parsed.error });
        return z.NEVER;
      }
      return { latitude: parsed.latitude, longitude: parsed.longitude };
    })
    .optional(),
);

const precisionSchema = z.preprocess(
  blankToUndefined,
  z.coerce
    .number({ message: "Choose a precision" })
    .refine((m) => PRECISION_CHOICES.includes(m), `Choose one of ${PRECISION_CHOICES.map((m) => `${m} m`).join(", ")}`)
    .optional(),
);

/** Free labels: trimmed, lower-case, inner spaces collapsed, no duplicates. Accepts a list or "a, b". */
export const tagsSchema = z.preprocess(
  (value) => (typeof value === "string" ? value.split(",") : value === undefined || value === null ? [] : value),
  z
    .array(z.string())
    .transform((tags) => [...new Set(tags.map((t) => t.trim().toLowerCase().replace(/\s+/g, " ")).filter((t) => t.length > 0))])
    .pipe(
      z
        .array(z.string().max(MAX_TAG_LENGTH, `A tag has at most ${MAX_TAG_LENGTH} characters`))
        .max(MAX_TAGS, `At most ${MAX_TAGS} tags`),
    ),
);

const targetsSchema = z.preprocess(
  (value) => (value === undefined || value === null ? [] : typeof value === "string" ? [value] : value),
  z.array(z.enum(TARGET_CATEGORIES, { message: "Choose target categories from the list" })).transform((list) => [...new Set(list)]),
);

const claimUrlSchema = z.preprocess(blankToUndefined, httpUrlSchema.optional());

function incidentFields(types: readonly string[]) {
  return z.object({
    title: z.string({ message: "Enter a title" }).trim().min(3, "Enter a title of at least 3 characters").max(300, "The title is too long"),
    incidentType: z
      .string({ message: "Choose a type" })
      .trim()
      .refine((t) => types.includes(t), "Choose one of this project's incident types"),
    description: z.preprocess((v) => v ?? "", z.string().trim().max(20_000, "The description is too long")),
    startAt: optionalInstantSchema,
    endAt: optionalInstantSchema,
    location: optionalLocationSchema,
    precisionM: precisionSchema,
    locationName: optionalText(200, "The place name is too long"),
    claimGroup: optionalText(200, "Too long"),
    claimChannel: optionalText(200, "Too long"),
    claimDate: optionalInstantSchema,
    claimUrl: claimUrlSchema,
    attributionGroup: optionalText(200, "Too long"),
    attributionConfidence: z.preprocess(blankToUndefined, z.enum(ATTRIBUTION_CONFIDENCES, { message: "Choose low, medium or high" }).optional()),
    killedMin: casualtyCount,
    killedMax: casualtyCount,
    killedSource: optionalText(500, "The source is too long"),
    injuredMin: casualtyCount,
    injuredMax: casualtyCount,
    injuredSource: optionalText(500, "The source is too long"),
    targets: targetsSchema,
    tags: tagsSchema,
  });
}

type IncidentFieldsShape = z.output<ReturnType<typeof incidentFields>>;

/** Cross-field rules, shared by create and update. */
function checkIncident(value: IncidentFieldsShape, ctx: z.RefinementCtx) {
  if (value.startAt && value.endAt && value.endAt.getTime() < value.startAt.getTime()) {
    ctx.addIssue({ code: "custom", message: "The end must not be before the start", path: ["endAt"] });
  }
  if (value.endAt && !value.startAt) ctx.addIssue({ code: "custom", message: "Enter the start of the time window too", path: ["startAt"] });
  if (value.location && value.precisionM === undefined) ctx.addIssue({ code: "custom", message: "Choose how precise the location is", path: ["precisionM"] });
  for (const kind of ["killed", "injured"] as const) {
    const min = value[`${kind}Min`];
    const max = value[`${kind}Max`];
    if (min !== undefined && max !== undefined && min > max) {
      ctx.addIssue({ code: "custom", message: "The maximum must not be below the minimum", path: [`${kind}Max`] });
    }
  }
  if (value.attributionConfidence && !value.attributionGroup) {
    ctx.addIssue({ code: "custom", message: "Name the group the analysts attribute the incident to", path: ["attributionGroup"] });
  }
}

/** The stored form of an incident's editable fields (null where not given). */
export type IncidentValues = {
  title: string;
  incidentType: string;
  description: string;
  startAt: Date | null;
  endAt: Date | null;
  latitude: number | null;
  longitude: number | null;
  precisionM: number | null;
  locationName: string | null;
  claimGroup: string | null;
  claimChannel: string | null;
  claimDate: Date | null;
  claimUrl: string | null;
  attributionGroup: string | null;
  attributionConfidence: (typeof ATTRIBUTION_CONFIDENCES)[number] | null;
  killedMin: number | null;
  killedMax: number | null;
  killedSource: string | null;
  injuredMin: number | null;
  injuredMax: number | null;
  injuredSource: string | null;
  targets: string[];
  tags: string[];
};

export const INCIDENT_VALUE_KEYS = [
  "title", "incidentType", "description", "startAt", "endAt", "latitude", "longitude", "precisionM", "locationName",
  "claimGroup", "claimChannel", "claimDate", "claimUrl", "attributionGroup", "attributionConfidence",
  "killedMin", "killedMax", "killedSource", "injuredMin", "injuredMax", "injuredSource", "targets", "tags",
] as const satisfies ReadonlyArray<keyof IncidentValues>;

function toValues(v: IncidentFieldsShape): IncidentValues {
  return {
    title: v.title,
    incidentType: v.incidentType,
    description: v.description,
    startAt: v.startAt ?? null,
    endAt: v.endAt ?? null,
    latitude: v.location?.latitude ?? null,
    longitude: v.location?.longitude ?? null,
    // A precision without a point is form noise (the radio has a default), so it is dropped.
    precisionM: v.location ? (v.precisionM ?? null) : null,
    locationName: v.locationName ?? null,
    claimGroup: v.claimGroup ?? null,
    claimChannel: v.claimChannel ?? null,
    claimDate: v.claimDate ?? null,
    claimUrl: v.claimUrl ?? null,
    attributionGroup: v.attributionGroup ?? null,
    attributionConfidence: v.attributionConfidence ?? null,
    killedMin: v.killedMin ?? null,
    killedMax: v.killedMax ?? null,
    killedSource: v.killedSource ?? null,
    injuredMin: v.injuredMin ?? null,
    injuredMax: v.injuredMax ?? null,
    injuredSource: v.injuredSource ?? null,
    targets: v.targets,
    tags: v.tags,
  };
}

/** Creating an incident in a project whose incident types are `types`. */
export function incidentInputSchema(types: readonly string[]) {
  return incidentFields(types)
    .extend({ projectId: idSchema })
    .superRefine(checkIncident)
    .transform((v) => ({ projectId: v.projectId, values: toValues(v) }));
}

/** Editing an incident: every field is sent again, conditional on the version the editor saw. */
export function incidentUpdateSchema(types: readonly string[]) {
  return incidentFields(types)
    .extend({ incidentId: idSchema, expectedVersion: z.coerce.number().int().min(0) })
    .superRefine(checkIncident)
    .transform((v) => ({ incidentId: v.incidentId, expectedVersion: v.expectedVersion, values: toValues(v) }));
}

/** The fields whose values differ, as { before, after } for the audit log. */
export function changedIncidentFields(before: IncidentValues, after: IncidentValues): { before: Partial<IncidentValues>; after: Partial<IncidentValues> } {
  const changedBefore: Record<string, unknown> = {};
  const changedAfter: Record<string, unknown> = {};
  for (const key of INCIDENT_VALUE_KEYS) {
    if (!sameValue(before[key], after[key])) {
      changedBefore[key] = before[key];
      changedAfter[key] = after[key];
    }
  }
  return { before: changedBefore as Partial<IncidentValues>, after: changedAfter as Partial<IncidentValues> };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

// ---------------------------------------------------------------------------------------------
// Evidence links

const asLeadSchema = z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean());

/** The item is named by id (pickers) or by its reference such as AW-0042 (typed by people). */
export const linkEvidenceSchema = z
  .object({
    incidentId: idSchema,
    itemId: z.preprocess(blankToUndefined, idSchema.optional()),
    itemReference: z.preprocess(blankToUndefined, z.string().trim().toUpperCase().max(40).regex(/^[A-Z0-9]+(?:-[A-Z0-9]+)*-\d+$/, "Enter an item reference such as AW-0042").optional()),
    relation: z.preprocess((v) => v ?? "", z.string().trim().max(500, "The relation note is too long")),
    asLead: asLeadSchema,
  })
  .refine((v) => v.itemId !== undefined || v.itemReference !== undefined, { message: "Name the item to link", path: ["itemReference"] });

export const unlinkEvidenceSchema = z.object({
  incidentId: idSchema,
  itemId: idSchema,
});

/** A casualty range as people read it: "3–7", "5", "at least 5", "up to 7", "unknown". */
export function formatRange(min: number | null, max: number | null): string {
  if (min === null && max === null) return "unknown";
  if (min !== null && max !== null) return min === max ? String(min) : `${min}–${max}`;
  if (min !== null) return `at least ${min}`;
  return `up to ${max}`;
}
