import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { transitionItem } from "../../lib/server/services/items/transition-item";
import { publishIncident, publishItem, unpublishIncident, unpublishItem } from "../../lib/server/services/publishing/publish";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

let project: { id: string; slug: string };
const actors: Record<string, Actor> = {};
const PRECISE = { latitude: 34.5281234, longitude: 69.1723456 };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

async function verifiedItem(title: string, status: "VERIFIED" | "IN_REVIEW" = "VERIFIED") {
  const item = await submitEvidence(actors.investigator!, { projectId: project.id, title, sourceUrls: [`https://example.org/${encodeURIComponent(title)}`], posterHandle: "@secret_filmer" });
  await db().evidenceItem.update({ where: { id: item.id }, data: { status } });
  await db().geolocation.create({ data: { itemId: item.id, authorId: actors.investigator!.userId, ...PRECISE, precisionM: 100, status: "CONFIRMED", method: "internal method note" } });
  await db().chronolocation.create({
    data: { itemId: item.id, authorId: actors.investigator!.userId, earliestAt: new Date("2024-05-02T08:00:00Z"), latestAt: new Date("2024-05-02T08:30:00Z"), confidence: "HIGH", methods: ["SUN"], status: "CONFIRMED" },
  });
  return db().evidenceItem.findUniqueOrThrow({ where: { id: item.id }, select: { id: true, reference: true, version: true } });
}

async function makeIncident(reference: string) {
  return db().incident.create({
    data: { projectId: project.id, reference, title: `Incident ${reference}`, incidentType: "IED", startAt: new Date("2024-05-02T08:10:00Z"), endAt: new Date("2024-05-02T08:40:00Z"), ...PRECISE, precisionM: 1000, province: "Kabul", targets: ["CIVILIANS"], createdById: actors.editor!.userId },
  });
}

async function link(incidentId: string, itemId: string, isLead = false) {
  await db().incidentEvidence.create({ data: { incidentId, itemId, isLead, createdById: actors.editor!.userId } });
}

async function dataset(format: string) {
  return (await db().publicDataset.findUnique({ where: { projectId_format: { projectId: project.id, format } } }))?.body ?? "";
}

beforeAll(async () => {
  project = await makeProject();
  for (const [key, role] of [
    ["investigator", "INVESTIGATOR"],
    ["reviewer", "REVIEWER"],
    ["editor", "EDITOR"],
  ] as const) {
    actors[key] = await actorFor((await makeUser({ projectId: project.id, role })).id);
  }
  const other = await makeProject();
  actors.outsider = await actorFor((await makeUser({ projectId: other.id, role: "EDITOR" })).id);
});

