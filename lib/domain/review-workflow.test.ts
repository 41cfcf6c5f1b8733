import { describe, expect, it } from "vitest";
import type { Actor } from "./permissions";
import {
  BULK_ACTIONS,
  BUTTON_ACTIONS,
  EVIDENCE_STATES,
  ITEM_STATES,
  PUBLISHABLE_STATES,
  REASON_ACTIONS,
  TRANSITIONS,
  TRANSITION_ACTIONS,
  UNLINKABLE_STATES,
  availableActions,
  decideReviewMove,
  decideTransition,
  isEvidenceState,
  isPublicState,
  isPublishableState,
  isUnderReview,
  publishActionFor,
  triggerMessage,
  type ItemState,
  type TransitionAction,
  type TransitionFacts,
  type TransitionTrigger,
} from "./review-workflow";
import { PROJECT_ROLES, type ProjectRole } from "./roles";

// The specification, written out by hand: action -> [allowed from-states, resulting state, lowest role].
const SPEC: Record<TransitionAction, [ItemState[], ItemState, ProjectRole]> = {
  triage: [["SUBMITTED"], "TRIAGED", "INVESTIGATOR"],
  claim: [["TRIAGED"], "IN_PROGRESS", "INVESTIGATOR"],
  assign: [["TRIAGED", "IN_PROGRESS"], "IN_PROGRESS", "INVESTIGATOR"],
  send_to_review: [["IN_PROGRESS"], "IN_REVIEW", "INVESTIGATOR"],
  verify: [["IN_REVIEW"], "VERIFIED", "REVIEWER"],
  dispute: [["IN_REVIEW"], "IN_PROGRESS", "REVIEWER"],
  publish: [["VERIFIED"], "PUBLISHED", "EDITOR"],
  republish: [["PUBLISHED"], "PUBLISHED", "EDITOR"],
  unpublish: [["PUBLISHED"], "VERIFIED", "EDITOR"],
  reject: [["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW"], "REJECTED", "INVESTIGATOR"],
  mark_unverifiable: [["TRIAGED", "IN_PROGRESS", "IN_REVIEW"], "UNVERIFIABLE", "INVESTIGATOR"],
  mark_duplicate: [["SUBMITTED", "TRIAGED", "IN_PROGRESS"], "DUPLICATE", "INVESTIGATOR"],
  reopen: [["REJECTED", "UNVERIFIABLE", "DUPLICATE", "VERIFIED"], "IN_PROGRESS", "REVIEWER"],
};
const LADDER: ProjectRole[] = ["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"];
const atLeast = (role: ProjectRole, min: ProjectRole) => LADDER.indexOf(role) >= LADDER.indexOf(min);

const PROJECT = "p1";
const actorWith = (role: ProjectRole | null, extra: Partial<Actor> = {}): Actor => ({
  userId: "me",
  isAdmin: false,
  active: true,
  memberships: role ? { [PROJECT]: role } : {},
  ...extra,
});
/** Facts and input that satisfy every guard, so only state and role decide. */
const satisfied: TransitionFacts = { hasGeolocation: true, hasChronolocation: true, noteAuthorIds: ["someone-else"], confirmations: 1, requiredConfirmations: 1 };
const fullInput = { reason: "because of X", rejectionReason: "RECYCLED", duplicateOfId: "other", assigneeId: "u2", reviewedNoteAuthorId: "someone-else" };

const cases = TRANSITION_ACTIONS.flatMap((action) =>
  ITEM_STATES.flatMap((status) => PROJECT_ROLES.map((role) => [action, status, role] as const)),
);

describe("decideTransition: every action x state x role", () => {
  it("the spec covers every action and every state exists", () => {
    expect(Object.keys(SPEC).sort()).toEqual([...TRANSITION_ACTIONS].sort());
    expect(ITEM_STATES).toHaveLength(9);
  });

  it.each(cases)("%s from %s by %s", (action, status, role) => {
    const [from, to, minRole] = SPEC[action];
    const decision = decideTransition({
      action,
      actor: actorWith(role),
      item: { projectId: PROJECT, status, submittedById: "sub", assigneeId: null },
      facts: satisfied,
      input: fullInput,
    });
    if (!atLeast(role, minRole)) expect(decision).toMatchObject({ ok: false, code: "FORBIDDEN" });
    else if (!from.includes(status)) expect(decision).toMatchObject({ ok: false, code: "INVALID_STATE" });
    else expect(decision).toMatchObject({ ok: true, to });
  });

  it.each(TRANSITION_ACTIONS)("%s is refused for non-members, admins without membership and inactive actors", (action) => {
    const from = SPEC[action][0][0]!;
    for (const actor of [actorWith(null), actorWith(null, { isAdmin: true }), actorWith("EDITOR", { active: false })]) {
      const decision = decideTransition({ action, actor, item: { projectId: PROJECT, status: from, submittedById: "sub", assigneeId: null }, facts: satisfied, input: fullInput });
      expect(decision).toMatchObject({ ok: false, code: "FORBIDDEN" });
    }
  });
});

