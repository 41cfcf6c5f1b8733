import { PROVINCE_OUTLINES_URL } from "@/components/map/location-map";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { IncidentForm, type IncidentFormValues } from "@/components/incidents/incident-form";
import { DomainError } from "@/lib/domain/errors";
import { lookupSegment } from "@/lib/server/http";
import { actorOrRedirect } from "@/lib/server/session";
import { getIncident, type IncidentDetail } from "@/lib/server/services/incidents/get-incident";

export const metadata: Metadata = { title: "Edit incident" };

/** datetime-local inputs take "YYYY-MM-DDTHH:MM" without a zone; the form is in UTC. */
const minuteUtc = (d: Date | null) => (d ? d.toISOString().slice(0, 16) : "");
const numberText = (n: number | null) => (n === null ? "" : String(n));

function formValuesOf(incident: IncidentDetail["incident"]): IncidentFormValues {
  return {
    title: incident.title,
    incidentType: incident.incidentType,
    description: incident.description,
    startAt: minuteUtc(incident.startAt),
    endAt: minuteUtc(incident.endAt),
    location: incident.latitude !== null && incident.longitude !== null ? `${incident.latitude}, ${incident.longitude}` : "",
    precisionM: numberText(incident.precisionM),
    locationName: incident.locationName ?? "",
    claimGroup: incident.claimGroup ?? "",
    claimChannel: incident.claimChannel ?? "",
    claimDate: incident.claimDate ? incident.claimDate.toISOString().slice(0, 10) : "",
    claimUrl: incident.claimUrl ?? "",
    attributionGroup: incident.attributionGroup ?? "",
    attributionConfidence: incident.attributionConfidence ?? "",
    killedMin: numberText(incident.killedMin),
    killedMax: numberText(incident.killedMax),
    killedSource: incident.killedSource ?? "",
    injuredMin: numberText(incident.injuredMin),
    injuredMax: numberText(incident.injuredMax),
    injuredSource: incident.injuredSource ?? "",
    targets: incident.targets,
    tags: incident.tags.join(", "),
  };
}

export default async function EditIncidentPage({ params }: { params: Promise<{ slug: string; ref: string }> }) {
  const actor = await actorOrRedirect();
  const { slug, ref } = await params;
  const detail = await getIncident(actor, slug, lookupSegment(ref)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  if (!detail.canManage) notFound();
  const { project, incident } = detail;
  // An incident may carry a type the project has since dropped; it can be kept (the service allows that).
  const types = detail.incidentTypes.includes(incident.incidentType) ? detail.incidentTypes : [...detail.incidentTypes, incident.incidentType];
  return (
    <>
      <p className="small">
        <Link href={`/projects/${project.slug}`}>{project.name}</Link> · <Link href={`/projects/${project.slug}/incidents`}>Incidents</Link> ·{" "}
        <Link href={`/projects/${project.slug}/incidents/${incident.reference}`}>{incident.reference}</Link>
      </p>
      <h1>Edit <span className="mono">{incident.reference}</span></h1>
      <IncidentForm
        projectId={project.id}
        projectSlug={project.slug}
        incidentTypes={types}
        outlines={PROVINCE_OUTLINES_URL}
        initial={formValuesOf(incident)}
        edit={{ incidentId: incident.id, version: incident.version }}
      />
    </>
  );
}
