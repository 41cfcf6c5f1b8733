import { describe, expect, it } from "vitest";
import { DEFAULT_INCIDENT_LIST_STATE, incidentListHasFilters, incidentListStateToSearch, parseIncidentListState, prefixTsQuery } from "./incident-list";

describe("parseIncidentListState", () => {
  it.each([
    ["", {}, []],
    ["q=%20market%20blast%20", { q: "market blast" }, []],
    ["q=a%00b", { q: "a b" }, []],
    ["type=IED,Shelling&type=IED", { type: ["IED", "Shelling"] }, []],
    ["province=Kabul&province=Herat", { province: ["Kabul", "Herat"] }, []],
    ["dated=undated", { dated: "undated" }, []],
    ["dated=sometimes", {}, ["dated=sometimes"]],
    ["evidence=leads-only", { evidence: "leads-only" }, []],
    ["evidence=all", {}, ["evidence=all"]],
    ["from=2022-12-31&to=2022-01-01", { from: "2022-01-01", to: "2022-12-31" }, []],
    ["from=2022-02-30", {}, ["from=2022-02-30"]],
    ["from=2022-01-01&dated=undated", { from: "2022-01-01", dated: "any" }, ["dated=undated (with a date range)"]],
    ["sort=title&dir=asc", { sort: "title", dir: "asc" }, []],
    ["sort=killed", {}, ["sort=killed"]],
    ["page=3&size=100", { page: 3, size: 100 }, []],
    ["page=0", {}, ["page=0"]],
    ["page=2.5", {}, ["page=2.5"]],
    ["size=30", {}, ["size=30"]],
  ])("%s", (query, expected, problems) => {
    const parsed = parseIncidentListState(new URLSearchParams(query));
    expect(parsed.state).toEqual({ ...DEFAULT_INCIDENT_LIST_STATE, ...expected });
    expect(parsed.problems).toEqual(problems);
  });

  it("reads Next.js searchParams objects as well as URLSearchParams", () => {
    expect(parseIncidentListState({ type: ["IED", "Shelling"], page: "2" }).state).toMatchObject({ type: ["IED", "Shelling"], page: 2 });
  });
});

describe("incidentListStateToSearch", () => {
  it.each([
    ["", ""],
    ["page=1&size=50&sort=startAt&dir=desc&dated=any", ""],
    ["type=Shelling,IED&q=kabul", "q=kabul&type=IED,Shelling"],
    ["dated=undated&page=4", "dated=undated&page=4"],
  ])("%s → %s", (query, canonical) => {
    expect(incidentListStateToSearch(parseIncidentListState(new URLSearchParams(query)).state)).toBe(canonical);
  });

  it("round-trips every state it writes", () => {
    const { state } = parseIncidentListState(new URLSearchParams("q=a b&type=X&province=Kabul&dated=dated&evidence=none&from=2021-01-01&to=2021-02-01&sort=province&dir=asc&page=7&size=25"));
    expect(parseIncidentListState(new URLSearchParams(incidentListStateToSearch(state))).state).toEqual(state);
    expect(incidentListHasFilters(state)).toBe(true);
    expect(incidentListHasFilters(DEFAULT_INCIDENT_LIST_STATE)).toBe(false);
  });
});

describe("prefixTsQuery", () => {
  it.each([
    ["kab", "kab:*"],
    ["  Kabul   Market ", "kabul:* & market:*"],
    ["INC-0042", "inc:* & 0042:*"],
    ["کابل", "کابل:*"],
    ["%_\\'\":*&|!()", null],
    ["", null],
  ])("%s → %s", (raw, expected) => {
    expect(prefixTsQuery(raw)).toBe(expected);
  });
});
