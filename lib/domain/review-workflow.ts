// The review workflow as data: every allowed move between item states, who may make it, what
// must be true first, and what sets it off. Every status change is decided here
// (`decideTransition`, `decideReviewMove`) and applied by one service
// (lib/server/services/items/apply-item-transition.ts); nothing else writes an item's status.
// The lists of states other rules need (what counts as evidence, what may be published or
// linked) are derived from, or kept next to, this table.
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
  "republish",
  "unpublish",
  "reject",
  "mark_unverifiable",
  "mark_duplicate",
  "reopen",
] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

type Guard =
  | "reason"
  | "rejection_reason"
  | "duplicate_target"
  | "assignee"
  | "notes_proposed"
  | "peer_confirmed"
  | "not_own_notes"
  | "not_note_author";

/**
 * What sets a move off, i.e. the one place a person decides it:
 * - button: a workflow button on the item page (and the queue's bulk actions), via transitionItem;
 * - note_review: a reviewer confirming or disputing a note (reviewNote). Verification happens by
 *   itself when the project's required confirmations are reached; a dispute sends the item back.
 *   There is no separate Verify or Dispute button: the note review is the decision;
 * - publishing: the Publishing panels (publishItem, unpublishItem, unpublishIncident), which also
 *   write the public snapshot.
 */
export type TransitionTrigger = "button" | "note_review" | "publishing";

/** Side effects of a move on the item's notes, applied with the status change. */
export type TransitionEffect = "confirm_notes";

interface TransitionRule {
  from: readonly ItemState[];
  to: ItemState;
  permission: ProjectAction;
  guards: readonly Guard[];
  label: string;
  trigger: TransitionTrigger;
  effects?: readonly TransitionEffect[];
  /** Said instead of the generic message when the item is in a state the move does not start from. */
  stateMessage?: string;
}

export const TRANSITIONS: Record<TransitionAction, TransitionRule> = {
  triage: { from: ["SUBMITTED"], to: "TRIAGED", permission: "item:triage", guards: [], label: "Mark relevant (triaged)", trigger: "button" },
  claim: { from: ["TRIAGED"], to: "IN_PROGRESS", permission: "item:work", guards: [], label: "Claim", trigger: "button" },
  assign: { from: ["TRIAGED", "IN_PROGRESS"], to: "IN_PROGRESS", permission: "item:triage", guards: ["assignee"], label: "Assign", trigger: "button" },
  send_to_review: { from: ["IN_PROGRESS"], to: "IN_REVIEW", permission: "item:work", guards: ["notes_proposed"], label: "Send to review", trigger: "button" },
  verify: {
    from: ["IN_REVIEW"],
    to: "VERIFIED",
    permission: "item:review",
    guards: ["not_own_notes", "peer_confirmed"],
    label: "Verify",
    trigger: "note_review",
    effects: ["confirm_notes"],
    stateMessage: "This item is not waiting for review.",
  },
  dispute: {
    from: ["IN_REVIEW"],
    to: "IN_PROGRESS",
    permission: "item:review",
    guards: ["not_note_author", "reason"],
    label: "Dispute",
    trigger: "note_review",
    stateMessage: "This item is not waiting for review.",
  },
  publish: { from: ["VERIFIED"], to: "PUBLISHED", permission: "item:publish", guards: [], label: "Publish", trigger: "publishing", stateMessage: "Only verified items can be published." },
  republish: { from: ["PUBLISHED"], to: "PUBLISHED", permission: "item:publish", guards: [], label: "Publish again", trigger: "publishing", stateMessage: "Only verified items can be published." },
  unpublish: { from: ["PUBLISHED"], to: "VERIFIED", permission: "item:publish", guards: ["reason"], label: "Unpublish", trigger: "publishing", stateMessage: "It is not published." },
  reject: { from: ["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW"], to: "REJECTED", permission: "item:triage", guards: ["rejection_reason"], label: "Reject", trigger: "button" },
  mark_unverifiable: { from: ["TRIAGED", "IN_PROGRESS", "IN_REVIEW"], to: "UNVERIFIABLE", permission: "item:work", guards: ["reason"], label: "Unverifiable", trigger: "button" },
  mark_duplicate: { from: ["SUBMITTED", "TRIAGED", "IN_PROGRESS"], to: "DUPLICATE", permission: "item:triage", guards: ["duplicate_target"], label: "Duplicate of…", trigger: "button" },
  reopen: { from: ["REJECTED", "UNVERIFIABLE", "DUPLICATE", "VERIFIED"], to: "IN_PROGRESS", permission: "item:review", guards: ["reason"], label: "Reopen", trigger: "button" },
};

