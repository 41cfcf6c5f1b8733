import { describe, expect, it } from "vitest";
import { BUILT_IN_VIEWS, DEFAULT_QUEUE_STATE, hasFilters, normaliseTag, parseDay, parseQueueState, queueStateToSearch, summariseBulk, type QueueState } from "./queue";

const parse = (search: string) => parseQueueState(new URLSearchParams(search));

describe("parseQueueState: valid values are taken", () => {
  it.each<[string, Partial<QueueState>]>([
    ["", {}],
    ["q=car+bomb", { q: "car bomb" }],
    ["status=IN_REVIEW", { status: ["IN_REVIEW"] }],
    ["status=in_review,verified", { status: ["IN_REVIEW", "VERIFIED"] }],
    ["status=TRIAGED&status=IN_PROGRESS", { status: ["TRIAGED", "IN_PROGRESS"] }],
    ["status=TRIAGED,TRIAGED", { status: ["TRIAGED"] }],
    ["assignee=me", { assignee: "me" }],
    ["assignee=none", { assignee: "none" }],
    ["assignee=cm0abcdefghij", { assignee: "cm0abcdefghij" }],
    ["platform=telegram,X_TWITTER", { platform: ["TELEGRAM", "X_TWITTER"] }],
    ["province=Kabul,Herat", { province: ["Kabul", "Herat"] }],
    ["incident=inc-0004", { incident: "INC-0004" }],
    ["incident=DW-INC-001", { incident: "DW-INC-001" }],
    ["sensitive=graphic,MINORS", { sensitive: ["graphic", "minors"] }],
    ["tags=Kabul-Airport,night", { tags: ["kabul-airport", "night"] }],
    ["submittedFrom=2024-01-01&submittedTo=2024-02-29", { submittedFrom: "2024-01-01", submittedTo: "2024-02-29" }],
    ["submittedFrom=2024-03-01&submittedTo=2024-01-01", { submittedFrom: "2024-01-01", submittedTo: "2024-03-01" }],
    ["uploadedFrom=2023-12-31", { uploadedFrom: "2023-12-31" }],
    ["dup=1", { duplicates: true }],
    ["dup=true", { duplicates: true }],
    ["dup=0", { duplicates: false }],
    ["sort=title&dir=asc", { sort: "title", dir: "asc" }],
    ["sort=assignee", { sort: "assignee" }],
    ["page=3&size=100", { page: 3, size: 100 }],
    ["hide=tags,flags", { hidden: ["tags", "flags"] }],
  ])("%s", (search, expected) => {
    const { state, problems } = parse(search);
    expect(problems).toEqual([]);
    expect(state).toEqual({ ...DEFAULT_QUEUE_STATE, ...expected });
  });
});

describe("parseQueueState: nonsense falls back to defaults and is reported", () => {
  it.each<[string, Partial<QueueState>, string[]]>([
    ["status=BOGUS", {}, ["status=BOGUS"]],
    ["status=VERIFIED,nope", { status: ["VERIFIED"] }, ["status=nope"]],
    ["platform=myspace", {}, ["platform=myspace"]],
    ["sensitive=spicy", {}, ["sensitive=spicy"]],
    ["assignee=../../etc/passwd", {}, ["assignee=../../etc/passwd"]],
    ["assignee=x", {}, ["assignee=x"]],
    ["incident=';drop table", {}, ["incident=';drop table"]],
    ["submittedFrom=2024-02-30", {}, ["submittedFrom=2024-02-30"]],
    ["submittedTo=yesterday", {}, ["submittedTo=yesterday"]],
    ["uploadedTo=2024-13-01", {}, ["uploadedTo=2024-13-01"]],
    ["dup=maybe", {}, ["dup=maybe"]],
    ["sort=password", {}, ["sort=password"]],
    ["sort=title;DROP", {}, ["sort=title;DROP"]],
    ["dir=sideways", {}, ["dir=sideways"]],
    ["page=0", {}, ["page=0"]],
    ["page=-4", {}, ["page=-4"]],
    ["page=1.5", {}, ["page=1.5"]],
    ["page=9999999999", {}, ["page=9999999999"]],
    ["page=abc", {}, ["page=abc"]],
    ["size=1000000", {}, ["size=1000000"]],
    ["size=7", {}, ["size=7"]],
    ["hide=reference", {}, ["hide=reference"]],
    ["tags=" + "x".repeat(81), {}, ["tags=" + "x".repeat(40)]],
    ["province=Kab%00ul", {}, ["province=Kab\u0000ul"]],
  ])("%s", (search, expected, problems) => {
    const parsed = parse(search);
    expect(parsed.state).toEqual({ ...DEFAULT_QUEUE_STATE, ...expected });
    expect(parsed.problems).toEqual(problems);
  });

  it("bounds free text and removes control characters", () => {
    const { state } = parse(`q=${encodeURIComponent("a\u0000b" + "c".repeat(500))}`);
    expect(state.q.length).toBe(200);
    expect(state.q.startsWith("a b")).toBe(true);
  });

  it("keeps at most 20 values per list", () => {
    const tags = Array.from({ length: 40 }, (_, i) => `t${i}`).join(",");
    expect(parse(`tags=${tags}`).state.tags).toHaveLength(20);
  });

  it("accepts a plain object of search params as Next passes them", () => {
    const { state } = parseQueueState({ status: ["TRIAGED", "IN_PROGRESS"], q: "convoy", page: "2" });
    expect(state).toMatchObject({ status: ["TRIAGED", "IN_PROGRESS"], q: "convoy", page: 2 });
  });
});

