// The incident list at the size real projects reach: paging past the old 500-row cap, search,
// filters, undated incidents last, type-ahead pickers over the whole project, the export of a
// view, and fresh planner statistics after a bulk import.
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { DEFAULT_INCIDENT_LIST_STATE, parseIncidentListState, type IncidentListState } from "../../lib/domain/incident-list";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { exportIncidents } from "../../lib/server/services/exports/export-incidents";
import { listIncidents, searchIncidentChoices } from "../../lib/server/services/incidents/list-incidents";
import { importIncidents } from "../../lib/server/services/imports/import-incidents";
import { getProjectOverview } from "../../lib/server/services/projects/get-project-overview";
import { searchItemChoices } from "../../lib/server/services/items/search-item-choices";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const TOTAL = 1219; // the size of the project that showed only its newest 500
const PROVINCES = ["Kabul", "Kandahar", "Herat", "Nangarhar"];
const TYPES = ["IED", "Suicide bombing", "Shelling"];

let project: { id: string; slug: string };
let other: { id: string; slug: string };
const actors: Record<string, Actor> = {};

const view = (overrides: Partial<IncidentListState> = {}): IncidentListState => ({ ...DEFAULT_INCIDENT_LIST_STATE, type: [], province: [], ...overrides });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

/** Incident n: every 10th has no known date, provinces and types rotate, titles name the place. */
function incidentRow(n: number, createdById: string) {
  const province = PROVINCES[n % PROVINCES.length]!;
  const undated = n % 10 === 0;
  const start = new Date(Date.UTC(2021, 0, 1) + n * 86_400_000);
  return {
    projectId: project.id,
    reference: `INC-${String(n).padStart(4, "0")}`,
    title: `${TYPES[n % TYPES.length]} in ${province} district ${n}`,
    incidentType: TYPES[n % TYPES.length]!,
    province,
    startAt: undated ? null : start,
    endAt: undated ? null : new Date(start.getTime() + 3_600_000),
    latitude: n % 7 === 0 ? null : 34.5 + (n % 50) / 100,
    longitude: n % 7 === 0 ? null : 69.1 + (n % 50) / 100,
    createdById,
    targets: [],
    tags: [],
  };
}

beforeAll(async () => {
  project = await makeProject();
  other = await makeProject();
  for (const [key, role] of [
    ["contributor", "CONTRIBUTOR"],
    ["investigator", "INVESTIGATOR"],
    ["editor", "EDITOR"],
  ] as const) {
    actors[key] = await actorFor((await makeUser({ projectId: project.id, role })).id);
  }
  actors.outsider = await actorFor((await makeUser({ projectId: other.id, role: "EDITOR" })).id);
  const rows = Array.from({ length: TOTAL }, (_, i) => incidentRow(i + 1, actors.editor!.userId));
  await db().incident.createMany({ data: rows });
}, 120_000);

