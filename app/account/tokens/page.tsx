import type { Metadata } from "next";
import { CreateTokenForm, RevokeTokenButton } from "@/components/account/token-forms";
import { revocationLabel, tokenExpiryChoices } from "@/lib/domain/api-tokens";
import { API_SCOPES, API_SCOPE_LABELS } from "@/lib/domain/permissions";
import { actorOrRedirect } from "@/lib/server/session";
import { listProjectsForActor } from "@/lib/server/services/projects/list-projects";
import { listTokens } from "@/lib/server/services/tokens/list-tokens";
import { tokenSettings } from "@/lib/server/services/tokens/token-settings";

export const metadata: Metadata = { title: "API tokens" };

const timeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const when = (date: Date | null, fallback: string) => (date ? `${timeFormat.format(date)} UTC` : fallback);

export default async function TokensPage() {
  const actor = await actorOrRedirect();
  const [tokens, projects] = await Promise.all([listTokens(actor), listProjectsForActor(actor)]);
  const now = new Date();
  const memberProjects = projects.filter((p) => p.role !== null).map((p) => ({ id: p.id, name: p.name }));
  const lifetime = tokenSettings();

  return (
    <>
      <h1>API tokens</h1>
      <p className="lede">
        Tokens let scripts and archiving tools use the JSON API (<code>/api/v1</code>, documented in <code>docs/api.md</code>) as you.
        A token can do only what its scopes allow, and never more than your role in each project.
        Every token expires (after at most {lifetime.maxDays} days here). An administrator&apos;s password reset, two-factor reset
        or deactivation of your account revokes all of them for good. You get a notification whenever one is created or revoked.
      </p>

      <section className="panel" aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">New token</h2>
        <CreateTokenForm projects={memberProjects} scopes={API_SCOPES.map((s) => ({ value: s, label: API_SCOPE_LABELS[s] }))} expiryChoices={tokenExpiryChoices(lifetime)} defaultDays={lifetime.defaultDays} />
      </section>

      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="muted">You have no API tokens.</p>
        ) : (
          <table data-testid="token-list">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Token</th><th scope="col">Scopes</th><th scope="col">Project</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th></tr>
            </thead>
            <tbody>
              {tokens.map((t) => {
                const expired = t.expiresAt !== null && t.expiresAt <= now;
                return (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td className="mono">{t.prefix}…</td>
                    <td>{t.scopes.join(", ")}</td>
                    <td>{t.project?.name ?? "All my projects"}</td>
                    <td className="small">{when(t.createdAt, "")}</td>
                    <td className="small">{when(t.expiresAt, "Never")}</td>
                    <td className="small" data-testid="token-last-used">
                      {when(t.lastUsedAt, "Never")}
                      {t.lastUsedAt && t.lastUsedIp ? <> from <span className="mono">{t.lastUsedIp}</span></> : null}
                    </td>
                    <td>
                      {t.revokedAt ? (
                        <span className="badge" title={revocationLabel(t.revokedReason)}>Revoked {timeFormat.format(t.revokedAt)}: {revocationLabel(t.revokedReason)}</span>
                      ) : expired ? (
                        <span className="badge">Expired</span>
                      ) : (
                        <RevokeTokenButton tokenId={t.id} name={t.name} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
