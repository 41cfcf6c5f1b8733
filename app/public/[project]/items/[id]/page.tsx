import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PublicEvidence } from "@/components/public/public-evidence";
import { DomainError } from "@/lib/domain/errors";
import { lookupSegment } from "@/lib/server/http";
import { getPublicItem } from "@/lib/server/services/public/detail";

export const metadata: Metadata = { title: "Evidence" };

export default async function PublicItemPage({ params }: { params: Promise<{ project: string; id: string }> }) {
  const { project: slug, id } = await params;
  const view = await getPublicItem(slug, lookupSegment(id)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { project, item, mediaSets, incidents } = view;
  return (
    <>
      <p className="small"><Link href={`/public/${project.slug}`}>All incidents</Link></p>
      <h1>Evidence <span className="mono">{item.id}</span></h1>
      <PublicEvidence projectSlug={project.slug} item={item} mediaSets={mediaSets} headingLevel={2} linkTitle={false} />
      <h2>Incidents</h2>
      {incidents.length === 0 ? (
        <p className="muted">Not linked to a published incident.</p>
      ) : (
        <ul className="public-list">
          {incidents.map((i) => <li key={i.id}><Link href={`/public/${project.slug}/incidents/${encodeURIComponent(i.id)}`}><span className="mono">{i.id}</span> {i.title}</Link></li>)}
        </ul>
      )}
    </>
  );
}
