import "server-only";
import { createTokenSchema, MAX_ACTIVE_TOKENS_PER_USER, tokenPrefixOf } from "@/lib/domain/api-tokens";
import { DomainError, forbidden, notFound } from "@/lib/domain/errors";
import type { Actor, ApiScope } from "@/lib/domain/permissions";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { generateToken, hashToken } from "./token-hash";

export interface CreatedToken {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  projectId: string | null;
  expiresAt: Date | null;
  /** The secret itself. Returned exactly once: only its SHA-256 is stored. */
  token: string;
}

/**
 * Issues an API token for the actor. A project token works only in that project; a personal
 * one in every project the owner belongs to. Either way it acts with the owner's current role,
 * narrowed to its scopes.
 */
export async function createToken(actor: Actor, input: unknown): Promise<CreatedToken> {
  // Tokens cannot mint tokens: a leaked token must not be able to outlive its revocation.
  if (!actor.active || actor.tokenScopes !== undefined) throw forbidden("Sign in to create API tokens.");
  const data = parseInput(createTokenSchema, input);
  if (data.projectId !== undefined && !Object.hasOwn(actor.memberships, data.projectId)) throw notFound("That project");

  const token = generateToken();
  const prefix = tokenPrefixOf(token);
  const expiresAt = data.expiresInDays ? new Date(Date.now() + data.expiresInDays * 86_400_000) : null;

  return db().$transaction(async (tx) => {
    const active = await tx.apiToken.count({ where: { userId: actor.userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } });
    if (active >= MAX_ACTIVE_TOKENS_PER_USER) throw new DomainError("CONFLICT", `You already have ${MAX_ACTIVE_TOKENS_PER_USER} active tokens. Revoke some first.`);
    const row = await tx.apiToken.create({
      data: { userId: actor.userId, projectId: data.projectId ?? null, name: data.name, prefix, tokenHash: hashToken(token), scopes: data.scopes, expiresAt },
      select: { id: true, name: true, prefix: true, projectId: true, expiresAt: true },
    });
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: row.projectId,
      action: "token.create",
      entityType: "ApiToken",
      entityId: row.id,
      after: { name: row.name, prefix, scopes: data.scopes, projectId: row.projectId, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { ...row, scopes: data.scopes, token };
  });
}
