// The review workflow as data: every allowed move between item states, who may make it, and
// what must be true first. Services ask `decideTransition`; nothing else changes an item's status.
import { can, type Actor, type ProjectAction } from "./permissions";

export const ITEM_STATES = ["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW", "VERIFIED", "PUBLISHED", "REJECTED", "UNVERIFIABLE", "DUPLICATE"] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export const REJECTION_REASONS = ["IRRELEVANT", "MISLEADING", "RECYCLED", "MANIPULATED"] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export const REJECTION_REASON_LABELS: Record<RejectionReason, string> = {
  IRRELEVANT: "Irrelevant",
  MISLEADING: "Misleading",
  RECYCLED: "Recycled from an older event",
  MANIPULATED: "Manipulated",
};

/** States in which an item is still being worked on, so it can be (re)assigned. */
export const ASSIGNABLE_STATES: readonly ItemState[] = ["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW"];

export const TRANSITION_ACTIONS = [
  "triage",
  "claim",
  "assign",
  "send_to_review",
  "verify",
  "dispute",
  "publish",
  "unpublish",
  "reject",
  "mark_unverifiable",
  "mark_duplicate",
  "reopen",
] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

type Guard = "reason" | "rejection_reason" | "duplicate_target" | "assignee" | "notes_proposed" | "peer_confirmed" | "not_own_notes";

interface TransitionRule {
  from: readonly ItemState[];
  to: ItemState;
  permission: ProjectAction;
  guards: readonly Guard[];
  label: string;
}

export const TRANSITIONS: Record<TransitionAction, TransitionRule> = {
  triage: { from: ["SUBMITTED"], to: "TRIAGED", permission: "item:triage", guards: [], label: "Mark relevant (triaged)" },
  claim: { from: ["TRIAGED"], to: "IN_PROGRESS", permission: "item:work", guards: [], label: "Claim" },
  assign: { from: ["TRIAGED", "IN_PROGRESS"], to: "IN_PROGRESS", permission: "item:triage", guards: ["assignee"], label: "Assign" },
  send_to_review: { from: ["IN_PROGRESS"], to: "IN_REVIEW", permission: "item:work", guards: ["notes_proposed"], label: "Send to review" },
  verify: { from: ["IN_REVIEW"], to: "VERIFIED", permission: "item:review", guards: ["not_own_notes", "peer_confirmed"], label: "Verify" },
  dispute: { from: ["IN_REVIEW"], to: "IN_PROGRESS", permission: "item:review", guards: ["not_own_notes", "reason"], label: "Dispute" },
  publish: { from: ["VERIFIED"], to: "PUBLISHED", permission: "item:publish", guards: [], label: "Publish" },
  unpublish: { from: ["PUBLISHED"], to: "VERIFIED", permission: "item:publish", guards: ["reason"], label: "Unpublish" },
  reject: { from: ["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW"], to: "REJECTED", permission: "item:triage", guards: ["rejection_reason"], label: "Reject" },
  mark_unverifiable: { from: ["TRIAGED", "IN_PROGRESS", "IN_REVIEW"], to: "UNVERIFIABLE", permission: "item:work", guards: ["reason"], label: "Unverifiable" },
  mark_duplicate: { from: ["SUBMITTED", "TRIAGED", "IN_PROGRESS"], to: "DUPLICATE", permission: "item:triage", guards: ["duplicate_target"], label: "Duplicate of…" },
  reopen: { from: ["REJECTED", "UNVERIFIABLE", "DUPLICATE", "VERIFIED"], to: "IN_PROGRESS", permission: "item:review", guards: ["reason"], label: "Reopen" },
};

export interface TransitionFacts {
  /** A geolocation and a chronolocation are proposed (or confirmed) and not superseded. */
  hasGeolocation: boolean;
  hasChronolocation: boolean;
  /** Authors of the current notes: they may not review them. */
  noteAuthorIds: readonly string[];
  /** Independent confirmations so far of the weaker of the two notes. */
  confirmations: number;
  requiredConfirmations: number;
}

export interface TransitionInput {
  reason?: string | null;
  rejectionReason?: string | null;
  duplicateOfId?: string | null;
  assigneeId?: string | null;
}

export interface TransitionRequest {
  action: TransitionAction;
  actor: Actor;
  item: { projectId: string; status: ItemState; submittedById: string; assigneeId: string | null };
  facts: TransitionFacts;
  input: TransitionInput;
}

export type TransitionDecision =
  | { ok: true; to: ItemState; assigneeId: string | null | undefined }
  | { ok: false; code: "FORBIDDEN" | "INVALID_STATE" | "GUARD"; message: string };

export function decideTransition(request: TransitionRequest): TransitionDecision {
  const rule = TRANSITIONS[request.action];
  const { actor, item, facts, input } = request;
  if (!can(actor, rule.permission, { kind: "project", projectId: item.projectId })) {
    return { ok: false, code: "FORBIDDEN", message: `Your role cannot ${rule.label.toLowerCase()} items.` };
  }
  if (!rule.from.includes(item.status)) {
    return { ok: false, code: "INVALID_STATE", message: `An item that is ${item.status.replace("_", " ").toLowerCase()} cannot be moved with “${rule.label}”.` };
  }
  const reason = input.reason?.trim() ?? "";
  for (const guard of rule.guards) {
    switch (guard) {
      case "reason":
        if (reason.length < 3) return { ok: false, code: "GUARD", message: "Give a reason (it goes into the item's history)." };
        break;
      case "rejection_reason":
        if (!REJECTION_REASONS.includes(input.rejectionReason as RejectionReason)) {
          return { ok: false, code: "GUARD", message: "Choose why the item is rejected: irrelevant, misleading, recycled or manipulated." };
        }
        break;
      case "duplicate_target":
        if (!input.duplicateOfId) return { ok: false, code: "GUARD", message: "Choose the item this one duplicates." };
        break;
      case "assignee":
        if (!input.assigneeId) return { ok: false, code: "GUARD", message: "Choose who to assign." };
        break;
      case "notes_proposed":
        if (!facts.hasGeolocation || !facts.hasChronolocation) {
          return { ok: false, code: "GUARD", message: "Propose both a geolocation and a chronolocation before sending the item to review." };
        }
        break;
      case "not_own_notes":
        if (facts.noteAuthorIds.includes(actor.userId)) {
          return { ok: false, code: "GUARD", message: "You wrote notes on this item, so someone else must review it." };
        }
        break;
      case "peer_confirmed":
        if (facts.confirmations < facts.requiredConfirmations) {
          return {
            ok: false,
            code: "GUARD",
            message: `Needs ${facts.requiredConfirmations} independent confirmation${facts.requiredConfirmations === 1 ? "" : "s"} of the geolocation and chronolocation (has ${facts.confirmations}).`,
          };
        }
        break;
    }
  }
  const assigneeId = request.action === "claim" ? actor.userId : request.action === "assign" ? input.assigneeId : undefined;
  return { ok: true, to: rule.to, assigneeId };
}

/** The actions an actor could attempt from a state (for buttons; guards are checked on use). */
export function availableActions(actor: Actor, projectId: string, status: ItemState): TransitionAction[] {
  return TRANSITION_ACTIONS.filter(
    (action) => TRANSITIONS[action].from.includes(status) && can(actor, TRANSITIONS[action].permission, { kind: "project", projectId }),
  );
}
