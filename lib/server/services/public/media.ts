import "server-only";
import type { Readable } from "node:stream";
import { db } from "../../db";
import { blobStore } from "../../storage";
import { findPublicProject } from "./project";

// Public copies of media, by their own SHA-256. Only a name that is exactly a public copy of an
// item that is still published opens anything; originals and everything else are "not found".

const SHA256 = /^[0-9a-f]{64}$/;

export function isPublicMediaName(value: string): boolean {
  return SHA256.test(value);
}

export interface OpenedPublicMedia {
  stream: Readable;
  mime: string;
  sizeBytes: number;
}

export async function findPublicMedia(slug: string, sha256: string): Promise<{ mime: string; sizeBytes: number } | null> {
  if (!isPublicMediaName(sha256)) return null;
  const project = await findPublicProject(slug);
  if (!project) return null;
  const copies = await db().publicMedia.findMany({ where: { projectId: project.id, sha256 }, select: { itemId: true, mime: true, sizeBytes: true } });
  if (copies.length === 0) return null;
  const published = await db().publishedItem.findFirst({ where: { projectId: project.id, itemId: { in: copies.map((c) => c.itemId) } }, select: { itemId: true } });
  const copy = published ? copies.find((c) => c.itemId === published.itemId) : undefined;
  return copy ? { mime: copy.mime, sizeBytes: Number(copy.sizeBytes) } : null;
}

export async function openPublicMedia(slug: string, sha256: string): Promise<OpenedPublicMedia | null> {
  const found = await findPublicMedia(slug, sha256);
  if (!found) return null;
  const store = await blobStore();
  if (!(await store.has(sha256))) return null;
  return { stream: await store.open(sha256), ...found };
}
