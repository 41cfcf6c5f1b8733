// Every automatic status move, against the database: each is decided by the workflow table
// (lib/domain/review-workflow.ts) and written by applyItemTransition, which leaves an
// `item.<move>` audit event. One test per move, asserting the rows and the events.
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { applyItemTransition } from "../../lib/server/services/items/apply-item-transition";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { transitionItem } from "../../lib/server/services/items/transition-item";
import { proposeChronolocation, proposeGeolocation } from "../../lib/server/services/notes/propose-notes";
import { reviewNote } from "../../lib/server/services/notes/review-note";
import { publishIncident, publishItem, unpublishIncident, unpublishItem } from "../../lib/server/services/publishing/publish";
import { bulkUpdate } from "../../lib/server/services/queue/bulk-update";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

let project: { id: string };
const a: Record<string, Actor> = {};

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const row = (itemId: string) => db().evidenceItem.findUniqueOrThrow({ where: { id: itemId }, select: { status: true, version: true, statusReason: true } });
const itemEvents = (itemId: string) =>
  db().auditEvent.findMany({ where: { entityId: itemId, action: { startsWith: "item." } }, orderBy: { seq: "asc" }, select: { action: true, actorId: true, before: true, after: true } });
const lastEvents = async (itemId: string, n: number) => (await db().auditEvent.findMany({ where: { entityId: itemId }, orderBy: { seq: "desc" }, take: n, select: { action: true } })).map((e) => e.action).reverse();

/** An item in review with one geolocation and one chronolocation by the author, in `projectId`. */
async function itemInReview(projectId: string, people: Record<string, Actor>) {
  const { id: itemId } = await submitEvidence(people.contributor!, { projectId, title: "Strike on a market", sourceUrls: [`https://example.org/p/${Math.random()}`] });
  await transitionItem(people.author!, { itemId, action: "triage", expectedVersion: 0 });
  await transitionItem(people.author!, { itemId, action: "claim", expectedVersion: 1 });
  const geo = await proposeGeolocation(people.author!, { itemId, point: "34.5553, 69.2075", precisionM: 50, method: "Skyline and minaret" });
  const chrono = await proposeChronolocation(people.author!, { itemId, earliest: "2022-09-30T02:30", latest: "2022-09-30T03:30", confidence: "MEDIUM", methods: ["SUN_AND_SHADOWS"] });
  await transitionItem(people.author!, { itemId, action: "send_to_review", expectedVersion: (await row(itemId)).version });
  return { itemId, geoId: geo.id, chronoId: chrono.id };
}

/** A verified item with confirmed notes, ready to publish. */
async function verifiedItem(title: string) {
  const item = await submitEvidence(a.contributor!, { projectId: project.id, title, sourceUrls: [`https://example.org/${encodeURIComponent(title)}`] });
  await db().evidenceItem.update({ where: { id: item.id }, data: { status: "VERIFIED" } });
  await db().geolocation.create({ data: { itemId: item.id, authorId: a.author!.userId, latitude: 34.5, longitude: 69.2, precisionM: 100, status: "CONFIRMED" } });
  await db().chronolocation.create({
    data: { itemId: item.id, authorId: a.author!.userId, earliestAt: new Date("2024-05-02T08:00:00Z"), latestAt: new Date("2024-05-02T08:30:00Z"), confidence: "HIGH", methods: ["SUN"], status: "CONFIRMED" },
  });
  return db().evidenceItem.findUniqueOrThrow({ where: { id: item.id }, select: { id: true, reference: true, version: true } });
}

beforeAll(async () => {
  project = await makeProject();
  for (const [key, role] of [["contributor", "CONTRIBUTOR"], ["author", "INVESTIGATOR"], ["first", "REVIEWER"], ["second", "REVIEWER"], ["editor", "EDITOR"]] as const) {
    a[key] = await actorFor((await makeUser({ projectId: project.id, role })).id);
  }
});