describe("queueStateToSearch", () => {
  it("leaves defaults out", () => {
    expect(queueStateToSearch({ ...DEFAULT_QUEUE_STATE })).toBe("");
  });

  it.each([
    "q=convoy&status=IN_PROGRESS,TRIAGED&province=Herat,Kabul&sort=title&dir=asc&page=2",
    "assignee=me&platform=TELEGRAM&incident=INC-0001&sensitive=graphic&tags=a,b",
    "submittedFrom=2024-01-01&submittedTo=2024-01-31&uploadedFrom=2023-12-01&uploadedTo=2023-12-31&dup=1&size=100&hide=flags,tags",
  ])("round-trips %s", (search) => {
    const once = queueStateToSearch(parse(search).state);
    expect(parse(once).state).toEqual(parse(search).state);
    expect(queueStateToSearch(parse(once).state)).toBe(once);
  });

  it("is canonical: the same view in another order gives the same string", () => {
    expect(queueStateToSearch(parse("status=TRIAGED,SUBMITTED&tags=b,a").state)).toBe(queueStateToSearch(parse("tags=a,b&status=SUBMITTED&status=TRIAGED").state));
  });

  it("every built-in view parses cleanly", () => {
    for (const view of BUILT_IN_VIEWS) expect(parse(view.search).problems).toEqual([]);
  });
});

describe("helpers", () => {
  it.each([
    ["2024-02-29", "2024-02-29"],
    ["2023-02-29", null],
    ["2024-1-01", null],
    // PostgreSQL has no year 0, and the day after 9999-12-31 is in year 10000.
    ["0000-01-01", null],
    ["9999-12-31", null],
    ["1899-12-31", null],
    ["1900-01-01", "1900-01-01"],
    ["2999-12-31", "2999-12-31"],
    ["", null],
    [undefined, null],
  ])("parseDay(%s) = %s", (raw, expected) => {
    expect(parseDay(raw)).toBe(expected);
  });

  it.each([
    [" Kabul Airport ", "kabul-airport"],
    ["needs:translation", "needs:translation"],
    ["Кабул", "кабул"],
    ["<script>", "script"],
    ["!!!", null],
    ["x".repeat(41), null],
  ])("normaliseTag(%j) = %j", (raw, expected) => {
    expect(normaliseTag(raw)).toBe(expected);
  });

  it("hasFilters is false only for an unfiltered view", () => {
    expect(hasFilters({ ...DEFAULT_QUEUE_STATE, page: 4, sort: "title" })).toBe(false);
    expect(hasFilters(parse("dup=1").state)).toBe(true);
    expect(hasFilters(parse("q=x").state)).toBe(true);
    expect(hasFilters(parse("assignee=none").state)).toBe(true);
  });

  it("summariseBulk counts applied and skipped items", () => {
    const ok = { itemId: "a", reference: "A-1", ok: true as const, message: "done" };
    const no = { itemId: "b", reference: "A-2", ok: false as const, code: "VALIDATION", message: "no" };
    expect(summariseBulk([ok, ok])).toEqual({ applied: 2, skipped: 0, text: "Applied to all 2 items." });
    expect(summariseBulk([ok, no, no])).toMatchObject({ applied: 1, skipped: 2 });
  });
});

describe("readable links", () => {
  it("keeps list commas unencoded and round-trips a comma inside the search text", () => {
    const search = queueStateToSearch(parse("status=TRIAGED,SUBMITTED&q=car%2C+bomb").state);
    expect(search).toBe("q=car,+bomb&status=SUBMITTED,TRIAGED");
    expect(parse(search).state).toMatchObject({ q: "car, bomb", status: ["SUBMITTED", "TRIAGED"] });
  });
});
