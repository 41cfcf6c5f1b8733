import { describe, expect, it } from "vitest";
import { extractMentions, handleOf } from "./mentions";

describe("extractMentions", () => {
  it.each([
    ["@reviewer please check", ["reviewer"]],
    ["cc @Reviewer and @editor.", ["reviewer", "editor"]],
    ["@a.b-c_d: done", ["a.b-c_d"]],
    ["twice @x and @x", ["x"]],
    ["email someone@example.org is not a mention", []],
    ["@@double is not one", []],
    ["no mentions here", []],
    ["(@inside) parentheses", ["inside"]],
    ["line\n@start of line", ["start"]],
    ["trailing dots @name...", ["name"]],
  ])("%j -> %j", (text, expected) => {
    expect(extractMentions(text)).toEqual(expected);
  });

  it("derives handles from emails", () => {
    expect(handleOf("Reviewer@Demo.Groundtruth.test")).toBe("reviewer");
  });
});
