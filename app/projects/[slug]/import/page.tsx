import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ImportForm } from "@/components/import/import-form";
import { DomainError } from "@/lib/domain/errors";
import { DEFAULT_MAPPINGS, IMPORT_FORMATS, IMPORT_FORMAT_LABELS, MAPPING_PRESETS, MAPPING_PRESET_IDS, mappingToJson, type ImportFormat, type ImportMapping } from "@/lib/domain/import/mapping";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "@/lib/domain/import/parse";
import { actorOrRedirect } from "@/lib/server/session";
import { getImportContext } from "@/lib/server/services/imports/import-context";
import { listImportRuns } from "@/lib/server/services/imports/list-import-runs";
import { listSavedMappings } from "@/lib/server/services/imports/saved-mappings";

export const metadata: Metadata = { title: "Import incidents" };

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function ImportPage({ params }: { params: Promise<{ slug: string }> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const project = await getImportContext(actor, slug).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const [runs, saved] = await Promise.all([listImportRuns(actor, project.id), listSavedMappings(actor, project.id)]);
  return (
    <>
      <h1>Import incidents</h1>
      <p className="lede">
        {project.name}. Import incidents and their source links from a TimeMap-style JSON export or a CSV spreadsheet (UTF-8, at most{" "}
        {MAX_IMPORT_BYTES / 1024 / 1024} MiB and {MAX_IMPORT_ROWS.toLocaleString("en")} rows), including ACLED and UCDP GED exports. Each source URL becomes a SUBMITTED
        item linked to its incident as a lead. Check the file first: the check lists row errors (rows that cannot be imported) apart from cell warnings (values
        dropped or repaired), and for a newer export of data imported before, which rows are new, unchanged, changed or in conflict with edits made here. The
        column mapping is described in <code>docs/import.md</code>.
      </p>
      <ImportForm
        projectId={project.id}
        projectSlug={project.slug}
        maxBytes={MAX_IMPORT_BYTES}
        formats={IMPORT_FORMATS.map((format) => ({ value: format, label: IMPORT_FORMAT_LABELS[format], defaultMapping: mappingToJson(DEFAULT_MAPPINGS[format]) }))}
        presets={MAPPING_PRESET_IDS.map((id) => ({
          id,
          label: MAPPING_PRESETS[id].label,
          format: MAPPING_PRESETS[id].format,
          mapping: mappingToJson({ preset: id, ...(MAPPING_PRESETS[id].mapping as ImportMapping) }),
        }))}
        saved={saved.filter((m): m is typeof m & { format: ImportFormat } => (IMPORT_FORMATS as readonly string[]).includes(m.format)).map(({ id, name, format, mapping }) => ({ id, name, format, mapping }))}
      />
      <section className="panel" data-testid="import-runs">
        <h2>Earlier imports</h2>
        {runs.length === 0 ? (
          <p className="muted">No file has been imported into this project yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">By</th>
                <th scope="col">File</th>
                <th scope="col">Options</th>
                <th scope="col">Created</th>
                <th scope="col">Updated</th>
                <th scope="col">Unchanged</th>
                <th scope="col">Conflicts</th>
                <th scope="col">Rows left out</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id} data-testid="import-run-row">
                  <td>{when.format(run.createdAt)}</td>
                  <td>{run.by}</td>
                  <td>
                    {run.filename}
                    <br />
                    <span className="mono small muted" title={run.sha256}>SHA-256 {run.sha256.slice(0, 16)}…</span>
                  </td>
                  <td className="small">
                    {run.options.preset ? `${run.options.preset} mapping; ` : ""}
                    {run.options.updates === "new-and-changed" ? "new and changed rows" : "new rows only"}; {run.options.onRowErrors === "skip" ? "rows with errors left out" : "nothing until clean"}
                  </td>
                  <td>{run.counts.created ?? 0}</td>
                  <td>{run.counts.updated ?? 0}</td>
                  <td>{run.counts.unchanged ?? 0}</td>
                  <td>{run.counts.conflicts ?? 0}</td>
                  <td>{run.counts.skippedRows ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
