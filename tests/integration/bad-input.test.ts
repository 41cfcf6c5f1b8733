// The bad-input corpus: hundreds of malformed requests, generated from a fixed seed, against
// every service that takes `input: unknown` (found on the file system, so new services join
// automatically), the cookie and public route handlers, the tus upload endpoint and the media
// checks. Each must end in a legitimate result or a DomainError / a status below 500, and
// afterwards every table and the media store must be exactly as before: nothing half-written.
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-bad-input-media-"));
process.env.GROUNDTRUTH_UPLOAD_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-bad-input-uploads-"));

// Route handlers read the session through next-auth, which needs a live Next request. The
// corpus is about inputs, not sign-in, so the session simply yields the actor under test.
const session = vi.hoisted(() => ({ actor: null as unknown }));
vi.mock("../../lib/server/session", async () => {
  const { DomainError: Err } = await import("../../lib/domain/errors");
  return {
    currentActor: async () => session.actor,
    actorOrRedirect: async () => session.actor,
    requireActor: async () => {
      if (!session.actor) throw new Err("UNAUTHENTICATED", "Your session has ended. Sign in again.");
      return session.actor;
    },
  };
});

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SERVICES_DIR = path.join(ROOT, "lib", "server", "services");

/**
 * Tables a refusal may legitimately write: LoginThrottle counts failed sign-ins by design
 * (authenticate is in the corpus); _prisma_migrations is not application data.
 */
const TABLES_WRITTEN_BY_REFUSALS = new Set(["LoginThrottle", "_prisma_migrations"]);

// mulberry32: a tiny seeded PRNG, so every run sends exactly the same corpus.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(0x6a7d_2024);
const pick = <T,>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

