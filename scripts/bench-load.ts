// `npm run bench:load`: drives the real app on loopback with autocannon: a mix of signed-in
// queue views and item pages, comment posts (through the JSON API with a token) and public map
// requests, at increasing concurrency, first against one web instance and then two sharing one
// PostgreSQL. Prints throughput, p50/p95/p99 latency and errors per level, then
//   RESULT p95_ms_at_50=<n> rps_at_50=<n> errors=<n> rps_two_instances_at_50=<n>
// Everything runs in a temporary folder with its own embedded PostgreSQL; ./data is untouched.
// BENCH_SECONDS (default 10) sets the length of each level.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { ensureDatabase, findFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";
import { fingerprintFile, needsBuild, nextBin, sourceFingerprint } from "@/lib/infra/next-build";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEVELS = [10, 25, 50];
const PASSWORD = "bench-load-password-123";
const SECRET = randomBytes(32).toString("base64url");
const root = path.resolve(import.meta.dirname, "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "groundtruth-load-"));
const children: ChildProcess[] = [];
let postgres: EmbeddedPostgresHandle | null = null;

async function cleanup() {
  for (const child of children) {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // gone
    }
  }
  await new Promise((r) => setTimeout(r, 1500));
  for (const child of children) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
  await postgres?.stop().catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, log: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}\n${readFileSync(log, "utf8").split("\n").slice(-20).join("\n")}`);
}

function startWeb(port: number, env: NodeJS.ProcessEnv): Promise<void> {
  const log = path.join(scratch, `web-${port}.log`);
  const fd = openSync(log, "w");
  const child = spawn("npm", ["run", "--silent", "start:prod"], { cwd: root, detached: true, stdio: ["ignore", fd, fd], env: { ...env, PORT: String(port) } });
  children.push(child);
  return until(() => fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok), 120_000, `web instance on ${port}`, log);
}

async function signIn(origin: string, email: string): Promise<string> {
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");
  const response = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies, Origin: origin },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, json: "true" }),
  });
  const session = response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").find((c) => /session-token=/.test(c));
  if (!session) throw new Error(`sign-in failed (${response.status})`);
  return session;
}

type Mix = autocannon.Request[];

function mix(cookie: string, token: string): Mix {
  const comment = JSON.stringify({ body: "Load test comment (fictional)." });
  return [
    { method: "GET", path: "/projects/demo-witness/queue?status=SUBMITTED,TRIAGED,IN_PROGRESS", headers: { cookie } },
    { method: "GET", path: "/projects/demo-witness/items/DW-0003", headers: { cookie } },
    { method: "POST", path: "/api/v1/projects/demo-witness/items/DW-0002/comments", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: comment },
    { method: "GET", path: "/api/public/v1/demo-witness/map" },
    { method: "GET", path: "/projects/demo-witness/queue?sort=title&dir=asc&page=2&size=25", headers: { cookie } },
    { method: "GET", path: "/public/demo-witness" },
  ];
}

interface Level {
  connections: number;
  instances: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  requests: number;
}

function run(url: string, connections: number, requests: Mix): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: SECONDS, requests, timeout: 20 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** autocannon reports p97.5 and p99; p95 is interpolated from its histogram percentiles. */
function p95Of(result: autocannon.Result): number {
  const l = result.latency as unknown as Record<string, number | undefined>;
  if (l.p95 !== undefined) return l.p95;
  const p90 = l.p90 ?? result.latency.p50;
  const p975 = l.p97_5 ?? result.latency.p99;
  return p90 + ((p975 - p90) * (95 - 90)) / (97.5 - 90);
}

async function level(origins: string[], connections: number, requests: Mix): Promise<Level> {
  const share = Math.max(1, Math.round(connections / origins.length));
  const results = await Promise.all(origins.map((origin) => run(origin, share, requests)));
  const errors = results.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0);
  return {
    connections,
    instances: origins.length,
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p95: Math.max(...results.map(p95Of)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors,
    requests: results.reduce((sum, r) => sum + r.requests.total, 0),
  };
}

async function main() {
  postgres = await startEmbeddedPostgres({ clusterDir: path.join(scratch, "postgres"), port: await findFreePort() });
  await ensureDatabase(postgres.serverUrl, "groundtruth");
  const databaseUrl = postgres.databaseUrl("groundtruth");
  await migrateDeploy(databaseUrl);
  const [portA, portB] = [await findFreePort(), await findFreePort()];
  const origins = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: SECRET,
    NEXTAUTH_URL: origins[0],
    GROUNDTRUTH_DATA_DIR: scratch,
    GROUNDTRUTH_DEMO_PASSWORD: PASSWORD,
    GROUNDTRUTH_STORAGE: "local",
  };
  process.env.DATABASE_URL = databaseUrl;
  process.env.GROUNDTRUTH_DATA_DIR = scratch;
  process.env.GROUNDTRUTH_DEMO_PASSWORD = PASSWORD;

  const { db } = await import("@/lib/server/db");
  const { seedDemo } = await import("@/lib/server/seed/demo");
  const { LocalBlobStore } = await import("@/lib/server/storage/local-blob-store");
  const { loadActor } = await import("@/lib/server/actor");
  const { createToken } = await import("@/lib/server/services/tokens/create-token");
  await seedDemo(db(), new LocalBlobStore(path.join(scratch, "media")));
  const investigator = await db().user.findUniqueOrThrow({ where: { email: "investigator@demo.groundtruth.test" } });
  const actor = await loadActor(investigator.id, investigator.sessionVersion);
  const { token } = await createToken(actor!, { name: "bench:load", scopes: ["read", "comment"] });

  if (needsBuild()) {
    console.log("Building the web app (sources changed)...");
    const build = spawnSync(process.execPath, [nextBin(), "build"], { cwd: root, env, stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
    writeFileSync(fingerprintFile(), sourceFingerprint());
  }

  await startWeb(portA, env);
  const cookie = await signIn(origins[0]!, "investigator@demo.groundtruth.test");
  const requests = mix(cookie, token);
  // Warm up every route once (first renders compile caches).
  await level([origins[0]!], 5, requests);

  const table: Level[] = [];
  for (const connections of LEVELS) table.push(await level([origins[0]!], connections, requests));
  await startWeb(portB, env);
  await level([origins[1]!], 5, requests);
  const two = await level(origins, 50, requests);
  table.push(two);

  console.log(`\nLoad mix per connection, in turn: queue view, item page, comment post (API), public map data, queue page 2 by title, public map page. ${SECONDS} s per level.`);
  console.log("instances  users  req/s   p50 ms  p95 ms  p99 ms  errors  requests");
  for (const row of table) {
    console.log(
      `${String(row.instances).padStart(9)}  ${String(row.connections).padStart(5)}  ${row.rps.toFixed(1).padStart(6)}  ${row.p50.toFixed(0).padStart(6)}  ${row.p95.toFixed(0).padStart(6)}  ${row.p99.toFixed(0).padStart(6)}  ${String(row.errors).padStart(6)}  ${String(row.requests).padStart(8)}`,
    );
  }
  const at50 = table.find((row) => row.instances === 1 && row.connections === 50)!;
  const errors = table.reduce((sum, row) => sum + row.errors, 0);
  console.log(`\nTarget: p95 under 300 ms with zero errors at 50 users on one instance: ${at50.p95 < 300 && at50.errors === 0 ? "met" : "MISSED"}`);
  await db().$disconnect();
  console.log(`RESULT p95_ms_at_50=${at50.p95.toFixed(1)} rps_at_50=${at50.rps.toFixed(1)} errors=${errors} rps_two_instances_at_50=${two.rps.toFixed(1)}`);
}

process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (error) => {
    console.error(`bench:load failed: ${(error as Error).message}`);
    await cleanup();
    process.exit(1);
  });
