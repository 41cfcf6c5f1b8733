import "server-only";
import { z } from "zod";
import { conflict, forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { FIXITY_ALERT_KIND } from "../../fixity/run-fixity";
import { db } from "../../db";
import { parseInput } from "../../validation";

// Alerts are integrity problems found by the system itself (fixity failures). They stay at the
// top of the admin page until an administrator acknowledges them; who did so is on the record.

const fixityDetailsSchema = z.object({
  runId: z.string(),
  omitted: z.number(),
  problems: z.array(
    z.object({
      sha256: z.string(),
      kinds: z.array(z.string()),
      outcome: z.enum(["MISMATCH", "MISSING"]),
      actualHash: z.string().nullable(),
      references: z.array(z.object({ project: z.string(), item: z.string() })),
    }),
  ),
});
export type FixityAlertView = z.infer<typeof fixityDetailsSchema>;

export interface OpenAdminAlert {
  id: string;
  kind: string;
  message: string;
  createdAt: Date;
  /** Fixity alerts, read into their known shape; other kinds show their details as JSON. */
  fixity: FixityAlertView | null;
  detailsJson: string;
}

const OPEN_ALERT_LIMIT = 50;

export async function listOpenAlerts(actor: Actor): Promise<OpenAdminAlert[]> {
  if (!can(actor, "audit:verify", { kind: "system" })) throw forbidden();
  const rows = await db().adminAlert.findMany({
    where: { acknowledgedAt: null },
    orderBy: { createdAt: "desc" },
    take: OPEN_ALERT_LIMIT,
    select: { id: true, kind: true, message: true, details: true, createdAt: true },
  });
  return rows.map(({ details, ...alert }) => {
    const fixity = alert.kind === FIXITY_ALERT_KIND ? fixityDetailsSchema.safeParse(details) : null;
    return { ...alert, fixity: fixity?.success ? fixity.data : null, detailsJson: JSON.stringify(details, null, 2) };
  });
}

const acknowledgeAlertSchema = z.object({ alertId: idSchema });

export async function acknowledgeAlert(actor: Actor, input: unknown): Promise<{ id: string; acknowledgedAt: Date }> {
  if (!can(actor, "audit:verify", { kind: "system" })) throw forbidden();
  const { alertId } = parseInput(acknowledgeAlertSchema, input);
  const acknowledgedBy = auditActorId(actor);
  return db().$transaction(async (tx) => {
    const acknowledgedAt = new Date();
    // Conditional on still being open: of two admins acknowledging at once, one records it.
    const updated = await tx.adminAlert.updateMany({ where: { id: alertId, acknowledgedAt: null }, data: { acknowledgedAt, acknowledgedBy } });
    if (updated.count === 0) {
      const existing = await tx.adminAlert.findUnique({ where: { id: alertId }, select: { id: true } });
      if (!existing) throw notFound("That alert");
      throw conflict("That alert was already acknowledged.");
    }
    const alert = await tx.adminAlert.findUniqueOrThrow({ where: { id: alertId }, select: { kind: true, message: true } });
    await appendAuditEvent(tx, {
      actorId: acknowledgedBy,
      projectId: null,
      action: "admin_alert.acknowledge",
      entityType: "AdminAlert",
      entityId: alertId,
      before: { acknowledgedAt: null },
      after: { kind: alert.kind, message: alert.message, acknowledgedAt },
    });
    return { id: alertId, acknowledgedAt };
  });
}