describe("the incident list", () => {
  it("pages through every incident of a large project, each exactly once", async () => {
    const first = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ size: 100 }) });
    expect(first.total).toBe(TOTAL);
    expect(first.projectTotal).toBe(TOTAL);
    expect(first.projectUndated).toBe(Math.floor(TOTAL / 10));
    expect(first.pageCount).toBe(13);
    const seen = new Set<string>();
    for (let page = 1; page <= first.pageCount; page++) {
      const list = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ size: 100, page }) });
      for (const row of list.rows) seen.add(row.reference);
      if (page === 13) expect(list.rows).toHaveLength(TOTAL - 1200);
    }
    expect(seen.size).toBe(TOTAL);
    // A page past the end shows the last page rather than nothing.
    expect((await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ size: 100, page: 999 }) })).page).toBe(13);
  });

  it("puts undated incidents last whichever way the date sorts", async () => {
    const newest = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ size: 25 }) });
    expect(newest.rows[0]!.reference).toBe("INC-1219");
    expect(newest.rows.every((r) => r.startAt !== null)).toBe(true);
    const oldest = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ size: 25, dir: "asc" }) });
    expect(oldest.rows[0]!.reference).toBe("INC-0001");
    const lastPage = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ size: 100, page: 13 }) });
    expect(lastPage.rows.every((r) => r.startAt === null)).toBe(true);
  });

  it("searches words, word beginnings and references, and filters by type, province, date and evidence", async () => {
    const kandahar = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ q: "Kandahar" }) });
    expect(kandahar.total).toBe(Array.from({ length: TOTAL }, (_, i) => i + 1).filter((n) => n % 4 === 1).length);
    expect(kandahar.rows.every((r) => r.title.includes("Kandahar"))).toBe(true);
    // People type the beginning of a word.
    expect((await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ q: "kandah" }) })).total).toBe(kandahar.total);
    // Stemmed English: "bombings" finds "bombing".
    const bombings = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ q: "bombings" }) });
    expect(bombings.total).toBe(Array.from({ length: TOTAL }, (_, i) => i + 1).filter((n) => n % 3 === 1).length);
    const byReference = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ q: "INC-0042" }) });
    expect(byReference.rows.map((r) => r.reference)).toEqual(["INC-0042"]);

    const { state: fromUrl } = parseIncidentListState(new URLSearchParams("type=Shelling&province=Herat&dated=dated&from=2021-06-01&to=2021-12-31"));
    const filtered = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: fromUrl });
    const expected = Array.from({ length: TOTAL }, (_, i) => incidentRow(i + 1, "x")).filter(
      (r) => r.incidentType === "Shelling" && r.province === "Herat" && r.startAt && r.startAt >= new Date("2021-06-01") && r.startAt < new Date("2022-01-01"),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(filtered.total).toBe(expected.length);

    const undated = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ dated: "undated", size: 100 }) });
    expect(undated.total).toBe(Math.floor(TOTAL / 10));
    expect(undated.rows.every((r) => r.startAt === null)).toBe(true);

    // Evidence filters count verified items only as evidence, leads apart.
    const verified = await submitEvidence(actors.editor!, { projectId: project.id, title: "Verified footage", sourceUrls: ["https://example.org/v/1"] });
    await db().evidenceItem.update({ where: { id: verified.id }, data: { status: "VERIFIED" } });
    const lead = await submitEvidence(actors.editor!, { projectId: project.id, title: "Unverified footage", sourceUrls: ["https://example.org/v/2"] });
    const [withEvidence, withLead] = await Promise.all(["INC-0500", "INC-0501"].map((reference) => db().incident.findFirstOrThrow({ where: { projectId: project.id, reference } })));
    await db().incidentEvidence.createMany({
      data: [
        { incidentId: withEvidence!.id, itemId: verified.id, createdById: actors.editor!.userId },
        { incidentId: withLead!.id, itemId: lead.id, isLead: true, createdById: actors.editor!.userId },
      ],
    });
    const hasEvidence = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ evidence: "verified" }) });
    expect(hasEvidence.rows.map((r) => [r.reference, r.counts.verified])).toEqual([["INC-0500", 1]]);
    const leadsOnly = await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ evidence: "leads-only" }) });
    expect(leadsOnly.rows.map((r) => [r.reference, r.counts.leads])).toEqual([["INC-0501", 1]]);
    expect((await listIncidents(actors.investigator!, { projectSlug: project.slug, state: view({ evidence: "none" }) })).total).toBe(TOTAL - 2);
  });

  it("the project overview shows the latest dated incidents and counts the undated apart", async () => {
    const overview = await getProjectOverview(actors.investigator!, project.slug);
    expect(overview.incidents?.total).toBe(TOTAL);
    expect(overview.incidents?.undated).toBe(Math.floor(TOTAL / 10));
    expect(overview.incidents?.recent.map((i) => i.reference)).toEqual(["INC-1219", "INC-1218", "INC-1217", "INC-1216", "INC-1215", "INC-1214", "INC-1213", "INC-1212", "INC-1211", "INC-1209"]);
  });

  it("is not found for people outside the project and for contributors", async () => {
    expect(await codeOf(listIncidents(actors.outsider!, { projectSlug: project.slug, state: view() }))).toBe("NOT_FOUND");
    expect(await codeOf(listIncidents(actors.contributor!, { projectSlug: project.slug, state: view() }))).toBe("NOT_FOUND");
    expect(await codeOf(searchIncidentChoices(actors.outsider!, { projectSlug: project.slug, query: "INC" }))).toBe("NOT_FOUND");
    expect(await codeOf(searchIncidentChoices(actors.contributor!, { projectSlug: project.slug, query: "INC" }))).toBe("NOT_FOUND");
  });
});

