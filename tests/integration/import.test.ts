import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { ImportFormat } from "../../lib/domain/import/mapping";
import { SYSTEM_ACTOR, type Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { importIncidents } from "../../lib/server/services/imports/import-incidents";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/import");
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)));

let project: { id: string; slug: string };
const actors: Record<string, Actor> = {};

async function counts() {
  const client = db();
  const [incidents, items, sources, links, audit] = await Promise.all([
    client.incident.count(),
    client.evidenceItem.count(),
    client.sourceUrl.count(),
    client.incidentEvidence.count(),
    client.auditEvent.count(),
  ]);
  return { incidents, items, sources, links, audit };
}

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

function run(actor: Actor, file: string, format: ImportFormat, dryRun: boolean, extra: Record<string, unknown> = {}) {
  return importIncidents(actor, { projectId: project.id, format, bytes: fixture(file), filename: file, dryRun, ...extra });
}

beforeAll(async () => {
  project = await makeProject();
  for (const [key, role] of [
    ["contributor", "CONTRIBUTOR"],
    ["investigator", "INVESTIGATOR"],
    ["editor", "EDITOR"],
  ] as const) {
    actors[key] = await actorFor((await makeUser({ projectId: project.id, role })).id);
  }
  actors.admin = await actorFor((await makeUser({ isAdmin: true })).id);
});

