"use server";
// Public endpoints: each re-reads the session (runAction); the services check permission and parse input.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { publishIncident, publishItem, unpublishIncident, unpublishItem } from "@/lib/server/services/publishing/publish";

function refresh(path: unknown) {
  if (typeof path === "string" && /^\/projects\/[a-z0-9-]+\/(items|incidents)\/[A-Za-z0-9-]+$/.test(path)) revalidatePath(path);
}

export async function publishIncidentAction(input: unknown, path: unknown): Promise<ActionResult<{ reference: string; items: number }>> {
  const result = await runAction((actor) => publishIncident(actor, input), "Published.");
  if (result.ok) refresh(path);
  return result;
}

export async function unpublishIncidentAction(input: unknown, path: unknown): Promise<ActionResult<void>> {
  const result = await runAction((actor) => unpublishIncident(actor, input), "Removed from the public site.");
  if (result.ok) refresh(path);
  return result;
}

export async function publishItemAction(input: unknown, path: unknown): Promise<ActionResult<{ id: string; reference: string }>> {
  const result = await runAction((actor) => publishItem(actor, input), "Published.");
  if (result.ok) refresh(path);
  return result;
}

export async function unpublishItemAction(input: unknown, path: unknown): Promise<ActionResult<void>> {
  const result = await runAction((actor) => unpublishItem(actor, input), "Removed from the public site.");
  if (result.ok) refresh(path);
  return result;
}
