import type { Metadata } from "next";
import Link from "next/link";
import { ChangePasswordForm, EndOtherSessionsButton, EndSessionButton } from "@/components/account/session-forms";
import { TwoFactorSettings, type TwoFactorView } from "@/components/account/two-factor-forms";
import { groupSecretForDisplay } from "@/lib/domain/two-factor";
import { actorOrRedirect } from "@/lib/server/session";
import { sessionPolicy } from "@/lib/server/sessions";
import { getTwoFactorStatus } from "@/lib/server/services/accounts/get-two-factor-status";
import { listOwnSessions } from "@/lib/server/services/sessions/list-sessions";

export const metadata: Metadata = { title: "Account" };

const timeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "12 hours, or 60 minutes without activity", from the configured policy. */
function sessionLimits(): string {
  const { maxAgeMs, idleMs } = sessionPolicy();
  const span = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} hour${ms === 3_600_000 ? "" : "s"}` : `${Math.round(ms / 60_000)} minutes`);
  return `${span(maxAgeMs)}, or ${span(idleMs)} without activity`;
}

export default async function AccountPage() {
  const actor = await actorOrRedirect();
  const [status, sessions] = await Promise.all([getTwoFactorStatus(actor), listOwnSessions(actor)]);
  // Only what the forms show: the otpauth URI travels inside the QR image, not as a prop.
  const view: TwoFactorView = {
    enabled: status.enabled,
    enabledAt: status.enabledAt ? `${timeFormat.format(status.enabledAt)} UTC` : null,
    unusedRecoveryCodes: status.unusedRecoveryCodes,
    enrolment: status.enrolment
      ? {
          secretForDisplay: groupSecretForDisplay(status.enrolment.secret),
          qrDataUri: `data:image/svg+xml;base64,${Buffer.from(status.enrolment.qrSvg).toString("base64")}`,
        }
      : null,
    enrolmentCodeRequired: status.enrolmentCodeRequired,
  };

  return (
    <>
      <h1>Account</h1>
      <p className="lede">
        Signed in as {actor.name} ({actor.email}). API tokens for scripts are on the <Link href="/account/tokens">API tokens</Link> page.
      </p>

      <section className="panel" aria-labelledby="two-factor-heading">
        <h2 id="two-factor-heading" style={{ marginTop: 0 }}>Two-factor login</h2>
        <p className="small muted">
          After your password, sign-in also asks for a 6-digit code from an authenticator app on your phone (for example Aegis, Google
          Authenticator or 1Password), so a stolen password alone does not open your account.
        </p>
        {status.requiredByProjects.length > 0 ? (
          <p className={status.enabled ? "small" : "panel warning"} data-testid="two-factor-required-by">
            {status.enabled ? "Required by: " : "You cannot open these projects until you turn it on: "}
            {status.requiredByProjects.join(", ")}.
          </p>
        ) : null}
        <TwoFactorSettings view={view} />
      </section>

      <section className="panel" aria-labelledby="sessions-heading" data-testid="sessions">
        <h2 id="sessions-heading" style={{ marginTop: 0 }}>Where you are signed in</h2>
        <p className="small muted">
          A session ends when you sign out, after {sessionLimits()}. If you do not recognise one, sign it out and change your password.
        </p>
        <table className="small" data-testid="sessions-table">
          <thead>
            <tr><th scope="col">Browser</th><th scope="col">Address</th><th scope="col">Started (UTC)</th><th scope="col">Last seen (UTC)</th><th scope="col">Two-factor</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} data-testid={s.current ? "session-current" : "session-other"}>
                <td>{s.browser}{s.current ? <> <span className="badge ok">This session</span></> : null}</td>
                <td className="mono">{s.ip ?? "unknown"}</td>
                <td>{timeFormat.format(s.createdAt)}</td>
                <td>{timeFormat.format(s.lastSeenAt)}</td>
                <td>{s.secondFactor ? "Yes" : "No"}</td>
                <td>{s.current ? null : <EndSessionButton sessionId={s.id} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {sessions.some((s) => !s.current) ? <EndOtherSessionsButton /> : null}
      </section>

      <section className="panel" aria-labelledby="password-heading">
        <h2 id="password-heading" style={{ marginTop: 0 }}>Password</h2>
        <p className="small muted">Changing it signs out every other session of yours.</p>
        <ChangePasswordForm twoFactorEnabled={status.enabled} />
      </section>
    </>
  );
}
