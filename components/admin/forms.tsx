"use client";
import { startTransition, useActionState, useState } from "react";
import {
  createProjectAction,
  createUserAction,
  endAllSessionsAction,
  endUserSessionsAction,
  issueEnrolmentCodeAction,
  resetPasswordAction,
  resetTwoFactorAction,
  setMembershipAction,
  setUserActiveAction,
  updateProjectSettingsAction,
} from "@/app/admin/actions";
import { roleChangeQuestion, type ProjectRole } from "@/lib/domain/roles";
import type { ActionResult } from "@/lib/server/action-result";

function Outcome({ state }: { state: ActionResult | null }) {
  if (!state) return null;
  if (state.ok) return state.message ? <p className="notice" role="status">{state.message}</p> : null;
  return (
    <div role="alert">
      <p className="error">{state.error}</p>
      {state.fieldErrors ? (
        <ul className="field-error">
          {Object.entries(state.fieldErrors).map(([field, messages]) => (
            <li key={field}>
              {field}: {messages.join("; ")}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function CreateUserForm() {
  const [state, action, pending] = useActionState(createUserAction, null);
  return (
    <form className="stack" action={action}>
      <label>Name<input name="name" required maxLength={120} /></label>
      <label>Email<input name="email" type="email" required /></label>
      <label>Initial password<input name="password" type="password" required minLength={12} autoComplete="new-password" /></label>
      <label className="check"><input name="isAdmin" type="checkbox" /> Global administrator</label>
      <Outcome state={state} />
      <button type="submit" disabled={pending}>Create user</button>
    </form>
  );
}

export function CreateProjectForm() {
  const [state, action, pending] = useActionState(createProjectAction, null);
  return (
    <form className="stack" action={action}>
      <label>Name<input name="name" required /></label>
      <label>Short name (URL)<input name="slug" required pattern="[a-z0-9]+(-[a-z0-9]+)*" placeholder="afghan-witness" /></label>
      <label>Description<textarea name="description" rows={3} /></label>
      <Outcome state={state} />
      <button type="submit" disabled={pending}>Create project</button>
    </form>
  );
}

/**
 * Sets a person's role in one project. The role picker starts at their current role in the
 * chosen project (or "not a member"); anything that takes rights away (a lower role, removal)
 * asks first, naming the person. The role the page showed is sent along, so the server refuses
 * the change if someone else changed that membership meanwhile.
 */
export function MembershipForm({
  userId,
  userName,
  projects,
  roles,
  memberships,
}: {
  userId: string;
  userName: string;
  projects: Array<{ id: string; name: string }>;
  roles: readonly ProjectRole[];
  /** The person's current role per project id. */
  memberships: Record<string, ProjectRole>;
}) {
  const [state, action, pending] = useActionState(setMembershipAction, null);
  const [projectId, setProjectId] = useState(() => projects.find((p) => memberships[p.id])?.id ?? projects[0]?.id ?? "");
  const current = memberships[projectId] ?? null;
  const [role, setRole] = useState<string>(current ?? "");
  const chosen = role === "" ? null : (role as ProjectRole);
  const projectName = projects.find((p) => p.id === projectId)?.name ?? "";
  return (
    <form
      className="inline"
      action={action}
      style={{ marginTop: 6 }}
      data-testid="membership-form"
      onSubmit={(event) => {
        // Submitted by hand rather than through the form action: React resets a form after its
        // action, and a reset shows a controlled <select> at its first option (CONTRIBUTOR).
        event.preventDefault();
        const question = roleChangeQuestion(userName, projectName, current, chosen);
        if (question && !window.confirm(question)) {
          setRole(current ?? "");
          return;
        }
        const data = new FormData(event.currentTarget);
        startTransition(() => action(data));
      }}
    >
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="expectedRole" value={current ?? ""} />
      <select
        name="projectId"
        aria-label="Project"
        required
        value={projectId}
        onChange={(event) => {
          setProjectId(event.target.value);
          setRole(memberships[event.target.value] ?? "");
        }}
      >
        {projects.map((p) => (
          <option key={p.id} value={p.id}>{p.name}</option>
        ))}
      </select>
      <select name="role" aria-label="Role" value={role} onChange={(event) => setRole(event.target.value)}>
        {roles.map((r) => (
          <option key={r} value={r}>{r === current ? `${r} (current)` : r}</option>
        ))}
        <option value="">{current ? "Remove from project" : "Not a member"}</option>
      </select>
      <button type="submit" className="secondary" disabled={pending || chosen === current}>Set role</button>
      <Outcome state={state} />
    </form>
  );
}

export function UserActiveButton({ userId, active, email }: { userId: string; active: boolean; email: string }) {
  const [state, action, pending] = useActionState(setUserActiveAction, null);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (active && !window.confirm(`Deactivate ${email}? They are signed out at once.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="active" value={active ? "false" : "true"} />
      <button type="submit" className={active ? "danger" : "secondary"} disabled={pending}>
        {active ? "Deactivate" : "Reactivate"}
      </button>
      <Outcome state={state} />
    </form>
  );
}

/** The admin's own password and code, asked before resets (a stolen admin session is not enough). */
function ConfirmWithYourCredentials() {
  return (
    <>
      <input name="currentPassword" type="password" aria-label="Your password" placeholder="Your password" required autoComplete="current-password" data-testid="admin-confirm-password" />
      <input name="currentCode" type="text" aria-label="Your code (if you use two-factor login)" placeholder="Your code, if 2FA" inputMode="numeric" autoComplete="one-time-code" maxLength={64} size={10} data-testid="admin-confirm-code" />
    </>
  );
}

export function ResetPasswordForm({ userId }: { userId: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, null);
  return (
    <details>
      <summary className="small">Reset password</summary>
      <form className="inline" action={action}>
        <input type="hidden" name="userId" value={userId} />
        <input name="password" type="password" aria-label="New password" minLength={12} required autoComplete="new-password" />
        <ConfirmWithYourCredentials />
        <button type="submit" className="secondary" disabled={pending}>Set</button>
        <Outcome state={state} />
      </form>
    </details>
  );
}

export function ResetTwoFactorButton({ userId, email }: { userId: string; email: string }) {
  const [state, action, pending] = useActionState(resetTwoFactorAction, null);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Reset two-factor login for ${email}? Their recovery codes stop working and they are signed out at once.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="userId" value={userId} />
      <ConfirmWithYourCredentials />
      <button type="submit" className="secondary" disabled={pending} data-testid="reset-2fa">
        Reset 2FA
      </button>
      <Outcome state={state} />
    </form>
  );
}

/** Issues a one-time enrolment code, shown once here, for a user who must set up 2FA. */
export function EnrolmentCodeForm({ userId }: { userId: string }) {
  const [state, action, pending] = useActionState(issueEnrolmentCodeAction, null);
  return (
    <details>
      <summary className="small">2FA enrolment code</summary>
      <form className="inline" action={action}>
        <input type="hidden" name="userId" value={userId} />
        <ConfirmWithYourCredentials />
        <button type="submit" className="secondary" disabled={pending} data-testid="issue-enrolment-code">Issue code</button>
        <Outcome state={state} />
      </form>
      {state?.ok ? (
        <p className="small" data-testid="issued-enrolment-code">
          Give them this code in person or by another channel; it works once, until {new Date(state.data.expiresAt).toUTCString()}:{" "}
          <code data-testid="enrolment-code-value">{state.data.code}</code>
        </p>
      ) : null}
    </details>
  );
}

/** Signs a user out of every browser (their account stays active). */
export function EndUserSessionsButton({ userId, email }: { userId: string; email: string }) {
  const [state, action, pending] = useActionState(endUserSessionsAction, null);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Sign ${email} out of every session?`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className="secondary" disabled={pending} data-testid="end-user-sessions">
        End sessions
      </button>
      <Outcome state={state} />
    </form>
  );
}

/** Signs out everyone but the admin making the request (e.g. after a suspected breach). */
export function EndAllSessionsButton() {
  const [state, action, pending] = useActionState(endAllSessionsAction, null);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm("Sign out every user's sessions (except this one)?")) event.preventDefault();
      }}
    >
      <button type="submit" className="danger" disabled={pending} data-testid="end-all-sessions">
        Sign out everyone else
      </button>
      <Outcome state={state} />
    </form>
  );
}

export function ProjectSettingsForm({
  projectId,
  timeZone,
  requiredConfirmations,
  requireTwoFactor,
}: {
  projectId: string;
  timeZone: string;
  requiredConfirmations: number;
  requireTwoFactor: boolean;
}) {
  const [state, action, pending] = useActionState(updateProjectSettingsAction, null);
  return (
    <form className="inline" action={action}>
      <input type="hidden" name="projectId" value={projectId} />
      <label>Time zone<input name="timeZone" defaultValue={timeZone} size={16} required /></label>
      <label>Confirmations to verify<input name="requiredConfirmations" type="number" min={1} max={5} defaultValue={requiredConfirmations} required /></label>
      <label className="check"><input name="requireTwoFactor" type="checkbox" defaultChecked={requireTwoFactor} /> Require two-factor login</label>
      <button type="submit" className="secondary" disabled={pending}>Save</button>
      <Outcome state={state} />
    </form>
  );
}
