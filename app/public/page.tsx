import type { Metadata } from "next";
import Link from "next/link";
import { listPublicProjects } from "@/lib/server/services/public/project";

export const metadata: Metadata = { title: "Published investigations" };

const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export default async function PublicIndexPage() {
  const projects = await listPublicProjects();
  return (
    <>
      <h1>Published investigations</h1>
      <p className="lede">Verified incidents and the evidence behind them. No account needed.</p>
      {projects.length === 0 ? (
        <p className="muted">Nothing has been published yet.</p>
      ) : (
        <div className="grid">
          {projects.map((p) => (
            <Link key={p.slug} href={`/public/${p.slug}`} className="card">
              <h3>{p.name}</h3>
              <p className="small muted">{p.incidents} published incident{p.incidents === 1 ? "" : "s"} · updated {day.format(p.lastPublishedAt)}</p>
            </Link>
          ))}
        </div>
      )}
    </>
  );
}