describe("requiredConfirmations = 2", () => {
  const s: Record<string, Actor> = {};
  let strict: { id: string };
  beforeAll(async () => {
    strict = await makeProject();
    await db().project.update({ where: { id: strict.id }, data: { settings: { timeZone: "Asia/Kabul", requiredConfirmations: 2 } } });
    for (const [key, role] of [["contributor", "CONTRIBUTOR"], ["author", "INVESTIGATOR"], ["first", "REVIEWER"], ["second", "REVIEWER"]] as const) {
      s[key] = await actorFor((await makeUser({ projectId: strict.id, role })).id);
    }
  });

  it("one reviewer's confirmations leave the item in review; a second reviewer's verify it; the author cannot confirm", async () => {
    const { itemId, geoId, chronoId } = await itemInReview(strict.id, s);
    const inReview = await row(itemId);

    // The author (promoted to reviewer) cannot confirm their own notes: nothing is written.
    await db().membership.updateMany({ where: { userId: s.author!.userId, projectId: strict.id }, data: { role: "REVIEWER" } });
    const authorAsReviewer = await actorFor(s.author!.userId);
    for (const [target, noteId] of [["GEOLOCATION", geoId], ["CHRONOLOCATION", chronoId]] as const) {
      expect((await errorOf(reviewNote(authorAsReviewer, { itemId, target, noteId, decision: "APPROVE" }))).message).toMatch(/You wrote this note/);
    }
    await db().membership.updateMany({ where: { userId: s.author!.userId, projectId: strict.id }, data: { role: "INVESTIGATOR" } });
    expect(await db().review.count({ where: { itemId } })).toBe(0);
    expect(await row(itemId)).toEqual(inReview);

    // The first reviewer confirms both notes: one confirmation of two, still in review.
    await reviewNote(s.first!, { itemId, target: "GEOLOCATION", noteId: geoId, decision: "APPROVE" });
    expect((await reviewNote(s.first!, { itemId, target: "CHRONOLOCATION", noteId: chronoId, decision: "APPROVE" })).itemStatus).toBe("IN_REVIEW");
    expect(await row(itemId)).toEqual(inReview);
    expect(await db().geolocation.findUniqueOrThrow({ where: { id: geoId } })).toMatchObject({ status: "PROPOSED" });
    expect((await itemEvents(itemId)).map((e) => e.action)).not.toContain("item.verify");

    // A second, different reviewer: the geolocation first (still one of two for the time), then the time.
    expect((await reviewNote(s.second!, { itemId, target: "GEOLOCATION", noteId: geoId, decision: "APPROVE" })).itemStatus).toBe("IN_REVIEW");
    expect((await reviewNote(s.second!, { itemId, target: "CHRONOLOCATION", noteId: chronoId, decision: "APPROVE" })).itemStatus).toBe("VERIFIED");

    expect(await row(itemId)).toMatchObject({ status: "VERIFIED", version: inReview.version + 1 });
    expect(await db().geolocation.findUniqueOrThrow({ where: { id: geoId } })).toMatchObject({ status: "CONFIRMED" });
    expect(await db().chronolocation.findUniqueOrThrow({ where: { id: chronoId } })).toMatchObject({ status: "CONFIRMED" });
    expect(await db().review.count({ where: { itemId, decision: "APPROVE" } })).toBe(4);
    // The review that completed the count, then the move it set off, in the second reviewer's name.
    expect(await lastEvents(itemId, 2)).toEqual(["chronolocation.confirm", "item.verify"]);
    const verify = (await itemEvents(itemId)).filter((e) => e.action === "item.verify");
    expect(verify).toHaveLength(1);
    expect(verify[0]).toMatchObject({
      actorId: s.second!.userId,
      before: { status: "IN_REVIEW", version: inReview.version },
      after: { status: "VERIFIED", version: inReview.version + 1, trigger: "chronolocation.confirm", noteId: chronoId },
    });
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });
});

