import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PublicEvidence, placeOf } from "@/components/public/public-evidence";
import { DomainError } from "@/lib/domain/errors";
import { lookupSegment } from "@/lib/server/http";
import type { PublicIncident } from "@/lib/domain/publication";
import { getPublicIncident } from "@/lib/server/services/public/detail";

export const metadata: Metadata = { title: "Incident" };

function range(figure: PublicIncident["casualties"]["killed"]): string {
  if (figure.min === null && figure.max === null) return "Unknown";
  if (figure.min !== null && figure.max !== null) return figure.min === figure.max ? String(figure.min) : `${figure.min}–${figure.max}`;
  return figure.min !== null ? `at least ${figure.min}` : `up to ${figure.max}`;
}

export default async function PublicIncidentPage({ params }: { params: Promise<{ project: string; id: string }> }) {
  const { project: slug, id } = await params;
  const view = await getPublicIncident(slug, lookupSegment(id)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { project, incident, evidence } = view;
  return (
    <>
      <p className="small"><Link href={`/public/${project.slug}`}>All incidents</Link></p>
      <h1><span className="mono">{incident.id}</span> {incident.title}</h1>
      <p className="lede">
        {[incident.type, incident.date ? `${incident.date}${incident.time ? ` ${incident.time} UTC` : ""}` : "date unknown", incident.province ? `${incident.province} province` : null].filter(Boolean).join(" · ")}
      </p>
      <div className="incident-sections">
        <section className="panel" aria-labelledby="what">
          <h2 id="what">What happened</h2>
          {incident.description ? <p className="prewrap">{incident.description}</p> : null}
          <dl className="kv">
            <dt>Type</dt><dd>{incident.type}</dd>
            <dt>Targets</dt><dd>{incident.targets.length ? incident.targets.map((t) => t.label).join(", ") : "—"}</dd>
            <dt>When</dt><dd>{incident.startAt ?? "Unknown"}{incident.endAt && incident.endAt !== incident.startAt ? ` to ${incident.endAt}` : ""} ({incident.timePrecision})</dd>
            <dt>Where</dt><dd>{[incident.locationName, incident.province].filter(Boolean).join(", ") || "—"}</dd>
            <dt>Point</dt><dd>{placeOf(incident.location, incident.locationWithheld)}</dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="casualties">
          <h2 id="casualties">Casualties</h2>
          <dl className="kv">
            <dt>Killed</dt><dd>{range(incident.casualties.killed)}{incident.casualties.killed.source ? <span className="small muted"> (source: {incident.casualties.killed.source})</span> : null}</dd>
            <dt>Injured</dt><dd>{range(incident.casualties.injured)}{incident.casualties.injured.source ? <span className="small muted"> (source: {incident.casualties.injured.source})</span> : null}</dd>
          </dl>
        </section>
        <section className="panel claim-section" aria-labelledby="claim">
          <h2 id="claim">Claim</h2>
          <p className="small muted">What a group said about itself; not our finding.</p>
          <dl className="kv">
            <dt>Claimed by</dt><dd>{incident.claim.group ?? "No known claim"}</dd>
            {incident.claim.channel ? <><dt>Channel</dt><dd>{incident.claim.channel}</dd></> : null}
            {incident.claim.date ? <><dt>Date</dt><dd>{incident.claim.date}</dd></> : null}
          </dl>
        </section>
        <section className="panel attribution-section" aria-labelledby="attribution">
          <h2 id="attribution">Attribution</h2>
          <p className="small muted">Our analysts&apos; assessment, kept apart from any claim.</p>
          <dl className="kv">
            <dt>Attributed to</dt><dd>{incident.attribution.group ?? "Not attributed"}</dd>
            {incident.attribution.confidence ? <><dt>Confidence</dt><dd>{incident.attribution.confidence.toLowerCase()}</dd></> : null}
          </dl>
        </section>
      </div>
      <h2>Evidence ({evidence.length})</h2>
      {evidence.length === 0 ? <p className="muted">No evidence published for this incident yet.</p> : null}
      <div className="public-evidence-list">
        {evidence.map((e) => <PublicEvidence key={e.item.id} projectSlug={project.slug} item={e.item} mediaSets={e.mediaSets} />)}
      </div>
      <p className="small muted">Published {incident.publishedAt.slice(0, 10)} · updated {incident.updatedAt.slice(0, 10)} · <Link href={`/api/public/v1/${project.slug}/incidents/${encodeURIComponent(incident.id)}`}>JSON</Link></p>
    </>
  );
}
