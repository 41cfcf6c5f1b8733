import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SubmitEvidenceForm } from "@/components/submit/submit-evidence-form";
import { PLATFORMS, PLATFORM_LABELS, SENSITIVITY_FLAGS } from "@/lib/domain/evidence";
import { can } from "@/lib/domain/permissions";
import { db } from "@/lib/server/db";
import { actorOrRedirect } from "@/lib/server/session";
import { maxUploadBytes } from "@/lib/server/uploads/config";

export const metadata: Metadata = { title: "Submit evidence" };

export default async function SubmitPage({ params }: { params: Promise<{ slug: string }> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const project = await db().project.findUnique({ where: { slug }, select: { id: true, slug: true, name: true } });
  if (!project || !can(actor, "item:create", { kind: "project", projectId: project.id })) notFound();
  return (
    <>
      <h1>Submit evidence</h1>
      <p className="lede">
        {project.name}. Files are hashed (SHA-256) as they arrive and kept untouched; interrupted uploads resume where they stopped.
      </p>
      <SubmitEvidenceForm
        projectId={project.id}
        projectSlug={project.slug}
        maxBytes={maxUploadBytes()}
        platforms={PLATFORMS.map((p) => ({ value: p, label: PLATFORM_LABELS[p] }))}
        sensitivity={Object.entries(SENSITIVITY_FLAGS).map(([name, label]) => ({ name, label }))}
      />
    </>
  );
}
