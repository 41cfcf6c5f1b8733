import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { transitionItem } from "../../lib/server/services/items/transition-item";
import { reviewNote } from "../../lib/server/services/notes/review-note";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

let project: { id: string; slug: string };
const actors: Record<string, Actor> = {};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

async function newItem(): Promise<string> {
  const item = await submitEvidence(actors.contributor!, { projectId: project.id, title: "Item under review", sourceUrls: ["https://example.org/post/1"] });
  return item.id;
}

async function addNotes(itemId: string, authorId: string) {
  const geo = await db().geolocation.create({ data: { itemId, authorId, latitude: 34.5553, longitude: 69.2075, precisionM: 100 } });
  const chrono = await db().chronolocation.create({
    data: { itemId, authorId, earliestAt: new Date("2022-09-30T02:30:00Z"), latestAt: new Date("2022-09-30T03:30:00Z"), confidence: "MEDIUM", methods: ["SUN"] },
  });
  return { geo, chrono };
}

beforeAll(async () => {
  project = await makeProject();
  for (const [key, role] of [
    ["contributor", "CONTRIBUTOR"],
    ["a", "INVESTIGATOR"],
    ["b", "INVESTIGATOR"],
    ["c", "INVESTIGATOR"],
    ["reviewer", "REVIEWER"],
    ["editor", "EDITOR"],
  ] as const) {
    actors[key] = await actorFor((await makeUser({ projectId: project.id, role })).id);
  }
});

