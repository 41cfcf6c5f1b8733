import Link from "next/link";
import { actorOrRedirect } from "@/lib/server/session";
import { listProjectsForActor } from "@/lib/server/services/projects/list-projects";

export default async function HomePage() {
  const actor = await actorOrRedirect();
  const projects = await listProjectsForActor(actor);
  return (
    <>
      <h1>Projects</h1>
      <p className="lede">Investigations you belong to{actor.isAdmin ? ", and every project you administer" : ""}.</p>
      {projects.length === 0 ? (
        <p className="panel">You are not a member of any project yet. Ask an administrator to add you.</p>
      ) : (
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
