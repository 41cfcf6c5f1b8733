// `npm run bench:queue`: seeds a throwaway embedded PostgreSQL (in a temp folder, never ./data)
// with a realistically sized project: 100,000 items, 20,000 incidents and 1,000,000 hash-chained
// audit events. Then it times the review queue's service for typical views (filters, sorts,
// deep pages, full-text search) against hand-written SQL for the same results, and a 10,000-row
// GeoJSON export. Ends with one line:
//   RESULT queue_p95_ms=<n> queue_vs_sql=<ratio> search_p95_ms=<n> geojson_10k_ms=<n>
//
// Flags: --explain prints EXPLAIN (ANALYZE, BUFFERS) of every view's queries; --verify-audit
// walks the seeded audit chain afterwards. BENCH_SCALE (default 1) shrinks or grows the data
// set, BENCH_RUNS (default 30) sets timed runs per view. Missed targets are reported, not fatal.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { GENESIS_HASH, hashAuditEvent, type AuditContent, type JsonValue } from "@/lib/domain/audit-chain";
import { EVIDENCE_RELATIONS, DEFAULT_INCIDENT_TYPES, TARGET_CATEGORIES } from "@/lib/domain/incident-fields";
import { SYSTEM_ACTOR, type Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { ensureDatabase, findFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ITEM_COUNT = Math.round(100_000 * SCALE);
const INCIDENT_COUNT = Math.round(20_000 * SCALE);
const INCIDENT_LINK_COUNT = Math.round(40_000 * SCALE);
const AUDIT_EVENT_COUNT = Math.round(1_000_000 * SCALE);
const AUDIT_BATCH = 10_000;
const TIMED_RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP_RUNS = 3;
const EXPORT_ROWS = Math.min(10_000, Math.round(ITEM_COUNT / 10));
const EXPLAIN = process.argv.includes("--explain");
const VERIFY_AUDIT = process.argv.includes("--verify-audit");

const QUEUE_TARGET_MS = 100;
const RATIO_TARGET = 3;
const GEOJSON_TARGET_MS = 2000;

// --- Vocabulary ------------------------------------------------------------------------------

// Ordered by how often they come up, so a skewed pick gives a realistic spread.
const PROVINCES = [
  "Kabul", "Nangarhar", "Hirat", "Balkh", "Kandahar", "Kunduz", "Hilmand", "Ghazni", "Khost", "Kunar", "Paktya", "Laghman",
  "Logar", "Wardak", "Parwan", "Baghlan", "Takhar", "Badakhshan", "Faryab", "Jawzjan", "Samangan", "Sari Pul", "Badghis", "Ghor",
  "Farah", "Nimroz", "Uruzgan", "Zabul", "Paktika", "Kapisa", "Panjshir", "Bamyan", "Daykundi", "Nuristan",
];

// Title and description words; the first ones are the most frequent (Zipf-like picks).
const WORDS = [
  "explosion", "video", "smoke", "crowd", "road", "market", "mosque", "street", "vehicle", "gunfire", "building", "people",
  "school", "checkpoint", "police", "convoy", "night", "morning", "ambulance", "injured", "fire", "damage", "wall", "bridge",
  "hospital", "funeral", "wedding", "bazaar", "minaret", "mountain", "river", "airport", "gate", "compound", "rooftop", "shop",
  "taxi", "motorcycle", "truck", "bus", "students", "worshippers", "victims", "rescue", "siren", "blast", "crater", "debris",
  "shrapnel", "window", "glass", "dust", "flames", "soldiers", "fighters", "rifle", "rocket", "mortar", "drone", "helicopter",
  "protest", "women", "children", "elders", "shopkeepers", "guards", "embassy", "ministry", "university", "clinic", "bakery",
  "square", "roundabout", "highway", "village", "district", "province", "camp", "border", "crossing", "prison", "stadium",
  "park", "cemetery", "shrine", "madrasa", "hotel", "bank", "office", "factory", "warehouse", "field", "orchard", "valley",
  "hill", "ridge", "canal", "dam", "tunnel", "pass", "footage", "filmed", "posted", "shared", "claimed", "reported", "shows",
  "aftermath", "moment", "scene", "telegram", "channel", "statement", "newsletter", "attack", "assault", "bombing", "ied",
  "suicide", "targeted", "killing", "abduction", "raid", "shelling", "strike", "clash", "ambush", "detonation", "panic",
  "running", "shouting", "burning", "collapsed", "destroyed", "blocked", "cordon", "evacuation", "casualties", "bodies",
  "wounded", "stretcher", "blood", "chaos", "sirens", "smoke-plume", "skyline", "landmark", "signboard", "billboard", "pylon",
  "antenna", "tower", "dome", "courtyard", "alley", "junction", "overpass", "culvert",
];
const COMMON_SEARCH_WORD = "explosion";
// Appended to a handful of descriptions only (about 3 in 10,000 items).
const RARE_SEARCH_WORD = "chaharbagh";

const TAGS: Array<[string, number]> = [
  ["needs-translation", 0.2], ["aftermath", 0.15], ["explosion", 0.1], ["night", 0.1], ["crowd", 0.08], ["gunfire", 0.07],
  ["mosque", 0.06], ["market", 0.06], ["checkpoint", 0.05], ["claim-video", 0.05], ["urgent", 0.05], ["school", 0.04],
  ["drone-footage", 0.04], ["hospital", 0.03], ["kabul-airport", 0.03], ["funeral", 0.02],
];

// A real queue: most items wait early in the workflow or have been closed.
const STATUS_WEIGHTS: Array<[string, number]> = [
  ["SUBMITTED", 0.18], ["TRIAGED", 0.12], ["IN_PROGRESS", 0.12], ["IN_REVIEW", 0.08], ["VERIFIED", 0.15], ["PUBLISHED", 0.1],
  ["REJECTED", 0.12], ["UNVERIFIABLE", 0.08], ["DUPLICATE", 0.05],
];
const PLATFORM_WEIGHTS: Array<[string, number]> = [
  ["TELEGRAM", 0.35], ["X_TWITTER", 0.2], ["FACEBOOK", 0.12], ["TIKTOK", 0.1], ["YOUTUBE", 0.08], ["INSTAGRAM", 0.06], ["WHATSAPP", 0.06], ["OTHER", 0.03],
];

const USERS: Array<{ key: string; name: string; role: ProjectRole }> = [
  { key: "editor", name: "Elif Editor (bench)", role: "EDITOR" },
  { key: "editor2", name: "Emre Editor (bench)", role: "EDITOR" },
  { key: "reviewer", name: "Rami Reviewer (bench)", role: "REVIEWER" },
  { key: "reviewer2", name: "Rana Reviewer (bench)", role: "REVIEWER" },
  { key: "investigator", name: "Iris Investigator (bench)", role: "INVESTIGATOR" },
  { key: "investigator2", name: "Idris Investigator (bench)", role: "INVESTIGATOR" },
  { key: "contributor", name: "Cyrus Contributor (bench)", role: "CONTRIBUTOR" },
  { key: "contributor2", name: "Carla Contributor (bench)", role: "CONTRIBUTOR" },
];

// --- Small helpers ---------------------------------------------------------------------------

const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** `CASE` over cumulative weights of one uniform random expression. */
function weightedCase(randomExpr: string, weights: Array<[string, number]>, cast: string): string {
  let cumulative = 0;
  const branches = weights.slice(0, -1).map(([value, weight]) => {
    cumulative += weight;
    return `WHEN ${randomExpr} < ${cumulative.toFixed(4)} THEN ${sqlText(value)}${cast}`;
  });
  return `CASE ${branches.join(" ")} ELSE ${sqlText(weights[weights.length - 1]![0])}${cast} END`;
}

const itemIdSql = (n: string) => `('c' || substr(md5('item-' || ${n}), 1, 24))`;
const incidentIdSql = (n: string) => `('c' || substr(md5('incident-' || ${n}), 1, 24))`;
const itemIdOf = (n: number) => `c${createHash("md5").update(`item-${n}`).digest("hex").slice(0, 24)}`;

/** Centre of each province's bounding box, from the boundary file the app ships. */
function provinceCentres(): Array<{ lat: number; lon: number }> {
  const file = JSON.parse(readFileSync(path.join(process.cwd(), "lib", "server", "geo", "admin1-af.json"), "utf8")) as {
    features: Array<{ properties: { province: string }; geometry: { coordinates: unknown } }>;
  };
  const bounds = new Map<string, { lat: number; lon: number }>();
  for (const feature of file.features) {
    const positions: number[][] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value) && typeof value[0] === "number") positions.push(value as number[]);
      else if (Array.isArray(value)) value.forEach(walk);
    };
    walk(feature.geometry.coordinates);
    const lons = positions.map((p) => p[0]!);
    const lats = positions.map((p) => p[1]!);
    bounds.set(feature.properties.province, { lat: (Math.min(...lats) + Math.max(...lats)) / 2, lon: (Math.min(...lons) + Math.max(...lons)) / 2 });
  }
  return PROVINCES.map((name) => bounds.get(name) ?? { lat: 34.53, lon: 69.17 });
}

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`  ${what.padEnd(34)} ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`);
  return result;
}

