// The public site's services and API routes against a real database: what is published is
// served (filtered, paginated, cacheable), and nothing else is, whatever the request asks for.
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { DOMParser } from "@xmldom/xmldom";
import { kml as kmlToGeoJson } from "@tmcw/togeojson";
import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/domain/permissions";
import type { PublicIncident } from "../../lib/domain/publication";
import { db } from "../../lib/server/db";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { publishIncident, publishItem, unpublishIncident } from "../../lib/server/services/publishing/publish";
import { getPublicIncident, getPublicItem } from "../../lib/server/services/public/detail";
import { listPublicIncidents, publicFacets } from "../../lib/server/services/public/incidents";
import { listPublicProjects, publicProject } from "../../lib/server/services/public/project";
import { publicStats } from "../../lib/server/services/public/stats";
import { blobStore } from "../../lib/server/storage";
import { GET as incidentsRoute } from "../../app/api/public/v1/[project]/incidents/route";
import { GET as incidentRoute } from "../../app/api/public/v1/[project]/incidents/[id]/route";
import { GET as itemRoute } from "../../app/api/public/v1/[project]/items/[id]/route";
import { GET as mapRoute } from "../../app/api/public/v1/[project]/map/route";
import { GET as datasetRoute } from "../../app/api/public/v1/[project]/dataset/[format]/route";
import { GET as changelogRoute } from "../../app/api/public/v1/[project]/changelog/route";
import { GET as mediaRoute } from "../../app/api/public/v1/[project]/media/[sha256]/route";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-public-media-"));

const BASE = "http://localhost/api/public/v1";
let project: { id: string; slug: string };
let privateProject: { id: string; slug: string };
let editor: Actor;
const incidents: Array<{ id: string; reference: string; province: string; startAt: Date; lat: number; lon: number }> = [];
let graphicItem: { id: string; reference: string };
let originalSha: string;
let publicCopy: { sha256: string; bytes: Buffer };
let blurredCopy: { sha256: string };

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });
const get = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

async function verifiedItem(title: string, point: { lat: number; lon: number }, graphic = false) {
  const item = await submitEvidence(editor, { projectId: project.id, title, sourceUrls: ["https://example.org/post/1"] });
  await db().evidenceItem.update({ where: { id: item.id }, data: { status: "VERIFIED", sensitiveGraphic: graphic } });
  await db().geolocation.create({ data: { itemId: item.id, authorId: editor.userId, latitude: point.lat, longitude: point.lon, precisionM: 100, status: "CONFIRMED" } });
  await db().chronolocation.create({
    data: { itemId: item.id, authorId: editor.userId, earliestAt: new Date("2022-09-30T02:30:00Z"), latestAt: new Date("2022-09-30T03:30:00Z"), confidence: "MEDIUM", methods: ["SUN"], status: "CONFIRMED" },
  });
  const row = await db().evidenceItem.findUniqueOrThrow({ where: { id: item.id }, select: { id: true, reference: true } });
  return row;
}

async function newIncident(n: number, province: string, startAt: Date, lat: number, lon: number, targets: string[], type = "IED") {
  const incident = await db().incident.create({
    data: {
      projectId: project.id,
      reference: `${project.slug.toUpperCase()}-I-${String(n).padStart(3, "0")}`,
      title: `Blast ${n}`,
      incidentType: type,
      description: `Description ${n}`,
      startAt,
      endAt: startAt,
      latitude: lat,
      longitude: lon,
      precisionM: 500,
      province,
      locationName: `${province} market`,
      killedMin: n,
      killedMax: n + 2,
      injuredMin: 1,
      injuredMax: null,
      targets,
      createdById: editor.userId,
    },
  });
  incidents.push({ id: incident.id, reference: incident.reference, province, startAt, lat, lon });
  return incident;
}

