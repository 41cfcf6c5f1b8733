import "server-only";
import { z } from "zod";
import type { Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { db, type Tx } from "../../db";
import { parseInput } from "../../validation";

/**
 * Unread count for the header; only ever the actor's own notifications: those of projects they
 * are still in, and those about their account (no project).
 */
export async function unreadNotificationCount(actor: Actor): Promise<number> {
  const projectIds = Object.keys(actor.memberships);
  // Every signed-in page shows this count: one plain query rather than a compiled ORM count.
  const rows = await db().$queryRaw<Array<{ unread: number }>>`
    SELECT count(*)::int AS "unread" FROM "Notification"
    WHERE "userId" = ${actor.userId} AND "readAt" IS NULL AND ("projectId" IS NULL OR "projectId" = ANY(${projectIds}::text[]))`;
  return rows[0]?.unread ?? 0;
}

export async function listNotifications(actor: Actor) {
  const rows = await db().notification.findMany({
    where: { userId: actor.userId, OR: [{ projectId: null }, { projectId: { in: Object.keys(actor.memberships) } }] },
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, kind: true, message: true, createdAt: true, readAt: true, itemId: true, projectId: true },
  });
  const items = await db().evidenceItem.findMany({
    where: { id: { in: rows.map((r) => r.itemId).filter((id): id is string => !!id) } },
    select: { id: true, reference: true, project: { select: { slug: true } } },
  });
  const byId = new Map(items.map((i) => [i.id, i]));
  return rows.map((r) => {
    const item = r.itemId ? byId.get(r.itemId) : undefined;
    if (r.kind === "TOKEN_CREATED" || r.kind === "TOKEN_REVOKED") return { ...r, href: "/account/tokens" };
    return { ...r, href: item ? `/projects/${item.project.slug}/items/${item.reference}` : null };
  });
}

export async function markNotificationsRead(actor: Actor, input: unknown): Promise<number> {
  const { ids } = parseInput(z.object({ ids: z.array(idSchema).max(200) }), input);
  const result = await db().notification.updateMany({ where: { id: { in: ids }, userId: actor.userId, readAt: null }, data: { readAt: new Date() } });
  return result.count;
}

/** Written by workflow services inside their own transaction. */
export async function notify(
  tx: Tx,
  n: { userIds: string[]; projectId: string; itemId: string; kind: "ASSIGNMENT" | "REVIEW_REQUEST"; actorId: string; message: string },
): Promise<void> {
  const userIds = [...new Set(n.userIds)].filter((id) => id !== n.actorId);
  if (!userIds.length) return;
  await tx.notification.createMany({
    data: userIds.map((userId) => ({ userId, projectId: n.projectId, itemId: n.itemId, kind: n.kind, actorId: n.actorId, message: n.message })),
  });
}

/**
 * A notice about the person's own account (no project, no item), written inside the caller's
 * transaction. Sent even when they did it themselves: a notice of a token they did not create is
 * how they find out someone else has their session.
 */
export async function notifyAccount(tx: Tx, n: { userId: string; kind: "TOKEN_CREATED" | "TOKEN_REVOKED"; actorId: string | null; message: string }): Promise<void> {
  await tx.notification.create({ data: { userId: n.userId, projectId: null, itemId: null, kind: n.kind, actorId: n.actorId, message: n.message } });
}