describe("publishing an incident with its verified evidence", () => {
  it("writes snapshots, statuses, changelog, datasets, media jobs and audit in one go", async () => {
    const a = await verifiedItem("Video A");
    const b = await verifiedItem("Video B");
    const incident = await makeIncident("INC-0001");
    await link(incident.id, a.id);
    await link(incident.id, b.id);

    // Each item is published on its own first (its public title decided there), then the incident with them.
    await publishItem(actors.editor!, { itemId: a.id, expectedVersion: a.version, title: "Smoke over the market" });
    await publishItem(actors.editor!, { itemId: b.id, expectedVersion: b.version, title: "Crowd after the blast" });
    const result = await publishIncident(actors.editor!, { incidentId: incident.id, expectedVersion: 0, items: [{ itemId: a.id }, { itemId: b.id }] });
    expect(result).toEqual({ reference: "INC-0001", items: 2 });
    const snapshot = await db().publishedIncident.findUniqueOrThrow({ where: { incidentId: incident.id } });
    expect(snapshot.publicId).toBe("INC-0001");
    const data = snapshot.data as { location: { latitude: number; longitude: number; precisionM: number } };
    expect(data.location.precisionM).toBe(1000);
    expect(data.location.latitude).not.toBe(PRECISE.latitude);

    for (const item of [a, b]) {
      expect((await db().evidenceItem.findUniqueOrThrow({ where: { id: item.id } })).status).toBe("PUBLISHED");
      const published = await db().publishedItem.findUniqueOrThrow({ where: { itemId: item.id } });
      expect(published.incidentIds).toEqual(["INC-0001"]);
      const json = JSON.stringify(published.data);
      expect(json).not.toContain("secret_filmer");
      expect(json).not.toContain("internal method note");
      expect(json).not.toContain(String(PRECISE.latitude));
    }
    expect(await db().job.count({ where: { queue: "media.publish" } })).toBe(2);
    expect(await db().publicationEvent.count({ where: { projectId: project.id, kind: "PUBLISH" } })).toBe(3);

    const geojson = JSON.parse(await dataset("geojson")) as { features: Array<{ id: string; geometry: { coordinates: number[] }; properties: { sources: unknown[] } }> };
    expect(geojson.features.map((f) => f.id)).toEqual(["INC-0001"]);
    expect(geojson.features[0]!.geometry.coordinates).toEqual([data.location.longitude, data.location.latitude]);
    expect(geojson.features[0]!.properties.sources).toHaveLength(2);
    const csv = Papa.parse<Record<string, string>>(await dataset("csv"), { header: true, skipEmptyLines: true });
    expect(csv.data.map((r) => r.id)).toEqual(["INC-0001"]);
    expect(await dataset("kml")).toContain("INC-0001");
    expect(await db().auditEvent.count({ where: { action: { in: ["incident.publish", "item.publish"] } } })).toBe(3);
    // Publishing the incident only added it to each item's public incidents: two link events.
    expect(await db().auditEvent.count({ where: { action: "item.public_incidents" } })).toBe(2);
  });

  it("later internal edits stay internal until republished", async () => {
    const incident = await db().incident.findFirstOrThrow({ where: { projectId: project.id, reference: "INC-0001" } });
    await db().incident.update({ where: { id: incident.id }, data: { title: "Internal working title CHANGED", version: { increment: 1 } } });
    expect(await dataset("geojson")).not.toContain("CHANGED");
    const snapshot = await db().publishedIncident.findUniqueOrThrow({ where: { incidentId: incident.id } });
    expect(JSON.stringify(snapshot.data)).not.toContain("CHANGED");
    await publishIncident(actors.editor!, { incidentId: incident.id, expectedVersion: 1 });
    expect(await dataset("geojson")).toContain("CHANGED");
    expect(await db().publicationEvent.count({ where: { projectId: project.id, kind: "UPDATE", publicId: "INC-0001" } })).toBe(1);
  });

  it("refuses non-editors, outsiders, stale versions and unverified items, writing nothing", async () => {
    const pending = await verifiedItem("Still in review", "IN_REVIEW");
    const incident = await makeIncident("INC-0002");
    await link(incident.id, pending.id);
    const before = { published: await db().publishedIncident.count(), items: await db().publishedItem.count(), events: await db().publicationEvent.count() };

    expect(await codeOf(publishIncident(actors.reviewer!, { incidentId: incident.id, expectedVersion: 0 }))).toBe("FORBIDDEN");
    expect(await codeOf(publishIncident(actors.outsider!, { incidentId: incident.id, expectedVersion: 0 }))).toBe("NOT_FOUND");
    expect(await codeOf(publishIncident(actors.editor!, { incidentId: incident.id, expectedVersion: 7 }))).toBe("CONFLICT");
    expect(await codeOf(publishIncident(actors.editor!, { incidentId: incident.id, expectedVersion: 0, items: [{ itemId: pending.id }] }))).toBe("VALIDATION");
    const unrelated = await verifiedItem("Not linked");
    expect(await codeOf(publishIncident(actors.editor!, { incidentId: incident.id, expectedVersion: 0, items: [{ itemId: unrelated.id }] }))).toBe("VALIDATION");
    expect(await codeOf(publishItem(actors.editor!, { itemId: pending.id, expectedVersion: pending.version, title: "x" }))).toBe("VALIDATION");
    expect(await codeOf(publishItem(actors.editor!, { itemId: unrelated.id, expectedVersion: unrelated.version, title: "" }))).toBe("VALIDATION");
    expect(await codeOf(transitionItem(actors.editor!, { itemId: unrelated.id, action: "publish", expectedVersion: unrelated.version }))).toBe("VALIDATION");

    expect({ published: await db().publishedIncident.count(), items: await db().publishedItem.count(), events: await db().publicationEvent.count() }).toEqual(before);
    expect((await db().evidenceItem.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("IN_REVIEW");
  });

  it("blur regions must name the item's own files", async () => {
    const item = await verifiedItem("Regions");
    const other = await db().mediaFile.findFirst({ select: { id: true } });
    const fakeId = other?.id ?? "cm0notafile0000";
    expect(await codeOf(publishItem(actors.editor!, { itemId: item.id, expectedVersion: item.version, title: "t", redactions: [{ mediaFileId: fakeId, x: 0.1, y: 0.1, w: 0.2, h: 0.2 }] }))).toBe("VALIDATION");
    expect(await db().publishedItem.count({ where: { itemId: item.id } })).toBe(0);
  });
});

describe("unpublishing", () => {
  it("an incident and its evidence leave every public table and dataset; the changelog records it", async () => {
    const incident = await db().incident.findFirstOrThrow({ where: { projectId: project.id, reference: "INC-0001" } });
    expect(await codeOf(unpublishIncident(actors.editor!, { incidentId: incident.id, reason: "" }))).toBe("VALIDATION");
    await unpublishIncident(actors.editor!, { incidentId: incident.id, reason: "Location disputed by a source", publicNote: "Withdrawn pending review" });
    expect(await db().publishedIncident.count({ where: { incidentId: incident.id } })).toBe(0);
    expect(await db().publishedItem.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db().evidenceItem.count({ where: { projectId: project.id, status: "PUBLISHED" } })).toBe(0);
    expect(JSON.parse(await dataset("geojson")).features).toEqual([]);
    const retractions = await db().publicationEvent.findMany({ where: { projectId: project.id, kind: "RETRACT" }, select: { publicId: true, note: true, entityType: true } });
    expect(retractions.find((r) => r.entityType === "incident")).toEqual({ publicId: "INC-0001", note: "Withdrawn pending review", entityType: "incident" });
    expect(retractions.filter((r) => r.entityType === "item")).toHaveLength(2);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "incident.unpublish" } });
    expect(JSON.stringify(audit.after)).toContain("Location disputed by a source");
  });

  it("a single item can be published and unpublished on its own", async () => {
    const item = await verifiedItem("Standalone");
    await publishItem(actors.editor!, { itemId: item.id, expectedVersion: item.version, title: "Standalone public title", withholdLocation: true });
    const published = await db().publishedItem.findUniqueOrThrow({ where: { itemId: item.id } });
    expect((published.data as { location: unknown }).location).toBeNull();
    const current = await db().evidenceItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(await codeOf(unpublishItem(actors.editor!, { itemId: item.id, expectedVersion: current.version + 1, reason: "stale" }))).toBe("CONFLICT");
    await unpublishItem(actors.editor!, { itemId: item.id, expectedVersion: current.version, reason: "Filmer at risk" });
    expect(await db().publishedItem.count({ where: { itemId: item.id } })).toBe(0);
    expect((await db().evidenceItem.findUniqueOrThrow({ where: { id: item.id } })).status).toBe("VERIFIED");
    expect((await verifyStoredAuditChain(db())).ok).toBe(true);
  });
});
