// `npm run bench:public`: 10,000 published incidents in a throwaway embedded PostgreSQL, the
// real production server (`next start`) on a free port, and timed requests for the full GeoJSON
// download and the public map's data request, cold (no If-None-Match) and conditional (304).
// Then sums the gzip sizes of the JavaScript the public map page loads on first visit.
// Builds the app first only when .next is missing or older than the sources (as `npm start`).
// Ends with: RESULT geojson_p95_ms=<n> conditional_p95_ms=<n> map_first_load_js_kb=<n>
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { DEFAULT_INCIDENT_TYPES, TARGET_CATEGORIES } from "@/lib/domain/incident-fields";
import { buildPublicIncident } from "@/lib/domain/publication";
import { PROJECT_ROOT } from "@/lib/infra/config";
import { ensureDatabase, findFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";
import { fingerprintFile, needsBuild, nextBin, sourceFingerprint } from "@/lib/infra/next-build";

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;
const SLUG = "bench-public";

// Province centres (approximate), so points fall inside Afghanistan's outlines.
const PROVINCES: Array<[string, number, number]> = [
  ["Kabul", 34.53, 69.17], ["Nangarhar", 34.43, 70.45], ["Hirat", 34.35, 62.2], ["Balkh", 36.7, 67.1], ["Kandahar", 31.61, 65.71],
  ["Kunduz", 36.73, 68.86], ["Hilmand", 31.58, 64.37], ["Ghazni", 33.55, 68.42], ["Khost", 33.34, 69.92], ["Kunar", 34.85, 71.1],
  ["Paktya", 33.6, 69.38], ["Laghman", 34.66, 70.2], ["Logar", 34.0, 69.19], ["Parwan", 35.0, 69.1], ["Baghlan", 36.13, 68.7],
  ["Takhar", 36.73, 69.53], ["Badakhshan", 37.1, 70.58], ["Faryab", 35.92, 64.78], ["Jawzjan", 36.66, 65.75], ["Bamyan", 34.82, 67.83],
];

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function seed(databaseUrl: string): Promise<void> {
  process.env.DATABASE_URL = databaseUrl;
  const { db } = await import("@/lib/server/db");
  const { rebuildPublicDatasets } = await import("@/lib/server/services/publishing/public-datasets");
  const client = db();
  const user = await client.user.create({ data: { email: "bench-public@example.test", name: "Bench", passwordHash: "x" } });
  const project = await client.project.create({ data: { slug: SLUG, name: "Public bench" } });
  const random = seeded(42);
  const start = Date.UTC(2021, 7, 15);
  const now = new Date();
  const rows = [];
  for (let n = 1; n <= INCIDENTS; n++) {
    const [province, lat, lon] = PROVINCES[Math.floor(random() * PROVINCES.length)]!;
    const startAt = new Date(start + Math.floor(random() * 1200) * 86_400_000 + Math.floor(random() * 86_400_000));
    const reference = `BP-I-${String(n).padStart(5, "0")}`;
    const type = DEFAULT_INCIDENT_TYPES[Math.floor(random() * DEFAULT_INCIDENT_TYPES.length)]!;
    const killed = Math.floor(random() * 20);
    const targets = [TARGET_CATEGORIES[Math.floor(random() * TARGET_CATEGORIES.length)]!];
    const data = buildPublicIncident(
      {
        reference,
        title: `${type} in ${province} (${n})`,
        incidentType: type,
        description: `Synthetic incident ${n} for the public benchmark: ${type.toLowerCase()} reported in ${province} province; footage verified by two investigators.`,
        startAt,
        endAt: new Date(startAt.getTime() + 3_600_000),
        latitude: lat + (random() - 0.5) * 0.6,
        longitude: lon + (random() - 0.5) * 0.6,
        precisionM: [100, 500, 1000, 5000][Math.floor(random() * 4)]!,
        locationName: `${province} city`,
        province,
        claimGroup: random() < 0.4 ? "Group A" : null,
        claimChannel: null,
        claimDate: null,
        claimUrl: null,
        attributionGroup: random() < 0.6 ? "Group A" : null,
        attributionConfidence: "MEDIUM",
        killedMin: killed,
        killedMax: killed + Math.floor(random() * 5),
        killedSource: "Local media",
        injuredMin: killed * 2,
        injuredMax: killed * 3,
        injuredSource: "Hospital",
        targets,
      },
      { withholdLocation: random() < 0.03, publishedAt: now, updatedAt: now },
    );
    rows.push({
      projectId: project.id,
      incidentId: `bench-incident-${n}`,
      publicId: reference,
      data: data as object,
      startAt,
      province,
      incidentType: type,
      targets: data.targets.map((t) => t.code),
      publishedById: user.id,
      publishedAt: now,
      updatedAt: now,
    });
  }
  for (let i = 0; i < rows.length; i += 2000) await client.publishedIncident.createMany({ data: rows.slice(i, i + 2000) });
  await client.publicationEvent.create({ data: { projectId: project.id, kind: "PUBLISH", entityType: "incident", publicId: "BP-I-00001", note: "Benchmark" } });
  await client.$transaction((tx) => rebuildPublicDatasets(tx, project.id), { timeout: 120_000 });
  await client.$disconnect();
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} failed (exit ${code})`))));
  });
}

async function waitForHealth(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited (${server.exitCode})`);
    const ok = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error("the server did not become healthy within 2 minutes");
}

