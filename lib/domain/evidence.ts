// Evidence intake vocabulary and the submission schema shared by the form and the service.
import { z } from "zod";
import { idSchema } from "./schemas";

export const PLATFORMS = ["TELEGRAM", "X_TWITTER", "FACEBOOK", "TIKTOK", "YOUTUBE", "INSTAGRAM", "WHATSAPP", "OTHER"] as const;
export type Platform = (typeof PLATFORMS)[number];

export const PLATFORM_LABELS: Record<Platform, string> = {
  TELEGRAM: "Telegram",
  X_TWITTER: "X / Twitter",
  FACEBOOK: "Facebook",
  TIKTOK: "TikTok",
  YOUTUBE: "YouTube",
  INSTAGRAM: "Instagram",
  WHATSAPP: "WhatsApp",
  OTHER: "Other",
};

export const SENSITIVITY_FLAGS = {
  sensitiveGraphic: "Graphic violence",
  sensitiveIdentifiable: "Identifiable victims or bystanders",
  sensitiveMinors: "Minors",
  sensitivePersonalData: "Personal data visible",
} as const;

export const MAX_FILES_PER_SUBMISSION = 20;
export const MAX_URLS_PER_SUBMISSION = 20;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

/** A full http(s) URL with a host and no credentials: the only links the app stores and shows. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export const httpUrlSchema = z.string().trim().max(2048, "URL is too long").refine(isHttpUrl, "Enter a full http(s) URL");

/** A date and time as typed in a form (datetime-local, assumed UTC) or a full ISO string. */
const instantSchema = z
  .string()
  .trim()
  .max(40)
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const withZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(v) ? v : `${v}Z`;
    const date = new Date(withZone);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "Enter a valid date and time" });
      return z.NEVER;
    }
    return date;
  });

export const submitEvidenceSchema = z
  .object({
    projectId: idSchema,
    title: z.string().trim().min(3, "Give the item a short title").max(200),
    description: z.string().trim().max(10_000).default(""),
    uploadIds: z.array(idSchema).max(MAX_FILES_PER_SUBMISSION).default([]),
    sourceUrls: z.array(httpUrlSchema).max(MAX_URLS_PER_SUBMISSION).default([]),
    platform: z.enum(PLATFORMS).optional(),
    postUrl: httpUrlSchema.optional().or(z.literal("").transform(() => undefined)),
    posterHandle: optionalText(200),
    platformUploadedAt: instantSchema,
    claimedPlace: optionalText(300),
    claimedDate: optionalText(100),
    language: optionalText(40),
    sensitiveGraphic: z.boolean().default(false),
    sensitiveIdentifiable: z.boolean().default(false),
    sensitiveMinors: z.boolean().default(false),
    sensitivePersonalData: z.boolean().default(false),
  })
  .refine((v) => v.uploadIds.length + v.sourceUrls.length > 0, {
    message: "Add at least one file or source URL",
    path: ["uploadIds"],
  });

export type SubmitEvidenceInput = z.input<typeof submitEvidenceSchema>;

export type DuplicateKind = "exact" | "near" | "same_url";

export interface DuplicateCandidate {
  kind: DuplicateKind;
  /** What matched on our side: an upload id, a media file id or a URL. */
  subject: string;
  /** Visible only when the actor may read the other item; otherwise just the fact of a match. */
  item: { id: string; reference: string; title: string; status: string } | null;
  distance?: number;
}
