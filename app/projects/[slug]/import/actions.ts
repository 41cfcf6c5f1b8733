"use server";
// Public endpoint: runAction re-reads the session; the service checks permission and parses input.
import { revalidatePath } from "next/cache";
import type { ImportReport } from "@/lib/domain/import/report";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { importIncidents } from "@/lib/server/services/imports/import-incidents";
import { deleteImportMapping, saveImportMapping } from "@/lib/server/services/imports/saved-mappings";

export async function importIncidentsAction(form: FormData): Promise<ActionResult<ImportReport>> {
  const result = await runAction(async (actor) => {
    const file = form.get("file");
    return importIncidents(actor, {
      projectId: form.get("projectId"),
      format: form.get("format"),
      bytes: file instanceof File ? new Uint8Array(await file.arrayBuffer()) : undefined,
      filename: file instanceof File ? file.name : undefined,
      mapping: form.get("mapping") ?? undefined,
      dryRun: form.get("dryRun") !== "false",
      onRowErrors: form.get("onRowErrors") ?? undefined,
      updates: form.get("updates") ?? undefined,
    });
  });
  const slug = form.get("projectSlug");
  if (result.ok && !result.data.dryRun && typeof slug === "string" && /^[a-z0-9-]+$/.test(slug)) {
    revalidatePath(`/projects/${slug}`);
    revalidatePath(`/projects/${slug}/import`);
  }
  return result;
}

/** Saves the mapping being edited under a name for this project's next imports. */
export async function saveImportMappingAction(input: unknown): Promise<ActionResult<{ id: string; name: string; replaced: boolean }>> {
  return runAction((actor) => saveImportMapping(actor, input));
}

export async function deleteImportMappingAction(input: unknown): Promise<ActionResult<{ name: string }>> {
  return runAction((actor) => deleteImportMapping(actor, input));
}
