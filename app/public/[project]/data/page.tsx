import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DomainError } from "@/lib/domain/errors";
import { PUBLIC_PAGE_SIZE_MAX, PUBLIC_SCHEMA_VERSION } from "@/lib/domain/publication";
import { parseChangelogQuery, publicChangelog } from "@/lib/server/services/public/changelog";

export const metadata: Metadata = { title: "Data and API" };

// The documented field schema (docs/public-data.md has the full text).
const FIELDS: Array<[string, string, string, string]> = [
  ["id", "string", "Stable public id (the incident reference)", "id"],
  ["title", "string", "Short public title", "—"],
  ["type", "string", "Incident type (e.g. IED, suicide bombing)", "filters: type"],
  ["date", "string | null", "Day of the start, UTC (YYYY-MM-DD; YYYY-MM or YYYY when only that is known)", "date"],
  ["time", "string | null", "HH:MM UTC when known to the hour", "time"],
  ["time_precision", "minute | hour | day | week | month | year | unknown", "How precisely the time is known", "time_precision"],
  ["latitude, longitude", "number | null", "Centre of a grid cell no finer than precision_m; null when withheld", "latitude, longitude"],
  ["precision_m", "number | null", "Radius in metres the point stands for (at least 100)", "—"],
  ["location", "string | null", "Place name; null when the location is withheld", "location"],
  ["province", "string | null", "Province", "filters: province"],
  ["description", "string", "Public description", "description"],
  ["killed_min/max, injured_min/max", "number | null", "Casualty ranges (sources in the JSON API)", "—"],
  ["claimed_by", "string | null", "Group that claimed the attack (its own claim)", "—"],
  ["attributed_to, attribution_confidence", "string | null", "Analysts' attribution, kept apart from the claim", "—"],
  ["targets", "string", "Target categories, ;-separated codes", "filters: target"],
  ["sources", "array", "Published evidence: id, title, url, sha256 of each original", "sources"],
];

export default async function PublicDataPage({ params, searchParams }: { params: Promise<{ project: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { project: slug } = await params;
  const changelog = await publicChangelog(slug, parseChangelogQuery(await searchParams, false)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const api = `/api/public/v1/${slug}`;
  return (
    <>
      <h1>Data and API</h1>
      <p className="lede">Everything on this site, free to download and reuse. Field schema version <strong>{PUBLIC_SCHEMA_VERSION}</strong>.</p>
      <h2>Downloads</h2>
      <ul className="public-list">
        <li><a href={`${api}/dataset/geojson`} download>GeoJSON</a> <span className="small muted">one Point feature per incident (no geometry when the location is withheld)</span></li>
        <li><a href={`${api}/dataset/csv`} download>CSV</a> <span className="small muted">one row per incident; source ids, URLs and SHA-256 space-separated</span></li>
        <li><a href={`${api}/dataset/kml`} download>KML</a> <span className="small muted">for Google Earth; incidents with a public location</span></li>
      </ul>

      <h2>JSON API</h2>
      <p>Every response carries a strong <code>ETag</code> and <code>Cache-Control: public, max-age=60, must-revalidate</code>; send <code>If-None-Match</code> to get <code>304 Not Modified</code>. Bad parameters get a <code>400</code> naming them; anything unpublished is <code>404</code>.</p>
      <table>
        <thead><tr><th scope="col">Request</th><th scope="col">Returns</th></tr></thead>
        <tbody>
          <tr><td><code>GET {api}/incidents?from=YYYY-MM-DD&amp;to=YYYY-MM-DD&amp;province=&amp;type=&amp;target=&amp;page=1&amp;limit=100</code></td><td><code>{"{ schemaVersion, page, limit, total, items, next }"}</code>; limit at most {PUBLIC_PAGE_SIZE_MAX}</td></tr>
          <tr><td><code>GET {api}/incidents/&lt;id&gt;</code></td><td>one incident with its published evidence and media</td></tr>
          <tr><td><code>GET {api}/items/&lt;id&gt;</code></td><td>one evidence item with its media</td></tr>
          <tr><td><code>GET {api}/map?…filters</code></td><td>compact points for maps: <code>[id, lat, lon, precision_m, title, date, type]</code></td></tr>
          <tr><td><code>GET {api}/dataset/geojson|csv|kml</code></td><td>the downloads above</td></tr>
          <tr><td><code>GET {api}/changelog?page=1&amp;limit=50</code></td><td>publications, updates and retractions, newest first</td></tr>
          <tr><td><code>GET {api}/media/&lt;sha256&gt;</code></td><td>a public copy (metadata removed) by its own SHA-256</td></tr>
        </tbody>
      </table>

      <h2>Fields (schema {PUBLIC_SCHEMA_VERSION})</h2>
      <div className="chart-scroll">
        <table>
          <thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Meaning</th><th scope="col">TimeMap</th></tr></thead>
          <tbody>{FIELDS.map(([name, type, meaning, timemap]) => <tr key={name}><td><code>{name}</code></td><td>{type}</td><td>{meaning}</td><td>{timemap}</td></tr>)}</tbody>
        </table>
      </div>

      <h2 id="changelog">Changelog</h2>
      {changelog.entries.length === 0 ? <p className="muted">No entries.</p> : (
        <table data-testid="changelog">
          <thead><tr><th scope="col">When (UTC)</th><th scope="col">Change</th><th scope="col">What</th><th scope="col">Note</th></tr></thead>
          <tbody>
            {changelog.entries.map((e, i) => (
              <tr key={`${e.at}-${e.id}-${i}`}>
                <td>{e.at.slice(0, 16).replace("T", " ")}</td>
                <td><span className={`badge${e.kind === "RETRACT" ? " danger" : e.kind === "PUBLISH" ? " ok" : ""}`}>{e.kind === "RETRACT" ? "retracted" : e.kind === "UPDATE" ? "updated" : "published"}</span></td>
                <td>{e.entityType} <span className="mono">{e.id}</span></td>
                <td>{e.note || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {changelog.total > changelog.limit ? (
        <nav className="pager" aria-label="Changelog pages">
          {changelog.page > 1 ? <Link href={`/public/${slug}/data?page=${changelog.page - 1}#changelog`}>Newer</Link> : null}
          <span className="small">Page {changelog.page} of {Math.ceil(changelog.total / changelog.limit)}</span>
          {changelog.next ? <Link href={`/public/${slug}/data?page=${changelog.page + 1}#changelog`}>Older</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
