import "server-only";
import { isApiScope, type Actor, type ApiScope } from "@/lib/domain/permissions";
import { db } from "../../db";

export interface TokenSummary {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  project: { id: string; name: string } | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /** The client address of that use (lib/server/client-address.ts), when known. */
  lastUsedIp: string | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}

/** The actor's own tokens, newest first. Never the hash: it is useless to show and risky to ship. */
export async function listTokens(actor: Actor): Promise<TokenSummary[]> {
  if (!actor.active) return [];
  const rows = await db().apiToken.findMany({
    where: { userId: actor.userId },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: { id: true, name: true, prefix: true, scopes: true, projectId: true, createdAt: true, expiresAt: true, lastUsedAt: true, lastUsedIp: true, revokedAt: true, revokedReason: true },
  });
  const projectIds = [...new Set(rows.flatMap((r) => (r.projectId ? [r.projectId] : [])))];
  const projects = projectIds.length ? await db().project.findMany({ where: { id: { in: projectIds } }, select: { id: true, name: true } }) : [];
  const nameOf = new Map(projects.map((p) => [p.id, p.name]));
  return rows.map(({ projectId, scopes, ...row }) => ({
    ...row,
    scopes: scopes.filter(isApiScope),
    project: projectId ? { id: projectId, name: nameOf.get(projectId) ?? "(deleted project)" } : null,
  }));
}
