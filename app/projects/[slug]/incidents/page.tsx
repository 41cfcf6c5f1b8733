import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DomainError } from "@/lib/domain/errors";
import { actorOrRedirect } from "@/lib/server/session";
import { listIncidents } from "@/lib/server/services/incidents/list-incidents";

export const metadata: Metadata = { title: "Incidents" };

const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function IncidentsPage({ params }: { params: Promise<{ slug: string }> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const list = await listIncidents(actor, { projectSlug: slug }).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const base = `/projects/${list.project.slug}/incidents`;

  return (
    <>
      <p className="small"><Link href={`/projects/${list.project.slug}`}>{list.project.name}</Link></p>
      <h1>Incidents</h1>
      <p className="lede">Only verified items count as evidence; unverified leads are counted apart.</p>
      {list.canManage ? <p><Link href={`${base}/new`} className="button-link" data-testid="new-incident">New incident</Link></p> : null}
      {list.incidents.length === 0 ? (
        <p className="panel">No incidents yet.</p>
      ) : (
        <table data-testid="incident-list">
          <thead>
            <tr>
              <th scope="col">Ref</th>
              <th scope="col">Title</th>
              <th scope="col">Type</th>
              <th scope="col">Date (UTC)</th>
              <th scope="col">Province</th>
              <th scope="col">Verified evidence</th>
              <th scope="col">Leads</th>
            </tr>
          </thead>
          <tbody>
            {list.incidents.map((incident) => (
              <tr key={incident.id}>
                <td className="mono"><Link href={`${base}/${incident.reference}`}>{incident.reference}</Link></td>
                <td>{incident.title}</td>
                <td>{incident.incidentType}</td>
                <td>{incident.startAt ? dateFormat.format(incident.startAt) : <span className="muted">date unknown</span>}</td>
                <td>{incident.province ?? "—"}</td>
                <td data-testid="verified-count">{incident.counts.verified}</td>
                <td className="muted">{incident.counts.leads}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
