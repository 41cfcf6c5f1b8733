import "server-only";
import { createHash } from "node:crypto";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "../db";
import { blobStore } from "../storage";
import type { BlobStore } from "../storage/blob-store";

// Fixity: re-reads every stored blob the database refers to (originals, derivatives, public
// copies) and checks that its bytes still hash to the SHA-256 it is stored under. Blobs are
// streamed through the hash, never held in memory, and hashes are paged out of the database in
// order, so a store of any size is checked in constant memory. Only problems are stored; an
// administrator alert summarises each run that found any.

export const FIXITY_KINDS = ["original", "derivative", "public"] as const;
export type FixityKind = (typeof FIXITY_KINDS)[number];

export const FIXITY_ALERT_KIND = "fixity";

/** Problems listed in an alert's details; the rest are counted and kept as FixityResult rows. */
const ALERT_DETAIL_LIMIT = 100;
const PAGE_SIZE = 500;

export interface FixityProblem {
  sha256: string;
  kinds: FixityKind[];
  outcome: "MISMATCH" | "MISSING";
  actualHash: string | null;
}

export interface FixityProgress {
  checked: number;
  total: number;
  problems: number;
}

export interface FixityRunSummary {
  runId: string;
  checked: number;
  mismatches: number;
  missing: number;
  problems: FixityProblem[];
  alertId: string | null;
}

export interface FixityOptions {
  store?: BlobStore;
  /** Blobs hashed at once; two keeps one core free on small machines. */
  concurrency?: number;
  onProgress?: (progress: FixityProgress) => void;
}

interface StoredHash {
  sha256: string;
  kinds: FixityKind[];
}

export async function runFixityCheck(options: FixityOptions = {}): Promise<FixityRunSummary> {
  const store = options.store ?? (await blobStore());
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const run = await db().fixityRun.create({ data: {}, select: { id: true } });
  const total = await countStoredHashes();
  const problems: FixityProblem[] = [];
  let checked = 0;

  for (let afterSha = ""; ; ) {
    const page = await storedHashesAfter(afterSha);
    if (page.length === 0) break;
    await forEachLimited(page, concurrency, async (entry) => {
      const problem = await checkBlob(store, entry);
      checked += 1;
      if (problem) problems.push(problem);
      options.onProgress?.({ checked, total, problems: problems.length });
    });
    afterSha = page[page.length - 1]!.sha256;
  }

  problems.sort((a, b) => a.sha256.localeCompare(b.sha256));
  const mismatches = problems.filter((p) => p.outcome === "MISMATCH").length;
  const missing = problems.length - mismatches;
  const details = problems.length > 0 ? await alertDetails(run.id, problems) : null;

  const alertId = await db().$transaction(async (tx) => {
    await tx.fixityRun.update({ where: { id: run.id }, data: { finishedAt: new Date(), checked, mismatches, missing } });
    if (problems.length === 0) return null;
    await tx.fixityResult.createMany({
      data: problems.flatMap((p) => p.kinds.map((kind) => ({ runId: run.id, sha256: p.sha256, kind, outcome: p.outcome, actualHash: p.actualHash }))),
    });
    const alert = await tx.adminAlert.create({
      data: { kind: FIXITY_ALERT_KIND, message: fixityMessage(mismatches, missing), details: details! },
      select: { id: true },
    });
    return alert.id;
  });

  return { runId: run.id, checked, mismatches, missing, problems, alertId };
}

export function fixityMessage(mismatches: number, missing: number): string {
  return `Fixity check found ${mismatches} changed and ${missing} missing files`;
}

/** Streams one blob through SHA-256. A blob that cannot be opened is missing only if the store says so. */
async function checkBlob(store: BlobStore, entry: StoredHash): Promise<FixityProblem | null> {
  let stream;
  try {
    stream = await store.open(entry.sha256);
  } catch (error) {
    if (await store.has(entry.sha256)) throw error;
    return { sha256: entry.sha256, kinds: entry.kinds, outcome: "MISSING", actualHash: null };
  }
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  const actual = hash.digest("hex");
  return actual === entry.sha256 ? null : { sha256: entry.sha256, kinds: entry.kinds, outcome: "MISMATCH", actualHash: actual };
}

