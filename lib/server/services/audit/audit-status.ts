import "server-only";
import type { ChainVerdict } from "@/lib/domain/audit-chain";
import { forbidden } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { verifyStoredAuditChain } from "../../audit";
import { db } from "../../db";

export async function checkAuditChain(actor: Actor): Promise<ChainVerdict> {
  if (!can(actor, "audit:verify", { kind: "system" })) throw forbidden();
  return verifyStoredAuditChain(db());
}

export interface AuditEventRow {
  seq: number;
  action: string;
  entityType: string;
  entityId: string;
  actorName: string | null;
  projectName: string | null;
  createdAt: Date;
  hash: string;
}

export async function listRecentAuditEvents(actor: Actor, take = 100): Promise<AuditEventRow[]> {
  if (!can(actor, "audit:verify", { kind: "system" })) throw forbidden();
  const rows = await db().auditEvent.findMany({
    orderBy: { seq: "desc" },
    take: Math.min(Math.max(take, 1), 500),
    select: {
      seq: true,
      action: true,
      entityType: true,
      entityId: true,
      createdAt: true,
      hash: true,
      actor: { select: { name: true } },
      project: { select: { name: true } },
    },
  });
  return rows.map(({ actor: a, project, ...r }) => ({ ...r, actorName: a?.name ?? null, projectName: project?.name ?? null }));
}
