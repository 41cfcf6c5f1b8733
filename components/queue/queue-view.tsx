"use client";
// The review queue: a server-side table. Sorting, filtering, search and paging all change the
// URL and the server answers with one page, so a view is a link anyone on the team can open.
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type RowSelectionState, type VisibilityState } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, useTransition, type FormEvent, type KeyboardEvent } from "react";
import { bulkAction, deleteViewAction, saveViewAction } from "@/app/projects/[slug]/queue/actions";
import { StatusBadge } from "@/components/status-badge";
import {
  OPTIONAL_COLUMNS,
  PAGE_SIZES,
  PLATFORMS,
  SENSITIVITY_FLAGS,
  hasFilters,
  parseQueueState,
  queueStateToSearch,
  type OptionalColumn,
  type QueueRowOf,
  type QueueState,
  type SortKey,
} from "@/lib/domain/queue";
import { BULK_ACTIONS, ITEM_STATES, REASON_ACTIONS, REJECTION_REASONS, REJECTION_REASON_LABELS, TRANSITIONS, type TransitionAction } from "@/lib/domain/review-workflow";

export type QueueViewRow = QueueRowOf<string>;

interface Props {
  project: { id: string; slug: string; name: string };
  rows: QueueViewRow[];
  total: number;
  totalCapped: boolean;
  pageCount: number;
  state: QueueState;
  search: string;
  problems: string[];
  facets: { members: Array<{ id: string; name: string }>; provinces: string[]; tags: string[]; incidents: Array<{ reference: string; title: string }>; canBulkTransition: boolean };
  views: Array<{ id: string | null; name: string; search: string; builtIn: boolean }>;
  canExport: boolean;
  actorId: string;
}

type BulkOutcome = { itemId: string; reference: string | null; ok: boolean; message: string; code?: string };

const COLUMN_LABELS: Record<OptionalColumn, string> = {
  status: "Status",
  platform: "Platform",
  province: "Province",
  assignee: "Assignee",
  submittedBy: "Submitted by",
  tags: "Tags",
  createdAt: "Added (UTC)",
  platformUploadedAt: "Posted (UTC)",
  flags: "Sensitivity",
};

const SORTABLE: Partial<Record<string, SortKey>> = {
  reference: "reference",
  title: "title",
  status: "status",
  province: "province",
  assignee: "assignee",
  createdAt: "createdAt",
  platformUploadedAt: "platformUploadedAt",
};

const BULK_TRANSITIONS = BULK_ACTIONS;
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

function flagsOf(row: QueueViewRow): string[] {
  return [row.sensitiveGraphic && "graphic", row.sensitiveIdentifiable && "identifiable", row.sensitiveMinors && "minors", row.sensitivePersonalData && "personal data"].filter((f): f is string => !!f);
}

const column = createColumnHelper<QueueViewRow>();

