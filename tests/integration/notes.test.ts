import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { loadTransitionFacts, transitionItem } from "../../lib/server/services/items/transition-item";
import { proposeChronolocation, proposeGeolocation } from "../../lib/server/services/notes/propose-notes";
import { reviewNote } from "../../lib/server/services/notes/review-note";
import { actorFor, makeProject, makeUser, tableCounts } from "../support/fixtures";

let project: { id: string; slug: string };
const a: Record<string, Actor> = {};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

const version = async (itemId: string) => (await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } })).version;

beforeAll(async () => {
  project = await makeProject();
  for (const [key, role] of [["contributor", "CONTRIBUTOR"], ["investigator", "INVESTIGATOR"], ["reviewer", "REVIEWER"]] as const) {
    a[key] = await actorFor((await makeUser({ projectId: project.id, role })).id);
  }
});

describe("reference imagery links", () => {
  it("refuse anything but http(s) (javascript:, data:), write nothing, and keep a good link", async () => {
    const { id: itemId } = await submitEvidence(a.contributor!, { projectId: project.id, title: "Imagery links", sourceUrls: ["https://example.org/p/imagery"] });
    await transitionItem(a.investigator!, { itemId, action: "triage", expectedVersion: 0 });
    await transitionItem(a.investigator!, { itemId, action: "claim", expectedVersion: 1 });
    const note = (url: string) => ({ itemId, point: "34.5553, 69.2075", precisionM: 100, method: "Skyline match", referenceImagery: [{ provider: "Example imagery", url }] });

    const before = await tableCounts();
    const geoCount = await db().geolocation.count({ where: { itemId } });
    for (const url of ["javascript:alert(document.cookie)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"]) {
      expect(await codeOf(proposeGeolocation(a.investigator!, note(url)))).toBe("VALIDATION");
    }
    expect(await tableCounts()).toEqual(before);
    expect(await db().geolocation.count({ where: { itemId } })).toBe(geoCount);

    await proposeGeolocation(a.investigator!, note("https://imagery.example.org/scene/42"));
    const stored = await db().geolocation.findFirstOrThrow({ where: { itemId }, orderBy: { createdAt: "desc" } });
    expect(stored.referenceImagery).toEqual([{ provider: "Example imagery", captureDate: "", url: "https://imagery.example.org/scene/42" }]);
  });
});

