"use server";
// Public endpoints: each re-reads the session (runAction) and the service checks permission
// and parses the input.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { previewDuplicates, type DuplicateCandidate } from "@/lib/server/services/items/find-duplicates";
import { retryJob } from "@/lib/server/services/items/retry-job";
import { submitEvidence, type SubmittedItem } from "@/lib/server/services/items/submit-evidence";
import { transitionItem } from "@/lib/server/services/items/transition-item";
import { proposeChronolocation, proposeGeolocation } from "@/lib/server/services/notes/propose-notes";
import { reviewNote } from "@/lib/server/services/notes/review-note";
import { addComment } from "@/lib/server/services/comments/add-comment";

export async function previewDuplicatesAction(input: unknown): Promise<ActionResult<DuplicateCandidate[]>> {
  return runAction((actor) => previewDuplicates(actor, input));
}

export async function submitEvidenceAction(input: unknown): Promise<ActionResult<SubmittedItem>> {
  const result = await runAction((actor) => submitEvidence(actor, input), "Submitted.");
  if (result.ok) revalidatePath(`/projects/${result.data.projectSlug}`);
  return result;
}

export async function retryJobAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction((actor) => retryJob(actor, { jobId: form.get("jobId") }), "Queued again.");
  const path = form.get("path");
  if (result.ok && typeof path === "string" && path.startsWith("/projects/")) revalidatePath(path);
  return result;
}

// --- Verification workspace -------------------------------------------------------------

function field(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function refresh(form: FormData) {
  const path = form.get("path");
  if (typeof path === "string" && path.startsWith("/projects/")) revalidatePath(path);
}

export async function transitionAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction((actor) =>
    transitionItem(actor, {
      itemId: field(form, "itemId"),
      action: field(form, "action"),
      expectedVersion: Number(form.get("expectedVersion")),
      reason: field(form, "reason"),
      rejectionReason: field(form, "rejectionReason"),
      duplicateOfReference: field(form, "duplicateOfReference"),
    }),
  );
  if (result.ok) refresh(form);
  return result;
}

export async function proposeGeolocationAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const provider = field(form, "imageryProvider");
  const landmark = field(form, "landmarkName");
  const result = await runAction(
    (actor) =>
      proposeGeolocation(actor, {
        itemId: field(form, "itemId"),
        point: field(form, "point") ?? "",
        precisionM: field(form, "precisionM"),
        camera: field(form, "camera"),
        bearingDeg: field(form, "bearingDeg"),
        method: field(form, "method") ?? "",
        referenceImagery: provider ? [{ provider, captureDate: field(form, "imageryDate") ?? "", url: field(form, "imageryUrl") ?? "" }] : [],
        landmarks: landmark ? [{ name: landmark, description: field(form, "landmarkDescription") ?? "" }] : [],
      }),
    "Geolocation proposed.",
  );
  if (result.ok) refresh(form);
  return result;
}

export async function proposeChronolocationAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction(
    (actor) =>
      proposeChronolocation(actor, {
        itemId: field(form, "itemId"),
        earliest: field(form, "earliest") ?? "",
        latest: field(form, "latest") ?? "",
        confidence: field(form, "confidence"),
        methods: form.getAll("methods").filter((m) => typeof m === "string"),
        notes: field(form, "notes") ?? "",
      }),
    "Chronolocation proposed.",
  );
  if (result.ok) refresh(form);
  return result;
}

export async function reviewNoteAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction(
    (actor) =>
      reviewNote(actor, {
        itemId: field(form, "itemId"),
        target: field(form, "target"),
        noteId: field(form, "noteId"),
        decision: field(form, "decision"),
        comment: field(form, "comment") ?? "",
        independentPoint: field(form, "independentPoint"),
      }),
    "Review recorded.",
  );
  if (!result.ok) return result;
  refresh(form);
  if (result.data.change === "replace") return { ...result, message: "Your decision was changed." };
  if (result.data.change === "unchanged") return { ...result, message: "You had already made this decision; nothing changed." };
  return result;
}

export async function addCommentAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction((actor) => addComment(actor, { itemId: field(form, "itemId"), body: form.get("body") }), "Comment added.");
  if (result.ok) refresh(form);
  return result;
}