// --- Seeding ---------------------------------------------------------------------------------

interface Seeded {
  projectId: string;
  projectSlug: string;
  userIds: Record<string, string>;
}

async function seedAccounts(): Promise<Seeded> {
  const { createUser } = await import("@/lib/server/services/accounts/create-user");
  const { createProject } = await import("@/lib/server/services/projects/create-project");
  const { setMembership } = await import("@/lib/server/services/accounts/set-membership");
  const project = await createProject(SYSTEM_ACTOR, { name: "Queue benchmark", slug: "bench-queue" });
  const userIds: Record<string, string> = {};
  for (const spec of USERS) {
    const user = await createUser(SYSTEM_ACTOR, { email: `${spec.key}@bench.groundtruth.test`, name: spec.name, password: "bench password 1234" });
    await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: spec.role });
    userIds[spec.key] = user.id;
  }
  return { projectId: project.id, projectSlug: project.slug, userIds };
}

async function seedItems(client: pg.Client, seeded: Seeded): Promise<void> {
  const allUsers = USERS.map((u) => seeded.userIds[u.key]!);
  const workers = USERS.filter((u) => u.role !== "CONTRIBUTOR").map((u) => seeded.userIds[u.key]!);
  const centres = provinceCentres();

  // Deterministic per-row randomness: the same data set on every run, and independent values
  // per column (salt) without a random() call order to depend on.
  await client.query(`CREATE FUNCTION pg_temp.rnd(n bigint, salt int) RETURNS float8 AS $$
    SELECT (hashint8(n * 7919 + salt) & 2147483647)::float8 / 2147483648.0 $$ LANGUAGE sql IMMUTABLE`);
  await client.query("SET synchronous_commit = off");

  const tagsSql = `array_remove(ARRAY[${TAGS.map(([tag, p], k) => `CASE WHEN pg_temp.rnd(n, ${300 + k}) < ${p} THEN ${sqlText(tag)} END`).join(", ")}], NULL)`;
  const wordSql = (seed: string, salt: number) => `($5::text[])[1 + floor(pg_temp.rnd(${seed}, ${salt}) ^ 2 * cardinality($5::text[]))::int]`;
  await timed(`EvidenceItem (${ITEM_COUNT})`, () =>
    client.query(
      `INSERT INTO "EvidenceItem" ("id", "projectId", "reference", "title", "description", "status", "version", "submittedById", "assigneeId",
         "platform", "postUrl", "posterHandle", "platformUploadedAt", "claimedPlace", "claimedDate", "language",
         "sensitiveGraphic", "sensitiveIdentifiable", "sensitiveMinors", "sensitivePersonalData", "statusReason", "duplicateOfId",
         "tags", "province", "createdAt", "updatedAt")
       SELECT ${itemIdSql("n")}, $1, 'BQ-' || lpad(n::text, 6, '0'),
              initcap(${wordSql("n", 11)}) || ' ' || ${wordSql("n", 12)} || ' ' || ${wordSql("n", 13)} || ' in ' || coalesce(province, ($4::text[])[1 + floor(pg_temp.rnd(n, 14) * 34)::int]),
              array_to_string(ARRAY(SELECT ${wordSql("n * 64 + k", 15)} FROM generate_series(1, 12 + (pg_temp.rnd(n, 16) * 18)::int) k), ' ')
                || CASE WHEN pg_temp.rnd(n, 17) < 0.0003 THEN ' ${RARE_SEARCH_WORD}' ELSE '' END,
              status, floor(pg_temp.rnd(n, 18) * 4)::int, ($2::text[])[1 + floor(pg_temp.rnd(n, 19) * cardinality($2::text[]))::int],
              CASE WHEN status IN ('TRIAGED', 'IN_PROGRESS', 'IN_REVIEW') OR pg_temp.rnd(n, 20) < 0.3
                   THEN ($3::text[])[1 + floor(pg_temp.rnd(n, 21) * cardinality($3::text[]))::int] END,
              platform, 'https://example.org/' || lower(platform::text) || '/post/' || n, '@source' || (n % 997),
              CASE WHEN pg_temp.rnd(n, 22) < 0.9 THEN created - pg_temp.rnd(n, 23) * interval '3 days' END,
              CASE WHEN pg_temp.rnd(n, 24) < 0.6 THEN ($4::text[])[1 + floor(pg_temp.rnd(n, 25) ^ 2 * 34)::int] END,
              to_char(created, 'YYYY-MM-DD'), ('{ps,fa,en,ar,ur}'::text[])[1 + floor(pg_temp.rnd(n, 26) * 5)::int],
              pg_temp.rnd(n, 27) < 0.15, pg_temp.rnd(n, 28) < 0.1, pg_temp.rnd(n, 29) < 0.05, pg_temp.rnd(n, 30) < 0.08,
              CASE WHEN status = 'REJECTED' THEN ('{IRRELEVANT,MISLEADING,RECYCLED,MANIPULATED}'::text[])[1 + floor(pg_temp.rnd(n, 31) * 4)::int] END,
              CASE WHEN status = 'DUPLICATE' AND n > 1 THEN ${itemIdSql("greatest(1, n - 1 - floor(pg_temp.rnd(n, 32) * 500)::int)")} END,
              ${tagsSql}, province, created, least(now(), created + pg_temp.rnd(n, 33) * interval '20 days')
       FROM (
         SELECT n, status, platform, created,
                -- Work past triage is usually geolocated; the province follows the geolocation.
                CASE WHEN pg_temp.rnd(n, 40) < CASE WHEN status IN ('IN_REVIEW', 'VERIFIED', 'PUBLISHED') THEN 0.95 WHEN status = 'IN_PROGRESS' THEN 0.5 ELSE 0.25 END
                     THEN ($4::text[])[1 + floor(pg_temp.rnd(n, 41) ^ 2 * 34)::int] END AS province
         FROM (
           SELECT n, ${weightedCase("pg_temp.rnd(n, 1)", STATUS_WEIGHTS, '::"ReviewStatus"')} AS status,
                  ${weightedCase("pg_temp.rnd(n, 2)", PLATFORM_WEIGHTS, '::"Platform"')} AS platform,
                  -- References are handed out in order, so creation time grows with n.
                  now() - interval '730 days' + (n::float8 / $6::int) * interval '729 days' + pg_temp.rnd(n, 3) * interval '1 day' AS created
           FROM generate_series(1, $6::int) n
         ) base
       ) s`,
      [seeded.projectId, allUsers, workers, PROVINCES, WORDS, ITEM_COUNT],
    ),
  );

  // The per-row note triggers would re-index an item once per note; during a bulk load the
  // search document is rebuilt once per item afterwards instead.
  await client.query(`ALTER TABLE "Geolocation" DISABLE TRIGGER "Geolocation_search"`);
  await client.query(`ALTER TABLE "Chronolocation" DISABLE TRIGGER "Chronolocation_search"`);
  try {
    const geo = await timed("Geolocation", () =>
      client.query(
        `INSERT INTO "Geolocation" ("id", "itemId", "authorId", "latitude", "longitude", "precisionM", "method", "province", "status", "createdAt")
         SELECT 'g' || substr(md5('geo-' || n), 1, 24), id, ($2::text[])[1 + floor(pg_temp.rnd(n, 50) * cardinality($2::text[]))::int],
                ($4::float8[])[p] + (pg_temp.rnd(n, 51) - 0.5) * 0.4, ($5::float8[])[p] + (pg_temp.rnd(n, 52) - 0.5) * 0.4,
                ('{10,100,1000}'::int[])[1 + floor(pg_temp.rnd(n, 53) * 3)::int],
                'Matched ' || ($3::text[])[1 + floor(pg_temp.rnd(n, 54) * cardinality($3::text[]))::int] || ' and ' || ($3::text[])[1 + floor(pg_temp.rnd(n, 55) * cardinality($3::text[]))::int] || ' against satellite imagery',
                province, CASE WHEN status IN ('VERIFIED', 'PUBLISHED') THEN 'CONFIRMED'::"NoteStatus" ELSE 'PROPOSED'::"NoteStatus" END,
                "createdAt" + pg_temp.rnd(n, 56) * interval '5 days'
         FROM (SELECT i.*, substr(i."reference", 4)::int AS n, array_position($6::text[], i."province") AS p
               FROM "EvidenceItem" i WHERE i."projectId" = $1 AND i."province" IS NOT NULL) i`,
        [seeded.projectId, workers, WORDS, centres.map((c) => c.lat), centres.map((c) => c.lon), PROVINCES],
      ),
    );
    const chrono = await timed("Chronolocation", () =>
      client.query(
        `INSERT INTO "Chronolocation" ("id", "itemId", "authorId", "earliestAt", "latestAt", "confidence", "methods", "notes", "status", "createdAt")
         SELECT 't' || substr(md5('chrono-' || n), 1, 24), id, ($2::text[])[1 + floor(pg_temp.rnd(n, 60) * cardinality($2::text[]))::int],
                coalesce("platformUploadedAt", "createdAt") - (1 + pg_temp.rnd(n, 61) * 47) * interval '1 hour', coalesce("platformUploadedAt", "createdAt"),
                ('{LOW,MEDIUM,HIGH}'::"Confidence"[])[1 + floor(pg_temp.rnd(n, 62) * 3)::int],
                ('{upload time,shadows,weather,metadata,corroborating posts}'::text[])[1:1 + floor(pg_temp.rnd(n, 63) * 5)::int],
                'Shadows and ' || ($3::text[])[1 + floor(pg_temp.rnd(n, 64) * cardinality($3::text[]))::int] || ' consistent with the posting time',
                CASE WHEN status IN ('VERIFIED', 'PUBLISHED') THEN 'CONFIRMED'::"NoteStatus" ELSE 'PROPOSED'::"NoteStatus" END,
                "createdAt" + pg_temp.rnd(n, 65) * interval '6 days'
         FROM (SELECT i.*, substr(i."reference", 4)::int AS n FROM "EvidenceItem" i WHERE i."projectId" = $1) i
         WHERE status IN ('IN_REVIEW', 'VERIFIED', 'PUBLISHED') OR (status = 'IN_PROGRESS' AND pg_temp.rnd(n, 66) < 0.4) OR pg_temp.rnd(n, 67) < 0.1`,
        [seeded.projectId, workers, WORDS],
      ),
    );
    console.log(`    (${geo.rowCount} geolocations, ${chrono.rowCount} chronolocations)`);
    await timed("searchVector with notes", () =>
      client.query(
        `UPDATE "EvidenceItem" i SET "searchVector" = "item_search_vector"(i."reference", i."title", i."description", i."claimedPlace", "item_search_notes"(i."id"))
         WHERE i."projectId" = $1 AND (EXISTS (SELECT 1 FROM "Geolocation" g WHERE g."itemId" = i."id") OR EXISTS (SELECT 1 FROM "Chronolocation" c WHERE c."itemId" = i."id"))`,
        [seeded.projectId],
      ),
    );
  } finally {
    await client.query(`ALTER TABLE "Geolocation" ENABLE TRIGGER "Geolocation_search"`);
    await client.query(`ALTER TABLE "Chronolocation" ENABLE TRIGGER "Chronolocation_search"`);
  }

  const media = await timed("MediaFile", () =>
    client.query(
      `INSERT INTO "MediaFile" ("id", "itemId", "sha256", "sizeBytes", "sniffedMime", "declaredMime", "originalFilename", "captureMethod", "sourceUrl", "collectedById", "collectedAt")
       SELECT 'm' || substr(md5('media-' || n || '-' || k), 1, 24), ${itemIdSql("n")},
              -- A few files were collected twice (same bytes), so the duplicate filter has work.
              encode(sha256(convert_to(CASE WHEN pg_temp.rnd(n, 70) < 0.02 THEN 'shared-' || (n % 300) ELSE 'media-' || n || '-' || k END, 'UTF8')), 'hex'),
              (50000 + pg_temp.rnd(n * 4 + k, 71) * 200000000)::bigint,
              CASE WHEN pg_temp.rnd(n * 4 + k, 72) < 0.6 THEN 'video/mp4' ELSE 'image/jpeg' END, NULL,
              'file_' || n || '_' || k || CASE WHEN pg_temp.rnd(n * 4 + k, 72) < 0.6 THEN '.mp4' ELSE '.jpg' END,
              CASE WHEN pg_temp.rnd(n * 4 + k, 73) < 0.8 THEN 'UPLOAD'::"CaptureMethod" ELSE 'URL_CAPTURE'::"CaptureMethod" END, NULL,
              ($1::text[])[1 + floor(pg_temp.rnd(n * 4 + k, 74) * cardinality($1::text[]))::int],
              now() - interval '730 days' + (n::float8 / $2::int) * interval '729 days' + pg_temp.rnd(n * 4 + k, 75) * interval '1 day'
       FROM generate_series(1, $2::int) n CROSS JOIN generate_series(1, 2) k
       WHERE (k = 1 AND pg_temp.rnd(n, 76) < 0.27) OR (k = 2 AND pg_temp.rnd(n, 76) < 0.03)`,
      [allUsers, ITEM_COUNT],
    ),
  );
  console.log(`    (${media.rowCount} media files)`);

  const targets = `'{${TARGET_CATEGORIES.join(",")}}'::text[]`;
  await timed(`Incident (${INCIDENT_COUNT})`, () =>
    client.query(
      `INSERT INTO "Incident" ("id", "projectId", "reference", "title", "incidentType", "description", "startAt", "endAt", "latitude", "longitude", "precisionM",
         "locationName", "province", "claimGroup", "claimChannel", "attributionGroup", "attributionConfidence", "killedMin", "killedMax", "injuredMin", "injuredMax",
         "targets", "tags", "version", "createdById", "createdAt", "updatedAt")
       SELECT ${incidentIdSql("n")}, $1, 'INC-' || lpad(n::text, 5, '0'),
              initcap(($4::text[])[1 + floor(pg_temp.rnd(n, 80) * cardinality($4::text[]))::int]) || ' in ' || ($3::text[])[p],
              ($5::text[])[1 + floor(pg_temp.rnd(n, 81) * cardinality($5::text[]))::int],
              array_to_string(ARRAY(SELECT ($4::text[])[1 + floor(pg_temp.rnd(n * 64 + k, 82) ^ 2 * cardinality($4::text[]))::int] FROM generate_series(1, 10) k), ' '),
              start_at, start_at + pg_temp.rnd(n, 83) * interval '2 hours',
              ($6::float8[])[p] + (pg_temp.rnd(n, 84) - 0.5) * 0.4, ($7::float8[])[p] + (pg_temp.rnd(n, 85) - 0.5) * 0.4, 100,
              ($3::text[])[p] || ' centre', ($3::text[])[p],
              CASE WHEN pg_temp.rnd(n, 86) < 0.3 THEN 'ISKP' END, CASE WHEN pg_temp.rnd(n, 86) < 0.3 THEN 'Weekly newsletter' END,
              CASE WHEN pg_temp.rnd(n, 87) < 0.5 THEN 'ISKP' END, ('{LOW,MEDIUM,HIGH}'::"Confidence"[])[1 + floor(pg_temp.rnd(n, 88) * 3)::int],
              floor(pg_temp.rnd(n, 89) * 10)::int, floor(pg_temp.rnd(n, 89) * 10)::int + floor(pg_temp.rnd(n, 90) * 10)::int,
              floor(pg_temp.rnd(n, 91) * 20)::int, floor(pg_temp.rnd(n, 91) * 20)::int + floor(pg_temp.rnd(n, 92) * 20)::int,
              ARRAY[(${targets})[1 + floor(pg_temp.rnd(n, 93) * ${TARGET_CATEGORIES.length})::int]], '{}'::text[], 0, $2, start_at + interval '1 day', start_at + interval '2 days'
       FROM (SELECT n, 1 + floor(pg_temp.rnd(n, 94) ^ 2 * 34)::int AS p,
                    now() - interval '730 days' + (n::float8 / $8::int) * interval '728 days' AS start_at
             FROM generate_series(1, $8::int) n) s`,
      [seeded.projectId, seeded.userIds.editor, PROVINCES, WORDS, [...DEFAULT_INCIDENT_TYPES], centres.map((c) => c.lat), centres.map((c) => c.lon), INCIDENT_COUNT],
    ),
  );

  const links = await timed("IncidentEvidence", () =>
    client.query(
      `INSERT INTO "IncidentEvidence" ("id", "incidentId", "itemId", "relation", "isLead", "createdById", "createdAt")
       SELECT 'l' || substr(md5('link-' || k), 1, 24), ${incidentIdSql("inc")}, i."id",
              ($3::text[])[1 + floor(pg_temp.rnd(k, 100) * cardinality($3::text[]))::int],
              i."status" NOT IN ('VERIFIED', 'PUBLISHED'), $2, i."createdAt" + interval '3 days'
       FROM (SELECT k,
                    -- Skewed: a few big incidents gather dozens of items, most have one or two.
                    1 + floor(pg_temp.rnd(k, 101) ^ 1.5 * $5::int)::int AS inc,
                    1 + floor(pg_temp.rnd(k, 102) * $6::int)::int AS item_n
             FROM generate_series(1, $4::int) k) s
       JOIN "EvidenceItem" i ON i."id" = ${itemIdSql("s.item_n")} AND i."projectId" = $1
       ON CONFLICT ("incidentId", "itemId") DO NOTHING`,
      [seeded.projectId, seeded.userIds.editor, [...EVIDENCE_RELATIONS], INCIDENT_LINK_COUNT, INCIDENT_COUNT, ITEM_COUNT],
    ),
  );
  console.log(`    (${links.rowCount} incident links)`);
}

