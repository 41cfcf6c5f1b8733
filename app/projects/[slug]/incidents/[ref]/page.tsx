import { PROVINCE_OUTLINES_URL } from "@/components/map/location-map";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LinkItemForm, UnlinkButton } from "@/components/incidents/evidence-controls";
import { IncidentMap } from "@/components/incidents/incident-map";
import { IncidentTimeline, type TimelineRow } from "@/components/incidents/incident-timeline";
import { PublishIncidentPanel } from "@/components/publishing/publish-panels";
import { StatusBadge } from "@/components/status-badge";
import { DomainError } from "@/lib/domain/errors";
import { lookupSegment } from "@/lib/server/http";
import { TARGET_CATEGORY_LABELS, type TargetCategory } from "@/lib/domain/incident-fields";
import { formatRange } from "@/lib/domain/incidents";
import { actorOrRedirect } from "@/lib/server/session";
import { getIncident } from "@/lib/server/services/incidents/get-incident";
import { incidentPublicationState } from "@/lib/server/services/publishing/publication-state";

export const metadata: Metadata = { title: "Incident" };

const utc = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
const fmt = (d: Date | null) => (d ? `${utc.format(d)} UTC` : "—");

export default async function IncidentPage({ params }: { params: Promise<{ slug: string; ref: string }> }) {
  const actor = await actorOrRedirect();
  const { slug, ref } = await params;
  const detail = await getIncident(actor, slug, lookupSegment(ref)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { project, incident, evidence, counts } = detail;
  const publication = await incidentPublicationState(actor, incident.id);
  const pagePath = `/projects/${project.slug}/incidents/${incident.reference}`;
  const point = incident.latitude !== null && incident.longitude !== null ? { lat: incident.latitude, lon: incident.longitude } : null;
  const located = evidence.filter((e) => e.geolocation !== null);

  const timeline: TimelineRow[] = [];
  if (incident.startAt) timeline.push({ key: "incident", label: `${incident.reference} (incident)`, start: incident.startAt, end: incident.endAt ?? incident.startAt, kind: "incident" });
  for (const e of evidence) {
    if (!e.chronolocation) continue;
    timeline.push({
      key: e.itemId,
      label: e.countsAsEvidence ? e.reference : `${e.reference} · unverified lead`,
      start: e.chronolocation.earliestAt,
      end: e.chronolocation.latestAt,
      kind: e.countsAsEvidence ? "evidence" : "lead",
    });
  }

  return (
    <>
      <p className="small">
        <Link href={`/projects/${project.slug}`}>{project.name}</Link> · <Link href={`/projects/${project.slug}/incidents`}>Incidents</Link>
      </p>
      <h1><span className="mono">{incident.reference}</span> {incident.title}</h1>
      <p className="lede">
        {incident.incidentType} · {incident.startAt ? day.format(incident.startAt) : "date unknown"}
        {incident.province ? ` · ${incident.province} province` : ""} · created by {incident.createdBy.name}
      </p>
      {detail.canManage ? <p><Link href={`${pagePath}/edit`} className="button-link" data-testid="edit-incident">Edit incident</Link></p> : null}

      <ul className="stats" aria-label="Evidence counts">
        <li><strong data-testid="verified-evidence-count">{counts.verified}</strong> verified evidence</li>
        <li><strong data-testid="lead-count">{counts.leads}</strong> unverified leads</li>
        {counts.noLongerVerified > 0 ? <li><strong>{counts.noLongerVerified}</strong> linked, no longer verified</li> : null}
      </ul>

      <div className="incident-sections">
        <section className="panel" aria-labelledby="what">
          <h2 id="what">What happened</h2>
          <dl className="kv">
            <dt>Type</dt><dd>{incident.incidentType}</dd>
            <dt>Description</dt><dd className="prewrap">{incident.description || "—"}</dd>
            <dt>Targets</dt><dd>{incident.targets.length ? incident.targets.map((t) => TARGET_CATEGORY_LABELS[t as TargetCategory] ?? t).join(", ") : "—"}</dd>
            <dt>Tags</dt><dd>{incident.tags.length ? incident.tags.map((t) => <span key={t} className="badge">{t}</span>) : "—"}</dd>
          </dl>
        </section>

        <section className="panel" aria-labelledby="when-where">
          <h2 id="when-where">When and where</h2>
          <dl className="kv">
            <dt>Start</dt><dd>{fmt(incident.startAt)}</dd>
            <dt>End</dt><dd>{fmt(incident.endAt)}</dd>
            <dt>Place</dt><dd>{incident.locationName ?? "—"}</dd>
            <dt>Coordinates</dt><dd>{point ? `${point.lat.toFixed(6)}, ${point.lon.toFixed(6)} ± ${incident.precisionM ?? "?"} m` : "—"}</dd>
            <dt>Province</dt><dd>{incident.province ?? "—"}</dd>
            <dt>District</dt><dd>{incident.district ?? "—"}</dd>
          </dl>
        </section>

        <section className="panel claim-section" aria-labelledby="claimed-by" data-testid="claim-section">
          <h2 id="claimed-by">Claimed by</h2>
          <p className="small muted">What the group itself said. Not the analysts&apos; conclusion.</p>
          <dl className="kv">
            <dt>Group</dt><dd>{incident.claimGroup ?? "No claim recorded"}</dd>
            <dt>Channel</dt><dd>{incident.claimChannel ?? "—"}</dd>
            <dt>Date</dt><dd>{incident.claimDate ? day.format(incident.claimDate) : "—"}</dd>
            <dt>URL</dt><dd>{incident.claimUrl ? <a href={incident.claimUrl} rel="noreferrer noopener" target="_blank">{incident.claimUrl}</a> : "—"}</dd>
          </dl>
        </section>

        <section className="panel attribution-section" aria-labelledby="attribution" data-testid="attribution-section">
          <h2 id="attribution">Attribution (analysts)</h2>
          <p className="small muted">The team&apos;s own assessment, kept apart from any claim.</p>
          <dl className="kv">
            <dt>Attributed to</dt><dd>{incident.attributionGroup ?? "Not attributed"}</dd>
            <dt>Confidence</dt><dd>{incident.attributionConfidence ? incident.attributionConfidence.toLowerCase() : "—"}</dd>
          </dl>
        </section>

        <section className="panel" aria-labelledby="casualties" data-testid="casualties">
          <h2 id="casualties">Casualties</h2>
          <dl className="kv">
            <dt>Killed</dt><dd>{formatRange(incident.killedMin, incident.killedMax)}{incident.killedSource ? <span className="small muted"> · source: {incident.killedSource}</span> : null}</dd>
            <dt>Injured</dt><dd>{formatRange(incident.injuredMin, incident.injuredMax)}{incident.injuredSource ? <span className="small muted"> · source: {incident.injuredSource}</span> : null}</dd>
          </dl>
        </section>
      </div>

      <h2>Map</h2>
      <IncidentMap
        outlines={PROVINCE_OUTLINES_URL}
        point={point}
        precisionM={incident.precisionM}
        markers={located.map((e) => ({
          lat: e.geolocation!.latitude,
          lon: e.geolocation!.longitude,
          precisionM: e.geolocation!.precisionM,
          label: e.countsAsEvidence ? `${e.reference}: ${e.title}` : `${e.reference} (unverified lead): ${e.title}`,
          variant: e.countsAsEvidence ? "evidence" : "lead",
        }))}
      />
      <p className="small muted">
        Orange: the incident{point ? "" : " (no location set)"}. Blue: verified evidence. Grey, dashed: unverified leads. {evidence.length - located.length > 0 ? `${evidence.length - located.length} linked item(s) have no geolocation yet.` : ""}
      </p>

      <h2>Timeline</h2>
      <IncidentTimeline rows={timeline} />

      <h2>Evidence</h2>
      {evidence.length === 0 ? <p className="panel">No items linked yet.</p> : (
        <table data-testid="incident-evidence">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Status</th>
              <th scope="col">Counts as</th>
              <th scope="col">Relation</th>
              <th scope="col">Where</th>
              <th scope="col">When (UTC)</th>
              {detail.canManage ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {evidence.map((e) => (
              <tr key={e.itemId} className={e.countsAsEvidence ? undefined : "lead-row"} data-lead={e.isLead ? "true" : "false"}>
                <td><Link href={`/projects/${project.slug}/items/${e.reference}`} className="mono">{e.reference}</Link> {e.title}</td>
                <td><StatusBadge status={e.status} /></td>
                <td>
                  {e.countsAsEvidence ? <span className="badge ok">evidence</span> : e.isLead ? <span className="badge lead">unverified lead</span> : <span className="badge danger">no longer verified</span>}
                </td>
                <td>{e.relation || "—"}</td>
                <td className="small">{e.geolocation ? `${e.geolocation.latitude.toFixed(5)}, ${e.geolocation.longitude.toFixed(5)} ± ${e.geolocation.precisionM} m` : "—"}</td>
                <td className="small">{e.chronolocation ? `${utc.format(e.chronolocation.earliestAt)} – ${utc.format(e.chronolocation.latestAt)}` : "—"}</td>
                {detail.canManage ? <td><UnlinkButton incidentId={incident.id} itemId={e.itemId} reference={e.reference} path={pagePath} /></td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {detail.canManage ? (
        <section className="panel" aria-labelledby="link-item" style={{ marginTop: 12 }}>
          <h3 id="link-item" style={{ marginTop: 0 }}>Link an item</h3>
          <p className="small muted">Verified (or published) items can be evidence. Any other item can be linked only as an unverified lead, which never counts as evidence.</p>
          <LinkItemForm incidentId={incident.id} projectSlug={project.slug} path={pagePath} />
        </section>
      ) : null}
      {publication ? (
        <PublishIncidentPanel
          path={pagePath}
          publicUrl={`/public/${project.slug}/incidents/${incident.reference}`}
          state={{
            ...publication,
            published: publication.published
              ? { ...publication.published, publishedAt: publication.published.publishedAt.toISOString(), updatedAt: publication.published.updatedAt.toISOString() }
              : null,
          }}
        />
      ) : null}
    </>
  );
}
