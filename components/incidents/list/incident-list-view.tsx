"use client";
// The incident list: a server-side table like the review queue. Search, filters, sort and page
// live in the URL, so a view is a link; the server answers with one page.
import Link from "next/link";
import { useCallback, useRef } from "react";
import { Pagination, useTableKeys } from "@/components/data-table/pagination";
import { useUrlView } from "@/components/data-table/use-url-view";
import { INCIDENT_PAGE_SIZES, incidentListHasFilters, incidentListStateToSearch, type IncidentListState, type IncidentPageSize } from "@/lib/domain/incident-list";
import { IncidentTable, type IncidentTableRow } from "./incident-table";
import { IncidentToolbar } from "./incident-toolbar";
import "./incident-list.css";

type Props = {
  project: { slug: string; name: string };
  rows: IncidentTableRow[];
  total: number;
  page: number;
  pageCount: number;
  projectTotal: number;
  projectUndated: number;
  state: IncidentListState;
  problems: string[];
  facets: { types: string[]; provinces: string[] };
  canManage: boolean;
  canExport: boolean;
};

const count = new Intl.NumberFormat("en-GB");

export function IncidentListView(props: Props) {
  const { project, rows, total, page, pageCount, projectTotal, projectUndated, state, problems, facets, canManage, canExport } = props;
  const { go, pending } = useUrlView(incidentListStateToSearch);
  const searchRef = useRef<HTMLInputElement>(null);
  const toPage = useCallback((next: number) => go({ ...state, page: next }), [go, state]);
  useTableKeys({ search: searchRef, page, pageCount, onPage: toPage });
  const base = `/projects/${project.slug}/incidents`;
  const viewSearch = incidentListStateToSearch({ ...state, page: 1 });
  const exportHref = (format: string) => `/projects/${project.slug}/export/incidents?${new URLSearchParams([["format", format], ...new URLSearchParams(viewSearch)]).toString()}`;

  return (
    <>
      <p className="small"><Link href={`/projects/${project.slug}`}>{project.name}</Link></p>
      <h1>Incidents <span className="muted small">{count.format(projectTotal)} in this project</span></h1>
      <p className="lede">Only verified items count as evidence; unverified leads are counted apart.</p>
      <div className="toolbar-row">
        {canManage ? <Link href={`${base}/new`} className="button-link" data-testid="new-incident">New incident</Link> : null}
        {canExport && total > 0 ? (
          <span className="small">
            Download this view: <a href={exportHref("csv")} data-testid="export-incidents-csv">CSV</a> · <a href={exportHref("geojson")}>GeoJSON</a>
          </span>
        ) : null}
      </div>
      {projectUndated > 0 ? (
        <p className="small muted" data-testid="undated-notice">
          {count.format(projectUndated)} of {count.format(projectTotal)} incidents have no known date: they sort last, stay off timelines and are counted apart.{" "}
          {state.dated !== "undated" ? <Link href={`${base}?dated=undated`}>Show them</Link> : null}
        </p>
      ) : null}
      {problems.length > 0 ? (
        <p className="notice" role="status" data-testid="incident-list-problems">
          Some filters in the link were not understood and were ignored: {problems.join(", ")}
        </p>
      ) : null}

      <IncidentToolbar key={viewSearch} state={state} facets={facets} searchRef={searchRef} onApply={go} />

      {rows.length === 0 ? (
        <p className="panel empty" data-testid="incident-list-empty">
          {projectTotal === 0 ? "No incidents yet." : incidentListHasFilters(state) ? "No incident matches these filters." : "No incidents on this page."}
        </p>
      ) : (
        <IncidentTable projectSlug={project.slug} rows={rows} state={state} busy={pending} onSort={(sort, dir) => go({ ...state, sort, dir, page: 1 })} />
      )}
      {total > 0 ? (
        <Pagination
          page={page}
          pageCount={pageCount}
          total={total}
          size={state.size}
          sizes={INCIDENT_PAGE_SIZES}
          noun="incidents"
          onPage={toPage}
          onSize={(size) => go({ ...state, size: size as IncidentPageSize, page: 1 })}
          testId="incident-pager"
        />
      ) : null}
    </>
  );
}