const AUDIT_ACTIONS: Array<{ action: string; entityType: string; before: (n: number) => JsonValue | null; after: (n: number) => JsonValue | null }> = [
  { action: "item.submit", entityType: "EvidenceItem", before: () => null, after: (n) => ({ status: "SUBMITTED", reference: `BQ-${String(n).padStart(6, "0")}` }) },
  { action: "item.transition", entityType: "EvidenceItem", before: () => ({ status: "SUBMITTED", version: 0 }), after: () => ({ status: "TRIAGED", version: 1 }) },
  { action: "item.transition", entityType: "EvidenceItem", before: () => ({ status: "IN_PROGRESS", version: 2 }), after: () => ({ status: "IN_REVIEW", version: 3 }) },
  { action: "item.assign", entityType: "EvidenceItem", before: () => ({ assigneeId: null }), after: (n) => ({ assigneeId: `user-${n % 6}` }) },
  { action: "note.propose", entityType: "Geolocation", before: () => null, after: (n) => ({ latitude: 34.5 + (n % 100) / 1000, longitude: 69.1, precisionM: 100 }) },
  { action: "note.review", entityType: "Geolocation", before: () => ({ status: "PROPOSED" }), after: () => ({ status: "CONFIRMED", decision: "APPROVE" }) },
  { action: "comment.add", entityType: "Comment", before: () => null, after: (n) => ({ itemId: itemIdOf(n), length: 40 + (n % 200) }) },
  { action: "media.access", entityType: "MediaFile", before: () => null, after: () => ({ purpose: "download" }) },
];

