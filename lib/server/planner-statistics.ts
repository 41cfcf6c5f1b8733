import "server-only";
import { db } from "./db";
import { logger } from "./logger";

// Tables a bulk write can fill. A fixed list: the names go into SQL, so none comes from input.
const BULK_TABLES = [
  "Incident", "IncidentEvidence", "EvidenceItem", "SourceUrl", "ImportRun", "ImportRecord", "AuditEvent",
  "User", "Project", "Membership", "MediaFile", "Derivative", "UrlCapture", "Geolocation", "Chronolocation",
  "Review", "Comment", "SavedView", "MediaAccess", "RestoredAuditEvent",
] as const;
export type BulkTable = (typeof BULK_TABLES)[number];

/**
 * Refreshes PostgreSQL's planner statistics for tables a bulk write just filled. Until
 * autovacuum notices (a minute or more), the planner believes a table that went from 0 to
 * 6,000 rows is still empty and picks plans that take minutes instead of milliseconds. Runs
 * after the write has committed; a failure is logged, never reported as a failed import.
 */
export async function refreshPlannerStatistics(tables: readonly BulkTable[], client: { $executeRawUnsafe: (sql: string) => Promise<number> } = db()): Promise<void> {
  const names = [...new Set(tables)].filter((t) => (BULK_TABLES as readonly string[]).includes(t));
  if (names.length === 0) return;
  const started = Date.now();
  try {
    await client.$executeRawUnsafe(`ANALYZE ${names.map((n) => `"${n}"`).join(", ")}`);
    logger.info("planner statistics refreshed", { tables: names, ms: Date.now() - started });
  } catch (error) {
    logger.warn("planner statistics not refreshed", { tables: names, error });
  }
}
