"use client";
import { useActionState } from "react";
import { createTokenAction, revokeTokenAction } from "@/app/account/tokens/actions";
import type { ActionResult } from "@/lib/server/action-result";

function Problem({ state }: { state: ActionResult | null }) {
  if (!state || state.ok) return null;
  return (
    <div role="alert">
      <p className="error">{state.error}</p>
      {state.fieldErrors ? (
        <ul className="field-error">
          {Object.entries(state.fieldErrors).map(([field, messages]) => (
            <li key={field}>{field}: {messages.join("; ")}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function CreateTokenForm({
  projects,
  scopes,
  expiryChoices,
  defaultDays,
}: {
  projects: Array<{ id: string; name: string }>;
  scopes: Array<{ value: string; label: string }>;
  expiryChoices: readonly number[];
  defaultDays: number;
}) {
  const [state, action, pending] = useActionState(createTokenAction, null);
  return (
    <form className="stack" action={action} data-testid="create-token-form">
      <label>Name<input name="name" required maxLength={100} placeholder="Archiving script on the field laptop" /></label>
      <label>
        Project
        <select name="projectId" defaultValue="">
          <option value="">All my projects</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>{p.name}</option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Scopes</legend>
        {scopes.map((s) => (
          <label key={s.value} className="check">
            <input type="checkbox" name="scopes" value={s.value} defaultChecked={s.value === "read"} /> <strong>{s.value}</strong>: {s.label}
          </label>
        ))}
      </fieldset>
      <label>
        Expires
        <select name="expiresInDays" defaultValue={String(defaultDays)}>
          {expiryChoices.map((days) => (
            <option key={days} value={days}>in {days} days</option>
          ))}
        </select>
      </label>
      <Problem state={state} />
      {state?.ok ? (
        <div className="panel token-once" role="status" data-testid="new-token">
          <p className="notice">{state.message}</p>
          <p className="small muted">Token “{state.data.name}”. Select it and copy it into your script or password manager.</p>
          <input className="mono token-value" readOnly value={state.data.token} aria-label="New API token" onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
      <button type="submit" disabled={pending}>Create token</button>
    </form>
  );
}

export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const [state, action, pending] = useActionState(revokeTokenAction, null);
  return (
    <form className="inline" action={action}>
      <input type="hidden" name="tokenId" value={tokenId} />
      <button type="submit" className="secondary" disabled={pending} aria-label={`Revoke ${name}`}>Revoke</button>
      <Problem state={state} />
    </form>
  );
}
