import "server-only";
import { revokeTokenSchema } from "@/lib/domain/api-tokens";
import { notFound } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { notifyAccount } from "../comments/notifications";

/**
 * Revokes a token at once (the next request with it gets 401). Owners revoke their own; admins
 * may revoke anyone's, e.g. after a leak. Someone else's token looks like a missing one.
 * Revoking twice is a no-op that keeps the first revocation time.
 */
export async function revokeToken(actor: Actor, input: unknown): Promise<{ id: string; revokedAt: Date }> {
  const { tokenId } = parseInput(revokeTokenSchema, input);
  return db().$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id: tokenId }, select: { id: true, userId: true, projectId: true, name: true, prefix: true, revokedAt: true } });
    if (!token || !actor.active || (token.userId !== actor.userId && !can(actor, "user:manage", { kind: "system" }))) throw notFound("That token");
    if (token.revokedAt) return { id: token.id, revokedAt: token.revokedAt };
    const revokedAt = new Date();
    const reason = token.userId === actor.userId ? "owner" : "admin";
    await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt, revokedReason: reason } });
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: token.projectId,
      action: "token.revoke",
      entityType: "ApiToken",
      entityId: token.id,
      before: { revokedAt: null },
      after: { revokedAt: revokedAt.toISOString(), reason, prefix: token.prefix, ownerId: token.userId },
    });
    await notifyAccount(tx, {
      userId: token.userId,
      kind: "TOKEN_REVOKED",
      actorId: actor.userId,
      message: `Your API token “${token.name}” (${token.prefix}…) was ${reason === "owner" ? "revoked by you" : "revoked by an administrator"}.`,
    });
    return { id: token.id, revokedAt };
  });
}