async function timeRequests(url: string, headers: Record<string, string>, expectStatus: number): Promise<{ p50: number; p95: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.status !== expectStatus) throw new Error(`${url} answered ${response.status}, expected ${expectStatus}`);
    bytes = body.byteLength;
    if (i >= WARMUP) times.push(elapsed);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), bytes };
}

async function firstLoadJsKb(base: string, pagePath: string): Promise<{ kb: number; chunks: number }> {
  const html = await (await fetch(`${base}${pagePath}`)).text();
  const sources = new Set([...html.matchAll(/<script[^>]+src="([^"]+\.js[^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&")));
  let total = 0;
  for (const src of sources) {
    const body = Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer());
    total += gzipSync(body, { level: 9 }).length;
  }
  return { kb: total / 1024, chunks: sources.size };
}

async function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function main() {
  const root = await mkdtemp(path.join(os.tmpdir(), "groundtruth-bench-public-"));
  let postgres: EmbeddedPostgresHandle | null = null;
  let server: ChildProcess | null = null;
  const cleanup = async () => {
    await stop(server);
    server = null;
    await postgres?.stop().catch(() => {});
    postgres = null;
    await rm(root, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    if (needsBuild()) {
      console.log("Building the web app (sources changed since the last build)...");
      await run(process.execPath, [nextBin(), "build"]);
      writeFileSync(fingerprintFile(), sourceFingerprint());
    }
    postgres = await startEmbeddedPostgres({ clusterDir: path.join(root, "postgres"), port: await findFreePort() });
    await ensureDatabase(postgres.serverUrl, "bench");
    const databaseUrl = postgres.databaseUrl("bench");
    await migrateDeploy(databaseUrl);
    const seedStarted = performance.now();
    await seed(databaseUrl);
    console.log(`Seeded ${INCIDENTS} published incidents in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [nextBin(), "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        NEXTAUTH_SECRET: "bench-public-secret-0123456789abcdef0123456789",
        NEXTAUTH_URL: base,
        GROUNDTRUTH_DATA_DIR: root,
        GROUNDTRUTH_MEDIA_DIR: path.join(root, "media"),
        GROUNDTRUTH_EMBEDDED_DATABASE: "0",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    });
    await waitForHealth(base, server);

    const geojsonUrl = `${base}/api/public/v1/${SLUG}/dataset/geojson`;
    const mapUrl = `${base}/api/public/v1/${SLUG}/map`;
    const results: Array<[string, { p50: number; p95: number; bytes: number }]> = [];
    const gzip = { "Accept-Encoding": "gzip" };
    results.push(["GeoJSON download (full)", await timeRequests(geojsonUrl, gzip, 200)]);
    results.push(["Map data request", await timeRequests(mapUrl, gzip, 200)]);
    const geojsonEtag = (await fetch(geojsonUrl, { method: "GET", headers: gzip })).headers.get("etag") ?? "";
    const mapEtag = (await fetch(mapUrl, { headers: gzip })).headers.get("etag") ?? "";
    results.push(["GeoJSON, If-None-Match → 304", await timeRequests(geojsonUrl, { ...gzip, "If-None-Match": geojsonEtag }, 304)]);
    results.push(["Map data, If-None-Match → 304", await timeRequests(mapUrl, { ...gzip, "If-None-Match": mapEtag }, 304)]);
    const js = await firstLoadJsKb(base, `/public/${SLUG}`);

    console.log("");
    console.log(`${"request".padEnd(34)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"bytes".padStart(10)}`);
    for (const [name, r] of results) console.log(`${name.padEnd(34)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${String(r.bytes).padStart(10)}`);
    console.log(`Public map page first-load JS: ${js.kb.toFixed(1)} KB gzipped in ${js.chunks} script(s)`);
    const coldP95 = Math.max(results[0]![1].p95, results[1]![1].p95);
    const conditionalP95 = Math.max(results[2]![1].p95, results[3]![1].p95);
    console.log(`Targets: cold p95 < 300 ms (${coldP95 < 300 ? "met" : "MISSED"}), conditional p95 < 20 ms (${conditionalP95 < 20 ? "met" : "MISSED"})`);
    console.log(`RESULT geojson_p95_ms=${coldP95.toFixed(1)} conditional_p95_ms=${conditionalP95.toFixed(1)} map_first_load_js_kb=${js.kb.toFixed(1)}`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(`bench:public failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
