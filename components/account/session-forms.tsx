"use client";
import { useActionState } from "react";
import { changePasswordAction, endOtherSessionsAction, endSessionAction } from "@/app/account/actions";
import type { ActionResult } from "@/lib/server/action-result";

function Outcome({ state, testId }: { state: ActionResult | null; testId: string }) {
  if (!state) return null;
  if (state.ok) return state.message ? <p className="notice" role="status">{state.message}</p> : null;
  const detail = Object.values(state.fieldErrors ?? {}).flat().filter((message) => message !== state.error);
  return (
    <div role="alert" data-testid={testId}>
      <p className="error">{state.error}</p>
      {detail.length ? <p className="field-error">{detail.join("; ")}</p> : null}
    </div>
  );
}

/** "Sign out" for one of the person's other sessions. */
export function EndSessionButton({ sessionId }: { sessionId: string }) {
  const [state, action, pending] = useActionState(endSessionAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="sessionId" value={sessionId} />
      <button type="submit" className="secondary" disabled={pending} data-testid="end-session">
        Sign out
      </button>
      <Outcome state={state?.ok ? null : state} testId="end-session-error" />
    </form>
  );
}

/** "Sign out everywhere else": every session except this one. */
export function EndOtherSessionsButton() {
  const [state, action, pending] = useActionState(endOtherSessionsAction, null);
  return (
    <form action={action}>
      <button type="submit" className="secondary" disabled={pending} data-testid="end-other-sessions">
        Sign out everywhere else
      </button>
      <Outcome state={state} testId="end-other-sessions-error" />
    </form>
  );
}

/** Change your own password: the current one (and code) first; other sessions are signed out. */
export function ChangePasswordForm({ twoFactorEnabled }: { twoFactorEnabled: boolean }) {
  const [state, action, pending] = useActionState(changePasswordAction, null);
  return (
    <form className="stack" action={action}>
      <label>
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" maxLength={256} required data-testid="change-password-current" />
      </label>
      {twoFactorEnabled ? (
        <label>
          Current code from your app (or a recovery code)
          <input name="currentCode" type="text" inputMode="numeric" autoComplete="one-time-code" maxLength={64} spellCheck={false} required data-testid="change-password-code" />
        </label>
      ) : null}
      <label>
        New password
        <input name="newPassword" type="password" autoComplete="new-password" minLength={12} maxLength={256} required data-testid="change-password-new" />
      </label>
      <button type="submit" disabled={pending} data-testid="change-password">
        Change password
      </button>
      <Outcome state={state} testId="change-password-error" />
    </form>
  );
}