describe("type-ahead pickers", () => {
  it("find any incident of the project by reference or words, the exact reference first", async () => {
    const exact = await searchIncidentChoices(actors.editor!, { projectSlug: project.slug, query: "inc-0007" });
    expect(exact[0]!.reference).toBe("INC-0007");
    // An old incident, far beyond what a 500-row list offered.
    const old = await searchIncidentChoices(actors.editor!, { projectSlug: project.slug, query: "INC-000" });
    expect(old.map((c) => c.reference)).toContain("INC-0001");
    const words = await searchIncidentChoices(actors.editor!, { projectSlug: project.slug, query: "herat distr 1002" });
    expect(words.map((c) => c.reference)).toEqual(["INC-1002"]);
    const excluded = await searchIncidentChoices(actors.editor!, { projectSlug: project.slug, query: "INC-0007", excludeIds: [exact[0]!.id] });
    expect(excluded.map((c) => c.reference)).not.toContain("INC-0007");
    // Input that is not a word cannot break the query.
    expect(await searchIncidentChoices(actors.editor!, { projectSlug: project.slug, query: "%_\\'\":*&|!()" })).toEqual([]);
  });

  it("suggest only items the person may read", async () => {
    const mine = await submitEvidence(actors.contributor!, { projectId: project.id, title: "My own upload from Jalalabad", sourceUrls: ["https://example.org/c/1"] });
    const theirs = await submitEvidence(actors.editor!, { projectId: project.id, title: "Editor upload from Jalalabad", sourceUrls: ["https://example.org/c/2"] });
    const forContributor = await searchItemChoices(actors.contributor!, { projectSlug: project.slug, query: "jalala" });
    expect(forContributor.map((c) => c.reference)).toEqual([mine.reference]);
    expect(await searchItemChoices(actors.contributor!, { projectSlug: project.slug, query: theirs.reference })).toEqual([]);
    const forEditor = await searchItemChoices(actors.editor!, { projectSlug: project.slug, query: "jalala" });
    expect(forEditor.map((c) => c.reference).sort()).toEqual([mine.reference, theirs.reference].sort());
    expect(forEditor.find((c) => c.reference === theirs.reference)?.status).toBe("SUBMITTED");
    expect(await codeOf(searchItemChoices(actors.outsider!, { projectSlug: project.slug, query: "jalala" }))).toBe("NOT_FOUND");
  });
});

describe("exporting a view of the incident list", () => {
  it("downloads every incident of the view, all pages, and records it", async () => {
    const before = await db().auditEvent.count({ where: { action: "export.incidents" } });
    const result = await exportIncidents(actors.editor!, { projectSlug: project.slug, state: view({ dated: "undated", page: 3, size: 25 }), format: "csv", ip: null });
    const lines = result.body.trim().split("\r\n");
    expect(lines).toHaveLength(1 + Math.floor(TOTAL / 10));
    expect(lines[0]).toContain('"date_known"');
    expect(lines.slice(1).every((line) => line.includes('"no"'))).toBe(true);
    const audit = await db().auditEvent.findMany({ where: { action: "export.incidents" }, orderBy: { seq: "desc" }, take: 1 });
    expect(await db().auditEvent.count({ where: { action: "export.incidents" } })).toBe(before + 1);
    expect(audit[0]!.after).toMatchObject({ format: "csv", count: Math.floor(TOTAL / 10), filter: "dated=undated&size=25" });

    const geo = JSON.parse((await exportIncidents(actors.editor!, { projectSlug: project.slug, state: view({ q: "INC-0007" }), format: "geojson", ip: null })).body);
    // INC-0007 has no coordinates: kept, with a null geometry.
    expect(geo.features).toEqual([expect.objectContaining({ id: "INC-0007", geometry: null })]);
  });

  it("is refused to an investigator, and nothing is recorded", async () => {
    const before = await db().auditEvent.count();
    expect(await codeOf(exportIncidents(actors.investigator!, { projectSlug: project.slug, state: view(), format: "csv", ip: null }))).toBe("FORBIDDEN");
    expect(await codeOf(exportIncidents(actors.outsider!, { projectSlug: project.slug, state: view(), format: "csv", ip: null }))).toBe("NOT_FOUND");
    expect(await db().auditEvent.count()).toBe(before);
  });
});

describe("after a bulk import", () => {
  it("the planner's statistics already know the new rows", async () => {
    const fresh = await makeProject();
    const editor = await actorFor((await makeUser({ projectId: fresh.id, role: "EDITOR" })).id);
    const lines = ["id,title,date,latitude,longitude,sources"];
    for (let n = 1; n <= 600; n++) lines.push(`ev-${n},Event ${n},2022-0${(n % 9) + 1}-1${n % 10},34.5,69.2,HIDDEN`);
    const report = await importIncidents(editor, { projectId: fresh.id, format: "csv", bytes: new TextEncoder().encode(lines.join("\n")), filename: "bulk.csv", dryRun: false, onRowErrors: "skip" });
    expect(report.counts.created).toBe(600);
    const [stats] = await db().$queryRaw<Array<{ reltuples: number; rows: bigint }>>`
      SELECT c."reltuples"::float8 AS "reltuples", (SELECT count(*) FROM "Incident") AS "rows" FROM pg_class c WHERE c."relname" = 'Incident'`;
    expect(stats!.reltuples).toBe(Number(stats!.rows));
  });
});