export function QueueView(props: Props) {
  const { project, rows, total, totalCapped, pageCount, state, search, problems, facets, views, canExport, actorId } = props;
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [activeIndex, setActiveIndex] = useState(0);
  const [report, setReport] = useState<{ summary: string; outcomes: BulkOutcome[] } | null>(null);
  const [message, setMessage] = useState<{ kind: "error" | "notice"; text: string } | null>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const tableBody = useRef<HTMLTableSectionElement>(null);

  // A new page of rows means a new selection: selecting across pages would hide what is acted on.
  useEffect(() => {
    setRowSelection({});
    setActiveIndex(0);
  }, [search]);

  const go = (next: QueueState) => {
    const query = queueStateToSearch(next);
    startTransition(() => router.push(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  };

  const columns = useMemo(
    () => [
      column.display({
        id: "select",
        header: ({ table }) => (
          <input type="checkbox" aria-label="Select all on this page" checked={table.getIsAllRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} />
        ),
        cell: ({ row }) => <input type="checkbox" aria-label={`Select ${row.original.reference}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} tabIndex={-1} />,
      }),
      column.accessor("reference", {
        header: "Ref",
        cell: (info) => (
          <Link className="mono" href={`/projects/${project.slug}/items/${info.getValue()}`} tabIndex={-1}>
            {info.getValue()}
          </Link>
        ),
      }),
      column.accessor("title", {
        header: "Title",
        cell: (info) => (
          <>
            {info.getValue()}
            {info.row.original.sensitiveGraphic ? <div className="sensitive">Graphic content: preview hidden</div> : null}
          </>
        ),
      }),
      column.accessor("status", { header: "Status", cell: (info) => <StatusBadge status={info.getValue()} /> }),
      column.accessor("platform", { header: "Platform", cell: (info) => info.getValue() ?? "—" }),
      column.accessor("province", { header: "Province", cell: (info) => info.getValue() ?? "—" }),
      column.accessor("assigneeName", { id: "assignee", header: "Assignee", cell: (info) => info.getValue() ?? <span className="muted">unassigned</span> }),
      column.accessor("submittedByName", { id: "submittedBy", header: "Submitted by" }),
      column.accessor("tags", {
        header: "Tags",
        cell: (info) =>
          info.getValue().map((tag) => (
            <span key={tag} className="badge tag">
              {tag}
            </span>
          )),
      }),
      column.accessor("createdAt", { header: "Added (UTC)", cell: (info) => dateFormat.format(new Date(info.getValue())) }),
      column.accessor("platformUploadedAt", { header: "Posted (UTC)", cell: (info) => (info.getValue() ? dateFormat.format(new Date(info.getValue()!)) : "—") }),
      column.display({ id: "flags", header: "Sensitivity", cell: ({ row }) => flagsOf(row.original).join(", ") || "—" }),
    ],
    [project.slug],
  );

  const columnVisibility: VisibilityState = Object.fromEntries(OPTIONAL_COLUMNS.map((c) => [c, !state.hidden.includes(c)]));
  const table = useReactTable({
    data: rows,
    columns,
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    pageCount,
    state: { rowSelection, columnVisibility },
    onRowSelectionChange: setRowSelection,
    enableRowSelection: facets.canBulkTransition,
  });
  const selected = table.getSelectedRowModel().rows.map((r) => r.original);

  const sortBy = (key: SortKey) => go({ ...state, sort: key, dir: state.sort === key && state.dir === "asc" ? "desc" : "asc", page: 1 });

  const focusRow = (index: number) => {
    const bounded = Math.max(0, Math.min(rows.length - 1, index));
    setActiveIndex(bounded);
    tableBody.current?.querySelectorAll<HTMLTableRowElement>("tr")[bounded]?.focus();
  };

  const onTableKey = (event: KeyboardEvent<HTMLTableSectionElement>) => {
    if (event.target instanceof HTMLInputElement && event.target.type !== "checkbox") return;
    const row = table.getRowModel().rows[activeIndex];
    switch (event.key) {
      case "j":
      case "ArrowDown":
        event.preventDefault();
        focusRow(activeIndex + 1);
        break;
      case "k":
      case "ArrowUp":
        event.preventDefault();
        focusRow(activeIndex - 1);
        break;
      case "x":
      case " ":
        if (row && facets.canBulkTransition) {
          event.preventDefault();
          row.toggleSelected();
        }
        break;
      case "Enter":
      case "o":
        if (row) {
          event.preventDefault();
          router.push(`/projects/${project.slug}/items/${row.original.reference}`);
        }
        break;
    }
  };

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable)) return;
      if (event.key === "/") {
        event.preventDefault();
        searchInput.current?.focus();
      } else if (event.key === "]" && state.page < pageCount) go({ ...state, page: state.page + 1 });
      else if (event.key === "[" && state.page > 1) go({ ...state, page: state.page - 1 });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const [key, value] of form.entries()) if (typeof value === "string" && value.trim() !== "") params.append(key, value.trim());
    const { state: filtered } = parseQueueState(params);
    go({ ...filtered, sort: state.sort, dir: state.dir, size: state.size, hidden: state.hidden, page: 1 });
  };

  const saveView = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = new FormData(formElement).get("viewName");
    const result = await saveViewAction({ projectId: project.id, name, search, path: pathname });
    setMessage(result.ok ? { kind: "notice", text: `Saved view “${result.data.name}”.` } : { kind: "error", text: result.fieldErrors?.name?.[0] ?? result.error });
    if (result.ok) {
      formElement.reset();
      router.refresh();
    }
  };

  const removeView = async (viewId: string) => {
    const result = await deleteViewAction({ viewId, path: pathname });
    setMessage(result.ok ? { kind: "notice", text: "View deleted." } : { kind: "error", text: result.error });
    if (result.ok) router.refresh();
  };

  const runBulk = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const kind = String(form.get("bulkKind") ?? "");
    const items = selected.map((row) => ({ itemId: row.id, version: row.version }));
    let input: Record<string, unknown>;
    if (kind === "assign") {
      const who = String(form.get("assignee") ?? "");
      input = { action: "assign", projectId: project.id, items, assigneeId: who === "none" ? null : who === "me" ? actorId : who };
    } else if (kind === "tag" || kind === "untag") {
      input = { action: kind, projectId: project.id, items, tag: String(form.get("tag") ?? "") };
    } else {
      input = {
        action: "transition",
        projectId: project.id,
        items,
        transition: String(form.get("transition") ?? ""),
        reason: String(form.get("reason") ?? "") || undefined,
        rejectionReason: String(form.get("rejectionReason") ?? "") || undefined,
      };
    }
    const result = await bulkAction(input, pathname);
    if (!result.ok) {
      setMessage({ kind: "error", text: Object.values(result.fieldErrors ?? {})[0]?.[0] ?? result.error });
      return;
    }
    setMessage(null);
    setReport({ summary: result.data.summary, outcomes: result.data.outcomes });
    setRowSelection({});
    router.refresh();
  };

  const exportHref = (format: string) => `/projects/${project.slug}/export/items?${new URLSearchParams([["format", format], ...new URLSearchParams(search)]).toString()}`;
  const viewSearch = queueStateToSearch({ ...state, page: 1 });

  return (
    <>
      <h1>
        Review queue <span className="muted small">{project.name}</span>
      </h1>

      <nav aria-label="Saved views" className="views">
        {views.map((view) => (
          <span key={view.id ?? view.name} className="view-chip">
            <Link href={view.search ? `${pathname}?${view.search}` : pathname} aria-current={view.search === viewSearch ? "page" : undefined} data-testid="saved-view">
              {view.name}
            </Link>
            {view.id ? (
              <button type="button" className="link" aria-label={`Delete view ${view.name}`} onClick={() => removeView(view.id!)}>
                ×
              </button>
            ) : null}
          </span>
        ))}
        <form className="inline" onSubmit={saveView} aria-label="Save this view">
          <label>
            <span className="visually-hidden">View name</span>
            <input name="viewName" placeholder="Name this view" maxLength={60} required data-testid="view-name" />
          </label>
          <button type="submit" className="secondary">
            Save view
          </button>
        </form>
      </nav>

      {problems.length > 0 ? (
        <p className="notice" role="status" data-testid="queue-problems">
          Some filters in the link were not understood and were ignored: {problems.join(", ")}
        </p>
      ) : null}
      {message ? (
        <p className={message.kind} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      ) : null}

      <form key={search} className="filters panel" onSubmit={applyFilters} aria-label="Filters" data-testid="queue-filters">
        <label className="grow">
          Search <span className="muted small">(press /)</span>
          <input ref={searchInput} type="search" name="q" defaultValue={state.q} placeholder="Words in titles, descriptions and notes" data-testid="queue-search" />
        </label>
        <fieldset>
          <legend>Status</legend>
          {ITEM_STATES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" name="status" value={s} defaultChecked={state.status.includes(s)} /> <StatusBadge status={s} />
            </label>
          ))}
        </fieldset>
        <label>
          Assignee
          <select name="assignee" defaultValue={state.assignee ?? ""}>
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="none">Unassigned</option>
            {facets.members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Platform
          <select name="platform" defaultValue={state.platform[0] ?? ""}>
            <option value="">Any</option>
            {PLATFORMS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Province
          <select name="province" defaultValue={state.province[0] ?? ""} data-testid="filter-province">
            <option value="">Any</option>
            {facets.provinces.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        {facets.incidents.length > 0 ? (
          <label>
            Incident
            <select name="incident" defaultValue={state.incident ?? ""}>
              <option value="">Any</option>
              {facets.incidents.map((i) => (
                <option key={i.reference} value={i.reference}>
                  {i.reference} {i.title.slice(0, 40)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Tags
          <input name="tags" defaultValue={state.tags.join(",")} list="queue-tags" placeholder="comma,separated" />
        </label>
        <fieldset>
          <legend>Sensitivity</legend>
          {SENSITIVITY_FLAGS.map((flag) => (
            <label key={flag} className="check">
              <input type="checkbox" name="sensitive" value={flag} defaultChecked={state.sensitive.includes(flag)} /> {flag}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Added (UTC)</legend>
          <input type="date" name="submittedFrom" aria-label="Added from" defaultValue={state.submittedFrom ?? ""} />
          <input type="date" name="submittedTo" aria-label="Added until" defaultValue={state.submittedTo ?? ""} />
        </fieldset>
        <fieldset>
          <legend>Posted (UTC)</legend>
          <input type="date" name="uploadedFrom" aria-label="Posted from" defaultValue={state.uploadedFrom ?? ""} />
          <input type="date" name="uploadedTo" aria-label="Posted until" defaultValue={state.uploadedTo ?? ""} />
        </fieldset>
        <label className="check">
          <input type="checkbox" name="dup" value="1" defaultChecked={state.duplicates} /> Possible duplicates only
        </label>
        <div className="row-actions">
          <button type="submit" data-testid="apply-filters">
            Apply
          </button>
          {hasFilters(state) ? (
            <button type="button" className="secondary" onClick={() => go({ ...state, q: "", status: [], assignee: null, platform: [], province: [], incident: null, sensitive: [], tags: [], submittedFrom: null, submittedTo: null, uploadedFrom: null, uploadedTo: null, duplicates: false, page: 1 })}>
              Clear filters
            </button>
          ) : null}
        </div>
        <datalist id="queue-tags">
          {facets.tags.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </form>

      <div className="queue-toolbar">
        <p aria-live="polite" data-testid="queue-total">
          <strong>{total.toLocaleString("en")}{totalCapped ? "+" : ""}</strong> item{total === 1 ? "" : "s"}
          {totalCapped ? <span className="muted small"> (only the first {total.toLocaleString("en")} can be paged: narrow the filters to see the rest)</span> : null}
          {pending ? <span className="muted"> · loading…</span> : null}
        </p>
        <details className="columns-menu">
          <summary>Columns</summary>
          {OPTIONAL_COLUMNS.map((c) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                checked={!state.hidden.includes(c)}
                onChange={(event) => go({ ...state, hidden: event.target.checked ? state.hidden.filter((h) => h !== c) : [...state.hidden, c] })}
              />{" "}
              {COLUMN_LABELS[c]}
            </label>
          ))}
        </details>
        {canExport ? (
          <span className="exports" data-testid="queue-exports">
            Export this view:{" "}
            <a href={exportHref("csv")} download>
              CSV
            </a>{" "}
            ·{" "}
            <a href={exportHref("geojson")} download>
              GeoJSON
            </a>{" "}
            ·{" "}
            <a href={exportHref("kml")} download>
              KML
            </a>
          </span>
        ) : null}
      </div>

      {selected.length > 0 ? (
        <form className="bulk-bar panel" onSubmit={runBulk} aria-label="Bulk actions" data-testid="bulk-bar">
          <strong>{selected.length} selected</strong>
          <BulkFields members={facets.members} />
          <button type="submit" data-testid="bulk-apply">
            Apply to {selected.length}
          </button>
          <button type="button" className="secondary" onClick={() => setRowSelection({})}>
            Clear selection
          </button>
        </form>
      ) : null}

      {report ? (
        <section className="panel" aria-label="Bulk action result" data-testid="bulk-report">
          <p role="status">
            <strong>{report.summary}</strong>{" "}
            <button type="button" className="link" onClick={() => setReport(null)}>
              Dismiss
            </button>
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {report.outcomes.map((o) => (
                <tr key={o.itemId}>
                  <td className="mono">{o.reference ?? o.itemId}</td>
                  <td>
                    <span className={`badge ${o.ok ? "ok" : "danger"}`}>{o.ok ? "done" : "not changed"}</span> {o.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      {rows.length === 0 ? (
        <p className="panel" data-testid="queue-empty">
          No items match this view.{hasFilters(state) ? " Try removing a filter." : ""}
        </p>
      ) : (
        <table data-testid="queue-table" aria-busy={pending} className="queue-table">
          <caption className="visually-hidden">Items, page {state.page} of {pageCount}. Keys: j/k move, x select, Enter open, [ and ] change page, / search.</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sortKey = SORTABLE[header.column.id];
                  const sorted = sortKey && state.sort === sortKey ? state.dir : null;
                  return (
                    <th key={header.id} scope="col" aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}>
                      {sortKey ? (
                        <button type="button" className="link sort" onClick={() => sortBy(sortKey)}>
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          {sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}
                        </button>
                      ) : (
                        flexRender(header.column.columnDef.header, header.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody ref={tableBody} onKeyDown={onTableKey}>
            {table.getRowModel().rows.map((row, index) => (
              <tr
                key={row.id}
                tabIndex={index === activeIndex ? 0 : -1}
                onFocus={() => setActiveIndex(index)}
                aria-selected={row.getIsSelected()}
                className={row.getIsSelected() ? "selected" : undefined}
                data-testid="queue-row"
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <nav className="pager" aria-label="Pages">
        <button type="button" className="secondary" disabled={state.page <= 1} onClick={() => go({ ...state, page: state.page - 1 })}>
          ← Previous
        </button>
        <span>
          Page {state.page} of {pageCount}
        </span>
        <button type="button" className="secondary" disabled={state.page >= pageCount} onClick={() => go({ ...state, page: state.page + 1 })} data-testid="next-page">
          Next →
        </button>
        <label>
          Rows per page{" "}
          <select value={state.size} onChange={(event) => go({ ...state, size: Number(event.target.value) as QueueState["size"], page: 1 })}>
            {PAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </>
  );
}

function BulkFields({ members }: { members: Array<{ id: string; name: string }> }) {
  const [kind, setKind] = useState("assign");
  const [transition, setTransition] = useState<string>("triage");
  const needsReason = REASON_ACTIONS.includes(transition as TransitionAction);
  return (
    <>
      <label>
        Action
        <select name="bulkKind" value={kind} onChange={(event) => setKind(event.target.value)} data-testid="bulk-kind">
          <option value="assign">Assign to…</option>
          <option value="tag">Add tag</option>
          <option value="untag">Remove tag</option>
          <option value="transition">Change status…</option>
        </select>
      </label>
      {kind === "assign" ? (
        <label>
          Assignee
          <select name="assignee" defaultValue="me" data-testid="bulk-assignee">
            <option value="me">Me</option>
            <option value="none">Nobody (unassign)</option>
            {members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {kind === "tag" || kind === "untag" ? (
        <label>
          Tag
          <input name="tag" required maxLength={40} list="queue-tags" data-testid="bulk-tag" />
        </label>
      ) : null}
      {kind === "transition" ? (
        <>
          <label>
            Status change
            <select name="transition" value={transition} onChange={(event) => setTransition(event.target.value)}>
              {BULK_TRANSITIONS.map((a) => (
                <option key={a} value={a}>
                  {TRANSITIONS[a].label}
                </option>
              ))}
            </select>
          </label>
          {transition === "reject" ? (
            <label>
              Reason
              <select name="rejectionReason" required>
                {REJECTION_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {REJECTION_REASON_LABELS[r]}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {needsReason || transition === "reject" ? (
            <label>
              Note
              <input name="reason" required={needsReason} maxLength={2000} />
            </label>
          ) : null}
        </>
      ) : null}
    </>
  );
}
