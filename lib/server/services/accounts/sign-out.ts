import "server-only";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { hashSessionToken, isSessionToken } from "../../sessions";

/**
 * Ends the session a cookie names (sign-out). The record is revoked, so a copy of the cookie
 * taken before sign-out no longer works anywhere. Unknown or already ended sessions are ignored.
 */
export async function signOutSession(sessionToken: unknown): Promise<void> {
  if (!isSessionToken(sessionToken)) return;
  await db().$transaction(async (tx) => {
    const session = await tx.session.findUnique({ where: { tokenHash: hashSessionToken(sessionToken) }, select: { id: true, userId: true, revokedAt: true, ip: true } });
    if (!session || session.revokedAt) return;
    const ended = await tx.session.updateMany({ where: { id: session.id, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: "sign_out" } });
    if (ended.count === 0) return;
    await appendAuditEvent(tx, { actorId: session.userId, projectId: null, action: "auth.logout", entityType: "Session", entityId: session.id, ip: session.ip });
  });
}
