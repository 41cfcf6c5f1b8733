import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { StatusBadge } from "@/components/status-badge";
import { DomainError } from "@/lib/domain/errors";
import { can } from "@/lib/domain/permissions";
import { actorOrRedirect } from "@/lib/server/session";
import { getProjectOverview } from "@/lib/server/services/projects/get-project-overview";

export const metadata: Metadata = { title: "Project" };

const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export default async function ProjectPage({ params }: { params: Promise<{ slug: string }> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const overview = await getProjectOverview(actor, slug).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const total = overview.statusCounts.reduce((sum, s) => sum + s.count, 0);
  const canArchive = can(actor, "archive:export", { kind: "project", projectId: overview.project.id }) || can(actor, "project:archive", { kind: "system" });

  return (
    <>
      <h1>{overview.project.name}</h1>
      <p className="lede">
        Your role: <span className="badge" data-testid="project-role">{overview.role}</span>{" "}
        {overview.seesAllItems ? "You see every item in this project." : "You see the items you submitted."}
      </p>

      <p>
        <Link href={`/projects/${overview.project.slug}/submit`} className="button-link" data-testid="submit-link">Submit evidence</Link>{" "}
        <Link href={`/projects/${overview.project.slug}/queue`} className="button-link" data-testid="queue-link">Review queue</Link>
        {canArchive ? (
          <>
            {" "}
            {/* A plain link: the archive is a streamed file download, not a page. */}
            <a href={`/projects/${overview.project.slug}/export/archive`} className="button-link" data-testid="archive-link" download>
              Download project archive
            </a>
          </>
        ) : null}
        {can(actor, "import:run", { kind: "project", projectId: overview.project.id }) ? (
          <>
            {" "}
            <Link href={`/projects/${overview.project.slug}/import`} className="button-link" data-testid="import-link">Import incidents</Link>
          </>
        ) : null}
      </p>

      <ul className="stats" aria-label="Items by status">
        <li>
          <strong data-testid="item-total">{total}</strong> items
        </li>
        {overview.statusCounts.map((s) => (
          <li key={s.status}>
            <strong>{s.count}</strong> <StatusBadge status={s.status} />
          </li>
        ))}
      </ul>

      <h2>{overview.seesAllItems ? "Latest items" : "Your submissions"}</h2>
      {overview.items.length === 0 ? (
        <p className="panel">No items yet.</p>
      ) : (
        <table data-testid="items-table">
          <thead>
            <tr>
              <th scope="col">Ref</th>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Platform</th>
              <th scope="col">Submitted by</th>
              <th scope="col">Added (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {overview.items.map((item) => (
              <tr key={item.id}>
                <td className="mono"><Link href={`/projects/${overview.project.slug}/items/${item.reference}`}>{item.reference}</Link></td>
                <td>
                  {item.title}
                  {item.sensitiveGraphic ? <div className="sensitive">Graphic content: preview hidden</div> : null}
                </td>
                <td><StatusBadge status={item.status} /></td>
                <td>{item.platform ?? "—"}</td>
                <td>{item.submittedByName}</td>
                <td>{dateFormat.format(item.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {overview.incidents ? (
        <>
          <h2>
            Incidents{" "}
            <Link href={`/projects/${overview.project.slug}/incidents`} className="small" data-testid="incidents-link">
              All {overview.incidents.total.toLocaleString("en-GB")} incidents
            </Link>
          </h2>
          {overview.incidents.undated > 0 ? (
            <p className="small muted" data-testid="overview-undated">
              {overview.incidents.undated.toLocaleString("en-GB")} with no known date, listed after the dated ones.
            </p>
          ) : null}
          <table data-testid="incidents-table">
            <thead>
              <tr>
                <th scope="col">Ref</th>
                <th scope="col">Title</th>
                <th scope="col">Type</th>
                <th scope="col">Province</th>
                <th scope="col">Date (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {overview.incidents.recent.map((incident) => (
                <tr key={incident.id}>
                  <td className="mono"><Link href={`/projects/${overview.project.slug}/incidents/${incident.reference}`}>{incident.reference}</Link></td>
                  <td>{incident.title}</td>
                  <td>{incident.incidentType}</td>
                  <td>{incident.province ?? "—"}</td>
                  <td>{incident.startAt ? dateFormat.format(incident.startAt) : <span className="muted">date unknown</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
