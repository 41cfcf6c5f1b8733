"use client";
// Import incidents: check a file (dry run), read its report, then import the same file.
import Link from "next/link";
import { useState } from "react";
import { importIncidentsAction } from "@/app/projects/[slug]/import/actions";
import { detectImportFormat, type ImportFormat } from "@/lib/domain/import/mapping";
import type { ImportReport } from "@/lib/domain/import/report";

interface Props {
  projectId: string;
  projectSlug: string;
  maxBytes: number;
  formats: Array<{ value: ImportFormat; label: string; defaultMapping: string }>;
}

function Report({ report, projectSlug }: { report: ImportReport; projectSlug: string }) {
  const clean = report.problemCount === 0;
  return (
    <section className="panel" data-testid="import-report" aria-live="polite">
      <h2>{report.imported ? "Imported" : report.dryRun ? "Check result" : "Not imported"}</h2>
      <p className="small muted">
        {report.filename} · SHA-256 <span className="mono">{report.sha256}</span>
      </p>
      <ul className="stats" aria-label="Import counts">
        <li><strong data-testid="import-rows">{report.counts.rows}</strong> rows</li>
        <li><strong data-testid="import-incidents">{report.counts.incidents}</strong> {report.imported ? "incidents created" : "incidents to create"}</li>
        <li><strong data-testid="import-items">{report.counts.items}</strong> {report.imported ? "source items created" : "source items to create"}</li>
        <li><strong data-testid="import-bad-rows">{report.counts.rowsWithProblems}</strong> rows with problems</li>
      </ul>
      {report.warnings.map((warning) => (
        <p key={warning} className="notice">{warning}</p>
      ))}
      {report.imported && report.created ? (
        <p className="notice" role="status" data-testid="import-done">
          Created {report.created.firstReference} to {report.created.lastReference}.{" "}
          <Link href={`/projects/${projectSlug}/incidents`}>See the incidents</Link>
          {report.created.firstReference ? (
            <> or open <Link href={`/projects/${projectSlug}/incidents/${report.created.firstReference}`}>{report.created.firstReference}</Link></>
          ) : null}
          .
        </p>
      ) : null}
      {clean && !report.imported ? <p className="notice">No problems found. You can import this file.</p> : null}
      {!clean ? (
        <>
          <p className="error" role="alert">
            {report.problemCount} problem{report.problemCount === 1 ? "" : "s"}: nothing was written. Fix the file (or the mapping) and check again.
            {report.problemCount > report.problems.length ? ` The first ${report.problems.length} are listed.` : ""}
          </p>
          <table data-testid="import-problems">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {report.problems.map((problem, index) => (
                <tr key={index}>
                  <td className="mono">{problem.row ?? "file"}</td>
                  <td className="mono">{problem.field ?? "—"}</td>
                  <td>{problem.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

export function ImportForm({ projectId, projectSlug, maxBytes, formats }: Props) {
  const defaultOf = (format: ImportFormat) => formats.find((f) => f.value === format)?.defaultMapping ?? "";
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat>(formats[0]!.value);
  const [mapping, setMapping] = useState(() => defaultOf(formats[0]!.value));
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<{ message: string; fieldErrors?: Record<string, string[]> } | null>(null);
  const [pending, setPending] = useState<"check" | "import" | null>(null);
  // What the last clean check covered; any change to file, format or mapping needs a new check.
  const [checked, setChecked] = useState<{ file: File; format: ImportFormat; mapping: string } | null>(null);

  const canImport = !!file && !!checked && checked.file === file && checked.format === format && checked.mapping === mapping && pending === null;

  function chooseFormat(next: ImportFormat) {
    // An untouched default mapping follows the format; an edited one is the user's and stays.
    if (mapping === defaultOf(format)) setMapping(defaultOf(next));
    setFormat(next);
  }

  async function chooseFile(next: File | null) {
    setFile(next);
    setReport(null);
    setError(null);
    if (!next) return;
    if (next.size > maxBytes) {
      setError({ message: `The file is larger than ${maxBytes / 1024 / 1024} MiB; split it into smaller files.` });
      return;
    }
    chooseFormat(detectImportFormat(next.name, await next.slice(0, 64).text()));
  }

  async function send(dryRun: boolean) {
    if (!file) return;
    setPending(dryRun ? "check" : "import");
    setError(null);
    const form = new FormData();
    form.set("projectId", projectId);
    form.set("projectSlug", projectSlug);
    form.set("format", format);
    form.set("mapping", mapping);
    form.set("dryRun", String(dryRun));
    form.set("file", file);
    try {
      const result = await importIncidentsAction(form);
      if (result.ok) {
        setReport(result.data);
        setChecked(result.data.dryRun && result.data.problemCount === 0 ? { file, format, mapping } : null);
      } else {
        setReport(null);
        setChecked(null);
        setError({ message: result.error, fieldErrors: result.fieldErrors });
      }
    } catch {
      setError({ message: "The server could not be reached, or the file is too large to send. Nothing was changed." });
    } finally {
      setPending(null);
    }
  }

  return (
    <div className="import-form">
      <div className="panel">
        <label>
          File
          <input type="file" accept=".json,.csv,.tsv,.txt,application/json,text/csv" data-testid="import-file" onChange={(e) => void chooseFile(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => chooseFormat(e.target.value as ImportFormat)} data-testid="import-format">
            {formats.map((f) => (
              <option key={f.value} value={f.value}>{f.label}</option>
            ))}
          </select>
        </label>
        <details>
          <summary>Column mapping (JSON)</summary>
          <p className="small muted">
            For each field, the column names (or JSON keys) to read, first match wins; <code>null</code> switches a field off. <code>dateFormat</code> is ISO,
            MM/DD/YYYY or DD/MM/YYYY; <code>unknownColumns</code> is warn or error.
          </p>
          <textarea className="mono" rows={16} value={mapping} onChange={(e) => setMapping(e.target.value)} spellCheck={false} data-testid="import-mapping" aria-label="Column mapping (JSON)" />
          <button type="button" className="secondary" onClick={() => setMapping(defaultOf(format))}>Reset to the default mapping</button>
        </details>
        <div className="row-actions">
          <button type="button" onClick={() => void send(true)} disabled={!file || pending !== null} data-testid="import-check">
            {pending === "check" ? "Checking…" : "Check (dry run)"}
          </button>
          <button type="button" onClick={() => void send(false)} disabled={!canImport} data-testid="import-run" title={canImport ? undefined : "Run a clean check of this file first"}>
            {pending === "import" ? "Importing…" : "Import"}
          </button>
        </div>
      </div>
      {error ? (
        <div role="alert" data-testid="import-error">
          <p className="error">{error.message}</p>
          {error.fieldErrors ? (
            <ul className="field-error">
              {Object.entries(error.fieldErrors).map(([field, messages]) => (
                <li key={field}>{field}: {messages.join("; ")}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {report ? <Report report={report} projectSlug={projectSlug} /> : null}
    </div>
  );
}
