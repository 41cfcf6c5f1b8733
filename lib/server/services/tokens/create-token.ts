import "server-only";
import { createTokenSchema, MAX_ACTIVE_TOKENS_PER_USER, tokenPrefixOf } from "@/lib/domain/api-tokens";
import { DomainError, forbidden, notFound } from "@/lib/domain/errors";
import type { Actor, ApiScope } from "@/lib/domain/permissions";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { notifyAccount } from "../comments/notifications";
import { generateToken, hashToken } from "./token-hash";
import { tokenSettings } from "./token-settings";

export interface CreatedToken {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  projectId: string | null;
  expiresAt: Date;
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

  // Every token expires: the installation's default unless a shorter or longer (up to its
  // maximum) lifetime was chosen.
  const { defaultDays, maxDays } = tokenSettings();
  const days = data.expiresInDays ?? defaultDays;
  if (days > maxDays) throw new DomainError("VALIDATION", `Tokens on this installation expire after at most ${maxDays} days.`, { expiresInDays: [`At most ${maxDays} days`] });

  const token = generateToken();
  const prefix = tokenPrefixOf(token);
  const expiresAt = new Date(Date.now() + days * 86_400_000);

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
      after: { name: row.name, prefix, scopes: data.scopes, projectId: row.projectId, expiresAt: expiresAt.toISOString() },
    });
    await notifyAccount(tx, {
      userId: actor.userId,
      kind: "TOKEN_CREATED",
      actorId: actor.userId,
      message: `An API token “${row.name}” (${prefix}…) was created for your account with scopes ${data.scopes.join(", ")}, expiring ${expiresAt.toISOString().slice(0, 10)}. If this was not you, revoke it and tell an administrator.`,
    });
    return { ...row, expiresAt, scopes: data.scopes, token };
  });
}
