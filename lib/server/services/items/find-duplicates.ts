import "server-only";
import { z } from "zod";
import { forbidden } from "@/lib/domain/errors";
import { httpUrlSchema, type DuplicateCandidate, type DuplicateKind } from "@/lib/domain/evidence";
import { DEFAULT_NEAR_DUPLICATE_THRESHOLD } from "@/lib/domain/perceptual-hash";
import { can, scopeOf, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { db } from "../../db";
import { parseInput } from "../../validation";

export type { DuplicateCandidate, DuplicateKind };

export function nearDuplicateThreshold(): number {
  const raw = Number(process.env.GROUNDTRUTH_PHASH_THRESHOLD);
  return Number.isInteger(raw) && raw >= 0 && raw <= 64 ? raw : DEFAULT_NEAR_DUPLICATE_THRESHOLD;
}

interface Probe {
  subject: string;
  sha256?: string | null;
  phash?: string | null;
}

/**
 * Looks for the same bytes, visually similar images/keyframes (Hamming distance of 64-bit
 * perceptual hashes, computed in SQL) and the same source URL within one project.
 * Items the actor may not read are reported without reference or title, so a contributor
 * learns "this is already here" but nothing about someone else's submission.
 */
async function findCandidates(actor: Actor, projectId: string, probes: Probe[], urls: Array<{ subject: string; url: string }>, excludeItemId?: string) {
  const readAll = scopeOf(actor, "item:read", projectId) === "any";
  const threshold = nearDuplicateThreshold();
  const found = new Map<string, { kind: DuplicateKind; subject: string; itemId: string; distance?: number }>();
  const add = (kind: DuplicateKind, subject: string, itemId: string, distance?: number) => {
    if (itemId === excludeItemId) return;
    const key = `${subject}|${itemId}`;
    const existing = found.get(key);
    const rank = { exact: 0, same_url: 1, near: 2 } as const;
    if (!existing || rank[kind] < rank[existing.kind]) found.set(key, { kind, subject, itemId, distance });
  };

  for (const probe of probes) {
    if (probe.sha256) {
      const same = await db().mediaFile.findMany({ where: { sha256: probe.sha256, item: { projectId } }, select: { itemId: true } });
      same.forEach((m) => add("exact", probe.subject, m.itemId));
    }
    if (probe.phash && /^[0-9a-f]{16}$/.test(probe.phash)) {
      const near = await db().$queryRaw<Array<{ itemId: string; distance: number }>>`
        SELECT m."itemId", min(bit_count(('x' || h.phash)::bit(64) # ('x' || ${probe.phash})::bit(64)))::int AS distance
        FROM (
          SELECT "id" AS media_id, "phash" FROM "MediaFile" WHERE "phash" IS NOT NULL
          UNION ALL
          SELECT "mediaFileId", "phash" FROM "Derivative" WHERE "phash" IS NOT NULL
        ) h
        JOIN "MediaFile" m ON m."id" = h.media_id
        JOIN "EvidenceItem" i ON i."id" = m."itemId"
        WHERE i."projectId" = ${projectId}
          AND bit_count(('x' || h.phash)::bit(64) # ('x' || ${probe.phash})::bit(64)) <= ${threshold}
        GROUP BY m."itemId"`;
      near.forEach((n) => add("near", probe.subject, n.itemId, n.distance));
    }
  }
  for (const { subject, url } of urls) {
    const same = await db().evidenceItem.findMany({
      where: { projectId, OR: [{ postUrl: url }, { sources: { some: { url } } }] },
      select: { id: true },
    });
    same.forEach((i) => add("same_url", subject, i.id));
  }

  const itemIds = [...new Set([...found.values()].map((f) => f.itemId))];
  const items = await db().evidenceItem.findMany({
    where: { id: { in: itemIds } },
    select: { id: true, reference: true, title: true, status: true, submittedById: true },
  });
  const byId = new Map(items.map((i) => [i.id, i]));
  return [...found.values()].map<DuplicateCandidate>((f) => {
    const item = byId.get(f.itemId);
    const visible = item && (readAll || item.submittedById === actor.userId);
    return {
      kind: f.kind,
      subject: f.subject,
      distance: f.distance,
      item: visible ? { id: item.id, reference: item.reference, title: item.title, status: item.status } : null,
    };
  });
}

const previewSchema = z.object({
  projectId: idSchema,
  uploadIds: z.array(idSchema).max(20).default([]),
  sourceUrls: z.array(httpUrlSchema).max(20).default([]),
});

/** Before a submission is confirmed: what in the project already matches these uploads and URLs. */
export async function previewDuplicates(actor: Actor, input: unknown): Promise<DuplicateCandidate[]> {
  const data = parseInput(previewSchema, input);
  if (!can(actor, "item:create", { kind: "project", projectId: data.projectId })) throw forbidden();
  const uploads = await db().upload.findMany({
    where: { id: { in: data.uploadIds }, userId: actor.userId, projectId: data.projectId },
    select: { id: true, sha256: true, phash: true },
  });
  return findCandidates(
    actor,
    data.projectId,
    uploads.map((u) => ({ subject: u.id, sha256: u.sha256, phash: u.phash })),
    data.sourceUrls.map((url) => ({ subject: url, url })),
  );
}

/** For an item page: candidates for each of its files and URLs. The caller has checked read access. */
export async function duplicatesOfItem(actor: Actor, item: { id: string; projectId: string; postUrl: string | null }): Promise<DuplicateCandidate[]> {
  const media = await db().mediaFile.findMany({
    where: { itemId: item.id },
    select: { id: true, sha256: true, phash: true, derivatives: { where: { phash: { not: null } }, select: { phash: true } } },
  });
  const sources = await db().sourceUrl.findMany({ where: { itemId: item.id }, select: { url: true } });
  const probes: Probe[] = media.flatMap((m) => [
    { subject: m.id, sha256: m.sha256, phash: m.phash },
    ...m.derivatives.map((d) => ({ subject: m.id, phash: d.phash })),
  ]);
  const urls = [...new Set([...(item.postUrl ? [item.postUrl] : []), ...sources.map((s) => s.url)])].map((url) => ({ subject: url, url }));
  return findCandidates(actor, item.projectId, probes, urls, item.id);
}