describe("automatic moves", () => {
  it("a confirmation that reaches the count verifies the item (requiredConfirmations = 1)", async () => {
    const { itemId, geoId, chronoId } = await itemInReview(project.id, a);
    const before = await row(itemId);
    await reviewNote(a.first!, { itemId, target: "GEOLOCATION", noteId: geoId, decision: "APPROVE" });
    expect(await row(itemId)).toEqual(before);
    await reviewNote(a.first!, { itemId, target: "CHRONOLOCATION", noteId: chronoId, decision: "APPROVE" });
    expect(await row(itemId)).toMatchObject({ status: "VERIFIED", version: before.version + 1 });
    expect(await lastEvents(itemId, 2)).toEqual(["chronolocation.confirm", "item.verify"]);
    expect((await itemEvents(itemId)).at(-1)).toMatchObject({ action: "item.verify", actorId: a.first!.userId, after: { status: "VERIFIED" } });
  });

  it("a dispute sends the item back to work, with the reviewer's comment as the reason", async () => {
    const { itemId, geoId } = await itemInReview(project.id, a);
    const before = await row(itemId);
    const outcome = await reviewNote(a.first!, { itemId, target: "GEOLOCATION", noteId: geoId, decision: "REQUEST_CHANGES", comment: "The minaret is across the road" });
    expect(outcome.itemStatus).toBe("IN_PROGRESS");
    expect(await row(itemId)).toEqual({ status: "IN_PROGRESS", version: before.version + 1, statusReason: "The minaret is across the road" });
    expect(await db().geolocation.findUniqueOrThrow({ where: { id: geoId } })).toMatchObject({ status: "DISPUTED" });
    expect(await lastEvents(itemId, 2)).toEqual(["geolocation.dispute", "item.dispute"]);
    expect((await itemEvents(itemId)).at(-1)).toMatchObject({
      action: "item.dispute",
      actorId: a.first!.userId,
      before: { status: "IN_REVIEW", version: before.version },
      after: { status: "IN_PROGRESS", version: before.version + 1, reason: "The minaret is across the road", trigger: "geolocation.dispute", noteId: geoId },
    });
  });

  it("publishing moves VERIFIED to PUBLISHED, publishing again is a republish, unpublishing moves it back", async () => {
    const item = await verifiedItem("Published by the panel");
    await publishItem(a.editor!, { itemId: item.id, expectedVersion: item.version, title: "Public title" });
    expect(await row(item.id)).toMatchObject({ status: "PUBLISHED", version: item.version + 1 });
    expect((await itemEvents(item.id)).at(-1)).toMatchObject({ action: "item.publish", actorId: a.editor!.userId, before: { status: "VERIFIED" }, after: { status: "PUBLISHED", version: item.version + 1 } });

    await publishItem(a.editor!, { itemId: item.id, expectedVersion: item.version + 1, title: "Better public title" });
    expect(await row(item.id)).toMatchObject({ status: "PUBLISHED", version: item.version + 2 });
    expect((await itemEvents(item.id)).at(-1)).toMatchObject({ action: "item.republish", before: { status: "PUBLISHED" }, after: { status: "PUBLISHED" } });

    await unpublishItem(a.editor!, { itemId: item.id, expectedVersion: item.version + 2, reason: "Location too precise" });
    expect(await row(item.id)).toEqual({ status: "VERIFIED", version: item.version + 3, statusReason: "Location too precise" });
    expect(await db().publishedItem.count({ where: { itemId: item.id } })).toBe(0);
    expect((await itemEvents(item.id)).at(-1)).toMatchObject({ action: "item.unpublish", before: { status: "PUBLISHED" }, after: { status: "VERIFIED", reason: "Location too precise" } });
  });

  it("retracting an incident moves its published evidence back to VERIFIED", async () => {
    const item = await verifiedItem("Evidence of a retracted incident");
    const incident = await db().incident.create({
      data: { projectId: project.id, reference: "INC-0900", title: "Retracted", incidentType: "IED", startAt: new Date("2024-05-02T08:10:00Z"), latitude: 34.5, longitude: 69.2, precisionM: 1000, province: "Kabul", targets: ["CIVILIANS"], createdById: a.editor!.userId },
    });
    await db().incidentEvidence.create({ data: { incidentId: incident.id, itemId: item.id, createdById: a.editor!.userId } });
    await publishItem(a.editor!, { itemId: item.id, expectedVersion: item.version, title: "Public title" });
    await publishIncident(a.editor!, { incidentId: incident.id, expectedVersion: 0, items: [{ itemId: item.id }] });
    await unpublishIncident(a.editor!, { incidentId: incident.id, reason: "Attribution withdrawn" });
    expect(await row(item.id)).toMatchObject({ status: "VERIFIED", version: item.version + 2, statusReason: "Attribution withdrawn" });
    expect((await itemEvents(item.id)).map((e) => e.action)).toEqual(["item.submit", "item.publish", "item.public_incidents", "item.unpublish"]);
    expect((await itemEvents(item.id)).at(-1)).toMatchObject({ before: { status: "PUBLISHED" }, after: { status: "VERIFIED", reason: "Attribution withdrawn" } });
  });

  it("an item that is not verified cannot be published, and nothing changes", async () => {
    const { itemId } = await itemInReview(project.id, a);
    const before = await row(itemId);
    const events = (await itemEvents(itemId)).length;
    expect((await errorOf(publishItem(a.editor!, { itemId, expectedVersion: before.version, title: "Too early" }))).message).toMatch(/only verified items can be published/);
    expect(await row(itemId)).toEqual(before);
    expect(await itemEvents(itemId)).toHaveLength(events);
  });
});

