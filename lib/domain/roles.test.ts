import { describe, expect, it } from "vitest";
import { roleChange, roleChangeQuestion } from "./roles";

describe("roleChange orders roles CONTRIBUTOR < INVESTIGATOR < REVIEWER < EDITOR", () => {
  it.each([
    ["EDITOR", "EDITOR", "none"],
    [null, null, "none"],
    [null, "CONTRIBUTOR", "add"],
    [null, "EDITOR", "add"],
    ["CONTRIBUTOR", "INVESTIGATOR", "promote"],
    ["REVIEWER", "EDITOR", "promote"],
    ["EDITOR", "REVIEWER", "demote"],
    ["EDITOR", "CONTRIBUTOR", "demote"],
    ["INVESTIGATOR", "CONTRIBUTOR", "demote"],
    ["CONTRIBUTOR", null, "remove"],
    ["EDITOR", null, "remove"],
  ] as const)("%s -> %s: %s", (from, to, expected) => {
    expect(roleChange(from, to)).toBe(expected);
  });
});

describe("roleChangeQuestion asks only before rights are taken away, naming the person", () => {
  it("demotion", () => {
    expect(roleChangeQuestion("Erin Editor", "Demo Witness", "EDITOR", "CONTRIBUTOR")).toBe("Demote Erin Editor from EDITOR to CONTRIBUTOR in Demo Witness?");
  });
  it("removal", () => {
    expect(roleChangeQuestion("Erin Editor", "Demo Witness", "EDITOR", null)).toBe("Remove Erin Editor (EDITOR) from Demo Witness? They lose access to its evidence at once.");
  });
  it.each([
    [null, "EDITOR"],
    ["CONTRIBUTOR", "EDITOR"],
    ["EDITOR", "EDITOR"],
    [null, null],
  ] as const)("%s -> %s needs no question", (from, to) => {
    expect(roleChangeQuestion("Erin Editor", "Demo Witness", from, to)).toBeNull();
  });
});
