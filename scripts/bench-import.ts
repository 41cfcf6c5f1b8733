// `npm run bench:import`: imports generated incident files the way a team arriving with years
// of spreadsheets would, into a throwaway embedded PostgreSQL (a temp folder, never ./data):
//   1. a 10,000-row TimeMap-sheet CSV with real-world quirks: placeholder text in link columns
//      ("HIDDEN", "Access can be requested, hidden for privacy reasons", "… part 2"), undated
//      rows, sources spread over link / geolocation / source_1 / source_2, some bad rows;
//   2. a newer export of it (10% of rows changed, 10% new): dry run timed, then applied;
//   3. a second dataset bringing the project to 20,000 incidents;
// then, straight after the last import (no waiting for autovacuum), times the incident list
// and its search through the same service the page uses. Ends with one line:
//   RESULT import_10k_s=<n> reimport_dry_run_s=<n> incidents_page_p95_ms=<n> incident_search_p95_ms=<n>
// BENCH_RUNS (default 30) sets timed runs per view. Missed targets are reported, not fatal.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DEFAULT_INCIDENT_LIST_STATE, type IncidentListState } from "@/lib/domain/incident-list";
import { SYSTEM_ACTOR } from "@/lib/domain/permissions";
import { ensureDatabase, findFreePort, startEmbeddedPostgres } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";

const ROWS = 10_000;
const SECOND_ROWS = 9_000;
const TIMED_RUNS = Number(process.env.BENCH_RUNS ?? 30);
const IMPORT_TARGET_S = 60;
const LIST_TARGET_MS = 100;

const PLACES = [
  ["Kabul", 34.5553, 69.2075], ["Jalalabad", 34.4265, 70.4515], ["Kandahar", 31.628, 65.7372], ["Herat", 34.3529, 62.204],
  ["Mazar-i-Sharif", 36.709, 67.1109], ["Kunduz", 36.728, 68.8681], ["Ghazni", 33.5451, 68.4174], ["Khost", 33.3395, 69.9204],
] as const;
const AREAS = ["Residential", "Commercial", "Education", "Healthcare", "Religious", "Industrial", "Transport"];
const WEAPONS = ["Missile", "Artillery", "IED", "Airstrike", "Small arms", "Rocket", "Unknown"];
const PLACEHOLDERS = ["HIDDEN", "Access can be requested, hidden for privacy reasons", "https://t.me/c/123/456 part 2", "n/a"];
const WORDS = ["market", "school", "mosque", "checkpoint", "convoy", "bazaar", "hospital", "bridge", "roundabout", "compound", "village", "district"];

