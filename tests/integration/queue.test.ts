import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { parseQueueState } from "../../lib/domain/queue";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { addComment } from "../../lib/server/services/comments/add-comment";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { bulkUpdate } from "../../lib/server/services/queue/bulk-update";
import { queryQueue, queueFacets, readScopeFor } from "../../lib/server/services/queue/query-queue";
import { queueItemIdsSql } from "../../lib/server/services/queue/queue-sql";
import { deleteView, listSavedViews, saveView } from "../../lib/server/services/queue/saved-views";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

let project: { id: string; slug: string };
let other: { id: string; slug: string };
const actors: Record<string, Actor> = {};
const items: Array<{ id: string; reference: string }> = [];
const PROVINCES = ["Kabul", "Herat", "Balkh"];
const STATUSES = ["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW", "VERIFIED", "REJECTED"] as const;

const view = (actor: Actor, search: string, slug = project.slug) => queryQueue(actor, { projectSlug: slug, state: parseQueueState(new URLSearchParams(search)).state });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

beforeAll(async () => {
  project = await makeProject();
  other = await makeProject();
  for (const [key, role] of [
    ["contributor", "CONTRIBUTOR"],
    ["investigator", "INVESTIGATOR"],
    ["reviewer", "REVIEWER"],
    ["editor", "EDITOR"],
  ] as const) {
    actors[key] = await actorFor((await makeUser({ projectId: project.id, role })).id);
  }
  actors.outsider = await actorFor((await makeUser({ projectId: other.id, role: "EDITOR" })).id);

  for (let n = 0; n < 36; n++) {
    const submitter = n % 4 === 0 ? actors.contributor! : actors.investigator!;
    const item = await submitEvidence(submitter, {
      projectId: project.id,
      title: n === 7 ? "Convoy of armoured vehicles near the checkpoint" : `Queue item ${String(n).padStart(2, "0")}`,
      description: n === 8 ? "Smoke rising after an explosion at the market" : "",
      platform: n % 2 === 0 ? "TELEGRAM" : "X_TWITTER",
      sourceUrls: [n === 30 || n === 31 ? "https://example.org/shared-post" : `https://example.org/post/${n}`],
    });
    items.push({ id: item.id, reference: item.reference });
    await db().evidenceItem.update({
      where: { id: item.id },
      data: { status: STATUSES[n % STATUSES.length], province: PROVINCES[n % 3], tags: n % 5 === 0 ? ["night"] : [], sensitiveGraphic: n % 9 === 0 },
    });
  }
  await addComment(actors.investigator!, { itemId: items[12]!.id, body: "The minaret matches the Pul-e-Khishti mosque" });
  await submitEvidence(actors.outsider!, { projectId: other.id, title: "Convoy in another project", sourceUrls: ["https://example.org/other"] });
});

