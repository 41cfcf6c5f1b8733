import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PublicMapLoader } from "@/components/public/public-map-loader";
import { Timeline } from "@/components/public/timeline";
import { DomainError } from "@/lib/domain/errors";
import { TARGET_CATEGORY_LABELS, type TargetCategory } from "@/lib/domain/incident-fields";
import { publicQueryString } from "@/lib/domain/public-query";
import { publicMapPage } from "@/lib/server/services/public/incidents";

export const metadata: Metadata = { title: "Map of incidents" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function PublicMapPage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<SearchParams> }) {
  const { project: slug } = await params;
  const data = await publicMapPage(slug, await searchParams).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { project, filter, invalid, list, days, facets } = data;
  const base = `/public/${project.slug}`;
  const filterOnly = { ...filter, page: undefined, limit: undefined };
  const mapQuery = publicQueryString(filterOnly);
  const pageHref = (page: number) => `${base}?${publicQueryString(filter, { page, limit: filter.limit === 50 ? undefined : filter.limit })}#incidents`;
  const refused = Object.keys(invalid);

  return (
    <>
      <h1>Incidents</h1>
      <p className="lede">Verified incidents on the map. Locations are approximate: each point stands for a circle of the stated size.</p>

      <form method="get" action={base} className="filters public-filters" aria-label="Filter incidents">
        <label>From<input type="date" name="from" defaultValue={filter.from ?? ""} /></label>
        <label>To<input type="date" name="to" defaultValue={filter.to ?? ""} /></label>
        <label>Province
          <select name="province" defaultValue={filter.province ?? ""}>
            <option value="">Any</option>
            {facets.provinces.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label>Type
          <select name="type" defaultValue={filter.type ?? ""}>
            <option value="">Any</option>
            {facets.types.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label>Target
          <select name="target" defaultValue={filter.target ?? ""}>
            <option value="">Any</option>
            {facets.targets.map((t) => <option key={t} value={t}>{TARGET_CATEGORY_LABELS[t as TargetCategory] ?? t}</option>)}
          </select>
        </label>
        <div className="row-actions">
          <button type="submit">Apply</button>
          <Link href={base}>Clear</Link>
        </div>
      </form>
      {refused.length > 0 ? (
        <p className="error" role="status" data-testid="filter-notice">Ignored filter{refused.length === 1 ? "" : "s"} that could not be read: {refused.join(", ")}.</p>
      ) : null}

      <PublicMapLoader dataUrl={`/api/public/v1/${project.slug}/map${mapQuery ? `?${mapQuery}` : ""}`} outlinesUrl="/api/public/outlines" incidentBaseUrl={`${base}/incidents`} />

      <h2 id="timeline">Timeline</h2>
      <Timeline days={days} hrefFor={(from, to) => `${base}?${publicQueryString(filterOnly, { from, to })}`} />

      <h2 id="incidents">{list.total} incident{list.total === 1 ? "" : "s"}</h2>
      {list.items.length === 0 ? (
        <p className="muted">No published incident matches these filters.</p>
      ) : (
        <ul className="public-list">
          {list.items.map((incident) => (
            <li key={incident.id}>
              <Link href={`${base}/incidents/${encodeURIComponent(incident.id)}`}><strong>{incident.title}</strong></Link>
              <span className="small muted">
                {[incident.date ?? "date unknown", incident.type, incident.province ? `${incident.province} province` : null].filter(Boolean).join(" · ")}
              </span>
            </li>
          ))}
        </ul>
      )}
      {list.total > list.limit ? (
        <nav className="pager" aria-label="Pages">
          {list.page > 1 ? <Link href={pageHref(list.page - 1)}>Previous</Link> : null}
          <span className="small">Page {list.page} of {Math.ceil(list.total / list.limit)}</span>
          {list.next ? <Link href={pageHref(list.page + 1)}>Next</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