const cleanupSteps: Array<() => Promise<unknown> | unknown> = [];
async function cleanup() {
  for (const step of cleanupSteps.reverse()) {
    try {
      await step();
    } catch {
      // keep cleaning
    }
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Row n of dataset `prefix`; `version` > 1 changes the description of every 10th row. */
function row(prefix: string, n: number, version: number): string {
  const [place, lat, lon] = PLACES[n % PLACES.length]!;
  const undated = n % 20 === 0;
  const month = 1 + (n % 12);
  const day = 1 + (n % 28);
  const date = undated ? "" : `${String(month).padStart(2, "0")}/${String(day).padStart(2, "0")}/${2018 + (n % 6)}`;
  const unlocated = n % 25 === 0;
  const badRow = n % 500 === 7; // latitude without longitude: a row error
  const changed = version > 1 && n % 10 === 3;
  const description = `${WORDS[n % WORDS.length]} hit near the ${WORDS[(n * 7) % WORDS.length]} in ${place}. Fictional record ${n}.${changed ? " Updated casualty figures." : ""}`;
  const link = n % 9 === 0 ? PLACEHOLDERS[n % PLACEHOLDERS.length]! : `https://example.org/${prefix}/v/${n}`;
  const geolocation = n % 4 === 0 ? `https://example.org/${prefix}/geo/${n}` : "";
  const source1 = n % 3 === 0 ? `https://t.me/example_channel/${n}` : "";
  const source2 = n % 11 === 0 ? "Access can be requested, hidden for privacy reasons" : "";
  return [
    `${prefix}${String(n).padStart(5, "0")}`,
    date,
    `${place}, ${WORDS[n % WORDS.length]}`,
    unlocated ? "" : (lat + (n % 100) / 1000).toFixed(4),
    unlocated || badRow ? "" : (lon + (n % 100) / 1000).toFixed(4),
    description,
    AREAS[n % AREAS.length]!,
    WEAPONS[n % WEAPONS.length]!,
    link,
    geolocation,
    source1,
    source2,
  ].map(csvCell).join(",");
}

function dataset(prefix: string, from: number, to: number, version: number): Uint8Array {
  const lines = ["id,date,location,latitude,longitude,description,type_of_area_affected,weapon_system,link,geolocation,source_1,source_2"];
  for (let n = from; n <= to; n++) lines.push(row(prefix, n, version));
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

async function main(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "groundtruth-bench-import-"));
  cleanupSteps.push(() => rm(root, { recursive: true, force: true }));
  console.log(`bench:import in ${root}`);
  const server = await startEmbeddedPostgres({ clusterDir: path.join(root, "postgres"), port: await findFreePort() });
  cleanupSteps.push(() => server.stop());
  await ensureDatabase(server.serverUrl, "bench");
  const databaseUrl = server.databaseUrl("bench");
  process.env.DATABASE_URL = databaseUrl;
  process.env.GROUNDTRUTH_DATA_DIR = root;
  process.env.GROUNDTRUTH_MEDIA_DIR = path.join(root, "media");
  await migrateDeploy(databaseUrl);

  const { db } = await import("@/lib/server/db");
  cleanupSteps.push(() => db().$disconnect());
  const { createUser } = await import("@/lib/server/services/accounts/create-user");
  const { createProject } = await import("@/lib/server/services/projects/create-project");
  const { setMembership } = await import("@/lib/server/services/accounts/set-membership");
  const { loadActor } = await import("@/lib/server/actor");
  const { importIncidents } = await import("@/lib/server/services/imports/import-incidents");
  const { listIncidents } = await import("@/lib/server/services/incidents/list-incidents");

  const project = await createProject(SYSTEM_ACTOR, { name: "Import benchmark", slug: "bench-import" });
  const user = await createUser(SYSTEM_ACTOR, { email: "editor@bench.groundtruth.test", name: "Elif Editor (bench)", password: "bench password 1234" });
  await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: "EDITOR" });
  const actor = (await loadActor(user.id, 0))!;
  const mapping = { preset: "timemap-sheet" };

  const run = async (label: string, bytes: Uint8Array, dryRun: boolean, updates: "new-only" | "new-and-changed" = "new-only") => {
    const started = performance.now();
    const report = await importIncidents(actor, { projectId: project.id, format: "csv", bytes, filename: `${label}.csv`, mapping, dryRun, onRowErrors: "skip", updates });
    const seconds = (performance.now() - started) / 1000;
    const c = report.counts;
    console.log(
      `  ${label.padEnd(28)} ${seconds.toFixed(1).padStart(6)} s  rows ${c.rows}, new ${c.new}, changed ${c.changed}, unchanged ${c.unchanged}, row errors ${report.problemCount}, cell warnings ${report.cellWarningCount}, created ${c.created}, updated ${c.updated}, items ${c.items}`,
    );
    return { seconds, report };
  };

  console.log("Imports:");
  const first = await run("first export (10,000 rows)", dataset("CIV", 1, ROWS, 1), false);
  if (first.report.counts.created < ROWS * 0.95) throw new Error(`only ${first.report.counts.created} incidents were created`);
  if (process.env.BENCH_FIRST_ONLY) return "first only";
  const newer = dataset("CIV", 1, ROWS + ROWS / 10, 2);
  const dry = await run("newer export, dry run", newer, true);
  await run("newer export, applied", newer, false, "new-and-changed");
  await run("second dataset (9,000 rows)", dataset("ARC", 1, SECOND_ROWS, 1), false);
  const total = await db().incident.count({ where: { projectId: project.id } });
  console.log(`  incidents in the project: ${total}`);

  // Straight after the import: the list a person opens next, and what they search for.
  const views: Array<[string, Partial<IncidentListState>]> = [
    ["newest first, page 1", {}],
    ["newest first, page 150", { page: 150 }],
    ["oldest first", { dir: "asc" }],
    ["by title", { sort: "title", dir: "asc" }],
    ["undated only", { dated: "undated" }],
    ["one province", { province: ["Kandahar"] }],
    ["date range", { from: "2020-01-01", to: "2020-06-30" }],
    ["with verified evidence", { evidence: "verified" }],
  ];
  const searches: Array<[string, Partial<IncidentListState>]> = [
    ["common word", { q: "market" }],
    ["word beginning", { q: "bazaa" }],
    ["two words", { q: "hospital Kandahar" }],
    ["reference", { q: "INC-12345" }],
    ["external id", { q: "CIV04242" }],
    ["rare phrase", { q: '"Updated casualty figures"' }],
  ];
  const measure = async (name: string, overrides: Partial<IncidentListState>) => {
    const state: IncidentListState = { ...DEFAULT_INCIDENT_LIST_STATE, type: [], province: [], ...overrides };
    const samples: number[] = [];
    let matched = 0;
    for (let i = 0; i < TIMED_RUNS + 2; i++) {
      const started = performance.now();
      const page = await listIncidents(actor, { projectSlug: project.slug, state });
      if (i >= 2) samples.push(performance.now() - started);
      matched = page.total;
    }
    console.log(`  ${name.padEnd(28)} p50 ${fmt(percentile(samples, 0.5)).padStart(6)} ms  p95 ${fmt(percentile(samples, 0.95)).padStart(6)} ms  (${matched} match)`);
    return samples;
  };
  console.log(`Incident list (${TIMED_RUNS} runs per view):`);
  const listSamples = ([] as number[]).concat(...(await sequential(views.map(([n, o]) => () => measure(n, o)))));
  console.log("Incident search:");
  const searchSamples = ([] as number[]).concat(...(await sequential(searches.map(([n, o]) => () => measure(n, o)))));

  const importS = first.seconds;
  const pageP95 = percentile(listSamples, 0.95);
  const searchP95 = percentile(searchSamples, 0.95);
  console.log("\nTargets:");
  console.log(`  import of 10,000 incidents < ${IMPORT_TARGET_S} s: ${importS < IMPORT_TARGET_S ? "met" : "MISSED"} (${importS.toFixed(1)} s)`);
  console.log(`  incident list p95 < ${LIST_TARGET_MS} ms at ${total} incidents: ${pageP95 < LIST_TARGET_MS ? "met" : "MISSED"}`);
  console.log(`  incident search p95 < ${LIST_TARGET_MS} ms: ${searchP95 < LIST_TARGET_MS ? "met" : "MISSED"}`);
  return `RESULT import_10k_s=${importS.toFixed(1)} reimport_dry_run_s=${dry.seconds.toFixed(1)} incidents_page_p95_ms=${fmt(pageP95)} incident_search_p95_ms=${fmt(searchP95)}`;
}

async function sequential<T>(steps: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (const step of steps) out.push(await step());
  return out;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`bench:import interrupted (${signal}); cleaning up`);
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
    console.error(`bench:import failed: ${(error as Error).stack ?? (error as Error).message}`);
    await cleanup();
    process.exit(1);
  });
