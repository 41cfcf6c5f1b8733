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
import { listImportRuns } from "../../lib/server/services/imports/list-import-runs";
import { deleteImportMapping, listSavedMappings, saveImportMapping } from "../../lib/server/services/imports/saved-mappings";
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

  it("re-importing the same file finds every row unchanged and writes no incident or item", async () => {
    const before = await counts();
    for (const dryRun of [true, false]) {
      const report = await run(actors.editor!, "timemap-afghanistan.json", "timemap-json", dryRun);
      expect(report.imported).toBe(false);
      expect(report.problems).toEqual([]);
      expect(report.counts).toMatchObject({ new: 0, unchanged: 5, changed: 0, conflicts: 0 });
    }
    // Only the kept run and its audit event.
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
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

// --- Issue 15 -----------------------------------------------------------------------------

async function projectWithEditor() {
  const p = await makeProject();
  const editor = await actorFor((await makeUser({ projectId: p.id, role: "EDITOR" })).id);
  const runIn = (file: string, format: ImportFormat, dryRun: boolean, extra: Record<string, unknown> = {}) =>
    importIncidents(editor, { projectId: p.id, format, bytes: fixture(file), filename: file, dryRun, ...extra });
  const incidents = () =>
    db().incident.findMany({ where: { projectId: p.id }, orderBy: { reference: "asc" }, include: { evidence: { include: { item: { include: { sources: true } } } } } });
  return { project: p, editor, runIn, incidents };
}

const SHEET = { mapping: '{"preset": "timemap-sheet"}' };

describe("1. one odd cell no longer blocks the file: row errors vs cell warnings", () => {
  it("a dry run lists row errors and cell warnings apart, one warning per cell, and offers the rest as a CSV", async () => {
    const { runIn } = await projectWithEditor();
    const report = await runIn("timemap-sheet-placeholders.csv", "csv", true, SHEET);
    expect(report.problems.map((p) => [p.row, p.field])).toEqual([
      [6, "longitude"],
      [7, "id"],
    ]);
    expect(report.problems[0]!.message).toMatch(/both latitude and longitude/);
    expect(report.problems[1]!.message).toMatch(/id is missing/);
    // One message per cell, never one per word: "Access can be requested, hidden for privacy reasons" is one warning.
    expect(report.cellWarnings.map((w) => [w.row, w.field])).toEqual([
      [3, "sources"],
      [4, "sources"],
      [4, "sources"],
      [5, "date"],
    ]);
    expect(report.cellWarnings[0]!.message).toBe('"HIDDEN" in link is not a link; it was kept as a text note on the incident, not as a source.');
    expect(report.cellWarnings[1]!.message).toMatch(/^"Access can be requested, hidden for privacy reasons" in link is not a link/);
    expect(report.cellWarnings[2]!.message).toMatch(/^"https:\/\/t\.me\/c\/123\/456 part 2" in source_1 is not only a link: its URL was imported/);
    expect(report.cellWarnings[3]!.message).toMatch(/date is missing; the incident is imported with its date unknown/);
    expect(report.counts).toMatchObject({ rows: 7, incidents: 5, items: 7, rowsWithProblems: 2, rowsWithWarnings: 3, new: 5 });
    const lines = report.rejectedCsv!.trim().split("\r\n");
    expect(lines[0]).toBe("id,date,location,latitude,longitude,description,type_of_area_affected,weapon_system,link,geolocation,source_1,source_2,import_row,import_errors");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe('CIV0105,03/01/2022,Sumy,50.9077,,Latitude without longitude. Fictional test record.,Residential,,https://example.org/v/105,,,,6,"longitude: Give both latitude and longitude, or neither."');
    expect(lines[2]).toMatch(/^,03\/02\/2022,Irpin,.*,7,id: The id is missing/);
  });

  it('"nothing until clean" writes nothing; "import the rows without errors" writes the others whole, audited', async () => {
    const { project: p, runIn, incidents } = await projectWithEditor();
    const before = await counts();
    const refused = await runIn("timemap-sheet-placeholders.csv", "csv", false, { ...SHEET, onRowErrors: "abort" });
    expect(refused).toMatchObject({ imported: false, runId: null });
    expect(await counts()).toEqual(before);

    const report = await runIn("timemap-sheet-placeholders.csv", "csv", false, { ...SHEET, onRowErrors: "skip" });
    expect(report).toMatchObject({ imported: true, counts: { created: 5, items: 7 } });
    expect(report.rejectedCsv).toContain("CIV0105");
    const rows = await incidents();
    expect(rows.map((i) => i.externalId)).toEqual(["CIV0101", "CIV0102", "CIV0103", "CIV0104", "CIV0107"]);
    const urls = (i: (typeof rows)[number]) => i.evidence.map((e) => e.item.postUrl).sort();
    expect(urls(rows[0]!)).toEqual(["https://example.org/geo/101", "https://example.org/v/101"]);
    // HIDDEN is never a link; it is a labelled note on the incident.
    expect(urls(rows[1]!)).toEqual(["https://example.org/geo/102"]);
    expect(rows[1]!.description).toBe('School damaged by shelling. Fictional test record.\n\nSource note (column "link", not a link): HIDDEN');
    expect(urls(rows[2]!)).toEqual(["https://example.org/s/103", "https://t.me/c/123/456"]);
    expect(rows[2]!.description).toContain('Source note (column "link", not a link): Access can be requested, hidden for privacy reasons');
    expect(rows[2]!.description).toContain('Source note (column "source_1", not a link): https://t.me/c/123/456 part 2');
    expect(rows[0]!.tags).toEqual(["type_of_area_affected: Residential", "weapon_system: Missile"]);

    const run = await db().importRun.findFirstOrThrow({ where: { projectId: p.id } });
    expect(run).toMatchObject({ filename: "timemap-sheet-placeholders.csv", sha256: report.sha256, createdById: expect.any(String) });
    expect(run.counts).toMatchObject({ created: 5, skippedRows: 2, rowsWithWarnings: 3 });
    expect(run.options).toMatchObject({ onRowErrors: "skip", updates: "new-only", preset: "timemap-sheet" });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { projectId: p.id, action: "import.run" } });
    expect(audit.after).toMatchObject({ runId: run.id, skippedRows: [{ row: 6 }, { row: 7 }], cellWarnings: 4 });
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("an over-long title is cut at a word boundary, the full text kept in the description", async () => {
    const p = await makeProject();
    const editor = await actorFor((await makeUser({ projectId: p.id, role: "EDITOR" })).id);
    const long = `${"Shelling of the residential district ".repeat(8)}end`;
    const csv = `id,title,date\nL-1,${long},2022-03-01\n`;
    const report = await importIncidents(editor, { projectId: p.id, format: "csv", bytes: new TextEncoder().encode(csv), filename: "long.csv", dryRun: false });
    expect(report.problems).toEqual([]);
    expect(report.cellWarnings).toEqual([{ row: 2, field: "title", message: expect.stringMatching(/cut at a word boundary/) }]);
    const incident = await db().incident.findFirstOrThrow({ where: { projectId: p.id } });
    expect(incident.title.length).toBeLessThanOrEqual(200);
    expect(incident.title).toMatch(/…$/);
    // Cut where a word ends.
    expect(long.startsWith(incident.title.slice(0, -1))).toBe(true);
    expect(long[incident.title.length - 1]).toBe(" ");
    expect(incident.description).toBe(`Full title: ${long}`);
  });
});

describe("2. undated records import with their date unknown", () => {
  it("a missing date is stored as null (not the import day, not 1970); no coordinates stay none", async () => {
    const { runIn, incidents } = await projectWithEditor();
    await runIn("timemap-sheet-placeholders.csv", "csv", false, { ...SHEET, onRowErrors: "skip" });
    const rows = await incidents();
    const undated = rows.find((i) => i.externalId === "CIV0104")!;
    expect(undated.startAt).toBeNull();
    expect(undated.endAt).toBeNull();
    const dated = rows.find((i) => i.externalId === "CIV0101")!;
    expect(dated.startAt?.toISOString()).toBe("2022-02-24T00:00:00.000Z");
    const bucha = rows.find((i) => i.externalId === "CIV0107")!;
    expect(bucha).toMatchObject({ latitude: null, longitude: null });
    // The undated incident's lead item has no claimed date either.
    expect(undated.evidence[0]!.item.claimedDate).toBeNull();
  });
});

describe("3. a newer export of the same dataset", () => {
  it("classifies rows as new, unchanged, changed (with a diff) or conflicting, and never overwrites an app edit", async () => {
    const { project: p, editor, runIn, incidents } = await projectWithEditor();
    const first = await runIn("timemap-civ-v1.json", "timemap-json", false);
    expect(first.counts).toMatchObject({ created: 4, items: 3 });

    // Between imports an editor corrects CIV1003's title in the app.
    const edited = await db().incident.findFirstOrThrow({ where: { projectId: p.id, externalId: "CIV1003" } });
    await db().incident.update({ where: { id: edited.id }, data: { title: "Bread queue struck (corrected by an editor)", version: { increment: 1 } } });

    const dry = await runIn("timemap-civ-v2.json", "timemap-json", true);
    expect(dry.problems).toEqual([]);
    expect(dry.counts).toMatchObject({ rows: 6, new: 2, unchanged: 2, changed: 1, conflicts: 1 });
    expect(dry.diffs).toEqual([
      {
        row: 2,
        externalId: "CIV1002",
        status: "changed",
        reference: "INC-0002",
        changes: [
          { field: "title", lastImported: "Market shelled. Fictional test record.", app: "Market shelled. Fictional test record.", file: "Market shelled; three stalls burnt. Fictional test record." },
          { field: "description", lastImported: "Market shelled. Fictional test record.", app: "Market shelled. Fictional test record.", file: "Market shelled; three stalls burnt. Fictional test record." },
          { field: "locationName", lastImported: "Kharkiv", app: "Kharkiv", file: "Kharkiv, Barabashovo market" },
          { field: "sources", lastImported: ["https://example.org/civ/1002"], app: ["https://example.org/civ/1002"], file: ["https://example.org/civ/1002", "https://example.org/civ/2002"] },
        ],
      },
      {
        row: 3,
        externalId: "CIV1003",
        status: "conflict",
        reference: "INC-0003",
        changes: [
          { field: "title", lastImported: "Bread queue struck. Fictional test record.", app: "Bread queue struck (corrected by an editor)", file: "Bread queue struck. Fictional test record." },
          { field: "locationName", lastImported: "Chernihiv", app: "Chernihiv", file: "Chernihiv, Ivana Mazepy street" },
        ],
      },
    ]);

    // New rows only: CIV1005 and CIV1006 are created, CIV1002 is left as it was.
    const newOnly = await runIn("timemap-civ-v2.json", "timemap-json", false, { updates: "new-only" });
    expect(newOnly).toMatchObject({ imported: true, counts: { created: 2, updated: 0, items: 1 } });
    expect(newOnly.created?.incidentReferences).toEqual(["INC-0005", "INC-0006"]);
    let rows = await incidents();
    expect(rows.find((i) => i.externalId === "CIV1002")!.locationName).toBe("Kharkiv");

    // New rows and updates: nothing new is left, CIV1002 takes the file's values, CIV1003 keeps the editor's title.
    const withUpdates = await runIn("timemap-civ-v2.json", "timemap-json", false, { updates: "new-and-changed" });
    expect(withUpdates).toMatchObject({ imported: true, counts: { new: 0, created: 0, updated: 1, conflicts: 1, items: 1 } });
    rows = await incidents();
    expect(rows).toHaveLength(6);
    const market = rows.find((i) => i.externalId === "CIV1002")!;
    expect(market).toMatchObject({ locationName: "Kharkiv, Barabashovo market", description: "Market shelled; three stalls burnt. Fictional test record.", version: 1 });
    expect(market.evidence.map((e) => e.item.postUrl).sort()).toEqual(["https://example.org/civ/1002", "https://example.org/civ/2002"]);
    const queue = rows.find((i) => i.externalId === "CIV1003")!;
    expect(queue).toMatchObject({ title: "Bread queue struck (corrected by an editor)", locationName: "Chernihiv" });

    const update = await db().auditEvent.findFirstOrThrow({ where: { projectId: p.id, action: "incident.import-update" } });
    expect(update).toMatchObject({ entityId: market.id, before: { locationName: "Kharkiv", version: 0 }, after: { locationName: "Kharkiv, Barabashovo market", version: 1 } });
    const lastRun = await db().auditEvent.findFirstOrThrow({ where: { projectId: p.id, action: "import.run" }, orderBy: { seq: "desc" } });
    expect(lastRun.after).toMatchObject({ conflicts: [{ row: 3, externalId: "CIV1003", fields: ["title", "locationName"] }] });

    // A third look at v2: CIV1002 is now unchanged (the record follows the update); CIV1003 still conflicts.
    const again = await runIn("timemap-civ-v2.json", "timemap-json", true);
    expect(again.counts).toMatchObject({ new: 0, unchanged: 5, changed: 0, conflicts: 1 });

    // Every run is kept and can be reviewed.
    const runs = await listImportRuns(editor, p.id);
    expect(runs.map((r) => [r.filename, r.counts.created, r.counts.updated, r.options.updates])).toEqual([
      ["timemap-civ-v2.json", 0, 1, "new-and-changed"],
      ["timemap-civ-v2.json", 2, 0, "new-only"],
      ["timemap-civ-v1.json", 4, 0, "new-only"],
    ]);
    expect(runs[0]!.sha256).toBe(createHash("sha256").update(fixture("timemap-civ-v2.json")).digest("hex"));
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("duplicate ids inside one file are still reported with both row numbers", async () => {
    const { runIn } = await projectWithEditor();
    const report = await runIn("bad-duplicate-ids.csv", "csv", true);
    expect(report.problems).toEqual([{ row: 4, field: "id", message: 'The id "D-1" is also used on row 2.' }]);
  });
});

describe("4. several columns per field and shipped mappings", () => {
  it("ACLED: time_precision widens the window (day, week, month), geo_precision sets the precision, fatalities, labelled tags, sources as a note", async () => {
    const { runIn, incidents } = await projectWithEditor();
    const dry = await runIn("acled-sample.csv", "csv", true, { mapping: '{"preset": "acled"}' });
    expect(dry.problems).toEqual([]);
    expect(dry.preview.fieldColumns).toMatchObject({ id: ["event_id_cnty"], date: ["event_date"], tags: ["disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "admin2"] });
    expect(dry.preview.rows[0]).toMatchObject({ id: "UKR90001", date: "2023-01-15T00:00:00.000Z to 2023-01-15T23:59:59.999Z", location: "Dnipro · 48.4647, 35.0462 · ±5000 m", killed: "46–46" });
    const report = await runIn("acled-sample.csv", "csv", false, { mapping: '{"preset": "acled"}' });
    expect(report.counts.created).toBe(3);
    const [day, week, month] = await incidents();
    expect(day).toMatchObject({ externalId: "UKR90001", precisionM: 5000, killedMin: 46, killedMax: 46, province: "Dnipropetrovsk", locationName: "Dnipro" });
    expect([day!.startAt?.toISOString(), day!.endAt?.toISOString()]).toEqual(["2023-01-15T00:00:00.000Z", "2023-01-15T23:59:59.999Z"]);
    expect(week).toMatchObject({ externalId: "UKR90002", precisionM: 25000, killedMin: 0 });
    expect([week!.startAt?.toISOString(), week!.endAt?.toISOString()]).toEqual(["2023-01-15T00:00:00.000Z", "2023-01-21T23:59:59.999Z"]);
    // "15 February 2023": older ACLED exports write dates in words.
    expect(month).toMatchObject({ externalId: "UKR90003", precisionM: 100000, killedMin: null });
    expect([month!.startAt?.toISOString(), month!.endAt?.toISOString()]).toEqual(["2023-02-01T00:00:00.000Z", "2023-02-28T23:59:59.999Z"]);
    expect(day!.tags).toEqual(expect.arrayContaining(["event_type: Explosions/Remote violence", "sub_event_type: Shelling/artillery/missile attack", "actor1: Military Forces of Russia (2000-)", "actor2: Civilians (Ukraine)"]));
    expect(day!.description).toBe('On 15 January 2023, a missile hit a residential building in Dnipro. Fictional test record.\n\nSources (column "source"): Ukrainska Pravda; Suspilne');
    expect(day!.evidence).toHaveLength(0);
    expect(week!.evidence.map((e) => e.item.postUrl)).toEqual([]);
  });

  it("UCDP GED: date_start/date_end as days, where_prec as precision, low/high deaths, sides as tags", async () => {
    const { runIn, incidents } = await projectWithEditor();
    const report = await runIn("ucdp-ged-sample.csv", "csv", false, { mapping: '{"preset": "ucdp-ged"}' });
    expect(report.problems).toEqual([]);
    expect(report.counts.created).toBe(2);
    const [town, province] = await incidents();
    expect(town).toMatchObject({ externalId: "900001", precisionM: 1000, killedMin: 8, killedMax: 12, locationName: "Lashkar Gah town" });
    expect([town!.startAt?.toISOString(), town!.endAt?.toISOString()]).toEqual(["2021-08-01T00:00:00.000Z", "2021-08-01T23:59:59.999Z"]);
    expect(town!.tags).toEqual(expect.arrayContaining(["side_a: Government of Afghanistan", "side_b: Taleban", "best: 9"]));
    expect(province).toMatchObject({ externalId: "900002", precisionM: 100000, killedMin: 4, killedMax: 6 });
    expect([province!.startAt?.toISOString(), province!.endAt?.toISOString()]).toEqual(["2021-08-05T00:00:00.000Z", "2021-08-11T23:59:59.999Z"]);
    expect(province!.description).toContain('Sources (column "source_article"): Fictional Daily,2021-08-10,Killings reported in Kandahar province');
  });

  it("a mapping names several columns for one field; the shipped mapping of another format is refused", async () => {
    const { runIn, incidents } = await projectWithEditor();
    const mapping = JSON.stringify({ unknownColumns: "warn", dateFormat: "MM/DD/YYYY", columns: { sources: ["link", "geolocation", "source_*"] } });
    const report = await runIn("timemap-sheet-placeholders.csv", "csv", false, { mapping, onRowErrors: "skip" });
    expect(report.preview.fieldColumns.sources).toEqual(["link", "geolocation", "source_1", "source_2"]);
    const rows = await incidents();
    expect(rows.find((i) => i.externalId === "CIV0103")!.evidence.map((e) => e.item.postUrl).sort()).toEqual(["https://example.org/s/103", "https://t.me/c/123/456"]);
    const wrong = await errorOf(runIn("timemap-civ-v1.json", "timemap-json", true, { mapping: '{"preset": "acled"}' }));
    expect(wrong.fieldErrors?.["mapping.preset"]).toEqual([expect.stringMatching(/is for CSV spreadsheet files/)]);
  });

  it("a mapping saved for the project is offered again, reproduces the same import, and only importers may keep one", async () => {
    const { project: p, editor, runIn } = await projectWithEditor();
    const investigator = await actorFor((await makeUser({ projectId: p.id, role: "INVESTIGATOR" })).id);
    const mapping = JSON.stringify({ unknownColumns: "warn", dateFormat: "MM/DD/YYYY", columns: { sources: ["link", "geolocation", "source_*"] } });

    // Refused: not an importer, or a mapping the import would refuse. Nothing is kept.
    const auditBefore = await db().auditEvent.count();
    expect((await errorOf(saveImportMapping(investigator, { projectId: p.id, name: "Sheet", format: "csv", mapping }))).code).toBe("NOT_FOUND");
    const invalid = await errorOf(saveImportMapping(editor, { projectId: p.id, name: "Sheet", format: "csv", mapping: '{"preset": "acled", "columns": {"nonsense": ["x"]}}' }));
    expect(invalid.code).toBe("VALIDATION");
    expect(await db().savedImportMapping.count({ where: { projectId: p.id } })).toBe(0);
    expect(await db().auditEvent.count()).toBe(auditBefore);

    const saved = await saveImportMapping(editor, { projectId: p.id, name: "Partner sheet", format: "csv", mapping });
    expect(saved.replaced).toBe(false);
    const listed = await listSavedMappings(editor, p.id);
    expect(listed.map((m) => [m.name, m.format])).toEqual([["Partner sheet", "csv"]]);
    expect(JSON.parse(listed[0]!.mapping)).toEqual(JSON.parse(mapping));
    await expect(listSavedMappings(investigator, p.id)).rejects.toThrow(DomainError);

    // Reusing the saved text reads the same columns as the mapping it was saved from.
    const report = await runIn("timemap-sheet-placeholders.csv", "csv", true, { mapping: listed[0]!.mapping });
    expect(report.preview.fieldColumns.sources).toEqual(["link", "geolocation", "source_1", "source_2"]);

    // Saving under the same name replaces it, with the old version in the audit record.
    const replaced = await saveImportMapping(editor, { projectId: p.id, name: "Partner sheet", format: "csv", mapping: '{"dateFormat": "DD/MM/YYYY"}' });
    expect(replaced).toMatchObject({ id: saved.id, replaced: true });
    const event = await db().auditEvent.findFirstOrThrow({ where: { entityId: saved.id, action: "import.mapping_replace" } });
    expect(event.before).toMatchObject({ mapping: JSON.parse(mapping) });

    expect((await errorOf(deleteImportMapping(investigator, { mappingId: saved.id }))).code).toBe("NOT_FOUND");
    expect(await db().savedImportMapping.count({ where: { id: saved.id } })).toBe(1);
    await deleteImportMapping(editor, { mappingId: saved.id });
    expect(await db().savedImportMapping.count({ where: { id: saved.id } })).toBe(0);
    expect((await verifyStoredAuditChain(db())).ok).toBe(true);
  });
});
