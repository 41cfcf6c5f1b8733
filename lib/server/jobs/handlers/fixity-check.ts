import "server-only";
import { runFixityCheck } from "../../fixity/run-fixity";
import { ensureFixityScheduled } from "../../fixity/schedule";
import type { ClaimedJob } from "../queue";

/** Re-hashes the whole store, then books the next run, whether this one succeeded or not. */
export async function fixityCheckJob(_job: ClaimedJob): Promise<Record<string, unknown>> {
  try {
    const summary = await runFixityCheck();
    return { runId: summary.runId, checked: summary.checked, mismatches: summary.mismatches, missing: summary.missing, alertId: summary.alertId };
  } finally {
    await ensureFixityScheduled();
  }
}
