"use client";
// Import incidents: check a file (dry run), read its report (row errors, cell warnings, new /
// unchanged / changed / conflicting rows with their diffs), choose what to write, then import.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { deleteImportMappingAction, importIncidentsAction, saveImportMappingAction } from "@/app/projects/[slug]/import/actions";
import { IMPORT_FIELDS, detectImportFormat, type ImportFormat } from "@/lib/domain/import/mapping";
import type { ImportProblem } from "@/lib/domain/import/parse";
import type { ImportReport, RowErrorMode, UpdateMode } from "@/lib/domain/import/report";

interface Props {
  projectId: string;
  projectSlug: string;
  maxBytes: number;
  formats: Array<{ value: ImportFormat; label: string; defaultMapping: string }>;
  presets: Array<{ id: string; label: string; format: ImportFormat; mapping: string }>;
  /** Mappings saved for this project, offered beside the shipped ones. */
  saved: Array<{ id: string; name: string; format: ImportFormat; mapping: string }>;
}

const SAVED = "saved:";

const show = (value: unknown) => (value === undefined ? "(no record)" : value === null ? "—" : Array.isArray(value) ? value.join(", ") || "—" : String(value));

function ProblemTable({ problems, testId, caption }: { problems: ImportProblem[]; testId: string; caption: string }) {
  return (
    <table data-testid={testId}>
      <caption className="small muted">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Row</th>
          <th scope="col">Field</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((problem, index) => (
          <tr key={index}>
            <td className="mono">{problem.row ?? "file"}</td>
            <td className="mono">{problem.field ?? "—"}</td>
            <td>{problem.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function downloadCsv(report: ImportReport) {
  if (!report.rejectedCsv) return;
  const url = URL.createObjectURL(new Blob([report.rejectedCsv], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${report.filename.replace(/\.[^.]+$/, "")}-not-imported.csv`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Report({ report, projectSlug }: { report: ImportReport; projectSlug: string }) {
  const fileLevel = report.fileProblem;
  const c = report.counts;
  return (
    <section className="panel" data-testid="import-report" aria-live="polite">
      <h2>{report.imported ? "Imported" : report.dryRun ? "Check result" : "Nothing written"}</h2>
      <p className="small muted">
        {report.filename} · SHA-256 <span className="mono">{report.sha256}</span>
      </p>
      <ul className="stats" aria-label="Import counts">
        <li><strong data-testid="import-rows">{c.rows}</strong> rows</li>
        <li><strong data-testid="import-new">{c.new}</strong> new</li>
        <li><strong data-testid="import-unchanged">{c.unchanged}</strong> unchanged</li>
        <li><strong data-testid="import-changed">{c.changed}</strong> changed</li>
        <li><strong data-testid="import-conflicts">{c.conflicts}</strong> in conflict</li>
        <li><strong data-testid="import-bad-rows">{c.rowsWithProblems}</strong> rows with errors</li>
        <li><strong data-testid="import-warned-rows">{c.rowsWithWarnings}</strong> rows with warnings</li>
        <li><strong data-testid="import-incidents">{report.dryRun ? c.new : c.created}</strong> {report.dryRun ? "incidents to create" : "incidents created"}</li>
        {!report.dryRun ? <li><strong data-testid="import-updated">{c.updated}</strong> incidents updated</li> : null}
        <li><strong data-testid="import-items">{c.items}</strong> {report.dryRun ? "source items to create" : "source items created"}</li>
      </ul>
      {report.warnings.map((warning) => (
        <p key={warning} className="notice">{warning}</p>
      ))}
      {report.imported && report.created ? (
        <p className="notice" role="status" data-testid="import-done">
          {report.created.firstReference ? <>Created {report.created.firstReference} to {report.created.lastReference}. </> : null}
          {c.updated > 0 ? <>Updated {c.updated} incident{c.updated === 1 ? "" : "s"}. </> : null}
          <Link href={`/projects/${projectSlug}/incidents`}>See the incidents</Link>
          {report.created.firstReference ? (
            <> or open <Link href={`/projects/${projectSlug}/incidents/${report.created.firstReference}`}>{report.created.firstReference}</Link></>
          ) : null}
          .
        </p>
      ) : null}
      {!report.dryRun && !report.imported && !fileLevel ? (
        <p className="notice" role="status" data-testid="import-nothing">
          Nothing was written{report.problemCount > 0 && report.options.onRowErrors === "abort" ? ": some rows have errors and you chose “nothing until clean”." : ": no new rows and no updates to apply."}
        </p>
      ) : null}
      {report.problemCount === 0 && report.dryRun ? <p className="notice">No row errors. You can import this file.</p> : null}
      {report.problemCount > 0 ? (
        <>
          <h3>Row errors</h3>
          <p className="error" role="alert">
            {fileLevel
              ? "The file cannot be imported as it is: fix the file (or the mapping) and check again."
              : `${c.rowsWithProblems} row${c.rowsWithProblems === 1 ? "" : "s"} cannot become incidents. Choose below whether to import the other rows (and download the rest as a file) or nothing until the file is clean.`}
            {report.problemCount > report.problems.length ? ` The first ${report.problems.length} of ${report.problemCount} are listed.` : ""}
          </p>
          <ProblemTable problems={report.problems} testId="import-problems" caption="Rows with errors are never written, not even in part." />
          {report.rejectedCsv ? (
            <button type="button" className="secondary" onClick={() => downloadCsv(report)} data-testid="import-download-rejected">
              Download the rows with errors (CSV)
            </button>
          ) : null}
        </>
      ) : null}
      {report.cellWarningCount > 0 ? (
        <>
          <h3>Cell warnings</h3>
          <p className="small">
            {report.cellWarningCount} value{report.cellWarningCount === 1 ? " was" : "s were"} dropped or repaired; these rows still import.
            {report.cellWarningCount > report.cellWarnings.length ? ` The first ${report.cellWarnings.length} are listed.` : ""}
          </p>
          <ProblemTable problems={report.cellWarnings} testId="import-cell-warnings" caption="One warning per cell." />
        </>
      ) : null}
      {report.diffs.length > 0 ? (
        <>
          <h3>Rows already imported that differ</h3>
          <p className="small">
            <strong>Changed</strong>: the file differs from the last import and nobody edited the incident since; its values can be applied.{" "}
            <strong>Conflict</strong>: both the file and the incident changed since the last import; it is never overwritten, review it by hand.
          </p>
          <table data-testid="import-diffs">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Incident</th>
                <th scope="col">Status</th>
                <th scope="col">Field</th>
                <th scope="col">Last imported</th>
                <th scope="col">In the app</th>
                <th scope="col">In the file</th>
              </tr>
            </thead>
            <tbody>
              {report.diffs.flatMap((diff) =>
                diff.changes.map((change, index) => (
                  <tr key={`${diff.row}-${change.field}`} data-status={diff.status}>
                    <td className="mono">{index === 0 ? diff.row : ""}</td>
                    <td className="mono">{index === 0 ? <Link href={`/projects/${projectSlug}/incidents/${diff.reference}`}>{diff.reference}</Link> : ""}</td>
                    <td>{index === 0 ? (diff.status === "conflict" ? "conflict (skipped)" : "changed") : ""}</td>
                    <td className="mono">{change.field}</td>
                    <td>{show(change.lastImported)}</td>
                    <td>{show(change.app)}</td>
                    <td>{show(change.file)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      ) : null}
      {report.preview.rows.length > 0 ? (
        <details data-testid="import-preview">
          <summary>Preview of the first rows as they would be imported</summary>
          <p className="small muted">
            Columns read:{" "}
            {Object.entries(report.preview.fieldColumns)
              .map(([field, columns]) => `${field} ← ${columns!.join(" + ")}`)
              .join("; ")}
          </p>
          <table>
            <thead>
              <tr>
                {Object.keys(report.preview.rows[0]!).map((key) => (
                  <th key={key} scope="col">{key}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.preview.rows.map((row) => (
                <tr key={row.row}>
                  {Object.entries(row).map(([key, value]) => (
                    <td key={key}>{value}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}

type MappingShape = { preset?: string; dateFormat?: string; unknownColumns?: string; precisionCodes?: string; columns?: Record<string, string[] | string | null> };

function parseMapping(text: string): MappingShape | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as MappingShape) : null;
  } catch {
    return null;
  }
}

/** Keep the mapping being edited for this project's next imports, or delete a saved one. */
function SaveMapping(props: { projectId: string; format: ImportFormat; mapping: string; selected: { id: string; name: string } | null; onSaved: (id: string) => void; onDeleted: () => void }) {
  const { projectId, format, mapping, selected, onSaved, onDeleted } = props;
  const [name, setName] = useState(selected?.name ?? "");
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    setBusy(true);
    const result = await saveImportMappingAction({ projectId, name, format, mapping });
    setBusy(false);
    if (result.ok) {
      setOutcome({ ok: true, text: result.data.replaced ? `Replaced the saved mapping "${result.data.name}".` : `Saved as "${result.data.name}".` });
      onSaved(result.data.id);
    } else setOutcome({ ok: false, text: [result.error, ...Object.values(result.fieldErrors ?? {}).flat()].join(" ") });
  }
  async function remove() {
    if (!selected || !window.confirm(`Delete the saved mapping "${selected.name}"? Imports already run keep their own copy.`)) return;
    setBusy(true);
    const result = await deleteImportMappingAction({ mappingId: selected.id });
    setBusy(false);
    setOutcome(result.ok ? { ok: true, text: `Deleted "${result.data.name}".` } : { ok: false, text: result.error });
    if (result.ok) onDeleted();
  }
  return (
    <div className="inline" data-testid="import-save-mapping">
      <label>
        Save this mapping as
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} placeholder="e.g. Partner sheet v2" data-testid="import-mapping-name" />
      </label>
      <button type="button" className="secondary" disabled={busy || name.trim() === ""} onClick={save} data-testid="import-mapping-save">Save mapping</button>
      {selected ? <button type="button" className="link" disabled={busy} onClick={remove}>Delete “{selected.name}”</button> : null}
      {outcome ? <p className={outcome.ok ? "notice" : "error"} role={outcome.ok ? "status" : "alert"}>{outcome.text}</p> : null}
    </div>
  );
}

/** The mapping as a form: for each field, the columns that feed it (comma-separated). */
function MappingFields({ mapping, onChange }: { mapping: string; onChange: (next: string) => void }) {
  const parsed = parseMapping(mapping);
  if (!parsed) return <p className="error small">The JSON below is not valid; fix it there or reset to a shipped mapping.</p>;
  const columns = parsed.columns ?? {};
  const asText = (value: string[] | string | null | undefined) => (Array.isArray(value) ? value.join(", ") : value ?? "");
  const set = (patch: Partial<MappingShape>, columnPatch?: Record<string, string[] | null>) => {
    const next: MappingShape = { ...parsed, ...patch, columns: { ...columns, ...(columnPatch ?? {}) } };
    onChange(JSON.stringify(next, null, 2));
  };
  return (
    <div data-testid="import-mapping-form">
      <div className="row-actions">
        <label>
          Dates
          <select value={parsed.dateFormat ?? "ISO"} onChange={(e) => set({ dateFormat: e.target.value })} data-testid="import-mapping-dateformat">
            <option value="ISO">ISO (YYYY-MM-DD)</option>
            <option value="MM/DD/YYYY">MM/DD/YYYY</option>
            <option value="DD/MM/YYYY">DD/MM/YYYY</option>
          </select>
        </label>
        <label>
          Columns no field uses
          <select value={parsed.unknownColumns ?? "warn"} onChange={(e) => set({ unknownColumns: e.target.value })}>
            <option value="warn">ignore, with a warning</option>
            <option value="error">refuse the file</option>
          </select>
        </label>
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Columns (comma-separated; several allowed; “source_*” matches source_1, source_2…)</th>
          </tr>
        </thead>
        <tbody>
          {IMPORT_FIELDS.map((field) => (
            <tr key={field}>
              <td className="mono">{field}</td>
              <td>
                <input
                  type="text"
                  aria-label={`Columns for ${field}`}
                  data-testid={`import-mapping-field-${field}`}
                  value={asText(columns[field])}
                  placeholder={parsed.preset ? "(not read)" : "(default)"}
                  onChange={(e) => {
                    const list = e.target.value.split(",").map((s) => s.trim()).filter((s) => s !== "");
                    set({}, { [field]: list.length > 0 ? list : null });
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ImportForm({ projectId, projectSlug, maxBytes, formats, presets, saved }: Props) {
  const router = useRouter();
  const defaultOf = (format: ImportFormat) => formats.find((f) => f.value === format)?.defaultMapping ?? "";
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat>(formats[0]!.value);
  const [mapping, setMapping] = useState(() => defaultOf(formats[0]!.value));
  const [preset, setPreset] = useState<string>("");
  const [onRowErrors, setOnRowErrors] = useState<RowErrorMode>("abort");
  const [updates, setUpdates] = useState<UpdateMode>("new-only");
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<{ message: string; fieldErrors?: Record<string, string[]> } | null>(null);
  const [pending, setPending] = useState<"check" | "import" | null>(null);
  // What the last check covered; any change to file, format or mapping needs a new check.
  const [checked, setChecked] = useState<{ file: File; format: ImportFormat; mapping: string; report: ImportReport } | null>(null);

  const checkFits = !!file && !!checked && checked.file === file && checked.format === format && checked.mapping === mapping;
  const fileLevel = !!checked && checked.report.fileProblem;
  const blockedByErrors = !!checked && checked.report.problemCount > 0 && onRowErrors === "abort";
  const canImport = checkFits && !fileLevel && !blockedByErrors && pending === null;

  function chooseFormat(next: ImportFormat) {
    // An untouched default mapping follows the format; an edited one is the user's and stays.
    if (mapping === defaultOf(format) || preset !== "") {
      setMapping(defaultOf(next));
      setPreset("");
    }
    setFormat(next);
  }

  function choosePreset(id: string) {
    setPreset(id);
    const shipped = id.startsWith(SAVED) ? saved.find((m) => `${SAVED}${m.id}` === id) : presets.find((p) => p.id === id);
    if (!shipped) {
      setMapping(defaultOf(format));
      return;
    }
    setFormat(shipped.format);
    setMapping(shipped.mapping);
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
    const detected = detectImportFormat(next.name, await next.slice(0, 64).text());
    if (detected !== format) chooseFormat(detected);
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
    form.set("onRowErrors", onRowErrors);
    form.set("updates", updates);
    form.set("file", file);
    try {
      const result = await importIncidentsAction(form);
      if (result.ok) {
        setReport(result.data);
        setChecked(result.data.dryRun ? { file, format, mapping, report: result.data } : null);
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
        <label>
          Column mapping
          <select value={preset} onChange={(e) => choosePreset(e.target.value)} data-testid="import-preset">
            <option value="">Default for the format</option>
            <optgroup label="Shipped">
              {presets.map((p) => (
                <option key={p.id} value={p.id}>{p.label}</option>
              ))}
            </optgroup>
            {saved.length > 0 ? (
              <optgroup label="Saved for this project">
                {saved.map((m) => (
                  <option key={m.id} value={`${SAVED}${m.id}`}>{m.name}</option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </label>
        <details>
          <summary>Edit the column mapping</summary>
          <MappingFields mapping={mapping} onChange={setMapping} />
          <details>
            <summary>As JSON</summary>
            <p className="small muted">
              For each field, the column names (or JSON keys) to read; <code>null</code> switches a field off. <code>dateFormat</code> is ISO, MM/DD/YYYY or
              DD/MM/YYYY; <code>unknownColumns</code> is warn or error; <code>preset</code> starts from a shipped mapping.
            </p>
            <textarea className="mono" rows={16} value={mapping} onChange={(e) => setMapping(e.target.value)} spellCheck={false} data-testid="import-mapping" aria-label="Column mapping (JSON)" />
          </details>
          <button type="button" className="secondary" onClick={() => choosePreset(preset)}>Reset the mapping</button>
          <SaveMapping
            projectId={projectId}
            format={format}
            mapping={mapping}
            selected={preset.startsWith(SAVED) ? saved.find((m) => `${SAVED}${m.id}` === preset) ?? null : null}
            onSaved={(id) => {
              router.refresh();
              setPreset(`${SAVED}${id}`);
            }}
            onDeleted={() => {
              router.refresh();
              setPreset("");
            }}
          />
        </details>
        <fieldset>
          <legend>Rows with errors</legend>
          <label>
            <input type="radio" name="onRowErrors" checked={onRowErrors === "abort"} onChange={() => setOnRowErrors("abort")} data-testid="import-abort-on-errors" /> Nothing until the file is clean
          </label>
          <label>
            <input type="radio" name="onRowErrors" checked={onRowErrors === "skip"} onChange={() => setOnRowErrors("skip")} data-testid="import-skip-errors" /> Import the rows without errors
            and give me a file of the rest
          </label>
        </fieldset>
        <fieldset>
          <legend>Rows imported before</legend>
          <label>
            <input type="radio" name="updates" checked={updates === "new-only"} onChange={() => setUpdates("new-only")} data-testid="import-new-only" /> Import new rows only
          </label>
          <label>
            <input type="radio" name="updates" checked={updates === "new-and-changed"} onChange={() => setUpdates("new-and-changed")} data-testid="import-with-updates" /> Import new
            rows and apply the changed ones (conflicts are always skipped)
          </label>
        </fieldset>
        <div className="row-actions">
          <button type="button" onClick={() => void send(true)} disabled={!file || pending !== null} data-testid="import-check">
            {pending === "check" ? "Checking…" : "Check (dry run)"}
          </button>
          <button
            type="button"
            onClick={() => void send(false)}
            disabled={!canImport}
            data-testid="import-run"
            title={canImport ? undefined : blockedByErrors ? "Some rows have errors: fix them, or choose to import the rows without errors" : "Check this file first"}
          >
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
