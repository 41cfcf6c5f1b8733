import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { transitionItem } from "../../lib/server/services/items/transition-item";
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
      "geolocation.propose",
      "item.send_to_review",
      "geolocation.confirm",
      "chronolocation.confirm",
    ]);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });
});
