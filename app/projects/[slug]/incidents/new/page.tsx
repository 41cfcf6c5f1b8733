import { PROVINCE_OUTLINES_URL } from "@/components/map/location-map";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EMPTY_INCIDENT_FORM, IncidentForm } from "@/components/incidents/incident-form";
import { DomainError } from "@/lib/domain/errors";
import { actorOrRedirect } from "@/lib/server/session";
import { getIncidentFormOptions } from "@/lib/server/services/incidents/get-incident";

export const metadata: Metadata = { title: "New incident" };

export default async function NewIncidentPage({ params }: { params: Promise<{ slug: string }> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const options = await getIncidentFormOptions(actor, slug).catch((error: unknown) => {
    if (error instanceof DomainError && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) notFound();
    throw error;
  });
  return (
    <>
      <p className="small">
        <Link href={`/projects/${options.project.slug}`}>{options.project.name}</Link> · <Link href={`/projects/${options.project.slug}/incidents`}>Incidents</Link>
      </p>
      <h1>New incident</h1>
      <IncidentForm
        projectId={options.project.id}
        projectSlug={options.project.slug}
        incidentTypes={options.incidentTypes}
        outlines={PROVINCE_OUTLINES_URL}
        initial={EMPTY_INCIDENT_FORM}
      />
    </>
  );
}