describe("geolocation, chronolocation and peer review", () => {
  it("an investigator proposes, a reviewer disputes, the investigator corrects, the reviewer confirms: VERIFIED", async () => {
    const { id: itemId } = await submitEvidence(a.contributor!, { projectId: project.id, title: "Explosion near a mosque", sourceUrls: ["https://example.org/p/9"] });
    await transitionItem(a.investigator!, { itemId, action: "triage", expectedVersion: 0 });
    await transitionItem(a.investigator!, { itemId, action: "claim", expectedVersion: 1 });

    // Bad input is refused and writes nothing.
    const before = await tableCounts();
    const geoCount = await db().geolocation.count();
    for (const point of ["", "hello", "95, 200", "https://www.google.com/maps/", "0, 0"]) {
      expect(await codeOf(proposeGeolocation(a.investigator!, { itemId, point, precisionM: 100, method: "Skyline" }))).toBe("VALIDATION");
    }
    expect(await codeOf(proposeGeolocation(a.investigator!, { itemId, point: "34.5553, 69.2075", precisionM: 0, method: "Skyline" }))).toBe("VALIDATION");
    expect(
      await codeOf(proposeChronolocation(a.investigator!, { itemId, earliest: "2022-09-30T04:00", latest: "2022-09-30T03:00", confidence: "HIGH", methods: ["SUN_AND_SHADOWS"] })),
    ).toBe("VALIDATION");
    expect(await codeOf(proposeGeolocation(a.contributor!, { itemId, point: "34.5553, 69.2075", precisionM: 100, method: "Skyline" }))).toBe("FORBIDDEN");
    expect(await tableCounts()).toEqual(before);
    expect(await db().geolocation.count()).toBe(geoCount);

    await proposeGeolocation(a.investigator!, { itemId, point: "https://www.google.com/maps/@34.5553,69.2075,17z", precisionM: 100, method: "Minaret and road junction match", referenceImagery: [{ provider: "Example imagery", captureDate: "2022-08-01" }] });
    await proposeChronolocation(a.investigator!, { itemId, earliest: "2022-09-30T02:30", latest: "2022-09-30T03:30", confidence: "MEDIUM", methods: ["SUN_AND_SHADOWS", "PLATFORM_UPLOAD_TIME"] });
    await transitionItem(a.investigator!, { itemId, action: "send_to_review", expectedVersion: await version(itemId) });

    const geo = await db().geolocation.findFirstOrThrow({ where: { itemId, status: "PROPOSED" } });
    expect(geo).toMatchObject({ latitude: 34.5553, longitude: 69.2075, precisionM: 100 });
    const chrono = await db().chronolocation.findFirstOrThrow({ where: { itemId, status: "PROPOSED" } });
    expect(chrono.earliestAt.toISOString()).toBe("2022-09-30T02:30:00.000Z");

    // The author cannot review their own note (even if promoted); a dispute sends it back.
    await db().membership.updateMany({ where: { userId: a.investigator!.userId }, data: { role: "REVIEWER" } });
    const authorAsReviewer = await actorFor(a.investigator!.userId);
    expect(await codeOf(reviewNote(authorAsReviewer, { itemId, target: "GEOLOCATION", noteId: geo.id, decision: "APPROVE" }))).toBe("VALIDATION");
    expect(await codeOf(reviewNote(a.reviewer!, { itemId, target: "GEOLOCATION", noteId: geo.id, decision: "REQUEST_CHANGES", comment: "" }))).toBe("VALIDATION");
    const disputed = await reviewNote(a.reviewer!, { itemId, target: "GEOLOCATION", noteId: geo.id, decision: "REQUEST_CHANGES", comment: "The minaret is on the other side", independentPoint: "34.5562, 69.2081" });
    expect(disputed.itemStatus).toBe("IN_PROGRESS");
    expect(disputed.distanceM).toBeGreaterThan(80);
    expect(disputed.distanceM).toBeLessThan(150);

    await proposeGeolocation(authorAsReviewer, { itemId, point: "34°33'22.3\"N 69°12'29.2\"E", precisionM: 10, method: "Corrected: minaret left of frame" });
    await transitionItem(authorAsReviewer, { itemId, action: "send_to_review", expectedVersion: await version(itemId) });
    const geo2 = await db().geolocation.findFirstOrThrow({ where: { itemId, status: "PROPOSED" } });
    expect(await db().geolocation.count({ where: { itemId, status: "SUPERSEDED" } })).toBe(1);

    expect((await reviewNote(a.reviewer!, { itemId, target: "GEOLOCATION", noteId: geo2.id, decision: "APPROVE" })).itemStatus).toBe("IN_REVIEW");
    expect((await reviewNote(a.reviewer!, { itemId, target: "CHRONOLOCATION", noteId: chrono.id, decision: "APPROVE" })).itemStatus).toBe("VERIFIED");
    expect(await db().geolocation.findUniqueOrThrow({ where: { id: geo2.id } })).toMatchObject({ status: "CONFIRMED" });

    const history = await db().auditEvent.findMany({ where: { entityId: itemId }, orderBy: { seq: "asc" }, select: { action: true } });
    expect(history.map((h) => h.action)).toEqual([
      "item.submit",
      "item.triage",
      "item.claim",
      "geolocation.propose",
      "chronolocation.propose",
      "item.send_to_review",
      "geolocation.dispute",
      "item.dispute",
      "geolocation.propose",
      "item.send_to_review",
      "geolocation.confirm",
      "chronolocation.confirm",
      "item.verify",
    ]);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });
});

