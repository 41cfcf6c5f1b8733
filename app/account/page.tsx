import type { Metadata } from "next";
import Link from "next/link";
import { TwoFactorSettings, type TwoFactorView } from "@/components/account/two-factor-forms";
import { groupSecretForDisplay } from "@/lib/domain/two-factor";
import { actorOrRedirect } from "@/lib/server/session";
import { getTwoFactorStatus } from "@/lib/server/services/accounts/get-two-factor-status";

export const metadata: Metadata = { title: "Account" };

const timeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function AccountPage() {
  const actor = await actorOrRedirect();
  const status = await getTwoFactorStatus(actor);
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
    </>
  );
}
