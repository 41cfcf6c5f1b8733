"use client";
import { useActionState, useState } from "react";
import {
  confirmTwoFactorEnrolmentAction,
  disableTwoFactorAction,
  regenerateRecoveryCodesAction,
  startTwoFactorEnrolmentAction,
} from "@/app/account/actions";
import type { ActionResult } from "@/lib/server/action-result";

export interface TwoFactorView {
  enabled: boolean;
  /** Already formatted on the server, in UTC. */
  enabledAt: string | null;
  unusedRecoveryCodes: number;
  enrolment: { secretForDisplay: string; qrDataUri: string } | null;
  /** Turning it on needs an enrolment code from an administrator. */
  enrolmentCodeRequired: boolean;
}

function Outcome({ state }: { state: ActionResult | null }) {
  if (!state) return null;
  if (state.ok) return state.message ? <p className="notice" role="status">{state.message}</p> : null;
  const detail = Object.values(state.fieldErrors ?? {}).flat().filter((message) => message !== state.error);
  return (
    <div role="alert" data-testid="two-factor-error">
      <p className="error">{state.error}</p>
      {detail.length ? <p className="field-error">{detail.join("; ")}</p> : null}
    </div>
  );
}

function CodeInput({ label, testId }: { label: string; testId: string }) {
  return (
    <label>
      {label}
      <input name="code" type="text" inputMode="numeric" autoComplete="one-time-code" maxLength={64} spellCheck={false} required data-testid={testId} />
    </label>
  );
}

function CurrentPasswordInput({ testId }: { testId: string }) {
  return (
    <label>
      Your current password
      <input name="currentPassword" type="password" autoComplete="current-password" maxLength={256} required data-testid={testId} />
    </label>
  );
}

function EnrolmentCodeInput() {
  return (
    <label>
      Enrolment code from an administrator
      <input name="enrolmentCode" type="text" autoComplete="off" maxLength={64} spellCheck={false} required data-testid="enrolment-code" />
    </label>
  );
}

/** Two-factor settings of the signed-in user: enrol, see recovery codes once, regenerate, turn off. */
export function TwoFactorSettings({ view }: { view: TwoFactorView }) {
  // Recovery codes live only in this component's memory: the server keeps hashes, and a reload forgets them.
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [startState, startAction, starting] = useActionState(async () => {
    setRecoveryCodes(null);
    return startTwoFactorEnrolmentAction();
  }, null);
  const [confirmState, confirmAction, confirming] = useActionState(async (previous: unknown, form: FormData) => {
    const result = await confirmTwoFactorEnrolmentAction(previous, form);
    if (result.ok) setRecoveryCodes(result.data.recoveryCodes);
    return result;
  }, null);
  const [regenerateState, regenerateAction, regenerating] = useActionState(async (previous: unknown, form: FormData) => {
    const result = await regenerateRecoveryCodesAction(previous, form);
    if (result.ok) setRecoveryCodes(result.data.recoveryCodes);
    return result;
  }, null);
  const [disableState, disableAction, disabling] = useActionState(async (previous: unknown, form: FormData) => {
    const result = await disableTwoFactorAction(previous, form);
    if (result.ok) setRecoveryCodes(null);
    return result;
  }, null);

  return (
    <div className="stack">
      {recoveryCodes ? (
        <section className="panel warning recovery-codes" aria-labelledby="recovery-codes-heading" data-testid="recovery-codes">
          <h3 id="recovery-codes-heading">Your recovery codes</h3>
          <p>
            Each code signs you in once if you lose your authenticator app. Save them somewhere safe now (a password manager, or on
            paper): they are shown only this once.
          </p>
          <ol className="recovery-code-list">
            {recoveryCodes.map((code) => (
              <li key={code}>
                <code data-testid="recovery-code">{code}</code>
              </li>
            ))}
          </ol>
          <button type="button" onClick={() => setRecoveryCodes(null)} data-testid="recovery-codes-saved">
            I have saved these
          </button>
        </section>
      ) : null}

      {view.enabled ? (
        <>
          <p data-testid="two-factor-status">
            <span className="badge ok">On</span> since {view.enabledAt ?? "an unknown date"}. {view.unusedRecoveryCodes} unused recovery code
            {view.unusedRecoveryCodes === 1 ? "" : "s"} left.
          </p>
          <form className="stack" action={regenerateAction}>
            <h3>New recovery codes</h3>
            <p className="small muted">Makes 10 new codes; the old ones stop working, and your other sessions are signed out.</p>
            <CurrentPasswordInput testId="regenerate-password" />
            <CodeInput label="Current code from your app" testId="regenerate-code" />
            <button type="submit" className="secondary" disabled={regenerating} data-testid="regenerate-recovery-codes">
              Make new recovery codes
            </button>
            <Outcome state={regenerateState?.ok ? null : regenerateState} />
          </form>
          <form
            className="stack"
            action={disableAction}
            onSubmit={(event) => {
              if (!window.confirm("Turn off two-factor login? Projects that require it will be hidden from you until you turn it on again.")) event.preventDefault();
            }}
          >
            <h3>Turn off</h3>
            <CurrentPasswordInput testId="disable-password" />
            <CodeInput label="Current code or a recovery code" testId="disable-code" />
            <button type="submit" className="danger" disabled={disabling} data-testid="disable-2fa">
              Turn off two-factor login
            </button>
            <Outcome state={disableState} />
          </form>
        </>
      ) : view.enrolment ? (
        <>
          <p data-testid="two-factor-status">
            <span className="badge">Setting up</span> Add this key to your authenticator app, then enter the code it shows.
          </p>
          <div className="two-factor-enrol">
            {/* A data URI keeps the server-rendered SVG inert: no markup of ours is injected into the page. */}
            <img src={view.enrolment.qrDataUri} alt="QR code with your two-factor key" width={200} height={200} data-testid="totp-qr" />
            <div className="stack">
              <p className="small muted">Cannot scan? Enter this key by hand (time-based, 6 digits):</p>
              <code className="totp-secret" data-testid="totp-secret">{view.enrolment.secretForDisplay}</code>
              <form className="stack" action={confirmAction}>
                <CodeInput label="Code from the app" testId="enrol-code" />
                <CurrentPasswordInput testId="enrol-password" />
                {view.enrolmentCodeRequired ? <EnrolmentCodeInput /> : null}
                <button type="submit" disabled={confirming} data-testid="confirm-2fa">
                  Turn on two-factor login
                </button>
                <Outcome state={confirmState} />
              </form>
            </div>
          </div>
          <form action={startAction}>
            <button type="submit" className="secondary" disabled={starting}>
              Start again with a new key
            </button>
          </form>
        </>
      ) : (
        <>
          {disableState?.ok ? <Outcome state={disableState} /> : null}
          <p data-testid="two-factor-status">
            <span className="badge">Off</span> Signing in needs only your password.
          </p>
          {view.enrolmentCodeRequired ? (
            <p className="small" data-testid="enrolment-code-required">
              Your account must use two-factor login, so setting it up needs an enrolment code from an administrator as well as your
              password. Ask one for a code before you start.
            </p>
          ) : null}
          <form action={startAction}>
            <button type="submit" disabled={starting} data-testid="start-2fa">
              Set up two-factor login
            </button>
            <Outcome state={startState} />
          </form>
        </>
      )}
    </div>
  );
}