describe("guards", () => {
  const base = (action: TransitionAction, status: ItemState, facts: Partial<TransitionFacts> = {}, input: Record<string, unknown> = {}) =>
    decideTransition({
      action,
      actor: actorWith("EDITOR"),
      item: { projectId: PROJECT, status, submittedById: "sub", assigneeId: null },
      facts: { ...satisfied, ...facts },
      input,
    });

  it.each([
    ["send_to_review without geolocation", () => base("send_to_review", "IN_PROGRESS", { hasGeolocation: false }), /geolocation and a chronolocation/],
    ["send_to_review without chronolocation", () => base("send_to_review", "IN_PROGRESS", { hasChronolocation: false }), /chronolocation/],
    ["verify own notes", () => base("verify", "IN_REVIEW", { noteAuthorIds: ["me"] }), /someone else must review/],
    ["dispute own note", () => base("dispute", "IN_REVIEW", {}, { reason: "wrong", reviewedNoteAuthorId: "me" }), /someone else must review/],
    ["dispute without naming the note's author", () => base("dispute", "IN_REVIEW", {}, { reason: "wrong" }), /someone else must review/],
    ["verify without confirmations", () => base("verify", "IN_REVIEW", { confirmations: 0 }), /Needs 1 independent confirmation of the geolocation and chronolocation \(has 0\)/],
    ["verify with 1 of 2 confirmations", () => base("verify", "IN_REVIEW", { confirmations: 1, requiredConfirmations: 2 }), /Needs 2 independent confirmations/],
    ["dispute without reason", () => base("dispute", "IN_REVIEW", {}, { reason: "  ", reviewedNoteAuthorId: "other" }), /Give a reason/],
    ["reopen without reason", () => base("reopen", "REJECTED"), /Give a reason/],
    ["unpublish without reason", () => base("unpublish", "PUBLISHED"), /Give a reason/],
    ["unverifiable without reason", () => base("mark_unverifiable", "IN_PROGRESS"), /Give a reason/],
    ["reject without a listed reason", () => base("reject", "SUBMITTED", {}, { rejectionReason: "BORING" }), /irrelevant, misleading, recycled or manipulated/],
    ["duplicate without target", () => base("mark_duplicate", "TRIAGED"), /Choose the item/],
    ["assign without assignee", () => base("assign", "TRIAGED"), /Choose who/],
  ])("%s is refused", (_label, run, message) => {
    const decision = run();
    expect(decision.ok).toBe(false);
    if (!decision.ok) {
      expect(decision.code).toBe("GUARD");
      expect(decision.message).toMatch(message);
    }
  });

  it("claim assigns the claimer; assign assigns the chosen person; others leave the assignee", () => {
    expect(base("claim", "TRIAGED")).toEqual({ ok: true, to: "IN_PROGRESS", assigneeId: "me" });
    expect(base("assign", "TRIAGED", {}, { assigneeId: "u9" })).toEqual({ ok: true, to: "IN_PROGRESS", assigneeId: "u9" });
    expect(base("triage", "SUBMITTED")).toEqual({ ok: true, to: "TRIAGED", assigneeId: undefined });
  });

  it.each(["IRRELEVANT", "MISLEADING", "RECYCLED", "MANIPULATED"])("reject accepts %s", (reason) => {
    expect(base("reject", "IN_REVIEW", {}, { rejectionReason: reason })).toMatchObject({ ok: true, to: "REJECTED" });
  });
});

describe("availableActions", () => {
  it.each([
    ["CONTRIBUTOR", "SUBMITTED", []],
    ["INVESTIGATOR", "SUBMITTED", ["triage", "reject", "mark_duplicate"]],
    ["INVESTIGATOR", "IN_REVIEW", ["reject", "mark_unverifiable"]],
    // Verify and dispute are note reviews, publish and unpublish the Publishing panel: no buttons.
    ["REVIEWER", "IN_REVIEW", ["reject", "mark_unverifiable"]],
    ["EDITOR", "IN_REVIEW", ["reject", "mark_unverifiable"]],
    ["EDITOR", "VERIFIED", ["reopen"]],
    ["REVIEWER", "VERIFIED", ["reopen"]],
    ["EDITOR", "PUBLISHED", []],
  ] as const)("%s on %s", (role, status, expected) => {
    expect(availableActions(actorWith(role), PROJECT, status)).toEqual(expected);
  });
});

