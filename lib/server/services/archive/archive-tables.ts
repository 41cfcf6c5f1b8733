import "server-only";

// The tables a project archive carries, in the order a restore inserts them (parents first).
// `dates` and `bigints` name the columns JSON cannot hold natively: written as ISO strings and
// decimal strings, turned back into Date and bigint on restore.
export const ARCHIVE_TABLES = [
  { name: "users", dates: ["createdAt", "updatedAt", "deactivatedAt"], bigints: [] },
  { name: "project", dates: ["createdAt", "updatedAt"], bigints: [] },
  { name: "memberships", dates: ["createdAt", "updatedAt"], bigints: [] },
  { name: "items", dates: ["platformUploadedAt", "createdAt", "updatedAt"], bigints: [] },
  { name: "incidents", dates: ["startAt", "endAt", "claimDate", "createdAt", "updatedAt"], bigints: [] },
  { name: "media-files", dates: ["collectedAt"], bigints: ["sizeBytes"] },
  { name: "derivatives", dates: ["createdAt"], bigints: ["sizeBytes"] },
  { name: "source-urls", dates: ["createdAt"], bigints: [] },
  { name: "url-captures", dates: ["capturedAt", "createdAt", "updatedAt"], bigints: [] },
  { name: "geolocations", dates: ["createdAt"], bigints: [] },
  { name: "chronolocations", dates: ["earliestAt", "latestAt", "createdAt"], bigints: [] },
  { name: "reviews", dates: ["createdAt"], bigints: [] },
  { name: "incident-evidence", dates: ["createdAt"], bigints: [] },
  { name: "comments", dates: ["createdAt"], bigints: [] },
  { name: "saved-views", dates: ["createdAt", "updatedAt"], bigints: [] },
  { name: "media-accesses", dates: ["at"], bigints: [] },
] as const satisfies ReadonlyArray<{ name: string; dates: readonly string[]; bigints: readonly string[] }>;

export type ArchiveTableName = (typeof ARCHIVE_TABLES)[number]["name"];
export type ArchiveData = Record<ArchiveTableName, Array<Record<string, unknown>>>;

export const dataPath = (table: ArchiveTableName) => `data/${table}.json`;
export const originalPath = (sha256: string) => `originals/${sha256}`;
export const derivativePath = (sha256: string) => `derivatives/${sha256}`;

/** JSON for the archive: bigints as decimal strings, Dates as ISO 8601 (their toJSON). */
export function archiveJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Turns a table's rows from archive JSON back into values the database client accepts. */
export function reviveRows(table: (typeof ARCHIVE_TABLES)[number], rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const key of table.dates) if (typeof out[key] === "string") out[key] = new Date(out[key] as string);
    for (const key of table.bigints) if (typeof out[key] === "string" || typeof out[key] === "number") out[key] = BigInt(out[key] as string);
    return out;
  });
}
