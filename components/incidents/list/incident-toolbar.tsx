"use client";
// Filters of the incident list. Submitting builds the next URL state; nothing filters in the browser.
import type { FormEvent, RefObject } from "react";
import { DATED_FILTERS, EVIDENCE_FILTERS, incidentListHasFilters, parseIncidentListState, type DatedFilter, type EvidenceFilter, type IncidentListState } from "@/lib/domain/incident-list";

const DATED_LABELS: Record<DatedFilter, string> = { any: "Any", dated: "Date known", undated: "Date unknown" };
const EVIDENCE_LABELS: Record<EvidenceFilter, string> = { any: "Any", verified: "Has verified evidence", "leads-only": "Leads only", none: "Nothing linked" };

type Props = {
  state: IncidentListState;
  facets: { types: string[]; provinces: string[] };
  searchRef: RefObject<HTMLInputElement | null>;
  onApply: (next: IncidentListState) => void;
};

export function IncidentToolbar({ state, facets, searchRef, onApply }: Props) {
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(event.currentTarget).entries()) {
      if (typeof value === "string" && value.trim() !== "") params.append(key, value.trim());
    }
    const { state: filtered } = parseIncidentListState(params);
    onApply({ ...filtered, sort: state.sort, dir: state.dir, size: state.size, page: 1 });
  };
  const clear = () => onApply({ ...state, q: "", type: [], province: [], dated: "any", evidence: "any", from: null, to: null, page: 1 });

  return (
    // Keyed by the state's URL so the fields show the view after back/forward navigation.
    <form className="filters panel" onSubmit={apply} aria-label="Filter incidents" data-testid="incident-filters">
      <label className="grow">
        Search <span className="muted small">(press /)</span>
        <input ref={searchRef} type="search" name="q" defaultValue={state.q} placeholder="Reference, title, place, group, description" data-testid="incident-search" />
      </label>
      <label>
        Type
        <select name="type" defaultValue={state.type[0] ?? ""}>
          <option value="">Any</option>
          {facets.types.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      <label>
        Province
        <select name="province" defaultValue={state.province[0] ?? ""}>
          <option value="">Any</option>
          {facets.provinces.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <label>
        Date
        <select name="dated" defaultValue={state.dated} data-testid="filter-dated">
          {DATED_FILTERS.map((d) => <option key={d} value={d}>{DATED_LABELS[d]}</option>)}
        </select>
      </label>
      <label>
        From (UTC)
        <input type="date" name="from" defaultValue={state.from ?? ""} />
      </label>
      <label>
        To (UTC)
        <input type="date" name="to" defaultValue={state.to ?? ""} />
      </label>
      <label>
        Evidence
        <select name="evidence" defaultValue={state.evidence}>
          {EVIDENCE_FILTERS.map((e) => <option key={e} value={e}>{EVIDENCE_LABELS[e]}</option>)}
        </select>
      </label>
      <div className="actions">
        <button type="submit">Apply</button>
        {incidentListHasFilters(state) ? <button type="button" className="secondary" onClick={clear}>Clear filters</button> : null}
      </div>
    </form>
  );
}