describe("review workflow against the database", () => {
  it("exactly one of many parallel conflicting transitions wins; the rest get a conflict", async () => {
    const itemId = await newItem();
    await transitionItem(actors.a!, { itemId, action: "triage", expectedVersion: 0 });
    const claimers = [actors.a!, actors.b!, actors.c!, actors.reviewer!, actors.editor!, actors.a!, actors.b!, actors.c!];
    const results = await Promise.allSettled(claimers.map((actor) => transitionItem(actor, { itemId, action: "claim", expectedVersion: 1 })));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(claimers.length - 1);
    for (const r of lost) expect((r.reason as DomainError).code).toBe("CONFLICT");

    const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } });
    expect(item).toMatchObject({ status: "IN_PROGRESS", version: 2 });
    const claims = await db().auditEvent.findMany({ where: { entityId: itemId, action: "item.claim" } });
    expect(claims).toHaveLength(1);
    expect(item.assigneeId).toBe(claims[0]!.actorId);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("parallel different actions on one item: one wins, state stays consistent", async () => {
    const itemId = await newItem();
    const results = await Promise.allSettled([
      transitionItem(actors.a!, { itemId, action: "triage", expectedVersion: 0 }),
      transitionItem(actors.editor!, { itemId, action: "reject", expectedVersion: 0, rejectionReason: "IRRELEVANT" }),
      transitionItem(actors.reviewer!, { itemId, action: "reject", expectedVersion: 0, rejectionReason: "RECYCLED", reason: "Older event" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } });
    expect(item.version).toBe(1);
    expect(await db().auditEvent.count({ where: { entityId: itemId, action: { in: ["item.triage", "item.reject"] } } })).toBe(1);
  });

  it("walks an item to VERIFIED with peer review, refusing each shortcut and changing nothing when it refuses", async () => {
    const itemId = await newItem();
    expect(await codeOf(transitionItem(actors.contributor!, { itemId, action: "triage", expectedVersion: 0 }))).toBe("FORBIDDEN");
    await transitionItem(actors.a!, { itemId, action: "triage", expectedVersion: 0 });
    await transitionItem(actors.a!, { itemId, action: "claim", expectedVersion: 1 });
    expect(await codeOf(transitionItem(actors.a!, { itemId, action: "send_to_review", expectedVersion: 2 }))).toBe("VALIDATION");
    const { geo, chrono } = await addNotes(itemId, actors.a!.userId);
    // A stale form (version 1) is refused even though the action itself would be allowed.
    expect(await codeOf(transitionItem(actors.a!, { itemId, action: "send_to_review", expectedVersion: 1 }))).toBe("CONFLICT");
    await transitionItem(actors.a!, { itemId, action: "send_to_review", expectedVersion: 2 });

    // The author cannot review their own work; verification and disputes are note reviews, not
    // workflow buttons; and an investigator cannot review at all.
    await db().membership.updateMany({ where: { userId: actors.a!.userId, projectId: project.id }, data: { role: "REVIEWER" } });
    const authorAsReviewer = await actorFor(actors.a!.userId);
    expect(await codeOf(reviewNote(authorAsReviewer, { itemId, target: "GEOLOCATION", noteId: geo.id, decision: "APPROVE" }))).toBe("VALIDATION");
    expect(await codeOf(transitionItem(actors.reviewer!, { itemId, action: "verify", expectedVersion: 3 }))).toBe("VALIDATION");
    expect(await codeOf(transitionItem(actors.reviewer!, { itemId, action: "dispute", expectedVersion: 3, reason: "Minaret does not match" }))).toBe("VALIDATION");
    expect(await codeOf(reviewNote(actors.b!, { itemId, target: "GEOLOCATION", noteId: geo.id, decision: "APPROVE" }))).toBe("FORBIDDEN");
    const untouched = await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } });
    expect(untouched).toMatchObject({ status: "IN_REVIEW", version: 3 });
    expect(await db().review.count({ where: { itemId } })).toBe(0);

    // A dispute needs a comment (the reason) and sends the item back.
    expect(await codeOf(reviewNote(actors.reviewer!, { itemId, target: "GEOLOCATION", noteId: geo.id, decision: "REQUEST_CHANGES" }))).toBe("VALIDATION");
    await reviewNote(actors.reviewer!, { itemId, target: "GEOLOCATION", noteId: geo.id, decision: "REQUEST_CHANGES", comment: "Minaret does not match" });
    const geo2 = await db().geolocation.create({ data: { itemId, authorId: actors.a!.userId, latitude: 34.5562, longitude: 69.2081, precisionM: 10 } });
    await transitionItem(authorAsReviewer, { itemId, action: "send_to_review", expectedVersion: 4 });

    await reviewNote(actors.reviewer!, { itemId, target: "GEOLOCATION", noteId: geo2.id, decision: "APPROVE" });
    expect((await reviewNote(actors.reviewer!, { itemId, target: "CHRONOLOCATION", noteId: chrono.id, decision: "APPROVE" })).itemStatus).toBe("VERIFIED");
    expect(await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ status: "VERIFIED", version: 6 });
    const history = await db().auditEvent.findMany({ where: { entityId: itemId, action: { startsWith: "item." } }, orderBy: { seq: "asc" } });
    expect(history.map((e) => e.action)).toEqual(["item.submit", "item.triage", "item.claim", "item.send_to_review", "item.dispute", "item.send_to_review", "item.verify"]);
    expect(history.find((e) => e.action === "item.dispute")!.after).toMatchObject({ reason: "Minaret does not match" });
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("marks an item as a duplicate of another by its reference, keeping its sources", async () => {
    const original = await submitEvidence(actors.contributor!, { projectId: project.id, title: "Original", sourceUrls: ["https://example.org/post/orig"] });
    const itemId = await newItem();
    expect(await codeOf(transitionItem(actors.a!, { itemId, action: "mark_duplicate", expectedVersion: 0, duplicateOfReference: "ZZ-9999" }))).toBe("VALIDATION");
    await transitionItem(actors.a!, { itemId, action: "mark_duplicate", expectedVersion: 0, duplicateOfReference: original.reference.toLowerCase() });
    const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId }, include: { sources: true } });
    expect(item).toMatchObject({ status: "DUPLICATE", duplicateOfId: original.id });
    expect(item.sources).toHaveLength(1);
  });

  it("rejects malformed and forged requests clearly", async () => {
    const itemId = await newItem();
    expect(await codeOf(transitionItem(actors.a!, { itemId, action: "explode", expectedVersion: 0 }))).toBe("VALIDATION");
    expect(await codeOf(transitionItem(actors.a!, { itemId, action: "reject", expectedVersion: 0, rejectionReason: "BORING" }))).toBe("VALIDATION");
    expect(await codeOf(transitionItem(actors.a!, { itemId: "nope", action: "triage", expectedVersion: 0 }))).toBe("NOT_FOUND");
    const outsider = await actorFor((await makeUser({ projectId: (await makeProject()).id, role: "EDITOR" })).id);
    expect(await codeOf(transitionItem(outsider, { itemId, action: "triage", expectedVersion: 0 }))).toBe("NOT_FOUND");
    expect((await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } })).version).toBe(0);
  });
});
