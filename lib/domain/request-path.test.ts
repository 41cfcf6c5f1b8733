import { describe, expect, it } from "vitest";
import { malformedPathSegment } from "./request-path";

describe("malformedPathSegment", () => {
  it.each<[string, string | null]>([
    ["/", null],
    ["/projects/demo/items/DW-1", null],
    ["/projects/d%C3%A9mo/items", null],
    ["/api/v1/projects/%E0%A4%A/items", "%E0%A4%A"],
    ["/projects/demo/items/%E0%A4%A", "%E0%A4%A"],
    ["/public/%ZZ", "%ZZ"],
    ["/public/50%", "50%"],
    ["/public/%C3", "%C3"],
    // The query is not part of the path: Next and URLSearchParams read it leniently.
    ["/projects/demo/queue?q=%E0%A4%A", null],
  ])("%s -> %j", (raw, expected) => {
    expect(malformedPathSegment(raw)).toBe(expected);
  });
});
