// What an import (dry run or real) tells the person who ran it. Shared by the service and the form.
import type { ImportFormat } from "./mapping";
import type { ImportProblem } from "./parse";

/** Problems sent back at most; the total is always reported. */
export const MAX_REPORTED_PROBLEMS = 500;

export interface ImportReport {
  dryRun: boolean;
  /** True only when the rows were written. */
  imported: boolean;
  filename: string;
  format: ImportFormat;
  sha256: string;
  counts: {
    rows: number;
    incidents: number;
    items: number;
    rowsWithProblems: number;
  };
  problems: ImportProblem[];
  problemCount: number;
  warnings: string[];
  /** After a real import: the created incidents' references (first few) for links. */
  created: { incidentReferences: string[]; firstReference: string | null; lastReference: string | null } | null;
}