describe("queue query", () => {
  it("pages through every readable item exactly once in a stable order", async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 2; page++) {
      const result = await view(actors.investigator!, `size=25&page=${page}&sort=status`);
      expect(result.total).toBe(36);
      expect(result.pageCount).toBe(2);
      seen.push(...result.rows.map((r) => r.id));
    }
    expect(new Set(seen).size).toBe(36);
    expect(seen.sort()).toEqual(items.map((i) => i.id).sort());
  });

  it("filters by status and province in the database", async () => {
    const result = await view(actors.investigator!, "status=TRIAGED,IN_PROGRESS&province=Kabul");
    const expected = items.filter((_, n) => ["TRIAGED", "IN_PROGRESS"].includes(STATUSES[n % 6]!) && PROVINCES[n % 3] === "Kabul");
    expect(result.total).toBe(expected.length);
    expect(result.rows.map((r) => r.id).sort()).toEqual(expected.map((i) => i.id).sort());
    for (const row of result.rows) expect(row.province).toBe("Kabul");
  });

  it("sorts by title both ways", async () => {
    const asc = await view(actors.investigator!, "sort=title&dir=asc&size=100");
    const titles = asc.rows.map((r) => r.title.toLowerCase());
    expect(titles).toEqual([...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const desc = await view(actors.investigator!, "sort=title&dir=desc&size=100");
    expect(desc.rows.map((r) => r.id)).toEqual(asc.rows.map((r) => r.id).reverse());
  });

  it("full-text search finds titles, stemmed descriptions and comment text, never other projects", async () => {
    const convoy = await view(actors.investigator!, "q=convoy");
    expect(convoy.rows.map((r) => r.reference)).toEqual([items[7]!.reference]);
    const explosions = await view(actors.investigator!, "q=explosions");
    expect(explosions.rows.map((r) => r.reference)).toEqual([items[8]!.reference]);
    const minaret = await view(actors.investigator!, "q=minaret");
    expect(minaret.rows.map((r) => r.reference)).toEqual([items[12]!.reference]);
    expect((await view(actors.investigator!, 'q="armoured vehicles" -checkpoint')).total).toBe(0);
  });

  it("filters tags, platform, sensitivity and possible duplicates", async () => {
    expect((await view(actors.investigator!, "tags=night")).total).toBe(items.filter((_, n) => n % 5 === 0).length);
    expect((await view(actors.investigator!, "platform=TELEGRAM")).total).toBe(18);
    expect((await view(actors.investigator!, "sensitive=graphic")).total).toBe(items.filter((_, n) => n % 9 === 0).length);
    const dup = await view(actors.investigator!, "dup=1");
    expect(dup.rows.map((r) => r.id).sort()).toEqual([items[30]!.id, items[31]!.id].sort());
  });

  it("a contributor's queue holds only their own submissions; an outsider gets NOT_FOUND", async () => {
    const own = await view(actors.contributor!, "size=100");
    expect(own.total).toBe(9);
    expect((await view(actors.contributor!, "q=convoy")).total).toBe(0);
    expect(await codeOf(view(actors.outsider!, ""))).toBe("NOT_FOUND");
  });

  it("nonsense URL values fall back to defaults, and a page past the end shows the last page", async () => {
    const parsed = parseQueueState(new URLSearchParams("status=NOPE&sort=password&page=99&size=5000&submittedFrom=tomorrow"));
    expect(parsed.problems.length).toBe(4);
    const result = await queryQueue(actors.investigator!, { projectSlug: project.slug, state: parsed.state });
    expect(result.total).toBe(36);
    expect(result.page).toBe(1);
  });

  it("the ids SQL selects the same items as the page query", async () => {
    const state = parseQueueState(new URLSearchParams("province=Herat")).state;
    const ids = await db().$queryRaw<Array<{ id: string }>>(queueItemIdsSql(project.id, state, readScopeFor(actors.investigator!, project.id), actors.investigator!.userId));
    const page = await queryQueue(actors.investigator!, { projectSlug: project.slug, state: { ...state, size: 100 } });
    expect(ids.map((r) => r.id).sort()).toEqual(page.rows.map((r) => r.id).sort());
  });

  it("facets list assignable members, provinces and tags", async () => {
    const facets = await queueFacets(actors.investigator!, project.slug);
    expect(facets.provinces).toEqual([...PROVINCES].sort());
    expect(facets.tags).toEqual(["night"]);
    expect(facets.members.map((m) => m.id).sort()).toEqual([actors.investigator!.userId, actors.reviewer!.userId, actors.editor!.userId].sort());
  });
});

describe("saved views", () => {
  it("save, list, replace by name and delete your own; others cannot delete it", async () => {
    const saved = await saveView(actors.investigator!, { projectId: project.id, name: "Kabul triage", search: "province=Kabul&status=TRIAGED&page=4" });
    expect(saved.search).toBe("status=TRIAGED&province=Kabul");
    await saveView(actors.investigator!, { projectId: project.id, name: "Kabul triage", search: "province=Kabul" });
    const views = await listSavedViews(actors.investigator!, project.slug);
    const mine = views.filter((v) => !v.builtIn);
    expect(mine).toEqual([{ id: saved.id, name: "Kabul triage", search: "province=Kabul", builtIn: false }]);
    expect(views.some((v) => v.builtIn && v.name === "My review queue")).toBe(true);
    expect((await listSavedViews(actors.reviewer!, project.slug)).filter((v) => !v.builtIn)).toEqual([]);

    expect(await codeOf(deleteView(actors.reviewer!, { viewId: saved.id }))).toBe("NOT_FOUND");
    expect(await codeOf(saveView(actors.outsider!, { projectId: project.id, name: "x", search: "" }))).toBe("NOT_FOUND");
    expect(await codeOf(saveView(actors.investigator!, { projectId: project.id, name: "My review queue", search: "" }))).toBe("VALIDATION");
    await deleteView(actors.investigator!, { viewId: saved.id });
    expect((await listSavedViews(actors.investigator!, project.slug)).filter((v) => !v.builtIn)).toEqual([]);
  });
});

