import { describe, expect, it } from "vitest";
import type { Actor } from "./permissions";
import { ITEM_STATES, TRANSITION_ACTIONS, availableActions, decideTransition, type ItemState, type TransitionAction, type TransitionFacts } from "./review-workflow";
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
const fullInput = { reason: "because of X", rejectionReason: "RECYCLED", duplicateOfId: "other", assigneeId: "u2" };

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
    ["dispute own notes", () => base("dispute", "IN_REVIEW", { noteAuthorIds: ["me"] }, { reason: "wrong" }), /someone else must review/],
    ["verify without confirmations", () => base("verify", "IN_REVIEW", { confirmations: 0 }), /Needs 1 independent confirmation of the geolocation and chronolocation \(has 0\)/],
    ["verify with 1 of 2 confirmations", () => base("verify", "IN_REVIEW", { confirmations: 1, requiredConfirmations: 2 }), /Needs 2 independent confirmations/],
    ["dispute without reason", () => base("dispute", "IN_REVIEW", {}, { reason: "  " }), /Give a reason/],
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
    ["REVIEWER", "IN_REVIEW", ["verify", "dispute", "reject", "mark_unverifiable"]],
    ["EDITOR", "VERIFIED", ["publish", "reopen"]],
    ["REVIEWER", "VERIFIED", ["reopen"]],
  ] as const)("%s on %s", (role, status, expected) => {
    expect(availableActions(actorWith(role), PROJECT, status)).toEqual(expected);
  });
});
