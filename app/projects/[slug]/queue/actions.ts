"use server";
// Public endpoints: each re-reads the session (runAction); the services check permission and parse input.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { bulkUpdate, type BulkReport } from "@/lib/server/services/queue/bulk-update";
import { deleteView, saveView, type SavedViewLink } from "@/lib/server/services/queue/saved-views";

function refresh(path: unknown) {
  if (typeof path === "string" && /^\/projects\/[a-z0-9-]+\/queue$/.test(path)) revalidatePath(path);
}

export async function saveViewAction(input: { projectId: unknown; name: unknown; search: unknown; path: unknown }): Promise<ActionResult<SavedViewLink>> {
  const result = await runAction((actor) => saveView(actor, { projectId: input.projectId, name: input.name, search: input.search }), "View saved.");
  if (result.ok) refresh(input.path);
  return result;
}

export async function deleteViewAction(input: { viewId: unknown; path: unknown }): Promise<ActionResult<void>> {
  const result = await runAction((actor) => deleteView(actor, { viewId: input.viewId }), "View deleted.");
  if (result.ok) refresh(input.path);
  return result;
}

export async function bulkAction(input: unknown, path: unknown): Promise<ActionResult<BulkReport>> {
  const result = await runAction((actor) => bulkUpdate(actor, input));
  if (result.ok) refresh(path);
  return result;
}