describe("bulk actions", () => {
  it("an investigator bulk-assigns ten items; closed and stale ones are reported, not silently skipped", async () => {
    const page = await view(actors.investigator!, "size=100&sort=reference&dir=asc");
    const open = page.rows.filter((r) => ["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW"].includes(r.status)).slice(0, 9);
    const closed = page.rows.find((r) => r.status === "REJECTED")!;
    const stale = open[0]!;
    const targets = [...open.map((r) => ({ itemId: r.id, version: r.version })), { itemId: closed.id, version: closed.version }];
    targets[0] = { itemId: stale.id, version: stale.version + 5 };
    const report = await bulkUpdate(actors.investigator!, { action: "assign", projectId: project.id, items: targets, assigneeId: actors.reviewer!.userId });
    expect(report.outcomes).toHaveLength(10);
    expect(report.applied).toBe(8);
    expect(report.outcomes.find((o) => o.itemId === closed.id)).toMatchObject({ ok: false, code: "VALIDATION" });
    expect(report.outcomes.find((o) => o.itemId === stale.id)).toMatchObject({ ok: false, code: "CONFLICT" });

    const after = await view(actors.investigator!, `assignee=${actors.reviewer!.userId}&size=100`);
    expect(after.rows.map((r) => r.id).sort()).toEqual(open.slice(1).map((r) => r.id).sort());
    const notes = await db().notification.count({ where: { userId: actors.reviewer!.userId, kind: "ASSIGNMENT" } });
    expect(notes).toBe(8);
    expect((await view(actors.reviewer!, "assignee=me")).total).toBe(8);
  });

  it("tags and untags without bumping versions; transitions follow each item's rules", async () => {
    const rows = (await view(actors.investigator!, "status=SUBMITTED,REJECTED&size=100")).rows;
    const report = await bulkUpdate(actors.investigator!, { action: "tag", projectId: project.id, items: rows.map((r) => ({ itemId: r.id, version: r.version })), tag: "Needs Translation" });
    expect(report.applied).toBe(rows.length);
    const tagged = await view(actors.investigator!, "tags=needs-translation&size=100");
    expect(tagged.total).toBe(rows.length);
    for (const row of tagged.rows) expect(row.version).toBe(rows.find((r) => r.id === row.id)!.version);

    const triage = await bulkUpdate(actors.investigator!, { action: "transition", projectId: project.id, items: rows.map((r) => ({ itemId: r.id, version: r.version })), transition: "triage" });
    const submitted = rows.filter((r) => r.status === "SUBMITTED");
    expect(triage.applied).toBe(submitted.length);
    for (const outcome of triage.outcomes) {
      const wasSubmitted = submitted.some((r) => r.id === outcome.itemId);
      expect(outcome.ok).toBe(wasSubmitted);
    }
    const untag = await bulkUpdate(actors.investigator!, { action: "untag", projectId: project.id, items: rows.map((r) => ({ itemId: r.id, version: 0 })), tag: "needs-translation" });
    expect(untag.applied).toBe(rows.length);
    expect((await view(actors.investigator!, "tags=needs-translation")).total).toBe(0);
  });

  it("refuses contributors, outsiders, items of other projects and bad input", async () => {
    const item = items[1]!;
    const otherItem = await db().evidenceItem.findFirstOrThrow({ where: { projectId: other.id } });
    expect(await codeOf(bulkUpdate(actors.contributor!, { action: "tag", projectId: project.id, items: [{ itemId: item.id, version: 0 }], tag: "x" }))).toBe("FORBIDDEN");
    expect(await codeOf(bulkUpdate(actors.outsider!, { action: "tag", projectId: project.id, items: [{ itemId: item.id, version: 0 }], tag: "x" }))).toBe("NOT_FOUND");
    const report = await bulkUpdate(actors.investigator!, { action: "tag", projectId: project.id, items: [{ itemId: otherItem.id, version: 0 }], tag: "x" });
    expect(report.outcomes[0]).toMatchObject({ ok: false, code: "NOT_FOUND" });
    expect((await db().evidenceItem.findUniqueOrThrow({ where: { id: otherItem.id } })).tags).toEqual([]);
    expect(await codeOf(bulkUpdate(actors.investigator!, { action: "assign", projectId: project.id, items: [{ itemId: item.id, version: 0 }], assigneeId: actors.contributor!.userId }))).toBe("VALIDATION");
    expect(await codeOf(bulkUpdate(actors.investigator!, { action: "explode", projectId: project.id, items: [] }))).toBe("VALIDATION");
    expect(await codeOf(bulkUpdate(actors.investigator!, { action: "tag", projectId: project.id, items: Array.from({ length: 201 }, () => ({ itemId: item.id, version: 0 })), tag: "x" }))).toBe("VALIDATION");
  });

  it("every bulk change is on the audit chain", async () => {
    expect(await db().auditEvent.count({ where: { action: "item.set_assignee" } })).toBe(8);
    expect((await verifyStoredAuditChain(db())).ok).toBe(true);
  });
});