describe("one decision per reviewer and note (requiredConfirmations = 2)", () => {
  let strict: { id: string };
  const r: Record<string, Actor> = {};

  beforeAll(async () => {
    strict = await makeProject();
    await db().project.update({ where: { id: strict.id }, data: { settings: { timeZone: "Asia/Kabul", requiredConfirmations: 2 } } });
    for (const [key, role] of [["contributor", "CONTRIBUTOR"], ["author", "INVESTIGATOR"], ["first", "REVIEWER"], ["second", "REVIEWER"]] as const) {
      r[key] = await actorFor((await makeUser({ projectId: strict.id, role })).id);
    }
  });

  /** An item in review with one geolocation and one chronolocation by the author. */
  async function itemInReview() {
    const { id: itemId } = await submitEvidence(r.contributor!, { projectId: strict.id, title: "Strike on a market", sourceUrls: ["https://example.org/p/strict"] });
    await transitionItem(r.author!, { itemId, action: "triage", expectedVersion: 0 });
    await transitionItem(r.author!, { itemId, action: "claim", expectedVersion: 1 });
    const geo = await proposeGeolocation(r.author!, { itemId, point: "34.5553, 69.2075", precisionM: 50, method: "Skyline and minaret" });
    const chrono = await proposeChronolocation(r.author!, { itemId, earliest: "2022-09-30T02:30", latest: "2022-09-30T03:30", confidence: "MEDIUM", methods: ["SUN_AND_SHADOWS"] });
    await transitionItem(r.author!, { itemId, action: "send_to_review", expectedVersion: await version(itemId) });
    return { itemId, geoId: geo.id, chronoId: chrono.id };
  }

  const confirm = (actor: Actor, itemId: string, target: "GEOLOCATION" | "CHRONOLOCATION", noteId: string) =>
    reviewNote(actor, { itemId, target, noteId, decision: "APPROVE", comment: "Matches" });

  async function state(itemId: string) {
    const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId }, select: { status: true, projectId: true } });
    const facts = await db().$transaction(async (tx) => loadTransitionFacts(tx, itemId, { requiredConfirmations: 2 }));
    return {
      status: item.status,
      confirmations: facts.confirmations,
      reviewRows: await db().review.count({ where: { itemId } }),
      confirmEvents: await db().auditEvent.count({ where: { entityId: itemId, action: { in: ["geolocation.confirm", "chronolocation.confirm"] } } }),
    };
  }

  it("one reviewer confirming twice, one after the other: one row per note, one confirmation, not verified", async () => {
    const { itemId, geoId, chronoId } = await itemInReview();
    const outcomes = [];
    for (const [target, noteId] of [["GEOLOCATION", geoId], ["GEOLOCATION", geoId], ["CHRONOLOCATION", chronoId], ["CHRONOLOCATION", chronoId]] as const) {
      outcomes.push(await confirm(r.first!, itemId, target, noteId));
    }

    expect(await state(itemId)).toEqual({ status: "IN_REVIEW", confirmations: 1, reviewRows: 2, confirmEvents: 2 });
    expect(await db().review.count({ where: { geolocationId: geoId, reviewerId: r.first!.userId } })).toBe(1);
    expect(await db().review.count({ where: { chronolocationId: chronoId, reviewerId: r.first!.userId } })).toBe(1);
    // The repeat is reported as such (the page says nothing changed).
    expect(outcomes.map((o) => [o.change, o.itemStatus])).toEqual([["record", "IN_REVIEW"], ["unchanged", "IN_REVIEW"], ["record", "IN_REVIEW"], ["unchanged", "IN_REVIEW"]]);
    // Nor is there another way to verify it: verification is the note reviews' decision alone.
    const verify = await transitionItem(r.first!, { itemId, action: "verify", expectedVersion: await version(itemId) }).then(() => null, (e: unknown) => e);
    expect((verify as DomainError).message).toMatch(/Confirm or dispute the geolocation and chronolocation/);
    expect(await state(itemId)).toEqual({ status: "IN_REVIEW", confirmations: 1, reviewRows: 2, confirmEvents: 2 });

    // A second, different reviewer makes it two: VERIFIED.
    await confirm(r.second!, itemId, "GEOLOCATION", geoId);
    expect((await confirm(r.second!, itemId, "CHRONOLOCATION", chronoId)).itemStatus).toBe("VERIFIED");
    expect(await state(itemId)).toEqual({ status: "VERIFIED", confirmations: 2, reviewRows: 4, confirmEvents: 4 });
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("one reviewer confirming twice at the same moment: one row per note, one confirmation, not verified", async () => {
    const { itemId, geoId, chronoId } = await itemInReview();
    const results = await Promise.allSettled([
      confirm(r.first!, itemId, "GEOLOCATION", geoId),
      confirm(r.first!, itemId, "GEOLOCATION", geoId),
      confirm(r.first!, itemId, "CHRONOLOCATION", chronoId),
      confirm(r.first!, itemId, "CHRONOLOCATION", chronoId),
    ]);
    // Each submission either counts once or is told it was already made; a lost race is a clear conflict.
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as DomainError).code).toBe("CONFLICT");
    }
    expect(await state(itemId)).toEqual({ status: "IN_REVIEW", confirmations: 1, reviewRows: 2, confirmEvents: 2 });
    const changes = results.flatMap((x) => (x.status === "fulfilled" ? [x.value.change] : []));
    expect(changes.filter((c) => c === "record")).toHaveLength(2);

    // Two different reviewers confirming at once verify it.
    await Promise.all([confirm(r.second!, itemId, "GEOLOCATION", geoId), confirm(r.second!, itemId, "CHRONOLOCATION", chronoId)]);
    expect(await state(itemId)).toEqual({ status: "VERIFIED", confirmations: 2, reviewRows: 4, confirmEvents: 4 });
  });

  it("changing confirm to dispute replaces the decision, and the audit event records the change", async () => {
    const { itemId, geoId, chronoId } = await itemInReview();
    await confirm(r.first!, itemId, "GEOLOCATION", geoId);
    await confirm(r.second!, itemId, "CHRONOLOCATION", chronoId);
    const changed = await reviewNote(r.first!, { itemId, target: "GEOLOCATION", noteId: geoId, decision: "REQUEST_CHANGES", comment: "On second look the minaret is wrong" });

    const rows = await db().review.findMany({ where: { geolocationId: geoId }, select: { reviewerId: true, decision: true, comment: true } });
    expect(rows).toEqual([{ reviewerId: r.first!.userId, decision: "REQUEST_CHANGES", comment: "On second look the minaret is wrong" }]);
    expect(changed).toMatchObject({ change: "replace", itemStatus: "IN_PROGRESS" });
    expect(await db().geolocation.findUniqueOrThrow({ where: { id: geoId } })).toMatchObject({ status: "DISPUTED" });
    expect(await state(itemId)).toMatchObject({ status: "IN_PROGRESS", reviewRows: 2 });

    const event = await db().auditEvent.findFirstOrThrow({ where: { entityId: itemId, action: "geolocation.dispute" } });
    expect(event.actorId).toBe(r.first!.userId);
    expect(event.before).toMatchObject({ status: "IN_REVIEW", noteId: geoId, decision: "APPROVE", comment: "Matches" });
    expect(event.after).toMatchObject({ status: "IN_PROGRESS", noteId: geoId, decision: "REQUEST_CHANGES", replaced: "APPROVE", comment: "On second look the minaret is wrong" });
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("the database refuses a second review row for the same reviewer and note", async () => {
    const { itemId, geoId } = await itemInReview();
    await confirm(r.first!, itemId, "GEOLOCATION", geoId);
    const duplicate = await db()
      .review.create({ data: { itemId, reviewerId: r.first!.userId, target: "GEOLOCATION", geolocationId: geoId, decision: "APPROVE" } })
      .then(() => null, (e: unknown) => e);
    expect(duplicate).toMatchObject({ code: "P2002" });
    expect(await db().review.count({ where: { geolocationId: geoId } })).toBe(1);
  });

  it("authors still cannot review their own notes", async () => {
    const { itemId, geoId } = await itemInReview();
    await db().membership.updateMany({ where: { userId: r.author!.userId, projectId: strict.id }, data: { role: "REVIEWER" } });
    const authorAsReviewer = await actorFor(r.author!.userId);
    expect(await codeOf(confirm(authorAsReviewer, itemId, "GEOLOCATION", geoId))).toBe("VALIDATION");
    expect(await db().review.count({ where: { itemId } })).toBe(0);
    await db().membership.updateMany({ where: { userId: r.author!.userId, projectId: strict.id }, data: { role: "INVESTIGATOR" } });
  });
});
