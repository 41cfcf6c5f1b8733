import { describe, expect, it } from "vitest";
import { independentConfirmations, latestReviewPerNote, reviewChange, type ReviewDecision } from "./notes";

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

describe("latestReviewPerNote keeps each reviewer's latest review of each note", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
  it("drops older duplicates, breaks ties by id, keeps everything else in order", () => {
    const rows = [
      { id: "g1-old", reviewerId: "a", geolocationId: "g1", chronolocationId: null, createdAt: at(1) },
      { id: "g1-b", reviewerId: "b", geolocationId: "g1", chronolocationId: null, createdAt: at(1) },
      { id: "g1-new", reviewerId: "a", geolocationId: "g1", chronolocationId: null, createdAt: at(3) },
      { id: "c1-x", reviewerId: "a", geolocationId: null, chronolocationId: "c1", createdAt: at(5) },
      { id: "c1-y", reviewerId: "a", geolocationId: null, chronolocationId: "c1", createdAt: at(5) },
      { id: "g2", reviewerId: "a", geolocationId: "g2", chronolocationId: null, createdAt: at(0) },
      { id: "item-1", reviewerId: "a", geolocationId: null, chronolocationId: null, createdAt: at(0) },
      { id: "item-2", reviewerId: "a", geolocationId: null, chronolocationId: null, createdAt: at(0) },
    ];
    expect(latestReviewPerNote(rows).map((r) => r.id)).toEqual(["g1-b", "g1-new", "c1-y", "g2", "item-1", "item-2"]);
  });
  it("returns rows without duplicates unchanged", () => {
    const rows = [{ id: "1", reviewerId: "a", geolocationId: "g", createdAt: at(1) }, { id: "2", reviewerId: "b", geolocationId: "g", createdAt: at(1) }];
    expect(latestReviewPerNote(rows)).toEqual(rows);
  });
});
