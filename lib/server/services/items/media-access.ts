import "server-only";
import { z } from "zod";
import { notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { db } from "../../db";
import { blobStore } from "../../storage";
import { parseInput } from "../../validation";
import { readableItemsWhere } from "../../access";

const mediaRequestSchema = z.object({ id: idSchema, purpose: z.enum(["download_original", "view_original"]).default("download_original") });

/** A file is readable when its item is: the same where-clause every item query uses. */
async function assertCanReadMediaFile(actor: Actor, projectId: string, mediaFileId: string): Promise<void> {
  const readable = await db().evidenceItem.count({ where: { AND: [readableItemsWhere(actor, projectId), { media: { some: { id: mediaFileId } } }] } });
  if (!readable) throw notFound("That file");
}

/**
 * Opens an original for download after checking the actor may read its item, and logs the
 * access for the chain of custody.
 */
export async function openOriginal(actor: Actor, input: unknown, ip: string | null) {
  const { id, purpose } = parseInput(mediaRequestSchema, input);
  const file = await db().mediaFile.findUnique({
    where: { id },
    select: { id: true, sha256: true, sizeBytes: true, sniffedMime: true, originalFilename: true, item: { select: { projectId: true } } },
  });
  if (!file) throw notFound("That file");
  await assertCanReadMediaFile(actor, file.item.projectId, file.id);
  await db().mediaAccess.create({ data: { mediaFileId: file.id, userId: actor.userId, purpose, ip } });
  return { file, stream: await (await blobStore()).open(file.sha256) };
}

/** Opens a derivative (thumbnail, keyframe) under the same read check; not logged as custody. */
export async function openDerivative(actor: Actor, input: unknown) {
  const { id } = parseInput(z.object({ id: idSchema }), input);
  const derivative = await db().derivative.findUnique({
    where: { id },
    select: { sha256: true, mime: true, sizeBytes: true, kind: true, position: true, mediaFile: { select: { id: true, item: { select: { projectId: true } } } } },
  });
  if (!derivative) throw notFound("That file");
  await assertCanReadMediaFile(actor, derivative.mediaFile.item.projectId, derivative.mediaFile.id);
  return { derivative, stream: await (await blobStore()).open(derivative.sha256) };
}
