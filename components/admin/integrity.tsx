"use client";
import { useActionState } from "react";
import { acknowledgeAlertAction, requestFixityCheckAction } from "@/app/admin/actions";

export function AcknowledgeAlertButton({ alertId }: { alertId: string }) {
  const [state, action, pending] = useActionState(acknowledgeAlertAction, null);
  return (
    <form className="inline" action={action}>
      <input type="hidden" name="alertId" value={alertId} />
      <button type="submit" className="secondary" disabled={pending} data-testid={`acknowledge-${alertId}`}>Acknowledge</button>
      {state && !state.ok ? <p className="error" role="alert">{state.error}</p> : null}
    </form>
  );
}

export function RunFixityButton({ pending: alreadyPending }: { pending: boolean }) {
  const [state, action, pending] = useActionState(requestFixityCheckAction, null);
  return (
    <form className="inline" action={action}>
      <button type="submit" className="secondary" disabled={pending || alreadyPending} data-testid="run-fixity">
        {alreadyPending ? "Fixity check queued" : "Run fixity check now"}
      </button>
      {state ? state.ok ? <span className="notice" role="status">{state.message}</span> : <span className="error" role="alert">{state.error}</span> : null}
    </form>
  );
}