describe("one way to make each decision", () => {
  it("the workflow buttons' service and the bulk bar refuse verify, dispute and publishing moves; nothing changes", async () => {
    const { itemId } = await itemInReview(project.id, a);
    const before = await row(itemId);
    for (const action of ["verify", "dispute"]) {
      const error = await errorOf(transitionItem(a.first!, { itemId, action, expectedVersion: before.version, reason: "Because" }));
      expect(error.code).toBe("VALIDATION");
      expect(error.message).toMatch(/Confirm or dispute the geolocation and chronolocation/);
    }
    expect((await errorOf(transitionItem(a.editor!, { itemId, action: "publish", expectedVersion: before.version }))).message).toMatch(/Publishing panel/);
    expect((await errorOf(bulkUpdate(a.editor!, { action: "transition", projectId: project.id, items: [{ itemId, version: before.version }], transition: "verify" }))).code).toBe("VALIDATION");
    expect(await row(itemId)).toEqual(before);
    expect((await itemEvents(itemId)).map((e) => e.action)).toEqual(["item.submit", "item.triage", "item.claim", "item.send_to_review"]);
  });

  it("a move applied to a state someone else already changed is a conflict and writes nothing", async () => {
    const { itemId } = await itemInReview(project.id, a);
    const seen = await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId }, select: { id: true, projectId: true, status: true, version: true, submittedById: true, assigneeId: true } });
    // Someone else moves it first.
    await transitionItem(a.author!, { itemId, action: "mark_unverifiable", expectedVersion: seen.version, reason: "Footage too short" });
    const after = await row(itemId);
    const events = (await itemEvents(itemId)).length;
    const lost = await errorOf(db().$transaction((tx) => applyItemTransition(tx, a.first!, { action: "reject", item: seen, input: { rejectionReason: "RECYCLED" } })));
    expect(lost.code).toBe("CONFLICT");
    expect(await row(itemId)).toEqual(after);
    expect(await itemEvents(itemId)).toHaveLength(events);
  });
});
