import "server-only";
import { DomainError, notFound } from "@/lib/domain/errors";
import { linkEvidenceSchema, linkKindFor, unlinkEvidenceSchema } from "@/lib/domain/incidents";
import { can, type Actor } from "@/lib/domain/permissions";
import { lockVisibleItem } from "../../access";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { parseInput } from "../../validation";
import { lockManageableIncident } from "./incident-access";

/** Both rows locked; the item must belong to the incident's project and be readable. */
async function lockPair(tx: Tx, actor: Actor, incidentId: string, itemId: string) {
  const incident = await lockManageableIncident(tx, actor, incidentId);
  // Locking the item makes a concurrent status change wait, so the rule below sees its current status.
  const item = await lockVisibleItem(tx, actor, itemId);
  if (item.projectId !== incident.projectId) throw new DomainError("VALIDATION", "The item and the incident must belong to the same project.", { itemId: ["This item belongs to another project."] });
  const readable = await tx.evidenceItem.findUnique({ where: { id: item.id }, select: { reference: true, submittedById: true } });
  if (!readable || !can(actor, "item:read", { kind: "record", projectId: item.projectId, ownerId: readable.submittedById })) throw notFound("That item");
  return { incident, item: { ...item, reference: readable.reference } };
}

/** Resolves a typed reference inside the incident's own project (references are per project). */
async function itemIdByReference(tx: Tx, actor: Actor, incidentId: string, reference: string): Promise<string> {
  const incident = await lockManageableIncident(tx, actor, incidentId);
  const item = await tx.evidenceItem.findFirst({ where: { projectId: incident.projectId, reference }, select: { id: true } });
  if (!item) throw new DomainError("VALIDATION", "No item of this project has that reference.", { itemReference: ["No item of this project has that reference."] });
  return item.id;
}

/**
 * Links an item to an incident, or updates an existing link's relation note and kind. Verified
 * (or published) items may be evidence; anything else only an unverified lead (linkKindFor).
 */
export async function linkEvidence(actor: Actor, input: unknown): Promise<{ id: string; isLead: boolean }> {
  const data = parseInput(linkEvidenceSchema, input);
  return db().$transaction(async (tx) => {
    const itemId = data.itemId ?? (await itemIdByReference(tx, actor, data.incidentId, data.itemReference ?? ""));
    const { incident, item } = await lockPair(tx, actor, data.incidentId, itemId);
    const kind = linkKindFor(item.status, data.asLead);
    if (!kind.ok) throw new DomainError("VALIDATION", kind.message, { asLead: [kind.message] });

    const existing = await tx.incidentEvidence.findUnique({
      where: { incidentId_itemId: { incidentId: incident.id, itemId: item.id } },
      select: { id: true, relation: true, isLead: true },
    });
    const link = existing
      ? await tx.incidentEvidence.update({ where: { id: existing.id }, data: { relation: data.relation, isLead: kind.isLead }, select: { id: true, isLead: true } })
      : await tx.incidentEvidence.create({
          data: { incidentId: incident.id, itemId: item.id, relation: data.relation, isLead: kind.isLead, createdById: actor.userId },
          select: { id: true, isLead: true },
        });
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: incident.projectId,
      action: existing ? "incident.evidence_update" : "incident.evidence_link",
      entityType: "Incident",
      entityId: incident.id,
      before: existing ? { itemId: item.id, relation: existing.relation, isLead: existing.isLead } : null,
      after: { linkId: link.id, itemId: item.id, itemReference: item.reference, itemStatus: item.status, relation: data.relation, isLead: kind.isLead },
    });
    return link;
  });
}

/** Removes a link; the audit event keeps what it was. */
export async function unlinkEvidence(actor: Actor, input: unknown): Promise<{ removed: true }> {
  const data = parseInput(unlinkEvidenceSchema, input);
  return db().$transaction(async (tx) => {
    const { incident, item } = await lockPair(tx, actor, data.incidentId, data.itemId);
    const existing = await tx.incidentEvidence.findUnique({
      where: { incidentId_itemId: { incidentId: incident.id, itemId: item.id } },
      select: { id: true, relation: true, isLead: true, createdById: true, createdAt: true },
    });
    if (!existing) throw notFound("That link");
    await tx.incidentEvidence.delete({ where: { id: existing.id } });
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: incident.projectId,
      action: "incident.evidence_unlink",
      entityType: "Incident",
      entityId: incident.id,
      before: { linkId: existing.id, itemId: item.id, itemReference: item.reference, relation: existing.relation, isLead: existing.isLead, linkedBy: existing.createdById, linkedAt: existing.createdAt },
    });
    return { removed: true };
  });
}