/** Moves a person makes with a workflow button (the item page and the queue's bulk bar). */
export const BUTTON_ACTIONS: readonly TransitionAction[] = TRANSITION_ACTIONS.filter((action) => TRANSITIONS[action].trigger === "button");
/** Button moves that make sense for many items at once: a duplicate needs its own target, an assignment its own person. */
export const BULK_ACTIONS: readonly TransitionAction[] = BUTTON_ACTIONS.filter((action) => action !== "mark_duplicate" && action !== "assign");
/** Moves that ask for a written reason (it goes into the item's history). */
export const REASON_ACTIONS: readonly TransitionAction[] = TRANSITION_ACTIONS.filter((action) => TRANSITIONS[action].guards.includes("reason"));

/** Item states whose items count as verified evidence (when linked to an incident, in counts). */
export const EVIDENCE_STATES: readonly ItemState[] = ["VERIFIED", "PUBLISHED"];
/** Item states that cannot be attached to an incident at all (not even as a lead). */
export const UNLINKABLE_STATES: readonly ItemState[] = ["REJECTED", "DUPLICATE"];
/** Item states an editor may publish from: where a publishing move starts. */
export const PUBLISHABLE_STATES: readonly ItemState[] = [...new Set([...TRANSITIONS.publish.from, ...TRANSITIONS.republish.from])];

/** Item states in which notes can be confirmed or disputed: where the review moves start. */
export function isUnderReview(status: string): boolean {
  return TRANSITIONS.verify.from.includes(status as ItemState);
}
/** Item states with a public version: where unpublishing starts. */
export function isPublicState(status: string): boolean {
  return TRANSITIONS.unpublish.from.includes(status as ItemState);
}
export function isEvidenceState(status: string): boolean {
  return (EVIDENCE_STATES as readonly string[]).includes(status);
}
export function isUnlinkableState(status: string): boolean {
  return (UNLINKABLE_STATES as readonly string[]).includes(status);
}
export function isPublishableState(status: string): boolean {
  return (PUBLISHABLE_STATES as readonly string[]).includes(status);
}
/** Publishing an item that is already public replaces its public version (a different move in the history). */
export function publishActionFor(status: string): "publish" | "republish" {
  return status === "PUBLISHED" ? "republish" : "publish";
}

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
  /** For a dispute: the author of the note being disputed (nobody disputes their own note). */
  reviewedNoteAuthorId?: string | null;
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
    return {
      ok: false,
      code: "INVALID_STATE",
      message: rule.stateMessage ?? `An item that is ${item.status.replace("_", " ").toLowerCase()} cannot be moved with “${rule.label}”.`,
    };
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
      case "not_note_author":
        if (!input.reviewedNoteAuthorId || input.reviewedNoteAuthorId === actor.userId) {
          return { ok: false, code: "GUARD", message: "You wrote this note, so someone else must review it." };
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

/** The button moves an actor could attempt from a state (guards are checked on use). */
export function availableActions(actor: Actor, projectId: string, status: ItemState): TransitionAction[] {
  return BUTTON_ACTIONS.filter((action) => TRANSITIONS[action].from.includes(status) && can(actor, TRANSITIONS[action].permission, { kind: "project", projectId }));
}

/** Why a move that is not a button's cannot be asked for directly (transitionItem refuses it). */
export function triggerMessage(action: TransitionAction): string | null {
  switch (TRANSITIONS[action].trigger) {
    case "button":
      return null;
    case "note_review":
      return "Confirm or dispute the geolocation and chronolocation under review: the item is verified when enough reviewers confirm them, and goes back to work when one is disputed.";
    case "publishing":
      return "Publish and unpublish from the item's Publishing panel.";
  }
}

export type ReviewDecisionKind = "APPROVE" | "REQUEST_CHANGES";

export interface ReviewMoveRequest {
  actor: Actor;
  item: TransitionRequest["item"];
  /** The item's notes and reviews with this review already counted. */
  facts: TransitionFacts;
  decision: ReviewDecisionKind;
  /** The author of the reviewed note, and the reviewer's comment (a dispute's reason). */
  noteAuthorId: string;
  comment: string;
}

/**
 * The move a note review sets off, if any: a dispute sends the item back to work; a confirmation
 * verifies it once both current notes have the project's required number of independent
 * confirmations (and the reviewer wrote neither). A confirmation that does not complete the
 * count moves nothing. A dispute that the workflow refuses is an error for the reviewer to see.
 */
export function decideReviewMove(request: ReviewMoveRequest): { action: "verify" | "dispute"; decision: TransitionDecision } | null {
  const { actor, item, facts } = request;
  if (request.decision === "REQUEST_CHANGES") {
    const input = { reason: request.comment, reviewedNoteAuthorId: request.noteAuthorId };
    return { action: "dispute", decision: decideTransition({ action: "dispute", actor, item, facts, input }) };
  }
  const decision = decideTransition({ action: "verify", actor, item, facts, input: {} });
  return decision.ok ? { action: "verify", decision } : null;
}
