import Link from "next/link";
import { notFound } from "next/navigation";
import { findPublicProject } from "@/lib/server/services/public/project";

export default async function PublicProjectLayout({ children, params }: { children: React.ReactNode; params: Promise<{ project: string }> }) {
  const { project: slug } = await params;
  const project = await findPublicProject(slug);
  if (!project) notFound();
  const base = `/public/${project.slug}`;
  return (
    <>
      <header className="public-header">
        <Link href={base} className="public-title">{project.name}</Link>
        <nav aria-label="Public site">
          <Link href={base}>Map</Link>
          <Link href={`${base}#timeline`}>Timeline</Link>
          <Link href={`${base}/stats`}>Stats</Link>
          <Link href={`${base}/data`}>Data</Link>
        </nav>
      </header>
      {children}
    </>
  );
}