describe("one control per decision", () => {
  const TRIGGERS: Record<TransitionAction, TransitionTrigger> = {
    triage: "button",
    claim: "button",
    assign: "button",
    send_to_review: "button",
    verify: "note_review",
    dispute: "note_review",
    publish: "publishing",
    republish: "publishing",
    unpublish: "publishing",
    reject: "button",
    mark_unverifiable: "button",
    mark_duplicate: "button",
    reopen: "button",
  };
  it.each(TRANSITION_ACTIONS)("%s is set off by exactly one kind of control", (action) => {
    expect(TRANSITIONS[action].trigger).toBe(TRIGGERS[action]);
    expect(BUTTON_ACTIONS.includes(action)).toBe(TRIGGERS[action] === "button");
    expect(triggerMessage(action) === null).toBe(TRIGGERS[action] === "button");
  });

  it("bulk offers the button moves that need no per-item choice; the reason list follows the guards", () => {
    expect(BULK_ACTIONS).toEqual(["triage", "claim", "send_to_review", "reject", "mark_unverifiable", "reopen"]);
    expect(REASON_ACTIONS).toEqual(["dispute", "unpublish", "mark_unverifiable", "reopen"]);
  });

  it("verify confirms the notes; no other move touches them", () => {
    for (const action of TRANSITION_ACTIONS) expect(TRANSITIONS[action].effects ?? []).toEqual(action === "verify" ? ["confirm_notes"] : []);
  });
});

describe("state lists other rules use", () => {
  it.each(ITEM_STATES)("%s", (status) => {
    const evidence = status === "VERIFIED" || status === "PUBLISHED";
    expect(isEvidenceState(status)).toBe(evidence);
    expect(isPublishableState(status)).toBe(evidence);
    expect(isPublicState(status)).toBe(status === "PUBLISHED");
    expect(isUnderReview(status)).toBe(status === "IN_REVIEW");
    expect(UNLINKABLE_STATES.includes(status)).toBe(status === "REJECTED" || status === "DUPLICATE");
  });
  it("publishing a public item is a republish", () => {
    expect(EVIDENCE_STATES).toEqual(PUBLISHABLE_STATES);
    expect(publishActionFor("VERIFIED")).toBe("publish");
    expect(publishActionFor("PUBLISHED")).toBe("republish");
  });
});

describe("decideReviewMove: what a note review does to the item", () => {
  const item = { projectId: PROJECT, status: "IN_REVIEW" as ItemState, submittedById: "sub", assigneeId: null };
  const facts = (confirmations: number, requiredConfirmations: number, extra: Partial<TransitionFacts> = {}): TransitionFacts => ({
    hasGeolocation: true,
    hasChronolocation: true,
    noteAuthorIds: ["author"],
    confirmations,
    requiredConfirmations,
    ...extra,
  });
  it.each([
    ["a confirmation short of the count moves nothing", "APPROVE", facts(0, 1), null],
    ["1 of 2 confirmations moves nothing", "APPROVE", facts(1, 2), null],
    ["the confirmation that completes 1 of 1 verifies", "APPROVE", facts(1, 1), { action: "verify", to: "VERIFIED" }],
    ["the confirmation that completes 2 of 2 verifies", "APPROVE", facts(2, 2), { action: "verify", to: "VERIFIED" }],
    ["confirmations but no chronolocation: nothing", "APPROVE", facts(0, 1, { hasChronolocation: false }), null],
    ["a reviewer who wrote one of the notes does not verify", "APPROVE", facts(1, 1, { noteAuthorIds: ["author", "me"] }), null],
    ["a dispute sends the item back", "REQUEST_CHANGES", facts(0, 1), { action: "dispute", to: "IN_PROGRESS" }],
    ["a dispute after confirmations still sends it back", "REQUEST_CHANGES", facts(1, 2), { action: "dispute", to: "IN_PROGRESS" }],
  ] as const)("%s", (_label, decision, f, expected) => {
    const move = decideReviewMove({ actor: actorWith("REVIEWER"), item, facts: f, decision, noteAuthorId: "author", comment: "The skyline does not match" });
    if (expected === null) expect(move).toBeNull();
    else expect(move).toEqual({ action: expected.action, decision: { ok: true, to: expected.to, assigneeId: undefined } });
  });

  it("a dispute the workflow refuses is reported, not skipped", () => {
    const own = decideReviewMove({ actor: actorWith("REVIEWER"), item, facts: facts(0, 1), decision: "REQUEST_CHANGES", noteAuthorId: "me", comment: "Wrong" });
    expect(own).toMatchObject({ action: "dispute", decision: { ok: false, code: "GUARD" } });
    const contributor = decideReviewMove({ actor: actorWith("CONTRIBUTOR"), item, facts: facts(0, 1), decision: "REQUEST_CHANGES", noteAuthorId: "author", comment: "Wrong" });
    expect(contributor).toMatchObject({ action: "dispute", decision: { ok: false, code: "FORBIDDEN" } });
    const outOfReview = decideReviewMove({ actor: actorWith("REVIEWER"), item: { ...item, status: "IN_PROGRESS" }, facts: facts(0, 1), decision: "REQUEST_CHANGES", noteAuthorId: "author", comment: "Wrong" });
    expect(outOfReview).toMatchObject({ action: "dispute", decision: { ok: false, code: "INVALID_STATE" } });
  });
});