async function seedAuditEvents(client: pg.Client, seeded: Seeded): Promise<void> {
  const head = await client.query<{ seq: number; hash: string }>(`SELECT "seq", "hash" FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1`);
  let prevHash = head.rows[0]?.hash ?? GENESIS_HASH;
  let seq = head.rows[0]?.seq ?? 0;
  const actors = USERS.map((u) => seeded.userIds[u.key]!);
  const start = Date.now() - 730 * 86_400_000;
  const step = Math.floor((729 * 86_400_000) / AUDIT_EVENT_COUNT);

  // Hashes chain, so batches are built in order; the next batch is hashed while the previous
  // one is being written.
  const buildBatch = (from: number, count: number): unknown[][] => {
    const columns: unknown[][] = Array.from({ length: 13 }, () => []);
    for (let k = 0; k < count; k += 1) {
      const i = from + k;
      seq += 1;
      const kind = AUDIT_ACTIONS[i % AUDIT_ACTIONS.length]!;
      const itemN = 1 + ((i * 7_919) % ITEM_COUNT);
      const content: AuditContent = {
        seq,
        actorId: actors[i % actors.length]!,
        projectId: seeded.projectId,
        action: kind.action,
        entityType: kind.entityType,
        entityId: kind.entityType === "EvidenceItem" ? itemIdOf(itemN) : `x${createHash("md5").update(`${kind.entityType}-${i}`).digest("hex").slice(0, 24)}`,
        before: kind.before(itemN),
        after: kind.after(itemN),
        ip: i % 3 === 0 ? null : `10.0.${i % 250}.${(i >> 8) % 250}`,
        createdAt: new Date(start + i * step).toISOString(),
      };
      const hash = hashAuditEvent(prevHash, content);
      const row = [
        `e${seq.toString(36).padStart(12, "0")}bench`,
        content.seq,
        content.actorId,
        content.projectId,
        content.action,
        content.entityType,
        content.entityId,
        content.before === null ? null : JSON.stringify(content.before),
        content.after === null ? null : JSON.stringify(content.after),
        content.ip,
        content.createdAt,
        prevHash,
        hash,
      ];
      row.forEach((value, c) => columns[c]!.push(value));
      prevHash = hash;
    }
    return columns;
  };

  await timed(`AuditEvent (${AUDIT_EVENT_COUNT})`, async () => {
    let pending: Promise<unknown> = Promise.resolve();
    for (let from = 0; from < AUDIT_EVENT_COUNT; from += AUDIT_BATCH) {
      const columns = buildBatch(from, Math.min(AUDIT_BATCH, AUDIT_EVENT_COUNT - from));
      await pending;
      pending = client.query(
        `INSERT INTO "AuditEvent" ("id", "seq", "actorId", "projectId", "action", "entityType", "entityId", "before", "after", "ip", "createdAt", "prevHash", "hash")
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[], $10::text[], $11::timestamptz[], $12::text[], $13::text[])`,
        columns,
      );
    }
    await pending;
  });
}