describe("importing incidents", () => {
  it("a dry run reports what would be created and writes nothing", async () => {
    const before = await counts();
    const report = await run(actors.editor!, "timemap-afghanistan.json", "timemap-json", true);
    expect(await counts()).toEqual(before);
    expect(report).toMatchObject({
      dryRun: true,
      imported: false,
      counts: { rows: 5, incidents: 5, items: 5, rowsWithProblems: 0 },
      problems: [],
      problemCount: 0,
      created: null,
      sha256: createHash("sha256").update(readFileSync(path.join(FIXTURES, "timemap-afghanistan.json"))).digest("hex"),
    });
    expect(report.warnings).toEqual([expect.stringContaining("time_precision")]);
  });

  const badFiles: Array<[string, ImportFormat, number | null]> = [
    ["bad-wrong-types.json", "timemap-json", 5],
    ["bad-duplicate-ids.csv", "csv", 1],
    ["bad-coordinates.csv", "csv", 4],
    ["bad-unknown-columns.csv", "csv", null],
    ["bad-mixed-dates.json", "timemap-json", 3],
    ["bad-latin1.csv", "csv", null],
  ];
  it.each(badFiles)("%s gets a problem report and writes nothing, even when not a dry run", async (file, format, badRows) => {
    const before = await counts();
    for (const dryRun of [true, false]) {
      const report = await run(actors.editor!, file, format, dryRun);
      expect(report.imported).toBe(false);
      expect(report.created).toBeNull();
      expect(report.problemCount).toBeGreaterThan(0);
      if (badRows === null) expect(report.problems.every((p) => p.row === null)).toBe(true);
      else expect(report.counts.rowsWithProblems).toBe(badRows);
    }
    expect(await counts()).toEqual(before);
  });

  it("names the Latin-1 problem in words a user can act on", async () => {
    const report = await run(actors.editor!, "bad-latin1.csv", "csv", true);
    expect(report.problems).toEqual([{ row: null, field: null, message: expect.stringMatching(/not UTF-8.*Re-save it as UTF-8/) }]);
  });

  it("refuses oversized files and invalid mappings with a clear error", async () => {
    const big = await errorOf(importIncidents(actors.editor!, { projectId: project.id, format: "csv", bytes: new Uint8Array(20 * 1024 * 1024 + 1), filename: "big.csv", dryRun: true }));
    expect(big.message).toMatch(/larger than 20 MiB/);
    const mapping = await errorOf(run(actors.editor!, "events.csv", "csv", true, { mapping: '{"columns": {"colour": "x"}}' }));
    expect(mapping.code).toBe("VALIDATION");
    expect(Object.keys(mapping.fieldErrors ?? {})).toContain("mapping.columns");
  });

  it("contributors and investigators may not import; strangers do not learn the project exists", async () => {
    const stranger = await actorFor((await makeUser()).id);
    const before = await counts();
    expect((await errorOf(run(actors.contributor!, "timemap-afghanistan.json", "timemap-json", true))).code).toBe("FORBIDDEN");
    expect((await errorOf(run(actors.investigator!, "timemap-afghanistan.json", "timemap-json", false))).code).toBe("FORBIDDEN");
    expect((await errorOf(run(stranger, "timemap-afghanistan.json", "timemap-json", true))).code).toBe("NOT_FOUND");
    expect((await errorOf(run(SYSTEM_ACTOR, "timemap-afghanistan.json", "timemap-json", true))).code).toBe("VALIDATION");
    expect(await counts()).toEqual(before);
  });

  it("an admin without membership imports a TimeMap file after a dry run: incidents, SUBMITTED leads with source URLs, audit", async () => {
    const admin = actors.admin!;
    expect(admin.memberships[project.id]).toBeUndefined();
    const dry = await run(admin, "timemap-afghanistan.json", "timemap-json", true);
    expect(dry.problemCount).toBe(0);
    const before = await counts();

    const report = await run(admin, "timemap-afghanistan.json", "timemap-json", false);
    expect(report).toMatchObject({ dryRun: false, imported: true, counts: { incidents: 5, items: 5 }, problemCount: 0 });
    expect(report.created).toEqual({
      incidentReferences: ["INC-0001", "INC-0002", "INC-0003", "INC-0004", "INC-0005"],
      firstReference: "INC-0001",
      lastReference: "INC-0005",
    });
    expect(await counts()).toEqual({
      incidents: before.incidents + 5,
      items: before.items + 5,
      sources: before.sources + 5,
      links: before.links + 5,
      audit: before.audit + 5 + 5 + 1,
    });

    const incidents = await db().incident.findMany({
      where: { projectId: project.id },
      orderBy: { reference: "asc" },
      include: { evidence: { include: { item: { include: { sources: true } } } } },
    });
    expect(incidents.map((i) => [i.reference, i.externalId, i.incidentType])).toEqual([
      ["INC-0001", "AFG0001", "Suicide bombing"],
      ["INC-0002", "AFG0002", "IED"],
      ["INC-0003", "AFG0003", "Other"],
      ["INC-0004", "AFG0004", "Other"],
      ["INC-0005", "AFG0005", "Suicide bombing"],
    ]);
    const first = incidents[0]!;
    expect(first).toMatchObject({ latitude: 34.5003, longitude: 69.132, province: "Kabul", createdById: admin.userId, title: "Explosion at an education centre during a practice exam." });
    expect(first.startAt?.toISOString()).toBe("2022-09-30T07:30:00.000Z");
    expect(first.tags).toEqual(["Type of incident: Suicide bombing", "Type of area affected: Education"]);
    expect(incidents.map((i) => i.province)).toEqual(["Kabul", "Balkh", "Kunduz", "Hirat", "Kandahar"]);

    // AFG0001 has one source with two paths: two items; AFG0003 has none.
    expect(first.evidence).toHaveLength(2);
    expect(incidents[2]!.evidence).toHaveLength(0);
    for (const link of incidents.flatMap((i) => i.evidence)) {
      expect(link).toMatchObject({ isLead: true, relation: "Imported source", createdById: admin.userId });
      expect(link.item).toMatchObject({ status: "SUBMITTED", submittedById: admin.userId, projectId: project.id });
      expect(link.item.sources).toHaveLength(1);
      expect(link.item.sources[0]!.url).toBe(link.item.postUrl);
    }
    expect(first.evidence.map((l) => l.item.sources[0]!.url).sort()).toEqual(["https://example.org/posts/1001", "https://example.org/posts/1002"]);
    expect(first.evidence[0]!.item.title).toBe("Video of the aftermath posted the same morning");
    const herat = incidents[3]!.evidence[0]!.item;
    expect(herat.title).toBe("Imported source for Explosion at a mosque in Herat. Fictional test record.");

    const summary = await db().auditEvent.findFirstOrThrow({ where: { projectId: project.id, action: "import.run" } });
    expect(summary.actorId).toBe(admin.userId);
    expect(summary.after).toMatchObject({ filename: "timemap-afghanistan.json", sha256: report.sha256, counts: { incidents: 5, items: 5 } });
    expect(await db().auditEvent.count({ where: { projectId: project.id, action: "incident.import" } })).toBe(5);
    expect(await db().auditEvent.count({ where: { projectId: project.id, action: "item.import" } })).toBe(5);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("re-importing the same file is refused row by row and writes nothing", async () => {
    const before = await counts();
    for (const dryRun of [true, false]) {
      const report = await run(actors.editor!, "timemap-afghanistan.json", "timemap-json", dryRun);
      expect(report.imported).toBe(false);
      expect(report.problems).toHaveLength(5);
      expect(report.problems[0]).toEqual({ row: 1, field: "id", message: 'The id "AFG0001" was already imported into this project as INC-0001.' });
    }
    expect(await counts()).toEqual(before);
  });

  it("an editor imports a spreadsheet; references continue after existing ones", async () => {
    const report = await run(actors.editor!, "events.csv", "csv", false);
    expect(report).toMatchObject({ imported: true, counts: { incidents: 3, items: 3 } });
    expect(report.created?.firstReference).toBe("INC-0006");
    const airport = await db().incident.findFirstOrThrow({ where: { projectId: project.id, externalId: "EV-1" } });
    expect(airport).toMatchObject({ killedMin: 150, killedMax: 180, targets: ["CIVILIANS", "FOREIGN_DIPLOMATIC"], province: "Kabul" });
    const ghazni = await db().incident.findFirstOrThrow({ where: { projectId: project.id, externalId: "EV-3" } });
    // No coordinates: the province comes from the file.
    expect(ghazni).toMatchObject({ latitude: null, province: "Ghazni" });
    const references = (await db().evidenceItem.findMany({ where: { projectId: project.id }, select: { reference: true } })).map((i) => i.reference);
    expect(new Set(references).size).toBe(references.length);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("two imports of the same file at once: exactly one writes", async () => {
    const other = await makeProject();
    const editor = await actorFor((await makeUser({ projectId: other.id, role: "EDITOR" })).id);
    const input = { projectId: other.id, format: "csv", bytes: fixture("events.csv"), filename: "events.csv", dryRun: false };
    const results = await Promise.all([importIncidents(editor, input), importIncidents(editor, input)]);
    expect(results.filter((r) => r.imported)).toHaveLength(1);
    expect(await db().incident.count({ where: { projectId: other.id } })).toBe(3);
  });
});
