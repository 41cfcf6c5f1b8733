import "server-only";
import { DomainError, conflict } from "@/lib/domain/errors";
import { independentConfirmations } from "@/lib/domain/notes";
import type { Actor } from "@/lib/domain/permissions";
import { TRANSITIONS, decideTransition, type ItemState, type TransitionAction, type TransitionFacts, type TransitionInput } from "@/lib/domain/review-workflow";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../../audit";
import type { Tx } from "../../db";

/** The item as the caller saw it: the move applies only if it is still exactly this. */
export interface ItemAsSeen {
  id: string;
  projectId: string;
  status: string;
  version: number;
  submittedById: string;
  assigneeId: string | null;
}

export interface ItemTransitionRequest {
  action: TransitionAction;
  item: ItemAsSeen;
  /** Loaded from the item's notes when the caller has not already. */
  facts?: TransitionFacts;
  input?: TransitionInput;
  /** Other columns written with the status (publishing's redactions, a rejection's reason...). */
  data?: Prisma.EvidenceItemUpdateManyMutationInput & { duplicateOfId?: string | null };
  /** More to record in the audit event's `after`. */
  audit?: { after?: Record<string, unknown> };
}

export interface ItemTransitionResult {
  status: ItemState;
  version: number;
  assigneeId: string | null;
  facts: TransitionFacts;
}

/** What the workflow guards need to know about an item's notes and reviews. */
export async function loadTransitionFacts(tx: Tx, itemId: string, settings: unknown): Promise<TransitionFacts> {
  const [geos, chronos] = await Promise.all([
    tx.geolocation.findMany({
      where: { itemId, status: { in: ["PROPOSED", "CONFIRMED"] } },
      select: { authorId: true, reviews: { select: { reviewerId: true, decision: true } } },
    }),
    tx.chronolocation.findMany({
      where: { itemId, status: { in: ["PROPOSED", "CONFIRMED"] } },
      select: { authorId: true, reviews: { select: { reviewerId: true, decision: true } } },
    }),
  ]);
  const authors = [...new Set([...geos, ...chronos].map((n) => n.authorId))];
  // Distinct reviewers per note (one decision each), authors excluded; the best current note counts.
  const independent = (notes: typeof geos) => Math.max(0, ...notes.map((n) => independentConfirmations(n.reviews, authors)));
  const required = Number((settings as { requiredConfirmations?: unknown } | null)?.requiredConfirmations ?? 1);
  return {
    hasGeolocation: geos.length > 0,
    hasChronolocation: chronos.length > 0,
    noteAuthorIds: authors,
    confirmations: Math.min(independent(geos), independent(chronos)),
    requiredConfirmations: Number.isInteger(required) && required >= 1 ? required : 1,
  };
}

export async function loadItemFacts(tx: Tx, item: { id: string; projectId: string }): Promise<TransitionFacts> {
  const project = await tx.project.findUniqueOrThrow({ where: { id: item.projectId }, select: { settings: true } });
  return loadTransitionFacts(tx, item.id, project.settings);
}

/**
 * The one place an item's status is written. The move is decided by the workflow table
 * (lib/domain/review-workflow.ts) and applied inside the caller's transaction, conditional on
 * the status and version the caller saw: if someone else moved the item in between, nothing is
 * written and the caller gets a conflict to reload. The move's effects on the notes and its audit
 * event (`item.<action>`, with the state before and after) are written with it.
 */
export async function applyItemTransition(tx: Tx, actor: Actor, request: ItemTransitionRequest): Promise<ItemTransitionResult> {
  const { item, action } = request;
  const facts = request.facts ?? (await loadItemFacts(tx, item));
  const input = request.input ?? {};
  const decision = decideTransition({ action, actor, item: { ...item, status: item.status as ItemState }, facts, input });
  if (!decision.ok) throw new DomainError(decision.code === "FORBIDDEN" ? "FORBIDDEN" : "VALIDATION", decision.message);

  const assigneeId = decision.assigneeId === undefined ? item.assigneeId : decision.assigneeId;
  const updated = await tx.evidenceItem.updateMany({
    where: { id: item.id, status: item.status as ItemState, version: item.version },
    data: {
      ...request.data,
      status: decision.to,
      version: { increment: 1 },
      ...(decision.assigneeId !== undefined ? { assigneeId: decision.assigneeId } : {}),
    },
  });
  if (updated.count !== 1) throw conflict("Someone else changed this item at the same moment. Reload to see the latest state.");

  for (const effect of TRANSITIONS[action].effects ?? []) {
    switch (effect) {
      case "confirm_notes":
        await tx.geolocation.updateMany({ where: { itemId: item.id, status: "PROPOSED" }, data: { status: "CONFIRMED" } });
        await tx.chronolocation.updateMany({ where: { itemId: item.id, status: "PROPOSED" }, data: { status: "CONFIRMED" } });
        break;
    }
  }

  await appendAuditEvent(tx, {
    actorId: actor.userId,
    projectId: item.projectId,
    action: `item.${action}`,
    entityType: "EvidenceItem",
    entityId: item.id,
    before: { status: item.status, version: item.version, assigneeId: item.assigneeId },
    after: { status: decision.to, version: item.version + 1, assigneeId, ...request.audit?.after },
  });
  return { status: decision.to, version: item.version + 1, assigneeId, facts };
}
