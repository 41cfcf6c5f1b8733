// What an import (dry run or real) tells the person who ran it. Shared by the service and the form.
import type { ImportField, ImportFormat } from "./mapping";
import type { ImportProblem } from "./parse";
import type { FieldChange, RowStatus } from "./reimport";

/** Problems, warnings and row diffs sent back at most (each); the totals are always reported. */
export const MAX_REPORTED_PROBLEMS = 500;

/** What happens to rows with row errors. */
export const ROW_ERROR_MODES = ["abort", "skip"] as const;
export type RowErrorMode = (typeof ROW_ERROR_MODES)[number];
/** Which rows of a re-import are written. */
export const UPDATE_MODES = ["new-only", "new-and-changed"] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

export interface ImportRowDiff {
  row: number;
  externalId: string;
  status: Exclude<RowStatus, "new" | "unchanged">;
  /** The incident this row matched. */
  reference: string;
  changes: FieldChange[];
}

export interface ImportReport {
  dryRun: boolean;
  /** A problem with the whole file (encoding, header, required column): no row can be imported. */
  fileProblem: boolean;
  /** True only when something was written (incidents created or updated). */
  imported: boolean;
  filename: string;
  format: ImportFormat;
  sha256: string;
  options: { onRowErrors: RowErrorMode; updates: UpdateMode };
  counts: {
    rows: number;
    /** Rows that can be written: new + changed + unchanged + conflicts. */
    incidents: number;
    /** Source items the run creates (dry run: would create). */
    items: number;
    rowsWithProblems: number;
    /** Rows with at least one cell warning (they still import). */
    rowsWithWarnings: number;
    new: number;
    unchanged: number;
    changed: number;
    conflicts: number;
    /** After a real run: what was written. */
    created: number;
    updated: number;
  };
  /** Row errors (and file-level problems, row null): those rows are not written. */
  problems: ImportProblem[];
  problemCount: number;
  /** Cell warnings: the value was dropped or repaired, the row still imports. */
  cellWarnings: ImportProblem[];
  cellWarningCount: number;
  /** File-level warnings. */
  warnings: string[];
  /** Changed and conflicting rows with their field-by-field differences. */
  diffs: ImportRowDiff[];
  /** The rows with row errors as a CSV to fix and import again (null when there are none). */
  rejectedCsv: string | null;
  /** The columns feeding each field and the first rows as they would be imported. */
  preview: { fieldColumns: Partial<Record<ImportField, string[]>>; rows: Array<Record<string, string>> };
  /** After a real import: the created incidents' references (first few) for links. */
  created: { incidentReferences: string[]; firstReference: string | null; lastReference: string | null } | null;
  /** After a real run: the kept ImportRun. */
  runId: string | null;
}

/** A kept import run as the import page lists it. */
export interface ImportRunSummary {
  id: string;
  createdAt: Date;
  filename: string;
  sha256: string;
  format: string;
  by: string;
  counts: Record<string, number>;
  options: { onRowErrors?: string; updates?: string; preset?: string | null };
}