beforeAll(async () => {
  project = await makeProject();
  privateProject = await makeProject();
  editor = await actorFor((await makeUser({ projectId: project.id, role: "EDITOR" })).id);

  const provinces = ["Kabul", "Balkh", "Hirat"];
  for (let n = 1; n <= 7; n++) {
    const province = provinces[n % 3]!;
    await newIncident(n, province, new Date(Date.UTC(2022, n - 1, 10, 8, 0)), 34 + n / 10, 66 + n / 10, n % 2 ? ["EDUCATION"] : ["RELIGIOUS_SITE"]);
  }

  // One graphic item with an original and two public copies (clear and blurred), linked to incident 1.
  graphicItem = await verifiedItem("Graphic video", { lat: 34.1, lon: 66.1 }, true);
  const originalBytes = Buffer.from(`original image ${project.slug}`);
  originalSha = sha(originalBytes);
  const store = await blobStore();
  await store.put(Readable.from([originalBytes]));
  const media = await db().mediaFile.create({
    data: { itemId: graphicItem.id, sha256: originalSha, sizeBytes: BigInt(originalBytes.length), sniffedMime: "image/jpeg", originalFilename: "blast.jpg", captureMethod: "UPLOAD", collectedById: editor.userId },
  });
  const clearBytes = Buffer.from(`public clear copy ${project.slug}`);
  const blurredBytes = Buffer.from(`public blurred copy ${project.slug}`);
  publicCopy = { sha256: (await store.put(Readable.from([clearBytes]))).sha256, bytes: clearBytes };
  blurredCopy = { sha256: (await store.put(Readable.from([blurredBytes]))).sha256 };
  expect(publicCopy.sha256).toBe(sha(clearBytes));
  await db().publicMedia.createMany({
    data: [
      { projectId: project.id, itemId: graphicItem.id, mediaFileId: media.id, kind: "IMAGE", sha256: publicCopy.sha256, originalSha256: originalSha, mime: "image/jpeg", sizeBytes: BigInt(clearBytes.length), blurred: false },
      { projectId: project.id, itemId: graphicItem.id, mediaFileId: media.id, kind: "IMAGE", sha256: blurredCopy.sha256, originalSha256: originalSha, mime: "image/jpeg", sizeBytes: BigInt(blurredBytes.length), blurred: true },
    ],
  });
  await db().incidentEvidence.create({ data: { incidentId: incidents[0]!.id, itemId: graphicItem.id, createdById: editor.userId } });

  const graphicVersion = (await db().evidenceItem.findUniqueOrThrow({ where: { id: graphicItem.id }, select: { version: true } })).version;
  await publishItem(editor, { itemId: graphicItem.id, expectedVersion: graphicVersion, title: "Video of the blast" });
  for (const [index, incident] of incidents.entries()) {
    await publishIncident(editor, {
      incidentId: incident.id,
      expectedVersion: 0,
      items: index === 0 ? [{ itemId: graphicItem.id }] : [],
    });
  }
});

