"use client";
// Link and unlink controls for an incident's evidence (editors only; the service checks again).
import { useActionState, useEffect, useId, useRef, useState } from "react";
import { itemOptionByReference } from "@/components/forms/choice-options";
import { submitKeepingInput } from "@/components/forms/submit-keeping-input";
import { TypeAhead } from "@/components/forms/type-ahead";
import { linkEvidenceAction, unlinkEvidenceAction } from "@/app/projects/[slug]/incidents/actions";
import { EVIDENCE_RELATIONS } from "@/lib/domain/incident-fields";
import type { ActionResult } from "@/lib/server/action-result";

export function ActionOutcome({ state }: { state: ActionResult | null }) {
  if (!state) return null;
  if (state.ok) return state.message ? <p className="notice" role="status">{state.message}</p> : null;
  return (
    <div role="alert" data-testid="action-error">
      <p className="error">{state.error}</p>
    </div>
  );
}

function FieldMessages({ state, name }: { state: ActionResult | null; name: string }) {
  const messages = state && !state.ok ? state.fieldErrors?.[name] : undefined;
  return messages?.length ? <span className="field-error">{messages.join(" ")}</span> : null;
}

/** The relation suggestions as a <datalist>; free text is allowed too. */
export function RelationSuggestions({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {EVIDENCE_RELATIONS.map((r) => <option key={r} value={r} />)}
    </datalist>
  );
}

/** On the incident page: link an item by its reference. */
export function LinkItemForm({ incidentId, projectSlug, path }: { incidentId: string; projectSlug: string; path: string }) {
  const [state, action, pending] = useActionState(linkEvidenceAction, null);
  const listId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  // A new key after each link empties the type-ahead (its text is React state, not a DOM default).
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (state?.ok) {
      formRef.current?.reset();
      setRound((r) => r + 1);
    }
  }, [state]);
  return (
    <form ref={formRef} onSubmit={submitKeepingInput(action)} className="inline" data-testid="link-item-form">
      <input type="hidden" name="incidentId" value={incidentId} />
      <input type="hidden" name="path" value={path} />
      <TypeAhead
        key={round}
        label="Item reference"
        name="itemReference"
        mode="text"
        required
        placeholder="AW-0042 or words of the title"
        size={22}
        source={`/api/projects/${encodeURIComponent(projectSlug)}/item-choices`}
        toOption={itemOptionByReference}
        testId="item-picker"
      />
      <label>Relation<input name="relation" list={listId} maxLength={500} size={28} placeholder="Shows the aftermath" /></label>
      <RelationSuggestions id={listId} />
      <label className="check"><input type="checkbox" name="asLead" value="on" /> as unverified lead</label>
      <button type="submit" disabled={pending}>Link item</button>
      <FieldMessages state={state} name="itemReference" />
      <FieldMessages state={state} name="asLead" />
      <ActionOutcome state={state} />
    </form>
  );
}

export function UnlinkButton({ incidentId, itemId, reference, path }: { incidentId: string; itemId: string; reference: string; path: string }) {
  const [state, action, pending] = useActionState(unlinkEvidenceAction, null);
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return <button type="button" className="link" onClick={() => setConfirming(true)}>Unlink {reference}</button>;
  }
  return (
    <form action={action} className="inline">
      <input type="hidden" name="incidentId" value={incidentId} />
      <input type="hidden" name="itemId" value={itemId} />
      <input type="hidden" name="path" value={path} />
      <button type="submit" className="danger" disabled={pending}>Confirm unlink</button>
      <button type="button" className="link" onClick={() => setConfirming(false)}>Cancel</button>
      <ActionOutcome state={state} />
    </form>
  );
}
