import Link from "next/link";
import { actorOrRedirect } from "@/lib/server/session";
import { listProjectsAwaitingTwoFactor, listProjectsForActor } from "@/lib/server/services/projects/list-projects";

export default async function HomePage() {
  const actor = await actorOrRedirect();
  const [listed, awaitingTwoFactor] = await Promise.all([listProjectsForActor(actor), listProjectsAwaitingTwoFactor(actor)]);
  // An admin sees every project anyway; the notice below explains the ones they are locked out of.
  const awaitingIds = new Set(awaitingTwoFactor.map((p) => p.id));
  const projects = listed.filter((p) => !awaitingIds.has(p.id));
  return (
    <>
      <h1>Projects</h1>
      <p className="lede">Investigations you belong to{actor.isAdmin ? ", and every project you administer" : ""}.</p>
      {awaitingTwoFactor.length > 0 ? (
        <div className="panel warning two-factor-notice" role="status" data-testid="two-factor-required-notice">
          {awaitingTwoFactor.map((p) => (
            <p key={p.id} style={{ margin: "4px 0" }}>
              <strong>{p.name}</strong> requires two-factor login in this session —{" "}
              {actor.hasSecondFactor ? "sign out and sign in again with your code." : <>set it up on your <Link href="/account">Account page</Link>.</>}
            </p>
          ))}
        </div>
      ) : null}
      {projects.length === 0 && awaitingTwoFactor.length === 0 ? (
        <p className="panel">You are not a member of any project yet. Ask an administrator to add you.</p>
      ) : projects.length === 0 ? null : (
        <div className="grid">
          {projects.map((p) =>
            p.role ? (
              <Link key={p.id} href={`/projects/${p.slug}`} className="card" data-testid="project-card">
                <h3>{p.name}</h3>
                <div className="badge">{p.role}</div>
                <p className="muted small">{p.description}</p>
              </Link>
            ) : (
              <div key={p.id} className="card" data-testid="project-card">
                <h3>{p.name}</h3>
                <div className="badge">Not a member</div>
                <p className="muted small">You administer this project but are not a member, so its evidence stays hidden from you.</p>
              </div>
            ),
          )}
        </div>
      )}
    </>
  );
}