describe("public services", () => {
  it("lists only projects with publications and refuses private slugs", async () => {
    const listed = await listPublicProjects();
    expect(listed.map((p) => p.slug)).toContain(project.slug);
    expect(listed.map((p) => p.slug)).not.toContain(privateProject.slug);
    expect(listed.find((p) => p.slug === project.slug)?.incidents).toBe(7);
    await expect(publicProject(privateProject.slug)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(publicProject("no-such-project")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("filters and paginates in SQL", async () => {
    const all = await listPublicIncidents(project.slug, { page: 1, limit: 3 });
    expect(all.total).toBe(7);
    expect(all.items).toHaveLength(3);
    // Newest first.
    expect(all.items.map((i) => i.id)).toEqual([incidents[6]!.reference, incidents[5]!.reference, incidents[4]!.reference]);
    expect(all.next).toBe("page=2&limit=3");
    const last = await listPublicIncidents(project.slug, { page: 3, limit: 3 });
    expect(last.items).toHaveLength(1);
    expect(last.next).toBeNull();

    const kabul = incidents.filter((i) => i.province === "Kabul").map((i) => i.reference).sort();
    expect((await listPublicIncidents(project.slug, { province: "Kabul", page: 1, limit: 100 })).items.map((i) => i.id).sort()).toEqual(kabul);
    const education = incidents.filter((_, i) => (i + 1) % 2 === 1).map((i) => i.reference).sort();
    expect((await listPublicIncidents(project.slug, { target: "EDUCATION", page: 1, limit: 100 })).items.map((i) => i.id).sort()).toEqual(education);
    // Inclusive days: 10 Feb to 10 Mar covers incidents 2 and 3.
    const range = await listPublicIncidents(project.slug, { from: "2022-02-10", to: "2022-03-10", page: 1, limit: 100 });
    expect(range.items.map((i) => i.id).sort()).toEqual([incidents[1]!.reference, incidents[2]!.reference]);
    expect((await listPublicIncidents(project.slug, { type: "Armed assault", page: 1, limit: 100 })).total).toBe(0);
    const facets = await publicFacets(await publicProject(project.slug));
    expect(facets.provinces).toEqual(["Balkh", "Hirat", "Kabul"]);
    expect(facets.types).toEqual(["IED"]);
  });

  it("shows an incident with its published evidence, media and original hashes", async () => {
    const view = await getPublicIncident(project.slug, incidents[0]!.reference);
    expect(view.incident.casualties.killed).toMatchObject({ min: 1, max: 3 });
    expect(view.evidence).toHaveLength(1);
    const evidence = view.evidence[0]!;
    expect(evidence.item).toMatchObject({ id: graphicItem.reference, title: "Video of the blast", graphic: true, originalSha256: [originalSha], incidentIds: [incidents[0]!.reference] });
    expect(evidence.mediaSets).toEqual([{ originalSha256: originalSha, media: expect.arrayContaining([expect.objectContaining({ sha256: publicCopy.sha256, blurred: false }), expect.objectContaining({ sha256: blurredCopy.sha256, blurred: true })]) }]);
    const item = await getPublicItem(project.slug, graphicItem.reference);
    expect(item.incidents).toEqual([{ id: incidents[0]!.reference, title: "Blast 1" }]);
    await expect(getPublicIncident(project.slug, "NOPE-1")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("counts per month and province from the snapshots", async () => {
    const stats = await publicStats(project.slug);
    expect(stats.total).toBe(7);
    expect(stats.months.map((m) => m.month)).toEqual(["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07"]);
    expect(stats.months[2]).toMatchObject({ incidents: 1, killedMin: 3, killedMax: 5, injuredMin: 1, injuredMax: 1 });
    const kabul = incidents.filter((i) => i.province === "Kabul").length;
    expect(stats.provinces.find((p) => p.province === "Kabul")?.incidents).toBe(kabul);
  });
});

describe("public API routes", () => {
  it("pages the incident list with totals, next links, cache headers and 304s", async () => {
    const response = await incidentsRoute(get(`${BASE}/${project.slug}/incidents?limit=2&province=Balkh`), params({ project: project.slug }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { total: number; items: PublicIncident[]; next: string | null; schemaVersion: string };
    expect(body.total).toBe(incidents.filter((i) => i.province === "Balkh").length);
    expect(body.items).toHaveLength(2);
    expect(body.next).toBe(`/api/public/v1/${project.slug}/incidents?province=Balkh&page=2&limit=2`);
    expect(response.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await incidentsRoute(get(`${BASE}/${project.slug}/incidents?limit=2&province=Balkh`, { "If-None-Match": etag! }), params({ project: project.slug }));
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it.each([
    ["limit=100000", "limit"],
    ["page=0", "page"],
    ["from=yesterday", "from"],
    // Real calendar days the database cannot hold (no year 0; the day after is in year 10000).
    ["from=0000-01-01", "from"],
    ["to=9999-12-31", "to"],
    ["target=everyone", "target"],
  ])("answers 400 naming the bad parameter for %s", async (query, name) => {
    const response = await incidentsRoute(get(`${BASE}/${project.slug}/incidents?${query}`), params({ project: project.slug }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; invalidParams: Record<string, string[]> };
    expect(Object.keys(body.invalidParams)).toEqual([name]);
    expect(JSON.stringify(body)).not.toMatch(/stack|prisma|at \w+ \(/i);
  });

  it("answers the same 404 for unknown, private and unpublished", async () => {
    const bodies = [];
    for (const [route, slug, extra] of [
      [incidentsRoute, "no-such-project", {}],
      [incidentsRoute, privateProject.slug, {}],
      [incidentRoute, project.slug, { id: "NOPE-I-999" }],
      [itemRoute, project.slug, { id: "NOPE-999" }],
      [mapRoute, privateProject.slug, {}],
      [changelogRoute, privateProject.slug, {}],
    ] as const) {
      const response = await (route as (r: Request, p: { params: Promise<Record<string, string>> }) => Promise<Response>)(get(`${BASE}/${slug}/x`), params({ project: slug, ...extra }));
      expect(response.status).toBe(404);
      bodies.push(await response.text());
    }
    expect(new Set(bodies).size).toBe(1);
    const dataset = await datasetRoute(get(`${BASE}/${privateProject.slug}/dataset/geojson`), params({ project: privateProject.slug, format: "geojson" }));
    expect(dataset.status).toBe(404);
    const badFormat = await datasetRoute(get(`${BASE}/${project.slug}/dataset/xlsx`), params({ project: project.slug, format: "xlsx" }));
    expect(badFormat.status).toBe(404);
  });

  it("serves a public copy by its hash and nothing else", async () => {
    const ok = await mediaRoute(get(`${BASE}/${project.slug}/media/${publicCopy.sha256}`), params({ project: project.slug, sha256: publicCopy.sha256 }));
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(publicCopy.bytes)).toBe(true);
    expect(ok.headers.get("cache-control")).toContain("immutable");
    expect(ok.headers.get("content-type")).toBe("image/jpeg");
    const conditional = await mediaRoute(get(`${BASE}/${project.slug}/media/${publicCopy.sha256}`, { "If-None-Match": `"${publicCopy.sha256}"` }), params({ project: project.slug, sha256: publicCopy.sha256 }));
    expect(conditional.status).toBe(304);

    for (const name of ["not-hex", publicCopy.sha256.slice(1), publicCopy.sha256.toUpperCase(), "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", originalSha]) {
      const response = await mediaRoute(get(`${BASE}/${project.slug}/media/x`), params({ project: project.slug, sha256: name }));
      expect(response.status, name).toBe(404);
    }
    const otherProject = await mediaRoute(get(`${BASE}/${privateProject.slug}/media/x`), params({ project: privateProject.slug, sha256: publicCopy.sha256 }));
    expect(otherProject.status).toBe(404);
  });

  it("serves datasets that match the published snapshots, with ETag and 304", async () => {
    const published = await db().publishedIncident.findMany({ where: { projectId: project.id }, select: { publicId: true, data: true } });
    const expected = new Map(published.map((p) => [p.publicId, (p.data as unknown as PublicIncident).location!]));
    expect(expected.size).toBe(7);

    const geojson = await datasetRoute(get(`${BASE}/${project.slug}/dataset/geojson`), params({ project: project.slug, format: "geojson" }));
    expect(geojson.status).toBe(200);
    expect(geojson.headers.get("content-disposition")).toBe(`attachment; filename="${project.slug}-incidents.geojson"`);
    const stored = await db().publicDataset.findUniqueOrThrow({ where: { projectId_format: { projectId: project.id, format: "geojson" } }, select: { etag: true } });
    expect(geojson.headers.get("etag")).toBe(stored.etag);
    const collection = (await geojson.json()) as { features: Array<{ id: string; geometry: { coordinates: [number, number] } }> };
    expect(collection.features).toHaveLength(7);
    for (const feature of collection.features) {
      const location = expected.get(feature.id)!;
      expect(feature.geometry.coordinates).toEqual([location.longitude, location.latitude]);
    }
    const notModified = await datasetRoute(get(`${BASE}/${project.slug}/dataset/geojson`, { "If-None-Match": stored.etag }), params({ project: project.slug, format: "geojson" }));
    expect(notModified.status).toBe(304);

    // Compression is Next's job (or the proxy's): the handler itself never sets Content-Encoding,
    // which would make Next compress the body a second time.
    const encoded = await datasetRoute(get(`${BASE}/${project.slug}/dataset/csv`, { "Accept-Encoding": "gzip, br" }), params({ project: project.slug, format: "csv" }));
    expect(encoded.headers.get("content-encoding")).toBeNull();
    const csvResponse = await datasetRoute(get(`${BASE}/${project.slug}/dataset/csv`), params({ project: project.slug, format: "csv" }));
    const csv = Papa.parse<Record<string, string>>(await csvResponse.text(), { header: true, skipEmptyLines: true });
    expect(csv.errors).toEqual([]);
    expect(csv.data).toHaveLength(7);
    for (const row of csv.data) {
      expect([Number(row.latitude), Number(row.longitude)]).toEqual([expected.get(row.id!)!.latitude, expected.get(row.id!)!.longitude]);
    }
    const withSource = csv.data.find((r) => r.id === incidents[0]!.reference)!;
    expect(withSource.source_sha256).toBe(originalSha);

    const kmlResponse = await datasetRoute(get(`${BASE}/${project.slug}/dataset/kml`), params({ project: project.slug, format: "kml" }));
    const kml = kmlToGeoJson(new DOMParser().parseFromString(await kmlResponse.text(), "text/xml") as unknown as Document);
    expect(kml.features).toHaveLength(7);
    for (const feature of kml.features) {
      const id = String(feature.properties?.id);
      const coordinates = (feature.geometry as { coordinates: number[] }).coordinates;
      expect(coordinates.slice(0, 2)).toEqual([expected.get(id)!.longitude, expected.get(id)!.latitude]);
    }
  });

  it("gives the map its points, with an ETag answered by 304", async () => {
    const response = await mapRoute(get(`${BASE}/${project.slug}/map?target=RELIGIOUS_SITE`), params({ project: project.slug }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { count: number; points: Array<[string, number, number, number, string, string, string]> };
    const religious = incidents.filter((_, i) => (i + 1) % 2 === 0);
    expect(body.count).toBe(religious.length);
    expect(body.points.map((p) => p[0]).sort()).toEqual(religious.map((i) => i.reference).sort());
    const etag = response.headers.get("etag")!;
    const again = await mapRoute(get(`${BASE}/${project.slug}/map?target=RELIGIOUS_SITE`, { "If-None-Match": etag }), params({ project: project.slug }));
    expect(again.status).toBe(304);
    const other = await mapRoute(get(`${BASE}/${project.slug}/map`, { "If-None-Match": etag }), params({ project: project.slug }));
    expect(other.status).toBe(200);
  });

  it("retracting an incident removes it everywhere and logs RETRACT", async () => {
    const target = incidents[0]!;
    const datasetBefore = await db().publicDataset.findUniqueOrThrow({ where: { projectId_format: { projectId: project.id, format: "geojson" } }, select: { etag: true } });
    await unpublishIncident(editor, { incidentId: target.id, reason: "Wrong date on review", publicNote: "Date could not be confirmed" });

    const list = await incidentsRoute(get(`${BASE}/${project.slug}/incidents?limit=500`), params({ project: project.slug }));
    const listed = (await list.json()) as { total: number; items: PublicIncident[] };
    expect(listed.total).toBe(6);
    expect(listed.items.map((i) => i.id)).not.toContain(target.reference);
    const detail = await incidentRoute(get(`${BASE}/${project.slug}/incidents/${target.reference}`), params({ project: project.slug, id: target.reference }));
    expect(detail.status).toBe(404);
    const item = await itemRoute(get(`${BASE}/${project.slug}/items/${graphicItem.reference}`), params({ project: project.slug, id: graphicItem.reference }));
    expect(item.status).toBe(404);
    const media = await mediaRoute(get(`${BASE}/${project.slug}/media/${publicCopy.sha256}`), params({ project: project.slug, sha256: publicCopy.sha256 }));
    expect(media.status).toBe(404);

    const geojson = await datasetRoute(get(`${BASE}/${project.slug}/dataset/geojson`, { "If-None-Match": datasetBefore.etag }), params({ project: project.slug, format: "geojson" }));
    expect(geojson.status).toBe(200);
    const collection = (await geojson.json()) as { features: Array<{ id: string }> };
    expect(collection.features.map((f) => f.id)).not.toContain(target.reference);
    expect(collection.features).toHaveLength(6);

    const changelog = await changelogRoute(get(`${BASE}/${project.slug}/changelog?limit=3`), params({ project: project.slug }));
    const entries = (await changelog.json()) as { total: number; entries: Array<{ kind: string; entityType: string; id: string; note: string }>; next: string | null };
    expect(entries.entries[0]).toMatchObject({ kind: "RETRACT", entityType: "incident", id: target.reference, note: "Date could not be confirmed" });
    // 7 incidents, the item's own publish and its link to incident 1, then two retractions.
    expect(entries.total).toBe(7 + 1 + 1 + 2);
    expect(entries.next).toBe(`/api/public/v1/${project.slug}/changelog?page=2&limit=3`);
    const bad = await changelogRoute(get(`${BASE}/${project.slug}/changelog?limit=100000`), params({ project: project.slug }));
    expect(bad.status).toBe(400);
  });
});
