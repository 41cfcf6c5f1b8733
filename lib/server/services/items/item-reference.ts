import "server-only";
import type { Tx } from "../../db";

/** "afghan-witness" -> "AW". */
export function referencePrefix(slug: string): string {
  const letters = slug
    .split("-")
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase())
    .join("");
  return (letters || "GT").slice(0, 4);
}

/**
 * Next human reference for an item (AW-0042). A per-project transaction lock makes
 * concurrent submissions take distinct numbers.
 */
export async function nextItemReference(tx: Tx, projectId: string, slug: string): Promise<string> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`item-ref:${projectId}`}))`;
  const prefix = referencePrefix(slug);
  const rows = await tx.$queryRaw<Array<{ max: number | null }>>`
    SELECT max(substring("reference" from '([0-9]+)$')::int) AS max FROM "EvidenceItem" WHERE "projectId" = ${projectId}`;
  const next = (rows[0]?.max ?? 0) + 1;
  return `${prefix}-${String(next).padStart(4, "0")}`;
}
