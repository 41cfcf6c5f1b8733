"use client";
// The incident list's table: one server page of rows; headers change the server-side sort.
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo } from "react";
import type { IncidentListState, IncidentSortKey } from "@/lib/domain/incident-list";

export interface IncidentTableRow {
  id: string;
  reference: string;
  title: string;
  incidentType: string;
  startAt: string | null;
  endAt: string | null;
  province: string | null;
  locationName: string | null;
  located: boolean;
  counts: { verified: number; leads: number; noLongerVerified: number };
}

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const column = createColumnHelper<IncidentTableRow>();

const SORT_OF: Partial<Record<string, IncidentSortKey>> = {
  reference: "reference",
  title: "title",
  incidentType: "incidentType",
  startAt: "startAt",
  province: "province",
};

type Props = {
  projectSlug: string;
  rows: IncidentTableRow[];
  state: IncidentListState;
  onSort: (sort: IncidentSortKey, dir: "asc" | "desc") => void;
  busy: boolean;
};

export function IncidentTable({ projectSlug, rows, state, onSort, busy }: Props) {
  const base = `/projects/${projectSlug}/incidents`;
  const columns = useMemo(
    () => [
      column.accessor("reference", { header: "Ref", cell: (info) => <Link className="mono" href={`${base}/${info.getValue()}`}>{info.getValue()}</Link> }),
      column.accessor("title", { header: "Title", cell: (info) => <span className="clamp-2">{info.getValue()}</span> }),
      column.accessor("incidentType", { header: "Type" }),
      column.accessor("startAt", {
        header: "Date (UTC)",
        cell: (info) => (info.getValue() ? when.format(new Date(info.getValue()!)) : <span className="muted">date unknown</span>),
      }),
      column.accessor("province", {
        header: "Province",
        cell: (info) => info.getValue() ?? (info.row.original.located ? <span className="muted">—</span> : <span className="muted">no location</span>),
      }),
      column.accessor((row) => row.counts.verified, { id: "verified", header: "Verified evidence", cell: (info) => <span data-testid="verified-count">{info.getValue()}</span> }),
      column.accessor((row) => row.counts.leads, { id: "leads", header: "Leads", cell: (info) => <span className="muted">{info.getValue()}</span> }),
    ],
    [base],
  );
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, manualPagination: true, getRowId: (row) => row.id });

  return (
    <div className="table-scroll">
      <table data-testid="incident-list" aria-busy={busy}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const key = SORT_OF[header.column.id];
                const sorted = key && state.sort === key ? state.dir : null;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th key={header.id} scope="col" aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}>
                    {key ? (
                      <button type="button" className="link sort" onClick={() => onSort(key, sorted === "desc" ? "asc" : sorted === "asc" ? "desc" : key === "startAt" ? "desc" : "asc")}>
                        {label} <span aria-hidden="true">{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}</span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-reference={row.original.reference}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
