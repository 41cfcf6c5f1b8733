// The no-leak guarantee, tested against the real running app: unpublished items, internal notes,
// poster handles, reviewer names and precise coordinates are seeded with unique marker strings;
// then every public page (HTML and its React Server Component payload), asset, API response
// (all pages, several filters) and file download is fetched by a crawler that follows every
// link it finds. Any marker, any coordinate finer than the published precision, or any GPS
// block in a public media file fails the test. Unpublishing then removes the incident from
// every public surface.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import exifr from "exifr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const fixtures = path.resolve(root, "..", "shared", "fixtures");
const PORT = 3310;
const PG_PORT = 54610;
const PASSWORD = "no-leak-test-password-123";
const base = `http://127.0.0.1:${PORT}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-noleak-"));
const logFile = path.join(os.tmpdir(), `${path.basename(dataDir)}.log`);
const SLUG = "demo-witness";
let app: ChildProcess | null = null;

// Every marker is unique and appears only in internal data.
const M = {
  handle: "LEAKMARK-handle-7q2",
  internalTitle: "LEAKMARK-internal-title-k3v",
  description: "LEAKMARK-internal-description-p8d",
  method: "LEAKMARK-geolocation-method-z1x",
  chronoNote: "LEAKMARK-chronolocation-note-w5e",
  comment: "LEAKMARK-comment-r4t",
  reviewComment: "LEAKMARK-review-comment-u6y",
  reviewerName: "LEAKMARK Reviewer Name-j9h",
  unpublishedItem: "LEAKMARK-unpublished-item-a2s",
  unpublishedIncident: "LEAKMARK-unpublished-incident-f7g",
  retracted: "LEAKMARK-retracted-incident-b5n",
  internalReason: "LEAKMARK-internal-unpublish-reason-c3m",
  filename: "LEAKMARK-original-filename-e8l",
  capturedPage: "LEAKMARK-captured-source-page-h4q",
} as const;
// Precise points: published at 1 km, so any 4-decimal form of them is finer than allowed.
const PRECISE = { latitude: 34.517391, longitude: 69.143827 };
const PRECISE_FORMS = ["34.5173", "69.1438", "34.51739", "69.14382"];
// The GPS position inside the fixture photo's EXIF.
const FIXTURE_GPS_FORMS = ["50.2996", "14.8202"];

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").filter((l) => !l.startsWith('{"time')).slice(-30).join("\n") : "";
  throw new Error(`timed out waiting for ${what}\n--- npm start output ---\n${log}`);
}

type Seeded = { publishedIncident: string; unpublishedIncident: string; retractedIncident: string; unpublishedItem: string; publishedItems: string[]; originalSha256: string; captureSha256: string[]; uniqueIds: string[] };
let seeded: Seeded;

// Services run in this process against the app's own database and media folder.
async function seed(): Promise<Seeded> {
  const password = readFileSync(path.join(dataDir, ".postgres-password"), "utf8").trim();
  process.env.DATABASE_URL = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${PG_PORT}/groundtruth`;
  process.env.GROUNDTRUTH_DATA_DIR = dataDir;
  const { db } = await import("../../lib/server/db");
  const { loadActor } = await import("../../lib/server/actor");
  const { blobStore } = await import("../../lib/server/storage");
  const { publishIncident, publishItem, unpublishIncident } = await import("../../lib/server/services/publishing/publish");
  const sharp = (await import("sharp")).default;
  const { drainJobs } = await import("../../lib/server/jobs/worker");

  const project = await db().project.findUniqueOrThrow({ where: { slug: SLUG } });
  const userByEmail = (key: string) => db().user.findUniqueOrThrow({ where: { email: `${key}@demo.groundtruth.test` } });
  const editorUser = await userByEmail("editor");
  const investigator = await userByEmail("investigator");
  const reviewer = await userByEmail("reviewer");
  await db().user.update({ where: { id: reviewer.id }, data: { name: M.reviewerName } });
  const editor = (await loadActor(editorUser.id, editorUser.sessionVersion))!;

  const photo = path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg");
  const stored = await (await blobStore()).put(createReadStream(photo));
  const originalSha256 = createHash("sha256").update(readFileSync(photo)).digest("hex");
  expect(stored.sha256).toBe(originalSha256);

  let counter = 900;
  const makeItem = async (title: string, status: string, graphic: boolean) => {
    counter += 1;
    const item = await db().evidenceItem.create({
      data: {
        projectId: project.id,
        reference: `DW-${counter}`,
        title,
        description: M.description,
        status: status as "VERIFIED",
        submittedById: investigator.id,
        posterHandle: M.handle,
        platform: "TELEGRAM",
        postUrl: `https://t.me/${M.handle}/1`,
        sensitiveGraphic: graphic,
        sensitiveIdentifiable: true,
      },
    });
    await db().mediaFile.create({
      data: { itemId: item.id, sha256: originalSha256, sizeBytes: BigInt(stored.sizeBytes), sniffedMime: "image/jpeg", originalFilename: `${M.filename}.jpg`, captureMethod: "UPLOAD", collectedById: investigator.id, sourceUrl: `https://t.me/${M.handle}/1` },
    });
    const geo = await db().geolocation.create({ data: { itemId: item.id, authorId: investigator.id, ...PRECISE, precisionM: 1000, method: M.method, status: "CONFIRMED", province: "Kabul" } });
    await db().chronolocation.create({
      data: { itemId: item.id, authorId: investigator.id, earliestAt: new Date("2024-03-01T06:00:00Z"), latestAt: new Date("2024-03-01T06:40:00Z"), confidence: "HIGH", methods: ["SUN"], notes: M.chronoNote, status: "CONFIRMED" },
    });
    await db().review.create({ data: { itemId: item.id, reviewerId: reviewer.id, target: "GEOLOCATION", geolocationId: geo.id, decision: "APPROVE", comment: M.reviewComment } });
    await db().comment.create({ data: { itemId: item.id, authorId: reviewer.id, body: M.comment } });
    return item;
  };
  const makeIncident = async (reference: string, title: string) =>
    db().incident.create({
      data: { projectId: project.id, reference, title, incidentType: "IED", description: "Public description of the event", startAt: new Date("2024-03-01T06:10:00Z"), endAt: new Date("2024-03-01T06:30:00Z"), ...PRECISE, precisionM: 1000, locationName: "Kabul", province: "Kabul", targets: ["CIVILIANS"], createdById: editorUser.id },
    });

  const a = await makeItem(M.internalTitle, "VERIFIED", false);
  const b = await makeItem(M.internalTitle, "VERIFIED", true);
  const unpublished = await makeItem(M.unpublishedItem, "VERIFIED", false);
  const incident = await makeIncident("NL-INC-001", "Published incident for the leak test");
  for (const item of [a, b, unpublished]) await db().incidentEvidence.create({ data: { incidentId: incident.id, itemId: item.id, createdById: editorUser.id, relation: M.comment } });
  const hidden = await makeIncident("NL-INC-002", M.unpublishedIncident);
  const retracted = await makeIncident("NL-INC-003", M.retracted);

  // A URL capture of the source post, as the capture job stores it: a screenshot that shows the
  // posting account and the page's HTML. Both stay internal when the item is published.
  const screenshot = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png({ compressionLevel: 9 })
    .withMetadata({ exif: { IFD0: { ImageDescription: M.capturedPage } } })
    .toBuffer();
  const pageHtml = Buffer.from(`<!doctype html><title>${M.capturedPage}</title><p>posted by ${M.handle}</p>`);
  const captureSha256: string[] = [];
  for (const [bytes, mime, name] of [[screenshot, "image/png", "page-screenshot.png"], [pageHtml, "text/html", "page.html"]] as const) {
    const blob = await (await blobStore()).put(Readable.from([bytes]));
    captureSha256.push(blob.sha256);
    await db().mediaFile.create({
      data: { itemId: a.id, sha256: blob.sha256, sizeBytes: BigInt(blob.sizeBytes), sniffedMime: mime, originalFilename: name, captureMethod: "URL_CAPTURE", isPageCapture: true, collectedById: investigator.id, sourceUrl: `https://t.me/${M.handle}/1` },
    });
  }

  // As in the app: each item is published from its own page, then the incident with them.
  for (const [item, title] of [[a, "Public title A"], [b, "Public title B (graphic)"]] as const) {
    const { version } = await db().evidenceItem.findUniqueOrThrow({ where: { id: item.id }, select: { version: true } });
    await publishItem(editor, { itemId: item.id, expectedVersion: version, title });
  }
  await publishIncident(editor, { incidentId: incident.id, expectedVersion: 0, items: [{ itemId: a.id }, { itemId: b.id }] });
  await publishIncident(editor, { incidentId: retracted.id, expectedVersion: 0 });
  await unpublishIncident(editor, { incidentId: retracted.id, reason: M.internalReason });
  // Make the public copies of the media now (the app's own worker may race us: both are idempotent).
  // When the app's worker holds one of the jobs, draining here skips it: wait for it to finish.
  await drainJobs(50);
  const countPublicMedia = () => db().publicMedia.count({ where: { itemId: { in: [a.id, b.id] } } });
  const deadline = Date.now() + 60_000;
  let publicMedia = await countPublicMedia();
  while (publicMedia < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await drainJobs(10);
    publicMedia = await countPublicMedia();
  }
  expect(publicMedia).toBeGreaterThanOrEqual(2);
  // No public copy was made of either page capture.
  expect(await db().publicMedia.count({ where: { originalSha256: { in: captureSha256 } } })).toBe(0);

  const ids = await db().$queryRaw<Array<{ id: string }>>`
    SELECT "id" FROM "EvidenceItem" WHERE "id" IN (${a.id}, ${b.id}, ${unpublished.id})
    UNION SELECT "id" FROM "User" UNION SELECT "id" FROM "Geolocation" UNION SELECT "id" FROM "Comment" UNION SELECT "id" FROM "MediaFile"`;
  return {
    publishedIncident: incident.reference,
    unpublishedIncident: hidden.reference,
    retractedIncident: retracted.reference,
    unpublishedItem: unpublished.reference,
    publishedItems: [a.reference, b.reference],
    originalSha256,
    captureSha256,
    uniqueIds: ids.map((r) => r.id),
  };
}

