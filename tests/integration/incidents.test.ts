import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { DEFAULT_INCIDENT_LIST_STATE } from "../../lib/domain/incident-list";
import type { Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { adminAreaAt } from "../../lib/server/geo/admin-areas";
import { createIncident } from "../../lib/server/services/incidents/create-incident";
import { getIncident } from "../../lib/server/services/incidents/get-incident";
import { linkEvidence, unlinkEvidence } from "../../lib/server/services/incidents/link-evidence";
import { getItemIncidents, listIncidents } from "../../lib/server/services/incidents/list-incidents";
import { updateIncident } from "../../lib/server/services/incidents/update-incident";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

let project: { id: string; slug: string };
let other: { id: string; slug: string };
const actors: Record<string, Actor> = {};

const KABUL = { latitude: 34.5553, longitude: 69.2075 };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

async function newItem(projectId = project.id, submitter = actors.editor!, status?: "VERIFIED" | "PUBLISHED" | "IN_PROGRESS" | "REJECTED") {
  const item = await submitEvidence(submitter, { projectId, title: "Footage from the scene", sourceUrls: [`https://example.org/post/${Math.random()}`] });
  // Setting the status directly keeps these tests about incidents, not the review workflow.
  if (status) await db().evidenceItem.update({ where: { id: item.id }, data: { status } });
  return item;
}

function incidentInput(overrides: Record<string, unknown> = {}) {
  return {
    projectId: project.id,
    title: "Explosion at a market",
    incidentType: "Suicide bombing",
    description: "Blast near the market entrance.",
    startAt: "2022-09-30T06:00",
    endAt: "2022-09-30T06:30",
    location: `${KABUL.latitude}, ${KABUL.longitude}`,
    precisionM: "100",
    locationName: "Kabul market",
    claimGroup: "Group A",
    claimChannel: "Weekly newsletter",
    claimDate: "2022-10-06",
    claimUrl: "https://example.org/claim",
    attributionGroup: "Group A",
    attributionConfidence: "MEDIUM",
    killedMin: "3",
    killedMax: "7",
    killedSource: "Hospital staff",
    injuredMin: "10",
    injuredMax: "",
    targets: ["CIVILIANS", "MINORITY"],
    tags: "Kabul, market ,kabul",
    ...overrides,
  };
}

beforeAll(async () => {
  project = await makeProject();
  other = await makeProject();
  for (const [key, role, projectId] of [
    ["editor", "EDITOR", project.id],
    ["investigator", "INVESTIGATOR", project.id],
    ["contributor", "CONTRIBUTOR", project.id],
    ["outsider", "EDITOR", other.id],
  ] as const) {
    actors[key] = await actorFor((await makeUser({ projectId, role })).id);
  }
});

describe("incidents", () => {
  it("an editor creates an incident: reference allocated, province derived, fields stored apart, audited", async () => {
    const before = await db().auditEvent.count();
    const created = await createIncident(actors.editor!, incidentInput());
    expect(created.reference).toMatch(/^INC-\d{4}$/);
    const second = await createIncident(actors.editor!, incidentInput({ title: "Second incident", location: "" }));
    expect(Number(second.reference.slice(4))).toBe(Number(created.reference.slice(4)) + 1);

    const row = await db().incident.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({
      projectId: project.id,
      title: "Explosion at a market",
      incidentType: "Suicide bombing",
      latitude: KABUL.latitude,
      longitude: KABUL.longitude,
      precisionM: 100,
      province: adminAreaAt(KABUL.latitude, KABUL.longitude)?.province ?? null,
      claimGroup: "Group A",
      claimChannel: "Weekly newsletter",
      claimUrl: "https://example.org/claim",
      attributionGroup: "Group A",
      attributionConfidence: "MEDIUM",
      killedMin: 3,
      killedMax: 7,
      killedSource: "Hospital staff",
      injuredMin: 10,
      injuredMax: null,
      targets: ["CIVILIANS", "MINORITY"],
      tags: ["kabul", "market"],
      version: 0,
      createdById: actors.editor!.userId,
    });
    expect(row.province).not.toBeNull();
    expect(row.startAt?.toISOString()).toBe("2022-09-30T06:00:00.000Z");
    expect(row.claimDate?.toISOString()).toBe("2022-10-06T00:00:00.000Z");

    const events = await db().auditEvent.findMany({ where: { entityId: created.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["incident.create"]);
    expect(events[0]).toMatchObject({ actorId: actors.editor!.userId, projectId: project.id, entityType: "Incident" });
    expect(events[0]!.after).toMatchObject({ reference: created.reference, title: "Explosion at a market", claimGroup: "Group A", attributionGroup: "Group A" });
    expect(await db().auditEvent.count()).toBe(before + 2);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("refuses an incident type that is not in the project's list, with a field error", async () => {
    const error = await createIncident(actors.editor!, incidentInput({ incidentType: "Earthquake", killedMin: "9", killedMax: "2" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("VALIDATION");
    expect(Object.keys((error as DomainError).fieldErrors ?? {})).toEqual(expect.arrayContaining(["incidentType", "killedMax"]));
  });

  it("updates only on the current version, auditing the changed fields; a stale version changes nothing", async () => {
    const { id } = await createIncident(actors.editor!, incidentInput());
    const updated = await updateIncident(actors.editor!, { ...incidentInput({ title: "Explosion at the main market", killedMax: "9" }), incidentId: id, expectedVersion: 0 });
    expect(updated).toMatchObject({ version: 1, changed: expect.arrayContaining(["title", "killedMax"]) as unknown });
    expect(updated.changed).toHaveLength(2);

    const event = await db().auditEvent.findFirstOrThrow({ where: { entityId: id, action: "incident.update" } });
    expect(event.before).toEqual({ title: "Explosion at a market", killedMax: 7, version: 0 });
    expect(event.after).toEqual({ title: "Explosion at the main market", killedMax: 9, version: 1 });

    const auditBefore = await db().auditEvent.count();
    const snapshot = await db().incident.findUniqueOrThrow({ where: { id } });
    expect(await codeOf(updateIncident(actors.editor!, { ...incidentInput({ title: "Stale edit" }), incidentId: id, expectedVersion: 0 }))).toBe("CONFLICT");
    expect(await db().incident.findUniqueOrThrow({ where: { id } })).toEqual(snapshot);
    expect(await db().auditEvent.count()).toBe(auditBefore);

    // Moving the point re-derives the province; clearing it clears the province.
    await updateIncident(actors.editor!, { ...incidentInput({ title: "Explosion at the main market", killedMax: "9", location: "" }), incidentId: id, expectedVersion: 1 });
    expect(await db().incident.findUniqueOrThrow({ where: { id } })).toMatchObject({ version: 2, latitude: null, precisionM: null, province: null });
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("investigators may read but not create or edit; outsiders and contributors do not see incidents", async () => {
    const auditBefore = await db().auditEvent.count();
    const incidentsBefore = await db().incident.count();
    expect(await codeOf(createIncident(actors.investigator!, incidentInput()))).toBe("FORBIDDEN");
    expect(await codeOf(createIncident(actors.outsider!, incidentInput()))).toBe("NOT_FOUND");
    expect(await codeOf(createIncident(actors.contributor!, incidentInput()))).toBe("FORBIDDEN");
    expect(await db().incident.count()).toBe(incidentsBefore);
    expect(await db().auditEvent.count()).toBe(auditBefore);

    const { id, reference } = await createIncident(actors.editor!, incidentInput());
    expect(await codeOf(updateIncident(actors.investigator!, { ...incidentInput(), incidentId: id, expectedVersion: 0 }))).toBe("FORBIDDEN");
    expect(await codeOf(updateIncident(actors.outsider!, { ...incidentInput(), incidentId: id, expectedVersion: 0 }))).toBe("NOT_FOUND");

    expect((await getIncident(actors.investigator!, project.slug, reference)).canManage).toBe(false);
    expect(await codeOf(getIncident(actors.outsider!, project.slug, reference))).toBe("NOT_FOUND");
    expect(await codeOf(getIncident(actors.contributor!, project.slug, reference))).toBe("NOT_FOUND");
    expect(await codeOf(listIncidents(actors.outsider!, { projectSlug: project.slug, state: DEFAULT_INCIDENT_LIST_STATE }))).toBe("NOT_FOUND");
    const item = await newItem(project.id, actors.editor!, "VERIFIED");
    expect(await codeOf(linkEvidence(actors.investigator!, { incidentId: id, itemId: item.id }))).toBe("FORBIDDEN");
    expect(await codeOf(linkEvidence(actors.outsider!, { incidentId: id, itemId: item.id }))).toBe("NOT_FOUND");
  });
});

describe("evidence links", () => {
  it("links two verified items as evidence and an unverified one only as a lead; counts and map/timeline data follow", async () => {
    const { id, reference } = await createIncident(actors.editor!, incidentInput());
    const verified = await newItem(project.id, actors.editor!, "VERIFIED");
    const published = await newItem(project.id, actors.editor!, "PUBLISHED");
    const unverified = await newItem(project.id, actors.editor!, "IN_PROGRESS");

    // The verified item has a superseded note and a current one: the current one is shown.
    await db().geolocation.create({ data: { itemId: verified.id, authorId: actors.editor!.userId, latitude: 34.1, longitude: 69.1, precisionM: 1000, status: "SUPERSEDED" } });
    await db().geolocation.create({ data: { itemId: verified.id, authorId: actors.editor!.userId, latitude: 34.5556, longitude: 69.2079, precisionM: 10, status: "CONFIRMED" } });
    await db().chronolocation.create({
      data: { itemId: verified.id, authorId: actors.editor!.userId, earliestAt: new Date("2022-09-30T06:05:00Z"), latestAt: new Date("2022-09-30T06:40:00Z"), confidence: "HIGH", methods: ["SUN_AND_SHADOWS"], status: "CONFIRMED" },
    });

    const auditBefore = await db().auditEvent.count();
    expect(await codeOf(linkEvidence(actors.editor!, { incidentId: id, itemId: unverified.id, relation: "Shows the attack" }))).toBe("VALIDATION");
    expect(await db().incidentEvidence.count({ where: { incidentId: id } })).toBe(0);
    expect(await db().auditEvent.count()).toBe(auditBefore);

    expect(await linkEvidence(actors.editor!, { incidentId: id, itemId: unverified.id, relation: "Possibly the attack", asLead: "on" })).toMatchObject({ isLead: true });
    expect(await linkEvidence(actors.editor!, { incidentId: id, itemId: verified.id, relation: "Shows the aftermath" })).toMatchObject({ isLead: false });
    expect(await linkEvidence(actors.editor!, { incidentId: id, itemId: published.id, relation: "Shows the claim" })).toMatchObject({ isLead: false });
    expect(await db().auditEvent.count({ where: { entityId: id, action: "incident.evidence_link" } })).toBe(3);

    const detail = await getIncident(actors.investigator!, project.slug, reference);
    expect(detail.counts).toEqual({ verified: 2, leads: 1, noLongerVerified: 0 });
    const byItem = new Map(detail.evidence.map((e) => [e.itemId, e]));
    expect(byItem.get(unverified.id)).toMatchObject({ isLead: true, countsAsEvidence: false, relation: "Possibly the attack", status: "IN_PROGRESS" });
    expect(byItem.get(verified.id)).toMatchObject({
      isLead: false,
      countsAsEvidence: true,
      relation: "Shows the aftermath",
      geolocation: { latitude: 34.5556, longitude: 69.2079, precisionM: 10 },
      chronolocation: { earliestAt: new Date("2022-09-30T06:05:00Z"), latestAt: new Date("2022-09-30T06:40:00Z") },
    });
    expect(byItem.get(published.id)).toMatchObject({ countsAsEvidence: true, geolocation: null, chronolocation: null });

    const list = await listIncidents(actors.editor!, { projectSlug: project.slug, state: { ...DEFAULT_INCIDENT_LIST_STATE, q: reference } });
    expect(list.rows).toHaveLength(1);
    expect(list.rows[0]).toMatchObject({ reference, counts: { verified: 2, leads: 1 } });

    const panel = await getItemIncidents(actors.editor!, { itemId: unverified.id });
    expect(panel?.links).toEqual([{ incidentId: id, reference, title: "Explosion at a market", isLead: true, relation: "Possibly the attack" }]);
    expect(panel?.canManage).toBe(true);
    expect(await getItemIncidents(actors.contributor!, { itemId: unverified.id })).toBeNull();

    // Reopening a linked item stops it counting, without removing the link.
    await db().evidenceItem.update({ where: { id: published.id }, data: { status: "IN_PROGRESS" } });
    expect((await getIncident(actors.editor!, project.slug, reference)).counts).toEqual({ verified: 1, leads: 1, noLongerVerified: 1 });

    // A lead whose item became verified can be relinked as evidence.
    await db().evidenceItem.update({ where: { id: unverified.id }, data: { status: "VERIFIED" } });
    await linkEvidence(actors.editor!, { incidentId: id, itemId: unverified.id, relation: "Shows the attack" });
    expect((await getIncident(actors.editor!, project.slug, reference)).counts).toEqual({ verified: 2, leads: 0, noLongerVerified: 1 });
    const relink = await db().auditEvent.findFirstOrThrow({ where: { entityId: id, action: "incident.evidence_update" } });
    expect(relink.before).toMatchObject({ itemId: unverified.id, isLead: true, relation: "Possibly the attack" });
    expect(relink.after).toMatchObject({ itemId: unverified.id, isLead: false, relation: "Shows the attack" });

    await unlinkEvidence(actors.editor!, { incidentId: id, itemId: verified.id });
    expect(await db().incidentEvidence.count({ where: { incidentId: id, itemId: verified.id } })).toBe(0);
    const unlinked = await db().auditEvent.findFirstOrThrow({ where: { entityId: id, action: "incident.evidence_unlink" } });
    expect(unlinked.before).toMatchObject({ itemId: verified.id, relation: "Shows the aftermath", isLead: false });
    expect(await codeOf(unlinkEvidence(actors.editor!, { incidentId: id, itemId: verified.id }))).toBe("NOT_FOUND");
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("links an item named by its reference, only within the incident's project", async () => {
    const { id, reference } = await createIncident(actors.editor!, incidentInput());
    const item = await newItem(project.id, actors.editor!, "VERIFIED");
    const { reference: itemReference } = await db().evidenceItem.findUniqueOrThrow({ where: { id: item.id }, select: { reference: true } });
    await linkEvidence(actors.editor!, { incidentId: id, itemReference: itemReference.toLowerCase(), relation: "Shows the attack" });
    expect((await getIncident(actors.editor!, project.slug, reference)).evidence.map((e) => e.itemId)).toEqual([item.id]);

    const foreign = await newItem(other.id, actors.outsider!, "VERIFIED");
    const { reference: foreignReference } = await db().evidenceItem.findUniqueOrThrow({ where: { id: foreign.id }, select: { reference: true } });
    const error = await linkEvidence(actors.editor!, { incidentId: id, itemReference: foreignReference }).catch((e: unknown) => e);
    // References are per project; another project's reference may match nothing, or a different item here.
    if (error instanceof DomainError) expect(error.code).toBe("VALIDATION");
    expect(await db().incidentEvidence.count({ where: { itemId: foreign.id } })).toBe(0);
  });

  it("keeps an incident's type that the project has since dropped, but refuses choosing it anew", async () => {
    const { id } = await createIncident(actors.editor!, incidentInput({ incidentType: "Arson" }));
    await db().project.update({ where: { id: project.id }, data: { settings: { incidentTypes: ["IED", "Protest crackdown"] } } });
    try {
      await updateIncident(actors.editor!, { ...incidentInput({ incidentType: "Arson", title: "Arson at a school" }), incidentId: id, expectedVersion: 0 });
      expect(await db().incident.findUniqueOrThrow({ where: { id } })).toMatchObject({ incidentType: "Arson", title: "Arson at a school", version: 1 });
      expect(await codeOf(updateIncident(actors.editor!, { ...incidentInput({ incidentType: "Drone strike" }), incidentId: id, expectedVersion: 1 }))).toBe("VALIDATION");
      expect(await codeOf(createIncident(actors.editor!, incidentInput({ incidentType: "Arson" })))).toBe("VALIDATION");
      expect(await createIncident(actors.editor!, incidentInput({ incidentType: "Protest crackdown" }))).toMatchObject({ reference: expect.stringMatching(/^INC-/) as unknown });
    } finally {
      await db().project.update({ where: { id: project.id }, data: { settings: {} } });
    }
  });

  it("refuses rejected items entirely and items from another project", async () => {
    const { id } = await createIncident(actors.editor!, incidentInput());
    const rejected = await newItem(project.id, actors.editor!, "REJECTED");
    expect(await codeOf(linkEvidence(actors.editor!, { incidentId: id, itemId: rejected.id, asLead: true }))).toBe("VALIDATION");

    // The outsider edits the other project and is also a member here, so only the project rule refuses.
    const foreign = await newItem(other.id, actors.outsider!, "VERIFIED");
    const both = await makeUser({ projectId: project.id, role: "EDITOR" });
    const { setMembership } = await import("../../lib/server/services/accounts/set-membership");
    const { SYSTEM_ACTOR } = await import("../../lib/domain/permissions");
    await setMembership(SYSTEM_ACTOR, { userId: both.id, projectId: other.id, role: "EDITOR" });
    expect(await codeOf(linkEvidence(await actorFor(both.id), { incidentId: id, itemId: foreign.id }))).toBe("VALIDATION");
    // Someone who cannot see the other project learns nothing about the item.
    expect(await codeOf(linkEvidence(actors.editor!, { incidentId: id, itemId: foreign.id }))).toBe("NOT_FOUND");
    expect(await db().incidentEvidence.count({ where: { incidentId: id } })).toBe(0);
  });
});
