import "server-only";
import { timingSafeEqual } from "node:crypto";
import { bearerTokenOf, shouldRecordTokenUse, LAST_USED_RESOLUTION_MS, TOKEN_PATTERN } from "@/lib/domain/api-tokens";
import { DomainError } from "@/lib/domain/errors";
import { isApiScope, type Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { loadActor, type SessionActor } from "./actor";
import { clientAddressOf } from "./client-address";
import { db } from "./db";
import { errorResponse } from "./http";
import { hashToken } from "./services/tokens/token-hash";

export interface TokenActor extends SessionActor {
  tokenId: string;
}

/**
 * The actor an API token stands for, or null when the token is unknown, revoked, expired or its
 * owner is deactivated. The owner is loaded exactly as for a session (fresh roles), then
 * narrowed: a project token keeps only that membership, and the token's scopes apply on top.
 * Admin powers never travel with a token.
 */
export async function actorFromToken(bearer: string | null | undefined, clientAddress: string | null = null): Promise<TokenActor | null> {
  if (!bearer || !TOKEN_PATTERN.test(bearer)) return null;
  const tokenHash = hashToken(bearer);
  const token = await db().apiToken.findUnique({
    where: { tokenHash },
    select: { id: true, tokenHash: true, userId: true, projectId: true, scopes: true, expiresAt: true, revokedAt: true, lastUsedAt: true, user: { select: { sessionVersion: true } } },
  });
  // The index finds the row; the comparison that decides is constant-time all the same.
  if (!token || !timingSafeEqual(Buffer.from(token.tokenHash, "hex"), Buffer.from(tokenHash, "hex"))) return null;
  const now = new Date();
  if (token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;

  const owner = await loadActor(token.userId, token.user.sessionVersion);
  if (!owner) return null;
  const memberships: Record<string, ProjectRole> = {};
  for (const [projectId, role] of Object.entries(owner.memberships)) {
    if (token.projectId === null || token.projectId === projectId) memberships[projectId] = role;
  }

  // When and from where, for the owner's token list; at most one write a minute per token.
  if (shouldRecordTokenUse(token.lastUsedAt, now)) {
    await db().apiToken.updateMany({
      where: { id: token.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
      data: { lastUsedAt: now, lastUsedIp: clientAddress },
    });
  }
  return { ...owner, isAdmin: false, memberships, tokenScopes: token.scopes.filter(isApiScope), tokenId: token.id };
}

/** The token actor of a request's Authorization header; cookies are never looked at. */
export async function actorFromRequest(request: Request): Promise<TokenActor | null> {
  return actorFromToken(bearerTokenOf(request.headers.get("authorization")), clientAddressOf(request));
}

const UNAUTHENTICATED_HEADERS = { "Cache-Control": "no-store", "WWW-Authenticate": 'Bearer realm="groundtruth"' };

/**
 * The JSON API's one entry point: authenticate the bearer token (401 otherwise), run the
 * handler, and turn errors into JSON through the same mapping as every other route.
 */
export async function withApiActor(request: Request, handler: (actor: Actor) => Promise<Response>): Promise<Response> {
  try {
    const actor = await actorFromRequest(request);
    if (!actor) return Response.json({ error: "A valid API token is required.", code: "UNAUTHENTICATED" }, { status: 401, headers: UNAUTHENTICATED_HEADERS });
    const response = await handler(actor);
    response.headers.set("Cache-Control", "no-store");
    return response;
  } catch (error) {
    const response = errorResponse(error);
    if (error instanceof DomainError && error.code === "UNAUTHENTICATED") for (const [k, v] of Object.entries(UNAUTHENTICATED_HEADERS)) response.headers.set(k, v);
    return response;
  }
}