const STORED_HASHES = Prisma.sql`
  SELECT "sha256", 'original' AS "kind" FROM "MediaFile"
  UNION ALL SELECT "sha256", 'derivative' FROM "Derivative"
  UNION ALL SELECT "sha256", 'public' FROM "PublicMedia"`;

async function countStoredHashes(): Promise<number> {
  const rows = await db().$queryRaw<Array<{ total: bigint }>>`SELECT count(DISTINCT "sha256") AS "total" FROM (${STORED_HASHES}) AS stored`;
  return Number(rows[0]?.total ?? 0);
}

async function storedHashesAfter(afterSha: string): Promise<StoredHash[]> {
  const rows = await db().$queryRaw<Array<{ sha256: string; kinds: string[] }>>`
    SELECT "sha256", array_agg(DISTINCT "kind" ORDER BY "kind") AS "kinds"
    FROM (${STORED_HASHES}) AS stored
    WHERE "sha256" > ${afterSha}
    GROUP BY "sha256"
    ORDER BY "sha256"
    LIMIT ${PAGE_SIZE}`;
  return rows.map((row) => ({ sha256: row.sha256.trim(), kinds: row.kinds.filter(isFixityKind) }));
}

function isFixityKind(value: string): value is FixityKind {
  return (FIXITY_KINDS as readonly string[]).includes(value);
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export interface FixityAlertReference {
  project: string;
  item: string;
}

export interface FixityAlertProblem extends FixityProblem {
  references: FixityAlertReference[];
}

export interface FixityAlertDetails {
  runId: string;
  problems: FixityAlertProblem[];
  /** Problems beyond those listed; all of them are in FixityResult for the run. */
  omitted: number;
}

/** Which projects and items refer to each damaged blob, so an administrator knows what to restore. */
async function alertDetails(runId: string, problems: readonly FixityProblem[]): Promise<Prisma.InputJsonObject> {
  const listed = problems.slice(0, ALERT_DETAIL_LIMIT);
  const hashes = listed.map((p) => p.sha256);
  const itemSelect = { reference: true, project: { select: { slug: true } } } as const;
  const [originals, derivatives, publicCopies] = await Promise.all([
    db().mediaFile.findMany({ where: { sha256: { in: hashes } }, select: { sha256: true, item: { select: itemSelect } } }),
    db().derivative.findMany({ where: { sha256: { in: hashes } }, select: { sha256: true, mediaFile: { select: { item: { select: itemSelect } } } } }),
    db().publicMedia.findMany({ where: { sha256: { in: hashes } }, select: { sha256: true, itemId: true } }),
  ]);
  const publicItems = await db().evidenceItem.findMany({
    where: { id: { in: publicCopies.map((p) => p.itemId) } },
    select: { id: true, ...itemSelect },
  });
  const publicItemById = new Map(publicItems.map((item) => [item.id, item]));

  const references = new Map<string, Map<string, FixityAlertReference>>();
  const add = (sha256: string, item: { reference: string; project: { slug: string } } | undefined) => {
    if (!item) return;
    const forHash = references.get(sha256.trim()) ?? new Map<string, FixityAlertReference>();
    forHash.set(`${item.project.slug}/${item.reference}`, { project: item.project.slug, item: item.reference });
    references.set(sha256.trim(), forHash);
  };
  for (const row of originals) add(row.sha256, row.item);
  for (const row of derivatives) add(row.sha256, row.mediaFile.item);
  for (const row of publicCopies) add(row.sha256, publicItemById.get(row.itemId));

  const details: FixityAlertDetails = {
    runId,
    problems: listed.map((p) => ({ ...p, references: [...(references.get(p.sha256)?.values() ?? [])] })),
    omitted: problems.length - listed.length,
  };
  return details as unknown as Prisma.InputJsonObject;
}
