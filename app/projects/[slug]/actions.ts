"use server";
// Public endpoints: each re-reads the session (runAction) and the service checks permission
// and parses the input.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { previewDuplicates, type DuplicateCandidate } from "@/lib/server/services/items/find-duplicates";
import { retryJob } from "@/lib/server/services/items/retry-job";
import { submitEvidence, type SubmittedItem } from "@/lib/server/services/items/submit-evidence";

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