// --- Views -----------------------------------------------------------------------------------

/** One queue view: its URL, and the same query written by hand for the raw-SQL baseline. */
interface View {
  name: string;
  search: string;
  pages: number[];
  isSearch: boolean;
  /** Extra parameters after $1 (project id). */
  rawParams: unknown[];
  rawWhere: string;
  rawOrder: string;
}

function dayOffset(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

function views(editorId: string): View[] {
  const recentFrom = dayOffset(365);
  const recentTo = dayOffset(180);
  const byCreatedDesc = `i."createdAt" DESC, i."id" DESC`;
  return [
    { name: "default (all, createdAt desc)", search: "", pages: [1, 2, 20, 200], isSearch: false, rawParams: [], rawWhere: "", rawOrder: byCreatedDesc },
    {
      name: "needs geolocation",
      search: "status=IN_PROGRESS,TRIAGED",
      pages: [1, 2, 50, 200],
      isSearch: false,
      rawParams: [["TRIAGED", "IN_PROGRESS"]],
      rawWhere: `AND i."status" = ANY($2::"ReviewStatus"[])`,
      rawOrder: byCreatedDesc,
    },
    {
      name: "status+province by title",
      search: "status=SUBMITTED,TRIAGED&province=Kabul,Nangarhar&sort=title&dir=asc",
      pages: [1, 2, 10, 200],
      isSearch: false,
      rawParams: [["SUBMITTED", "TRIAGED"], ["Kabul", "Nangarhar"]],
      rawWhere: `AND i."status" = ANY($2::"ReviewStatus"[]) AND i."province" = ANY($3::text[])`,
      rawOrder: `lower(i."title") ASC, i."id" ASC`,
    },
    { name: "assignee=me", search: "assignee=me", pages: [1, 2, 20, 200], isSearch: false, rawParams: [editorId], rawWhere: `AND i."assigneeId" = $2`, rawOrder: byCreatedDesc },
    {
      name: "tag needs-translation",
      search: "tags=needs-translation",
      pages: [1, 2, 20, 200],
      isSearch: false,
      rawParams: [["needs-translation"]],
      rawWhere: `AND i."tags" @> $2::text[]`,
      rawOrder: byCreatedDesc,
    },
    {
      name: "incident INC-00001",
      search: "incident=INC-00001",
      pages: [1, 2],
      isSearch: false,
      rawParams: ["INC-00001"],
      rawWhere: `AND i."id" IN (SELECT ie."itemId" FROM "IncidentEvidence" ie JOIN "Incident" inc ON inc."id" = ie."incidentId" WHERE inc."projectId" = $1 AND inc."reference" = $2)`,
      rawOrder: byCreatedDesc,
    },
    {
      name: "platform+dates by upload time",
      search: `platform=TELEGRAM,X_TWITTER&submittedFrom=${recentFrom}&submittedTo=${recentTo}&sort=platformUploadedAt&dir=desc`,
      pages: [1, 2, 20, 200],
      isSearch: false,
      rawParams: [["TELEGRAM", "X_TWITTER"], recentFrom, recentTo],
      rawWhere: `AND i."platform" = ANY($2::"Platform"[]) AND i."createdAt" >= $3::date AND i."createdAt" < $4::date + 1`,
      rawOrder: `i."platformUploadedAt" DESC, i."id" DESC`,
    },
    {
      name: `search common "${COMMON_SEARCH_WORD}"`,
      search: `q=${COMMON_SEARCH_WORD}`,
      pages: [1, 2, 20, 200],
      isSearch: true,
      rawParams: [COMMON_SEARCH_WORD],
      rawWhere: `AND i."searchVector" @@ (websearch_to_tsquery('english', $2) || websearch_to_tsquery('simple', $2))`,
      rawOrder: byCreatedDesc,
    },
    {
      name: `search rare "${RARE_SEARCH_WORD}"`,
      search: `q=${RARE_SEARCH_WORD}`,
      pages: [1],
      isSearch: true,
      rawParams: [RARE_SEARCH_WORD],
      rawWhere: `AND i."searchVector" @@ (websearch_to_tsquery('english', $2) || websearch_to_tsquery('simple', $2))`,
      rawOrder: byCreatedDesc,
    },
  ];
}

const RAW_COLUMNS = `i."id", i."reference", i."title", i."status"::text AS "status", i."version", i."platform"::text AS "platform", i."province",
  coalesce(i."tags", ARRAY[]::text[]) AS "tags", i."assigneeId", assignee."name" AS "assigneeName", s."name" AS "submittedByName",
  i."createdAt", i."platformUploadedAt", i."sensitiveGraphic", i."sensitiveIdentifiable", i."sensitiveMinors", i."sensitivePersonalData"`;

// Set from the service module once it is loaded (after DATABASE_URL points at the bench database).
let COUNT_LIMIT = 0;
let SMALL_VIEW = 0;

/**
 * The same two queries the service sends (capped count, then the page: walked in index order for
 * big views, collected by the filters first for small ones), written by hand with pg.
 */
function rawQueries(view: View, projectId: string, page: number, size: number) {
  const params = [projectId, ...view.rawParams];
  const where = `i."projectId" = $1 ${view.rawWhere}`;
  const n = params.length;
  return {
    count: { text: `SELECT count(*) AS total FROM (SELECT 1 FROM "EvidenceItem" i WHERE ${where} LIMIT $${n + 1}) capped`, values: [...params, COUNT_LIMIT + 1] },
    page: (matches: number) => {
      const small = matches <= SMALL_VIEW;
      const source = small
        ? `(SELECT i."id", i."reference", i."title", i."status", i."createdAt", i."updatedAt", i."platformUploadedAt", i."province", i."assigneeId" FROM "EvidenceItem" i WHERE ${where} OFFSET 0)`
        : `"EvidenceItem"`;
      return {
        text: `WITH page AS MATERIALIZED (SELECT i."id" FROM ${source} i WHERE ${small ? "TRUE" : where} ORDER BY ${view.rawOrder} LIMIT $${n + 1} OFFSET $${n + 2})
               SELECT ${RAW_COLUMNS} FROM page JOIN "EvidenceItem" i ON i."id" = page."id" JOIN "User" s ON s."id" = i."submittedById"
               LEFT JOIN "User" assignee ON assignee."id" = i."assigneeId" ORDER BY ${view.rawOrder}`,
        values: [...params, size, (page - 1) * size],
      };
    },
  };
}

interface ViewResult {
  name: string;
  search: boolean;
  total: number;
  pages: number[];
  service: number[];
  raw: number[];
}

// --- Main ------------------------------------------------------------------------------------

let cleanupSteps: Array<() => Promise<void>> = [];
async function cleanup(): Promise<void> {
  const steps = cleanupSteps.reverse();
  cleanupSteps = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`);
    }
  }
}

async function main(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "groundtruth-bench-queue-"));
  cleanupSteps.push(() => rm(root, { recursive: true, force: true }));
  console.log(`bench:queue in ${root} (scale ${SCALE}: ${ITEM_COUNT} items, ${INCIDENT_COUNT} incidents, ${AUDIT_EVENT_COUNT} audit events)`);

  const server: EmbeddedPostgresHandle = await startEmbeddedPostgres({ clusterDir: path.join(root, "postgres"), port: await findFreePort() });
  cleanupSteps.push(() => server.stop());
  await ensureDatabase(server.serverUrl, "bench");
  const databaseUrl = server.databaseUrl("bench");
  // Server modules read these when first used; nothing may fall back to the ./data folder.
  process.env.DATABASE_URL = databaseUrl;
  process.env.GROUNDTRUTH_DATA_DIR = root;
  process.env.GROUNDTRUTH_MEDIA_DIR = path.join(root, "media");
  await migrateDeploy(databaseUrl);

  const { db } = await import("@/lib/server/db");
  cleanupSteps.push(() => db().$disconnect());
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  cleanupSteps.push(() => client.end());

  console.log("Seeding:");
  const seedStarted = performance.now();
  const seeded = await timed("users, project, memberships", () => seedAccounts());
  await seedItems(client, seeded);
  await seedAuditEvents(client, seeded);
  await timed("VACUUM ANALYZE", () => client.query("VACUUM ANALYZE"));
  console.log(`  ${"total".padEnd(34)} ${((performance.now() - seedStarted) / 1000).toFixed(1).padStart(6)} s`);

  if (VERIFY_AUDIT) {
    const { verifyStoredAuditChain } = await import("@/lib/server/audit");
    const verdict = await timed("audit chain verification", () => verifyStoredAuditChain(db(), 10_000));
    if (!verdict.ok) throw new Error(`the seeded audit chain is broken at #${verdict.brokenAtSeq}: ${verdict.reason}`);
    console.log(`    (${verdict.count} events verified)`);
  }

  const { parseQueueState } = await import("@/lib/domain/queue");
  const queueModule = await import("@/lib/server/services/queue/query-queue");
  const { queryQueue, readScopeFor } = queueModule;
  COUNT_LIMIT = queueModule.COUNT_LIMIT;
  SMALL_VIEW = queueModule.SMALL_VIEW;
  const { queueItemIdsSql, queueOrderSql, queueWhereSql } = await import("@/lib/server/services/queue/queue-sql");
  const { exportItems } = await import("@/lib/server/services/exports/export-items");
  const { loadActor } = await import("@/lib/server/actor");
  const { Prisma } = await import("@/lib/generated/prisma/client");
  const editorId = seeded.userIds.editor!;
  const loaded = await loadActor(editorId, 0);
  if (!loaded) throw new Error("the bench editor could not be loaded");
  const actor: Actor = loaded;

  console.log(`\nQueue views (${WARMUP_RUNS} warm-ups, ${TIMED_RUNS} timed runs each; service = queryQueue, raw = hand-written SQL via pg):`);
  const results: ViewResult[] = [];
  const mismatches: string[] = [];
  for (const view of views(editorId)) {
    const { state, problems } = parseQueueState(new URLSearchParams(view.search));
    if (problems.length > 0) throw new Error(`view "${view.name}" has parameters the queue ignores: ${problems.join(", ")}`);

    const first = await queryQueue(actor, { projectSlug: seeded.projectSlug, state });
    const pages = [...new Set(view.pages.map((p) => Math.min(p, first.pageCount)))];

    // The baseline must return the same rows, or the comparison means nothing.
    for (const page of pages) {
      const service = await queryQueue(actor, { projectSlug: seeded.projectSlug, state: { ...state, page } });
      const raw = rawQueries(view, seeded.projectId, page, state.size);
      const rawCount = await client.query<{ total: string }>(raw.count);
      const rawPage = await client.query<{ id: string }>(raw.page(Number(rawCount.rows[0]?.total)));
      const sameRows = service.rows.map((r) => r.id).join() === rawPage.rows.map((r) => r.id).join();
      if (Math.min(Number(rawCount.rows[0]?.total), COUNT_LIMIT) !== service.total || !sameRows) mismatches.push(`${view.name} page ${page}`);
    }

    const serviceTimes: number[] = [];
    const rawTimes: number[] = [];
    for (let run = 0; run < WARMUP_RUNS + TIMED_RUNS; run += 1) {
      const page = pages[run % pages.length]!;
      const pageState = { ...state, page };
      let started = performance.now();
      await queryQueue(actor, { projectSlug: seeded.projectSlug, state: pageState });
      const serviceMs = performance.now() - started;

      const raw = rawQueries(view, seeded.projectId, page, state.size);
      started = performance.now();
      const counted = await client.query<{ total: string }>(raw.count);
      await client.query(raw.page(Number(counted.rows[0]?.total)));
      const rawMs = performance.now() - started;
      if (run >= WARMUP_RUNS) {
        serviceTimes.push(serviceMs);
        rawTimes.push(rawMs);
      }
    }
    results.push({ name: view.name, search: view.isSearch, total: first.total, pages, service: serviceTimes, raw: rawTimes });
    console.log(`  measured ${view.name}: ${first.total} matches`);

    if (EXPLAIN) {
      const where = queueWhereSql(seeded.projectId, state, readScopeFor(actor, seeded.projectId), actor.userId);
      const deepest = pages[pages.length - 1]!;
      // Mirrors the page query of query-queue.ts; the where-clause and order are the service's own.
      const pageSql = Prisma.sql`SELECT ${Prisma.raw(RAW_COLUMNS)} FROM "EvidenceItem" i JOIN "User" s ON s."id" = i."submittedById"
        LEFT JOIN "User" assignee ON assignee."id" = i."assigneeId" WHERE ${where} ORDER BY ${queueOrderSql(state)}
        LIMIT ${state.size} OFFSET ${(deepest - 1) * state.size}`;
      const countSql = Prisma.sql`SELECT count(*) AS total FROM "EvidenceItem" i WHERE ${where}`;
      for (const [label, sql] of [["count", countSql], [`page ${deepest}`, pageSql]] as const) {
        const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, sql.values);
        console.log(`\n--- EXPLAIN ${view.name}: service ${label}\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
      }
    }
  }

  console.log(`\n${"view".padEnd(32)} ${"matches".padStart(7)}  ${"pages".padEnd(13)} ${"svc p50".padStart(8)} ${"svc p95".padStart(8)} ${"raw p50".padStart(8)} ${"raw p95".padStart(8)} ${"ratio".padStart(6)}`);
  for (const r of results) {
    const ratio = percentile(r.service, 0.95) / percentile(r.raw, 0.95);
    console.log(
      `${r.name.padEnd(32)} ${String(r.total).padStart(7)}  ${r.pages.join(",").padEnd(13)} ${fmt(percentile(r.service, 0.5)).padStart(8)} ${fmt(percentile(r.service, 0.95)).padStart(8)} ` +
        `${fmt(percentile(r.raw, 0.5)).padStart(8)} ${fmt(percentile(r.raw, 0.95)).padStart(8)} ${ratio.toFixed(2).padStart(6)}`,
    );
  }
  console.log("(milliseconds; ratio = service p95 / raw p95)");
  if (mismatches.length > 0) console.log(`WARNING: the raw SQL baseline returned different rows than the service for: ${mismatches.join("; ")}`);

  // The figures: the worst view's p95 (the target is per page), and pooled p95s for the ratio.
  const queueViews = results.filter((r) => !r.search);
  const searchViews = results.filter((r) => r.search);
  const queueP95 = Math.max(...queueViews.map((r) => percentile(r.service, 0.95)));
  const searchP95 = Math.max(...searchViews.map((r) => percentile(r.service, 0.95)));
  const ratio = percentile(results.flatMap((r) => r.service), 0.95) / percentile(results.flatMap((r) => r.raw), 0.95);

  console.log(`\nGeoJSON export of ${EXPORT_ROWS} items (median of 3):`);
  const { state: exportState } = parseQueueState(new URLSearchParams("status=VERIFIED,PUBLISHED"));
  const exportIds = Prisma.sql`SELECT picked."id" FROM (${queueItemIdsSql(seeded.projectId, exportState, readScopeFor(actor, seeded.projectId), actor.userId)}) picked ORDER BY picked."id" LIMIT ${EXPORT_ROWS}`;
  const exportTimes: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    const result = await exportItems(actor, { projectId: seeded.projectId, format: "geojson", itemIds: exportIds, filterDescription: "bench:queue" });
    exportTimes.push(performance.now() - started);
    if (run === 0) console.log(`  ${result.count} rows, ${(result.body.length / 1024 / 1024).toFixed(1)} MiB of GeoJSON`);
    if (result.count !== EXPORT_ROWS) throw new Error(`the export returned ${result.count} rows, expected ${EXPORT_ROWS}`);
  }
  const geojsonMs = percentile(exportTimes, 0.5);
  console.log(`  runs: ${exportTimes.map(fmt).join(", ")} ms`);

  const slow = queueViews.filter((r) => percentile(r.service, 0.95) > QUEUE_TARGET_MS).map((r) => r.name);
  const slowSearch = searchViews.filter((r) => percentile(r.service, 0.95) > QUEUE_TARGET_MS).map((r) => r.name);
  console.log("\nTargets:");
  console.log(`  queue p95 < ${QUEUE_TARGET_MS} ms per view: ${slow.length === 0 ? "met" : `MISSED by ${slow.join("; ")}`}`);
  console.log(`  search p95 < ${QUEUE_TARGET_MS} ms: ${slowSearch.length === 0 ? "met" : `MISSED by ${slowSearch.join("; ")}`}`);
  console.log(`  service <= ${RATIO_TARGET}x raw SQL (pooled p95): ${ratio <= RATIO_TARGET ? "met" : "MISSED"} (${ratio.toFixed(2)}x)`);
  console.log(`  GeoJSON 10k < ${GEOJSON_TARGET_MS} ms: ${geojsonMs < GEOJSON_TARGET_MS ? "met" : "MISSED"}`);
  if ((slow.length > 0 || slowSearch.length > 0) && !EXPLAIN) console.log("  Run with --explain for the query plans of every view.");

  return `RESULT queue_p95_ms=${fmt(queueP95)} queue_vs_sql=${fmt(ratio)} search_p95_ms=${fmt(searchP95)} geojson_10k_ms=${fmt(geojsonMs)}`;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`bench:queue interrupted (${signal}); cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async (resultLine) => {
    await cleanup();
    console.log(resultLine);
    process.exit(0);
  })
  .catch(async (error) => {
    console.error(`bench:queue failed: ${(error as Error).stack ?? (error as Error).message}`);
    await cleanup();
    process.exit(1);
  });
