"use server";
// Public endpoints: each re-reads the session (runAction); the services check permission and
// parse the input.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { createIncident } from "@/lib/server/services/incidents/create-incident";
import { linkEvidence, unlinkEvidence } from "@/lib/server/services/incidents/link-evidence";
import { updateIncident } from "@/lib/server/services/incidents/update-incident";

const INCIDENT_TEXT_FIELDS = [
  "title", "incidentType", "description", "startAt", "endAt", "location", "precisionM", "locationName",
  "claimGroup", "claimChannel", "claimDate", "claimUrl", "attributionGroup", "attributionConfidence",
  "killedMin", "killedMax", "killedSource", "injuredMin", "injuredMax", "injuredSource", "tags",
] as const;

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" ? value : undefined;
}

function incidentFieldsOf(form: FormData): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.fromEntries(INCIDENT_TEXT_FIELDS.map((name) => [name, text(form, name)]));
  fields.targets = form.getAll("targets").filter((t) => typeof t === "string");
  return fields;
}

/** Only paths inside a project are revalidated or redirected to. */
function projectPath(form: FormData, suffix = ""): string | null {
  const slug = text(form, "projectSlug");
  return slug && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug) ? `/projects/${slug}/incidents${suffix}` : null;
}

function refresh(form: FormData) {
  const path = text(form, "path");
  if (path && path.startsWith("/projects/")) revalidatePath(path);
}

export async function createIncidentAction(_previous: unknown, form: FormData): Promise<ActionResult<{ reference: string }>> {
  const result = await runAction((actor) => createIncident(actor, { ...incidentFieldsOf(form), projectId: text(form, "projectId") }));
  const list = projectPath(form);
  if (result.ok && list) {
    revalidatePath(list);
    redirect(`${list}/${result.data.reference}`);
  }
  return result;
}

export async function updateIncidentAction(_previous: unknown, form: FormData): Promise<ActionResult<{ reference: string }>> {
  const result = await runAction((actor) =>
    updateIncident(actor, { ...incidentFieldsOf(form), incidentId: text(form, "incidentId"), expectedVersion: text(form, "expectedVersion") }),
  );
  const list = projectPath(form);
  if (result.ok && list) {
    revalidatePath(list);
    redirect(`${list}/${result.data.reference}`);
  }
  return result;
}

export async function linkEvidenceAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction(
    (actor) =>
      linkEvidence(actor, {
        incidentId: text(form, "incidentId"),
        itemId: text(form, "itemId"),
        itemReference: text(form, "itemReference"),
        relation: text(form, "relation"),
        asLead: text(form, "asLead"),
      }),
    "Linked.",
  );
  if (result.ok) refresh(form);
  return result;
}

export async function unlinkEvidenceAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction((actor) => unlinkEvidence(actor, { incidentId: text(form, "incidentId"), itemId: text(form, "itemId") }), "Link removed.");
  if (result.ok) refresh(form);
  return result;
}