function nested(depth: number): unknown {
  let value: unknown = { leaf: "x" };
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

const HUGE = "A".repeat(1024 * 1024);
const SCALARS: readonly unknown[] = [
  null, undefined, 0, -1, 1, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 1e308, -0, 0.5, true, false,
  "", " ", "\u0000", "\u0000\u0001\u001b[31m\u007f", HUGE, "' OR 1=1; DROP TABLE \"User\"; --", "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>", "\u202Eتحقق\u202C", "😀🏳️‍🌈".repeat(64), "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd",
  "2024-02-30T25:61:00Z", "not-a-date", "0000-00-00", "00000000-0000-0000-0000-000000000000", "c".repeat(25), "-1", "1e309",
  "null", "undefined", "{}", "__proto__", "https://", "javascript:alert(1)", "\uD800", new Date(Number.NaN),
];
const STRUCTURES: readonly unknown[] = [
  [], [null], [1, 2, 3], {}, nested(1500), JSON.parse('{"__proto__":{"isAdmin":true,"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } }, { toString: "x", valueOf: 1 }, Object.create(null),
  Array.from({ length: 10_000 }, (_, i) => i),
];
const BAD_VALUES: readonly unknown[] = [...SCALARS, ...STRUCTURES];

/** Field names the services' zod schemas use, read from their source, plus common ones. */
function fieldNamesIn(source: string): string[] {
  const names = new Set(["id", "projectId", "itemId", "incidentId", "userId", "slug", "projectSlug", "reference", "version", "title", "state", "role"]);
  for (const match of source.matchAll(/(\w+):\s*z\./g)) names.add(match[1]!);
  return [...names];
}

interface ServiceUnderTest {
  name: string;
  file: string;
  call: (actor: Actor, input: unknown) => Promise<unknown>;
  fields: string[];
}

function serviceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return serviceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

/** Every exported `(actor: Actor, input: unknown)` service, and the one `(input: unknown, ip)` sign-in. */
async function discoverServices(): Promise<ServiceUnderTest[]> {
  const found: ServiceUnderTest[] = [];
  for (const file of serviceFiles(SERVICES_DIR).sort()) {
    const source = readFileSync(file, "utf8");
    const withActor = [...source.matchAll(/export async function (\w+)\(\s*actor: Actor,\s*input: unknown/g)].map((m) => m[1]!);
    const withoutActor = [...source.matchAll(/export async function (\w+)\(\s*input: unknown,\s*ip: string \| null[,)]/g)].map((m) => m[1]!);
    if (!withActor.length && !withoutActor.length) continue;
    const module = (await import(file)) as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const fields = fieldNamesIn(source);
    const relative = path.relative(ROOT, file);
    for (const name of withActor) found.push({ name, file: relative, fields, call: (actor, input) => module[name]!(actor, input) });
    for (const name of withoutActor) found.push({ name, file: relative, fields, call: (_actor, input) => module[name]!(input, "203.0.113.7") });
  }
  return found;
}

let countQuery: string | null = null;

/** Row counts of every application table, in one round trip (it runs around every service call). */
async function tableCounts(): Promise<Record<string, number>> {
  if (!countQuery) {
    const tables = await db().$queryRaw<{ table_name: string }[]>`
      SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`;
    countQuery = tables
      .filter(({ table_name: table }) => !TABLES_WRITTEN_BY_REFUSALS.has(table))
      .map(({ table_name: table }) => `SELECT '${table.replaceAll("'", "''")}' AS t, count(*) AS n FROM "${table.replaceAll('"', '""')}"`)
      .join(" UNION ALL ");
  }
  const rows = await db().$queryRawUnsafe<{ t: string; n: bigint }[]>(countQuery);
  return Object.fromEntries(rows.map((row) => [row.t, Number(row.n)]));
}

function changedTables(from: Record<string, number>, to: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(to).filter((t) => to[t] !== from[t]).map((t) => [t, to[t]! - (from[t] ?? 0)]));
}

function listing(dir: string): string[] {
  const walk = (current: string): string[] =>
    readdirSync(current, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(current, entry.name);
      return entry.isDirectory() ? walk(full) : [`${path.relative(dir, full)} ${statSync(full).size}`];
    });
  return walk(dir).sort();
}

const describeValue = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…(${value.length})` : value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (value instanceof Date) return "Invalid Date";
  return Array.isArray(value) ? `array(${value.length})` : "object";
};

let editor: Actor;
let admin: Actor;
let project: { id: string; slug: string };
let tried = 0;
const failures: string[] = [];
let before: { tables: Record<string, number>; media: string[]; uploads: string[] };

beforeAll(async () => {
  project = await makeProject();
  editor = await actorFor((await makeUser({ projectId: project.id, role: "EDITOR" })).id);
  // An administrator who is also the project's editor: every admin and project check passes,
  // so malformed input is what the services have to catch.
  admin = await actorFor((await makeUser({ isAdmin: true, projectId: project.id, role: "EDITOR" })).id);
  before = { tables: await tableCounts(), media: listing(process.env.GROUNDTRUTH_MEDIA_DIR!), uploads: listing(process.env.GROUNDTRUTH_UPLOAD_DIR!) };
});

beforeEach(() => {
  failures.length = 0;
});


/** Calls that succeeded legitimately (a real id made them valid) and the rows they wrote. */
const legitimateWrites: Record<string, number> = {};
const successes: string[] = [];

/**
 * A service call must succeed or fail with a DomainError; anything else is recorded. A refusal
 * must leave every table as it was; a success may write, and its rows are accounted for.
 */
async function expectDomainOutcome(label: string, run: () => Promise<unknown>, checkTables = false): Promise<void> {
  tried++;
  const tablesBefore = checkTables ? await tableCounts() : null;
  let refused = false;
  try {
    await run();
  } catch (error) {
    refused = true;
    if (!(error instanceof DomainError)) failures.push(`${label}: ${(error as Error)?.name ?? typeof error}: ${String((error as Error)?.message ?? error).slice(0, 200)}`);
  }
  if (!tablesBefore) return;
  const changed = changedTables(tablesBefore, await tableCounts());
  if (refused && Object.keys(changed).length) failures.push(`${label}: refused but wrote ${JSON.stringify(changed)}`);
  if (!refused) {
    successes.push(label);
    for (const [table, delta] of Object.entries(changed)) legitimateWrites[table] = (legitimateWrites[table] ?? 0) + delta;
  }
}

/** A route must answer below 500 and never show internals. */
async function expectBelow500(label: string, run: () => Promise<Response>): Promise<void> {
  tried++;
  try {
    const response = await run();
    if (response.status >= 500) failures.push(`${label}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    else await response.body?.cancel();
  } catch (error) {
    failures.push(`${label}: threw ${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 200)}`);
  }
}

