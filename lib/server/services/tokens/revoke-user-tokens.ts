import "server-only";
import type { TokenRevocationReason } from "@/lib/domain/api-tokens";
import { appendAuditEvent } from "../../audit";
import type { Tx } from "../../db";
import { notifyAccount } from "../comments/notifications";

/**
 * Revokes, for good, every token of a user that could still work (not revoked, not expired),
 * inside the caller's transaction: called by the admin's incident-response actions (password
 * reset, two-factor reset, deactivation). Reactivating the account later does not bring them
 * back: the owner makes new ones. Each revocation is audited with its reason, and the owner is
 * told in one notification.
 */
export async function revokeTokensOfUser(tx: Tx, input: { userId: string; reason: TokenRevocationReason; actorId: string | null }): Promise<number> {
  const now = new Date();
  const live = await tx.apiToken.findMany({
    where: { userId: input.userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { id: true, projectId: true, prefix: true, name: true },
    orderBy: { createdAt: "asc" },
  });
  if (live.length === 0) return 0;
  // revokedAt IS NULL again: a concurrent owner revocation keeps its own time and reason.
  await tx.apiToken.updateMany({ where: { id: { in: live.map((t) => t.id) }, revokedAt: null }, data: { revokedAt: now, revokedReason: input.reason } });
  for (const token of live) {
    await appendAuditEvent(tx, {
      actorId: input.actorId,
      projectId: token.projectId,
      action: "token.revoke",
      entityType: "ApiToken",
      entityId: token.id,
      before: { revokedAt: null },
      after: { revokedAt: now.toISOString(), reason: input.reason, prefix: token.prefix, ownerId: input.userId },
    });
  }
  const names = live.map((t) => `“${t.name}” (${t.prefix}…)`).join(", ");
  const why = { password_reset: "an administrator reset your password", two_factor_reset: "an administrator reset your two-factor login", deactivated: "your account was deactivated", owner: "you revoked them", admin: "an administrator revoked them" }[input.reason];
  await notifyAccount(tx, {
    userId: input.userId,
    kind: "TOKEN_REVOKED",
    actorId: input.actorId,
    message: `${live.length === 1 ? "Your API token" : `Your ${live.length} API tokens`} ${names} ${live.length === 1 ? "was" : "were"} revoked because ${why}. Create new ones if you still need them.`.slice(0, 2000),
  });
  return live.length;
}
