import { describe, expect, it } from "vitest";
import { independentConfirmations, reviewChange, type ReviewDecision } from "./notes";

describe("reviewChange: one decision per person and note", () => {
  it.each([
    [null, "APPROVE", "record"],
    [null, "REQUEST_CHANGES", "record"],
    ["APPROVE", "APPROVE", "unchanged"],
    ["REQUEST_CHANGES", "REQUEST_CHANGES", "unchanged"],
    ["APPROVE", "REQUEST_CHANGES", "replace"],
    ["REQUEST_CHANGES", "APPROVE", "replace"],
  ] as const)("%s then %s: %s", (previous, next, expected) => {
    expect(reviewChange(previous, next)).toBe(expected);
  });
});

describe("independentConfirmations counts distinct people who confirmed", () => {
  const r = (reviewerId: string, decision: ReviewDecision = "APPROVE") => ({ reviewerId, decision });
  it.each([
    ["nobody", [], [], 0],
    ["one reviewer", [r("a")], [], 1],
    ["one reviewer twice (old duplicate rows)", [r("a"), r("a")], [], 1],
    ["two reviewers", [r("a"), r("b")], [], 2],
    ["a dispute is not a confirmation", [r("a"), r("b", "REQUEST_CHANGES")], [], 1],
    ["an author's confirmation does not count", [r("a"), r("author")], ["author"], 1],
    ["only authors", [r("author"), r("author")], ["author"], 0],
  ] as const)("%s", (_name, reviews, authors, expected) => {
    expect(independentConfirmations(reviews, authors)).toBe(expected);
  });
});