interface Fetched {
  url: string;
  status: number;
  type: string;
  body: Buffer;
}

/** Breadth-first crawl of everything public reachable from the seeds. */
async function crawl(seeds: string[], limit = 1500): Promise<Fetched[]> {
  const seen = new Set<string>();
  const queue = [...seeds];
  const out: Fetched[] = [];
  while (queue.length > 0 && out.length < limit) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const variants: Array<Record<string, string>> = [{}];
    // Client-side navigation fetches the React Server Component payload: check it too.
    if (url.startsWith("/public")) variants.push({ RSC: "1" });
    for (const headers of variants) {
      const response = await fetch(`${base}${url}`, { headers, redirect: "manual" });
      const body = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get("content-type") ?? "";
      out.push({ url: `${url}${headers.RSC ? " [rsc]" : ""}`, status: response.status, type, body });
      const location = response.headers.get("location");
      if (location) queue.push(new URL(location, base).pathname);
      if (/text|json|javascript|xml|x-component/.test(type)) {
        const text = body.toString("utf8");
        for (const match of text.matchAll(/(?:href|src|url|action)\s*[=:]\s*\\?["']([^"'\\\s>]+)/gi)) {
          const target = match[1]!;
          if (target.startsWith("http") && !target.startsWith(base)) continue;
          const resolved = new URL(target, `${base}${url}`);
          if (resolved.origin !== base) continue;
          const pathWithQuery = `${resolved.pathname}${resolved.search}`;
          if (/^\/(public|api\/public|_next\/static)/.test(resolved.pathname) && !seen.has(pathWithQuery)) queue.push(pathWithQuery);
        }
      }
    }
  }
  return out;
}

/** Fails on an empty input: "no leak found" in nothing fetched proves nothing. */
function leaksIn(fetched: Fetched[], forbidden: readonly string[]): string[] {
  expect(fetched.filter((f) => f.status === 200).length, "nothing was fetched to search for leaks").toBeGreaterThan(0);
  expect(forbidden.length, "no markers to search for").toBeGreaterThan(0);
  const found: string[] = [];
  for (const f of fetched) {
    const text = f.body.toString("latin1");
    for (const marker of forbidden) if (text.includes(marker)) found.push(`${marker} in ${f.url}`);
  }
  return found;
}

beforeAll(async () => {
  const log = openSync(logFile, "w");
  app = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, DATABASE_URL: "", PORT: String(PORT), GROUNDTRUTH_PG_PORT: String(PG_PORT), GROUNDTRUTH_DATA_DIR: dataDir, GROUNDTRUTH_DEMO_PASSWORD: PASSWORD, NEXTAUTH_URL: base },
  });
  await until(() => fetch(`${base}/api/health`).then((r) => r.ok), 600_000, "the app to start");
  seeded = await seed();
}, 900_000);

