import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { MAX_COMMENT_LENGTH, extractMentions, handleOf } from "@/lib/domain/mentions";
import { can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";

const commentSchema = z.object({
  itemId: idSchema,
  body: z.string().trim().min(1, "Write something first").max(MAX_COMMENT_LENGTH, "Comments are limited to 10,000 characters"),
});

/**
 * Adds a comment to an item's discussion. @mentions of project members who can read the item
 * notify them; mentions of anyone else are left as plain text (no notification, no leak).
 * The answer is the same whoever was mentioned: how many mentions matched would tell the author
 * (a contributor, say) who is on the team.
 */
export async function addComment(actor: Actor, input: unknown): Promise<{ id: string }> {
  const data = parseInput(commentSchema, input);
  const item = await db().evidenceItem.findUnique({ where: { id: data.itemId }, select: { id: true, projectId: true, submittedById: true, reference: true } });
  if (!item || !can(actor, "item:read", { kind: "record", projectId: item.projectId, ownerId: item.submittedById })) throw notFound("That item");
  if (!can(actor, "item:comment", { kind: "record", projectId: item.projectId, ownerId: item.submittedById })) throw forbidden("You cannot comment on this item.");

  const handles = extractMentions(data.body);
  const members = handles.length
    ? await db().membership.findMany({ where: { projectId: item.projectId, user: { active: true } }, select: { userId: true, role: true, user: { select: { email: true } } } })
    : [];
  const mentioned = members.filter(
    (m) =>
      handles.includes(handleOf(m.user.email)) &&
      m.userId !== actor.userId &&
      // Contributors only see their own items: do not notify them about anyone else's.
      (m.role !== "CONTRIBUTOR" || m.userId === item.submittedById),
  );

  return db().$transaction(async (tx) => {
    const comment = await tx.comment.create({ data: { itemId: item.id, authorId: actor.userId, body: data.body }, select: { id: true } });
    if (mentioned.length) {
      await tx.notification.createMany({
        data: mentioned.map((m) => ({
          userId: m.userId,
          projectId: item.projectId,
          itemId: item.id,
          kind: "MENTION" as const,
          actorId: actor.userId,
          message: `You were mentioned on ${item.reference}`,
        })),
      });
    }
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: item.projectId,
      action: "comment.add",
      entityType: "EvidenceItem",
      entityId: item.id,
      after: { commentId: comment.id, mentioned: mentioned.map((m) => m.userId) },
    });
    return { id: comment.id };
  });
}
