import Link from "next/link";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AcknowledgeAlertButton, RunFixityButton } from "@/components/admin/integrity";
import { CreateProjectForm, CreateUserForm, MembershipForm, ProjectSettingsForm, ResetPasswordForm, ResetTwoFactorButton, UserActiveButton } from "@/components/admin/forms";
import { EndAllSessionsButton, EndUserSessionsButton, EnrolmentCodeForm } from "@/components/admin/forms";
import { PROJECT_ROLES } from "@/lib/domain/roles";
import { can } from "@/lib/domain/permissions";
import { actorOrRedirect } from "@/lib/server/session";
import { checkAuditChain, listRecentAuditEvents } from "@/lib/server/services/audit/audit-status";
import { listUsers } from "@/lib/server/services/accounts/list-users";
import { listOpenAlerts } from "@/lib/server/services/admin/alerts";
import { getFixityStatus } from "@/lib/server/services/admin/fixity";
import { listProjectsForActor } from "@/lib/server/services/projects/list-projects";

export const metadata: Metadata = { title: "Administration" };

const timeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export default async function AdminPage() {
  const actor = await actorOrRedirect();
  if (!can(actor, "user:manage", { kind: "system" })) notFound();
  const [users, projects, chain, events, alerts, fixity] = await Promise.all([
    listUsers(actor),
    listProjectsForActor(actor),
    checkAuditChain(actor),
    listRecentAuditEvents(actor, 25),
    listOpenAlerts(actor),
    getFixityStatus(actor),
  ]);
  const projectOptions = projects.map((p) => ({ id: p.id, name: p.name }));

  return (
    <>
      <h1>Administration</h1>
      <p className="lede">Accounts, project roles and the audit log. Every change here is recorded in the audit chain.</p>

      {alerts.length > 0 ? (
        <section aria-labelledby="alerts-heading" data-testid="admin-alerts">
          <h2 id="alerts-heading">Alerts</h2>
          {alerts.map((alert) => (
            <div key={alert.id} className="panel warning admin-alert" data-testid={`alert-${alert.id}`}>
              <div className="admin-alert-head">
                <strong>{alert.message}</strong>
                <span className="small muted">{timeFormat.format(alert.createdAt)} UTC</span>
                <AcknowledgeAlertButton alertId={alert.id} />
              </div>
              {alert.fixity ? (
                <>
                  <table className="small">
                    <thead>
                      <tr><th scope="col">Problem</th><th scope="col">Expected SHA-256</th><th scope="col">Found</th><th scope="col">Stored as</th><th scope="col">Used by</th></tr>
                    </thead>
                    <tbody>
                      {alert.fixity.problems.map((problem) => (
                        <tr key={problem.sha256}>
                          <td><span className="badge danger">{problem.outcome === "MISSING" ? "Missing" : "Changed"}</span></td>
                          <td className="mono">{problem.sha256}</td>
                          <td className="mono">{problem.actualHash ?? "—"}</td>
                          <td>{problem.kinds.join(", ")}</td>
                          <td>{problem.references.length === 0 ? "—" : problem.references.map((r) => `${r.project} ${r.item}`).join(", ")}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {alert.fixity.omitted > 0 ? <p className="small muted">{alert.fixity.omitted} more problems are recorded with run {alert.fixity.runId}.</p> : null}
                </>
              ) : (
                <pre className="small admin-alert-details">{alert.detailsJson}</pre>
              )}
            </div>
          ))}
        </section>
      ) : null}

      <h2>Users</h2>
      {/* Narrow screens scroll the table, not the page. */}
      <div className="table-scroll">
        <table data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Status</th>
              <th scope="col">Project roles</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} data-testid={`user-row-${user.email}`}>
                <td>
                  <strong>{user.name}</strong>
                  <div className="small muted">{user.email}</div>
                  {user.isAdmin ? <span className="badge">ADMIN</span> : null}
                </td>
                <td>
                  {user.active ? <span className="badge ok">Active</span> : <span className="badge danger">Deactivated</span>}{" "}
                  {user.twoFactorEnabled ? <span className="badge ok" data-testid="two-factor-on">2FA on</span> : <span className="badge" data-testid="two-factor-off">No 2FA</span>}
                </td>
                <td>
                  {user.memberships.length === 0 ? <span className="muted small">No projects</span> : null}
                  <ul className="small" style={{ margin: 0, paddingLeft: 16 }}>
                    {user.memberships.map((m) => (
                      <li key={m.projectId}>
                        {m.projectName}: <strong>{m.role}</strong>
                      </li>
                    ))}
                  </ul>
                  <MembershipForm
                    userId={user.id}
                    userName={user.name}
                    projects={projectOptions}
                    roles={PROJECT_ROLES}
                    memberships={Object.fromEntries(user.memberships.map((m) => [m.projectId, m.role]))}
                  />
                </td>
                <td className="row-actions">
                  {user.id === actor.userId ? (
                    <span className="muted small">You</span>
                  ) : (
                    <>
                      <UserActiveButton userId={user.id} active={user.active} email={user.email} />
                      <ResetPasswordForm userId={user.id} />
                      {user.twoFactorEnabled ? <ResetTwoFactorButton userId={user.id} email={user.email} /> : null}
                      {user.twoFactorEnabled ? null : <EnrolmentCodeForm userId={user.id} />}
                      <EndUserSessionsButton userId={user.id} email={user.email} />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <section className="panel" aria-labelledby="sessions-admin" style={{ marginTop: 16 }}>
        <h2 id="sessions-admin" style={{ marginTop: 0 }}>Sessions</h2>
        <p className="small muted">Signs every user out of every browser except this one, e.g. after a suspected breach. Recorded in the audit log.</p>
        <EndAllSessionsButton />
      </section>

      <div className="grid" style={{ marginTop: 24 }}>
        <section className="panel" aria-labelledby="new-user">
          <h2 id="new-user" style={{ marginTop: 0 }}>New user</h2>
          <CreateUserForm />
        </section>
        <section className="panel" aria-labelledby="new-project">
          <h2 id="new-project" style={{ marginTop: 0 }}>New project</h2>
          <CreateProjectForm />
        </section>
      </div>

      <h2>Project settings</h2>
      <div className="table-scroll">
        <table data-testid="project-settings">
          <thead><tr><th scope="col">Project</th><th scope="col">Settings</th><th scope="col">Data</th></tr></thead>
          <tbody>
            {projects.map((p) => (
              <tr key={p.id}>
                <td><strong>{p.name}</strong><div className="small muted">{p.slug}</div></td>
                <td><ProjectSettingsForm projectId={p.id} timeZone={p.timeZone} requiredConfirmations={p.requiredConfirmations} requireTwoFactor={p.requireTwoFactor} /></td>
                <td className="small">
                  {/* Admins may import into and back up any project (audited) without joining it. */}
                  <Link href={`/projects/${p.slug}/import`} data-testid={`admin-import-${p.slug}`}>Import incidents</Link>
                  <br />
                  <a href={`/projects/${p.slug}/export/archive`} download data-testid={`admin-archive-${p.slug}`}>Download archive (ZIP)</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>File fixity</h2>
      <div className="panel" data-testid="fixity-status">
        {fixity.lastRun ? (
          <p style={{ marginTop: 0 }}>
            {fixity.lastRun.mismatches + fixity.lastRun.missing === 0 ? <span className="badge ok">All files intact</span> : <span className="badge danger">Problems found</span>}{" "}
            Last check finished {timeFormat.format(fixity.lastRun.finishedAt)} UTC: {fixity.lastRun.checked} files re-hashed, {fixity.lastRun.mismatches} changed, {fixity.lastRun.missing} missing.
          </p>
        ) : (
          <p style={{ marginTop: 0 }}>No fixity check has finished yet.</p>
        )}
        {fixity.unfinishedSince ? <p className="small muted">A check started {timeFormat.format(fixity.unfinishedSince)} UTC has not finished.</p> : null}
        <p className="small muted">{fixity.nextRunAfter ? `Next scheduled check after ${timeFormat.format(fixity.nextRunAfter)} UTC.` : "No check is scheduled; a worker schedules one when it starts."}</p>
        <RunFixityButton pending={fixity.runNowPending} />
      </div>

      <h2>Audit chain</h2>
      <p className="panel" data-testid="audit-status">
        {chain.ok ? (
          <>
            <span className="badge ok">Intact</span> {chain.count} events verified; head #{chain.headSeq} <code>{chain.headHash.slice(0, 16)}…</code>
          </>
        ) : (
          <>
            <span className="badge danger">Broken</span> at event #{chain.brokenAtSeq}: {chain.reason}
          </>
        )}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When (UTC)</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Project</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td>{timeFormat.format(e.createdAt)}</td>
              <td className="mono">{e.action}</td>
              <td>{e.actorName ?? "system"}</td>
              <td>{e.projectName ?? "—"}</td>
              <td className="mono">{e.hash.slice(0, 12)}…</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