afterAll(async () => {
  if (app?.pid) {
    try {
      process.kill(-app.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 3000));
    try {
      process.kill(-app.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const apiBase = `/api/public/v1/${SLUG}`;

function apiSeeds(): string[] {
  const urls = [
    "/public",
    `/public/${SLUG}`,
    `/public/${SLUG}/stats`,
    `/public/${SLUG}/data`,
    `/public/${SLUG}?province=Kabul`,
    `/public/${SLUG}?from=2024-01-01&to=2024-12-31&type=IED&target=CIVILIANS`,
    `${apiBase}/incidents`,
    `${apiBase}/incidents?province=Kabul`,
    `${apiBase}/incidents?type=IED&target=CIVILIANS&from=2024-01-01&to=2024-12-31`,
    `${apiBase}/changelog`,
    `${apiBase}/dataset/geojson`,
    `${apiBase}/dataset/csv`,
    `${apiBase}/dataset/kml`,
    `/public/${SLUG}/incidents/${seeded.publishedIncident}`,
    `${apiBase}/incidents/${seeded.publishedIncident}`,
  ];
  for (const item of seeded.publishedItems) urls.push(`/public/${SLUG}/items/${item}`, `${apiBase}/items/${item}`);
  // Every page of the paginated API at the smallest page size.
  for (let page = 1; page <= 40; page++) urls.push(`${apiBase}/incidents?limit=1&page=${page}`);
  return urls;
}

/**
 * The crawl of the published state, made once by whichever test needs it first, so each test
 * stands alone (run with -t, or in any order before the unpublishing test) and checks a real crawl
 * that is shown to have reached the published material.
 */
let publicCrawl: Promise<Fetched[]> | null = null;
function crawledPublic(): Promise<Fetched[]> {
  publicCrawl ??= crawl(apiSeeds()).then((fetched) => {
    // The crawl really reached the published material (so absence of markers means something).
    expect(fetched.filter((f) => f.status === 200).length).toBeGreaterThan(30);
    const all = fetched.map((f) => f.body.toString("latin1")).join("\n");
    expect(all).toContain("Public title A");
    expect(all).toContain(seeded.publishedIncident);
    expect(fetched.some((f) => f.url.includes("/media/") && f.status === 200)).toBe(true);
    return fetched;
  });
  return publicCrawl;
}

describe("nothing unpublished, private or precise leaves through a public surface", () => {
  it("crawls every public page, payload, asset, API page and download", async () => {
    const fetched = await crawledPublic();
    expect(fetched.filter((f) => f.status >= 500).map((f) => f.url)).toEqual([]);
  });

  it("no marker string, internal id or precise coordinate appears anywhere", async () => {
    const fetched = await crawledPublic();
    expect(leaksIn(fetched, Object.values(M))).toEqual([]);
    expect(leaksIn(fetched, [...PRECISE_FORMS, ...FIXTURE_GPS_FORMS])).toEqual([]);
    // Internal row ids (users, notes, files) are never exposed either.
    expect(leaksIn(fetched, seeded.uniqueIds)).toEqual([]);
    // Page captures of the source post are neither shown nor named by their hash.
    expect(leaksIn(fetched, seeded.captureSha256)).toEqual([]);
  });

  it("public media files carry no GPS, camera or software metadata", async () => {
    const fetched = await crawledPublic();
    const media = fetched.filter((f) => f.url.includes("/media/") && f.status === 200 && /image\//.test(f.type));
    expect(media.length).toBeGreaterThan(0);
    for (const file of media) {
      const tags = ((await exifr.parse(file.body, { tiff: true, exif: true, gps: true, xmp: true, iptc: true }).catch(() => null)) ?? {}) as Record<string, unknown>;
      expect(tags.latitude, file.url).toBeUndefined();
      expect(tags.Make, file.url).toBeUndefined();
      expect(tags.Model, file.url).toBeUndefined();
      expect(tags.Software, file.url).toBeUndefined();
      expect(tags.DateTimeOriginal, file.url).toBeUndefined();
    }
  });

  it("unpublished, retracted and guessed ids are 404 with nothing in the body", async () => {
    const probes = [
      `/public/${SLUG}/incidents/${seeded.unpublishedIncident}`,
      `/public/${SLUG}/incidents/${seeded.retractedIncident}`,
      `/public/${SLUG}/items/${seeded.unpublishedItem}`,
      `${apiBase}/incidents/${seeded.unpublishedIncident}`,
      `${apiBase}/incidents/${seeded.retractedIncident}`,
      `${apiBase}/items/${seeded.unpublishedItem}`,
      `${apiBase}/media/${seeded.originalSha256}`,
      ...seeded.captureSha256.map((hash) => `${apiBase}/media/${hash}`),
      `${apiBase}/media/..%2F..%2F..%2Fetc%2Fpasswd`,
      `${apiBase}/media/${"0".repeat(64)}`,
      `/public/second-demo`,
      `/api/public/v1/second-demo/incidents`,
    ];
    for (const probe of probes) {
      const response = await fetch(`${base}${probe}`);
      expect(response.status, probe).toBe(404);
      const text = await response.text();
      for (const marker of Object.values(M)) expect(text, probe).not.toContain(marker);
    }
    const huge = await fetch(`${base}${apiBase}/incidents?limit=1000000`);
    expect(huge.status).toBe(400);
    const nonsense = await fetch(`${base}${apiBase}/incidents?from=yesterday&target=everyone`);
    expect(nonsense.status).toBe(400);
  });

  it("unpublishing removes the incident from every public surface", async () => {
    const { db } = await import("../../lib/server/db");
    const { loadActor } = await import("../../lib/server/actor");
    const { unpublishIncident } = await import("../../lib/server/services/publishing/publish");
    const editorUser = await db().user.findUniqueOrThrow({ where: { email: "editor@demo.groundtruth.test" } });
    const incident = await db().incident.findFirstOrThrow({ where: { reference: seeded.publishedIncident } });
    // Public before (so "gone after" means something), whether or not the other tests ran.
    expect((await fetch(`${base}/public/${SLUG}/incidents/${seeded.publishedIncident}`)).status).toBe(200);
    expect((await fetch(`${base}${apiBase}/incidents/${seeded.publishedIncident}`)).status).toBe(200);
    const before = await crawl(apiSeeds());
    expect(before.map((f) => f.body.toString("latin1")).join("\n")).toContain("Public title A");
    await unpublishIncident((await loadActor(editorUser.id, editorUser.sessionVersion))!, { incidentId: incident.id, reason: M.internalReason });

    const after = await crawl(apiSeeds());
    const visible = after.filter((f) => f.status === 200 && !f.url.includes("/changelog") && !f.url.includes("/data"));
    expect(leaksIn(visible, ["Public title A", "Published incident for the leak test"])).toEqual([]);
    for (const reference of [seeded.publishedIncident, ...seeded.publishedItems]) {
      expect((await fetch(`${base}/public/${SLUG}/incidents/${reference}`)).status).not.toBe(200);
      expect((await fetch(`${base}${apiBase}/incidents/${reference}`)).status).not.toBe(200);
    }
    const geojson = (await (await fetch(`${base}${apiBase}/dataset/geojson`)).json()) as { features: Array<{ id: string }> };
    expect(geojson.features.map((f) => f.id)).not.toContain(seeded.publishedIncident);
    expect(leaksIn(after, Object.values(M))).toEqual([]);
  });
});
