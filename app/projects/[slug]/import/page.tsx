import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ImportForm } from "@/components/import/import-form";
import { DomainError } from "@/lib/domain/errors";
import { DEFAULT_MAPPINGS, IMPORT_FORMATS, IMPORT_FORMAT_LABELS, mappingToJson } from "@/lib/domain/import/mapping";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "@/lib/domain/import/parse";
import { actorOrRedirect } from "@/lib/server/session";
import { getImportContext } from "@/lib/server/services/imports/import-context";

export const metadata: Metadata = { title: "Import incidents" };

export default async function ImportPage({ params }: { params: Promise<{ slug: string }> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const project = await getImportContext(actor, slug).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  return (
    <>
      <h1>Import incidents</h1>
      <p className="lede">
        {project.name}. Import incidents and their source links from a TimeMap-style JSON export or a CSV spreadsheet (UTF-8, at most{" "}
        {MAX_IMPORT_BYTES / 1024 / 1024} MiB and {MAX_IMPORT_ROWS.toLocaleString("en")} rows). Each source URL becomes a SUBMITTED item linked to its incident as a lead.
        Check the file first; nothing is written unless every row is clean. The column mapping is described in <code>docs/import.md</code>.
      </p>
      <ImportForm
        projectId={project.id}
        projectSlug={project.slug}
        maxBytes={MAX_IMPORT_BYTES}
        formats={IMPORT_FORMATS.map((format) => ({ value: format, label: IMPORT_FORMAT_LABELS[format], defaultMapping: mappingToJson(DEFAULT_MAPPINGS[format]) }))}
      />
    </>
  );
}
