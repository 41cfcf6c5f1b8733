"use client";
// The "Incidents" panel of an item page: where the item is linked and, for editors, a form to
// link it. An item that is not verified can only be linked as an unverified lead.
import Link from "next/link";
import { useActionState, useId } from "react";
import { linkEvidenceAction } from "@/app/projects/[slug]/incidents/actions";
import { incidentOptionById } from "@/components/forms/choice-options";
import { submitKeepingInput } from "@/components/forms/submit-keeping-input";
import { TypeAhead } from "@/components/forms/type-ahead";
import { ActionOutcome, RelationSuggestions } from "./evidence-controls";

type Props = {
  projectSlug: string;
  itemId: string;
  itemVerified: boolean;
  path: string;
  links: Array<{ incidentId: string; reference: string; title: string; isLead: boolean; relation: string }>;
  canManage: boolean;
};

export function ItemIncidentsPanel({ projectSlug, itemId, itemVerified, path, links, canManage }: Props) {
  const [state, action, pending] = useActionState(linkEvidenceAction, null);
  const listId = useId();
  const linkedIds = links.map((l) => l.incidentId);
  return (
    <section className="panel" aria-labelledby="item-incidents" data-testid="item-incidents">
      <h3 id="item-incidents" style={{ marginTop: 0 }}>Incidents</h3>
      {links.length === 0 ? <p className="muted">Not linked to any incident.</p> : (
        <ul>
          {links.map((l) => (
            <li key={l.incidentId} className={l.isLead ? "lead-link" : undefined}>
              <Link href={`/projects/${projectSlug}/incidents/${l.reference}`}><span className="mono">{l.reference}</span> {l.title}</Link>
              {l.isLead ? <> <span className="badge lead">unverified lead</span></> : <> <span className="badge ok">evidence</span></>}
              {l.relation ? <span className="small muted"> · {l.relation}</span> : null}
            </li>
          ))}
        </ul>
      )}
      {canManage ? (
        <form onSubmit={submitKeepingInput(action)} className="inline" data-testid="item-link-form">
          <input type="hidden" name="itemId" value={itemId} />
          <input type="hidden" name="path" value={path} />
          <TypeAhead
            // Remounted when the links change, so a linked incident leaves the field and the suggestions.
            key={linkedIds.join(",")}
            label="Incident"
            name="incidentId"
            mode="choice"
            required
            placeholder="INC-0042 or words of the title"
            size={26}
            source={`/api/projects/${encodeURIComponent(projectSlug)}/incident-choices`}
            params={linkedIds.length > 0 ? { exclude: linkedIds.join(",") } : undefined}
            toOption={incidentOptionById}
            testId="incident-picker"
          />
          <label>Relation<input name="relation" list={listId} maxLength={500} size={26} placeholder="Shows the aftermath" /></label>
          <RelationSuggestions id={listId} />
          {itemVerified ? (
            <label className="check"><input type="checkbox" name="asLead" value="on" /> as unverified lead</label>
          ) : (
            <label className="check" title="Only verified items can be evidence">
              {/* Disabled inputs are not submitted, so the forced value travels in a hidden field. */}
              <input type="checkbox" checked disabled aria-describedby={`${listId}-lead`} /> as unverified lead
              <input type="hidden" name="asLead" value="on" />
            </label>
          )}
          <button type="submit" disabled={pending}>Link to incident</button>
          {!itemVerified ? <p id={`${listId}-lead`} className="small muted">This item is not verified: it can be linked only as an unverified lead, which never counts as evidence.</p> : null}
          <ActionOutcome state={state} />
        </form>
      ) : null}
    </section>
  );
}