describe("malformed input to every input-taking service", () => {
  it("ends in a result or a DomainError, never a crash", async () => {
    const services = await discoverServices();
    // Guards the discovery itself: a broken pattern would otherwise test nothing.
    expect(services.length).toBeGreaterThanOrEqual(30);
    expect(services.map((s) => s.name)).toEqual(expect.arrayContaining(["submitEvidence", "createIncident", "transitionItem", "createUser", "authenticate"]));

    for (const service of services) {
      let index = 0;
      const actor = () => (index++ % 2 ? admin : editor);
      for (const value of BAD_VALUES) {
        await expectDomainOutcome(`${service.file}#${service.name}(${describeValue(value)})`, () => service.call(actor(), value), true);
      }
      // One field at a time poisoned (NUL, then a random bad value) while every id is real, so
      // the check for that very field has to hold.
      for (const field of service.fields) {
        for (const poison of ["\u0000", pick(BAD_VALUES)]) {
          const input: Record<string, unknown> = {};
          for (const other of service.fields) if (/(^id$|Id$)/.test(other)) input[other] = project.id;
          for (const other of service.fields) if (/[sS]lug$/.test(other)) input[other] = project.slug;
          input[field] = poison;
          await expectDomainOutcome(`${service.file}#${service.name}({${field}: ${describeValue(poison)}})`, () => service.call(actor(), input), true);
        }
      }
      // Objects with every known field set to a bad value of a random kind; ids sometimes
      // real, so checks past "which project?" run too.
      for (let round = 0; round < 12; round++) {
        const input: Record<string, unknown> = {};
        for (const field of service.fields) {
          input[field] = /(^id$|Id$|Slug$|^slug$)/.test(field) && random() < 0.3 ? (/[sS]lug/.test(field) ? project.slug : project.id) : pick(BAD_VALUES);
        }
        await expectDomainOutcome(`${service.file}#${service.name}(random object ${round})`, () => service.call(actor(), input), true);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);
});

describe("malformed requests to the route handlers", () => {
  const BASE = "http://localhost";
  const BAD_SEGMENTS = ["x", "..", "..%2F..%2Fetc%2Fpasswd", "%00", "' OR 1=1 --", "<svg onload=alert(1)>", "😀", "a".repeat(5000), "00000000-0000-0000-0000-000000000000", "-1", "NaN", "%E0%A4%A"];
  const BAD_QUERIES = ["?page=-1", "?page=NaN&limit=1e308", "?limit=99999999999999999999", "?from=2024-02-30&to=not-a-date", "?bbox=1,2,3", "?bbox=NaN,NaN,NaN,NaN", "?type=%00", "?q=" + "x".repeat(10_000), "?format=exe", "?view=1&view=2", "?cursor=%FF%FE", "?since=9999-99-99"];
  const params = <T,>(value: T) => ({ params: Promise.resolve(value) });

  it("answer every one below 500", async () => {
    session.actor = editor;
    const media = await import("../../app/api/media/[id]/route");
    const derivatives = await import("../../app/api/derivatives/[id]/route");
    const exportItems = await import("../../app/projects/[slug]/export/items/route");
    const exportArchive = await import("../../app/projects/[slug]/export/archive/route");
    const custody = await import("../../app/projects/[slug]/items/[ref]/custody/json/route");
    const publicIncidents = await import("../../app/api/public/v1/[project]/incidents/route");
    const publicIncident = await import("../../app/api/public/v1/[project]/incidents/[id]/route");
    const publicItem = await import("../../app/api/public/v1/[project]/items/[id]/route");
    const publicMedia = await import("../../app/api/public/v1/[project]/media/[sha256]/route");
    const publicMap = await import("../../app/api/public/v1/[project]/map/route");
    const publicChangelog = await import("../../app/api/public/v1/[project]/changelog/route");
    const publicDataset = await import("../../app/api/public/v1/[project]/dataset/[format]/route");

    for (const segment of BAD_SEGMENTS) {
      const id = decodeURIComponentSafe(segment);
      await expectBelow500(`media ${segment}`, () => media.GET(new Request(`${BASE}/api/media/x?view=1`), params({ id })));
      await expectBelow500(`derivative ${segment}`, () => derivatives.GET(new Request(`${BASE}/api/derivatives/x`), params({ id })));
      // Malformed slugs only: a real slug with any filters is a legitimate export (and audited).
      await expectBelow500(`export items ${segment}`, () => exportItems.GET(new Request(`${BASE}/projects/x/export/items`), params({ slug: id })));
      await expectBelow500(`export archive ${segment}`, () => exportArchive.GET(new Request(`${BASE}/projects/x/export/archive`), params({ slug: id })));
      await expectBelow500(`custody ${segment}`, () => custody.GET(new Request(`${BASE}/x`), params({ slug: project.slug, ref: id })));
      await expectBelow500(`public incident ${segment}`, () => publicIncident.GET(new Request(`${BASE}/x`), params({ project: project.slug, id })));
      await expectBelow500(`public item ${segment}`, () => publicItem.GET(new Request(`${BASE}/x`), params({ project: id, id })));
      await expectBelow500(`public media ${segment}`, () => publicMedia.GET(new Request(`${BASE}/x`), params({ project: project.slug, sha256: id })));
      await expectBelow500(`public dataset ${segment}`, () => publicDataset.GET(new Request(`${BASE}/x`), params({ project: project.slug, format: id })));
    }
    for (const query of BAD_QUERIES) {
      await expectBelow500(`export items format ${query}`, () => exportItems.GET(new Request(`${BASE}/projects/x/export/items?format=exe&${query.slice(1)}`), params({ slug: project.slug })));
      for (const slug of [project.slug, "no-such-project"]) {
        await expectBelow500(`public incidents ${query}`, () => publicIncidents.GET(new Request(`${BASE}/x${query}`), params({ project: slug })));
        await expectBelow500(`public map ${query}`, () => publicMap.GET(new Request(`${BASE}/x${query}`), params({ project: slug })));
        await expectBelow500(`public changelog ${query}`, () => publicChangelog.GET(new Request(`${BASE}/x${query}`), params({ project: slug })));
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it("answer malformed tus requests below 500, refuse cross-site ones, and accept none", async () => {
    session.actor = editor;
    const uploads = await import("../../app/api/uploads/[[...path]]/route");
    const routes: Record<string, (request: Request) => Response | Promise<Response>> = {
      POST: uploads.POST, PATCH: uploads.PATCH, HEAD: uploads.HEAD, DELETE: uploads.DELETE, OPTIONS: uploads.OPTIONS, GET: uploads.GET,
    };
    const same = { Origin: BASE };
    const tus = { ...same, "Tus-Resumable": "1.0.0" };
    const metadata = (projectId: string) => `projectId ${Buffer.from(projectId).toString("base64")},filename ${Buffer.from("a.jpg").toString("base64")}`;
    const cases: Array<[string, string, Record<string, string>, BodyInit | null]> = [];
    for (const length of ["", "-1", "abc", "1e3", "NaN", "99999999999999999999999", String(2 ** 53), "0x10", "1.5"]) {
      cases.push(["POST", "/api/uploads", { ...tus, "Upload-Length": length, "Upload-Metadata": metadata(project.id) }, null]);
    }
    for (const meta of ["", "projectId", "projectId !!!notbase64", `projectId ${Buffer.from("other").toString("base64")}`, "a b c d", ",,,", "filename " + "A".repeat(70_000)]) {
      cases.push(["POST", "/api/uploads", { ...tus, "Upload-Length": "10", "Upload-Metadata": meta }, null]);
    }
    cases.push(["POST", "/api/uploads", { ...same, "Upload-Length": "10", "Upload-Metadata": metadata(project.id) }, null]); // no Tus-Resumable
    cases.push(["POST", "/api/uploads", { ...same, "Tus-Resumable": "0.2.2", "Upload-Length": "10", "Upload-Metadata": metadata(project.id) }, null]);
    cases.push(["POST", "/api/uploads", { ...tus, "Upload-Length": "10", "Upload-Defer-Length": "1", "Upload-Metadata": metadata(project.id) }, null]);
    for (const id of ["unknown", "..", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00", "a".repeat(4000), "😀"]) {
      for (const offset of ["0", "-1", "abc", "99999999999999999999", "1e308"]) {
        cases.push(["PATCH", `/api/uploads/${encodeURIComponent(id)}`, { ...tus, "Upload-Offset": offset, "Content-Type": "application/offset+octet-stream" }, new Uint8Array(16)]);
      }
      cases.push(["PATCH", `/api/uploads/${encodeURIComponent(id)}`, { ...tus, "Upload-Offset": "0", "Content-Type": "text/html" }, "<html>"]);
      cases.push(["HEAD", `/api/uploads/${encodeURIComponent(id)}`, tus, null]);
      cases.push(["DELETE", `/api/uploads/${encodeURIComponent(id)}`, tus, null]);
      cases.push(["GET", `/api/uploads/${encodeURIComponent(id)}`, tus, null]);
    }
    cases.push(["OPTIONS", "/api/uploads", { ...same, "Access-Control-Request-Method": "PATCH" }, null]);

    for (const [method, url, headers, body] of cases) {
      const label = `tus ${method} ${url.slice(0, 60)} ${JSON.stringify(headers).slice(0, 160)}`;
      await expectBelow500(label, async () => routes[method]!(new Request(`${BASE}${url}`, { method, headers, body, ...(body ? { duplex: "half" } : {}) } as RequestInit)));
      if ((await db().upload.count()) !== 0) failures.push(`${label}: started an upload`);
    }

    // Creation-with-upload sending more bytes than declared: a legitimate creation (valid length,
    // metadata and project), so the upload row may exist, but never with more than declared.
    const overlong = await uploads.POST(new Request(`${BASE}/api/uploads`, {
      method: "POST",
      headers: { ...tus, "Upload-Length": "100", "Upload-Metadata": metadata(project.id), "Content-Type": "application/offset+octet-stream" },
      body: new Uint8Array(200),
    }));
    tried++;
    expect(overlong.status).toBeLessThan(500);
    for (const row of await db().upload.findMany()) {
      expect(Number(row.receivedBytes)).toBeLessThanOrEqual(Number(row.sizeBytes));
      expect(row.state).not.toBe("COMPLETE");
      // Cleared so the final comparison is about the refusals only.
      await db().upload.delete({ where: { id: row.id } });
      await rm(path.join(process.env.GROUNDTRUTH_UPLOAD_DIR!, row.id), { force: true });
      await rm(path.join(process.env.GROUNDTRUTH_UPLOAD_DIR!, `${row.id}.json`), { force: true });
    }

    // A cookie-authenticated upload from another site is refused before tus sees it.
    for (const headers of [{ Origin: "https://attacker.example" }, { Origin: "null" }, {}, { "Sec-Fetch-Site": "cross-site" }, { Referer: "https://attacker.example/page" }] as Record<string, string>[]) {
      tried++;
      const response = await uploads.POST(new Request(`${BASE}/api/uploads`, { method: "POST", headers: { ...headers, "Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": metadata(project.id) } }));
      expect(response.status).toBe(403);
    }
    // ...while the same request from our own pages is let through (and then stopped by the size rule here).
    const sameSite = await uploads.POST(new Request(`${BASE}/api/uploads`, { method: "POST", headers: { ...tus, "Upload-Length": "0", "Upload-Metadata": metadata(project.id) } }));
    tried++;
    expect(sameSite.status).toBe(400);
    expect(failures).toEqual([]);
  }, 300_000);
});

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A PNG whose header claims 100000 x 100000 pixels: decoding it would need 40 GB. */
function pngBomb(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, "ascii"), data, Buffer.alloc(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(100_000, 0);
  header.writeUInt32BE(100_000, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), chunk("IHDR", header), chunk("IDAT", deflateSync(Buffer.alloc(100_000))), chunk("IEND", Buffer.alloc(0))]);
}

describe("malformed media files", () => {
  it("get a clear validation error or a harmless result from the media checks", async () => {
    const { assertAcceptedMedia } = await import("../../lib/server/media/sniff");
    const { makeImageThumbnail, openImage, probeVideo } = await import("../../lib/server/media/derivatives");
    const { extractMetadata } = await import("../../lib/server/media/extract-metadata");
    const fixtures = path.resolve(ROOT, "..", "shared", "fixtures");
    const jpeg = readFileSync(path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg"));
    const png = readFileSync(path.join(fixtures, "images", "exifr_png_with_exif_and_gps.png"));
    const mp4 = readFileSync(path.join(fixtures, "video", "metadata-extractor_with-gps.mp4"));
    const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

    const files: Array<[string, Buffer]> = [
      ["empty.jpg", Buffer.alloc(0)],
      ["truncated.jpg", jpeg.subarray(0, Math.floor(jpeg.length / 3))],
      ["header-only.jpg", jpeg.subarray(0, 20)],
      ["truncated.png", png.subarray(0, Math.floor(png.length / 2))],
      ["truncated.mp4", mp4.subarray(0, Math.floor(mp4.length / 4))],
      ["mp4-header-only.mp4", mp4.subarray(0, 64)],
      ["jpeg-magic-noise.jpg", Buffer.concat([Buffer.from("ffd8ffe0", "hex"), noise(4096)])],
      ["png-magic-noise.png", Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), noise(4096)])],
      ["gif-magic-noise.gif", Buffer.concat([Buffer.from("GIF89a"), noise(2048)])],
      ["mp4-magic-noise.mp4", Buffer.concat([Buffer.from("00000014667479706973736f6d0000020069736f6d", "hex"), noise(8192)])],
      ["bomb.png", pngBomb()],
      ["drawing.svg", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>')],
      ["page.jpg", Buffer.from("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>")],
      ["zip.jpg", Buffer.from("504b0304140000000800", "hex")],
      ["pdf.mp4", Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")],
      ["noise.bin", noise(10_000)],
    ];
    const dir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-bad-media-"));
    try {
      await mkdir(dir, { recursive: true });
      for (const [name, bytes] of files) {
        const file = path.join(dir, name);
        await writeFile(file, bytes);
        let accepted: { mime: string; kind: string } | null = null;
        await expectDomainOutcome(`sniff ${name}`, async () => {
          accepted = await assertAcceptedMedia(file);
        });
        const kind = (accepted as { kind: string } | null)?.kind;
        if (kind === "image") {
          await expectDomainOutcome(`thumbnail ${name}`, () => makeImageThumbnail(file));
          await expectDomainOutcome(`strict open ${name}`, () => openImage(file, { strict: true }));
        }
        if (kind === "video") await expectDomainOutcome(`probe ${name}`, () => probeVideo(file));
        if (accepted) await expectDomainOutcome(`metadata ${name}`, () => extractMetadata(file, (accepted as { mime: string } | null)!.mime));
      }
      // The HTML page, the SVG and the archive never pass as media.
      for (const name of ["drawing.svg", "page.jpg", "zip.jpg", "pdf.mp4", "empty.jpg"]) {
        await expect(assertAcceptedMedia(path.join(dir, name))).rejects.toMatchObject({ code: "VALIDATION" });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

describe("afterwards", () => {
  it("every table and the media store are exactly as before", async () => {
    // Legitimate successes (e.g. an export of the real project with an odd but valid IP, which
    // is audited) may write; nothing else may.
    const expected = Object.fromEntries(Object.entries(before.tables).map(([t, n]) => [t, n + (legitimateWrites[t] ?? 0)]));
    console.log(`bad-input corpus: ${successes.length} calls succeeded legitimately, writing ${JSON.stringify(legitimateWrites)}`);
    expect(await tableCounts()).toEqual(expected);
    expect(listing(process.env.GROUNDTRUTH_MEDIA_DIR!)).toEqual(before.media);
    expect(listing(process.env.GROUNDTRUTH_UPLOAD_DIR!)).toEqual(before.uploads);
    console.log(`bad-input corpus: ${tried} malformed inputs tried`);
    expect(tried).toBeGreaterThanOrEqual(400);
  });
});
