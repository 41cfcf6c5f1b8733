// `npm run bench:multipart`: the abuse of issue 14 (finding 5) against the real app. One
// contributor token sends 8 concurrent ~95 MiB multipart submissions to POST /api/v1/.../items of
// a production build on loopback, while /api/health is polled. Prints the web process's
// resident memory (the `next start` process and its children) before, at peak and after, the
// health check's latency during the uploads, and each upload's status, then
//   RESULT multipart_rss_growth_mb=<peak - before> health_p95_ms=<n> health_max_ms=<n> statuses=<...>
// Everything runs in a temporary folder with its own embedded PostgreSQL; ./data is untouched.
// BENCH_UPLOADS (default 8) and BENCH_UPLOAD_MB (default 95) change the load; the per-account
// concurrency limit is raised to BENCH_UPLOADS so every upload is accepted and streamed
// (with the default limit of 2, the rest are refused at once with 429: also printed).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ensureDatabase, findFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";
import { fingerprintFile, needsBuild, nextBin, sourceFingerprint } from "@/lib/infra/next-build";

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 8);
const UPLOAD_BYTES = Number(process.env.BENCH_UPLOAD_MB ?? 95) * 1024 * 1024;
const root = path.resolve(import.meta.dirname, "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "groundtruth-bench-multipart-"));
const fixtureJpeg = path.resolve(root, "..", "shared", "fixtures", "images", "exifr_IMG_20180725_163423-tiny.jpg");
let web: ChildProcess | null = null;
let postgres: EmbeddedPostgresHandle | null = null;

async function cleanup() {
  if (web?.pid) {
    try {
      process.kill(-web.pid, "SIGTERM");
    } catch {
      // gone
    }
    await new Promise((r) => setTimeout(r, 1500));
    try {
      process.kill(-web.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  await postgres?.stop().catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
}

/** Resident memory (bytes) of a process and all its descendants, from /proc. */
function treeRss(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const current = stack.pop()!;
    try {
      const status = readFileSync(`/proc/${current}/status`, "utf8");
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      for (const task of readdirSync(`/proc/${current}/task`)) {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, "utf8").trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Streams one multipart submission of a JPEG head plus `size` bytes of noise; resolves with the status. */
function postMultipart(port: number, slug: string, token: string, seed: number): Promise<{ status: number; body: string; ms: number }> {
  const boundary = `----groundtruth-bench-${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n` +
      JSON.stringify({ title: `Bench upload ${seed} (fictional)` }) +
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench-${seed}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const jpeg = readFileSync(fixtureJpeg);
  const length = head.length + UPLOAD_BYTES + tail.length;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port, method: "POST", path: `/api/v1/projects/${slug}/items`, headers: { authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 300), ms: performance.now() - started }));
      },
    );
    request.on("error", reject);
    request.write(head);
    // The file: the fixture JPEG, then noise (distinct per upload), 1 MiB at a time with backpressure.
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024);
    const writeMore = () => {
      while (sent < UPLOAD_BYTES) {
        let piece: Buffer;
        if (sent === 0) {
          piece = Buffer.concat([jpeg, randomBytes(Math.max(0, Math.min(chunk.length, UPLOAD_BYTES) - jpeg.length))]).subarray(0, Math.min(chunk.length, UPLOAD_BYTES));
          piece[piece.length - 1] = seed & 255;
        } else {
          chunk.fill((sent / chunk.length + seed) & 255);
          piece = chunk.subarray(0, Math.min(chunk.length, UPLOAD_BYTES - sent));
        }
        sent += piece.length;
        if (!request.write(Buffer.from(piece))) return void request.once("drain", writeMore);
      }
      request.end(tail);
    };
    writeMore();
  });
}

async function main() {
  postgres = await startEmbeddedPostgres({ clusterDir: path.join(scratch, "postgres"), port: await findFreePort() });
  await ensureDatabase(postgres.serverUrl, "groundtruth");
  const databaseUrl = postgres.databaseUrl("groundtruth");
  await migrateDeploy(databaseUrl);
  process.env.DATABASE_URL = databaseUrl;
  process.env.GROUNDTRUTH_DATA_DIR = scratch;

  const { db } = await import("@/lib/server/db");
  const { SYSTEM_ACTOR } = await import("@/lib/domain/permissions");
  const { createUser } = await import("@/lib/server/services/accounts/create-user");
  const { createProject } = await import("@/lib/server/services/projects/create-project");
  const { setMembership } = await import("@/lib/server/services/accounts/set-membership");
  const { loadActor } = await import("@/lib/server/actor");
  const { createToken } = await import("@/lib/server/services/tokens/create-token");
  const user = await createUser(SYSTEM_ACTOR, { email: "bench-contributor@example.test", name: "Bench Contributor", password: "bench-multipart-password-1", isAdmin: false });
  const project = await createProject(SYSTEM_ACTOR, { name: "Bench project", slug: "bench-multipart" });
  await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: "CONTRIBUTOR" });
  const actor = await loadActor(user.id, (await db().user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion);
  const { token } = await createToken(actor!, { name: "bench:multipart", scopes: ["submit"] });

  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    GROUNDTRUTH_DATA_DIR: scratch,
    GROUNDTRUTH_STORAGE: "local",
    GROUNDTRUTH_EMBEDDED_DATABASE: "0",
    GROUNDTRUTH_MULTIPART_MAX_CONCURRENT: process.env.GROUNDTRUTH_MULTIPART_MAX_CONCURRENT ?? String(UPLOADS),
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (needsBuild()) {
    console.log("Building the web app (sources changed)...");
    const build = spawnSync(process.execPath, [nextBin(), "build"], { cwd: root, env, stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
    writeFileSync(fingerprintFile(), sourceFingerprint());
  }
  const log = path.join(scratch, "web.log");
  const fd = openSync(log, "w");
  web = spawn(process.execPath, [nextBin(), "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: root, env, detached: true, stdio: ["ignore", fd, fd] });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${origin}/api/health`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error(`the web app did not start:\n${readFileSync(log, "utf8").slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // Warm up: health and one small submission compile and load the route.
  for (let i = 0; i < 5; i++) await fetch(`${origin}/api/health`);
  const warm = new FormData();
  warm.append("metadata", JSON.stringify({ title: "Warm-up upload (fictional)" }));
  warm.append("file", new File([readFileSync(fixtureJpeg)], "warm.jpg", { type: "image/jpeg" }));
  const warmed = await fetch(`${origin}/api/v1/projects/${project.slug}/items`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: warm });
  if (warmed.status !== 201) throw new Error(`warm-up submission failed: ${warmed.status} ${await warmed.text()}`);
  await new Promise((r) => setTimeout(r, 2000));

  const pid = web.pid!;
  const before = treeRss(pid);
  let peak = before;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, treeRss(pid));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const healthMs: number[] = [];
  const health = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${origin}/api/health`).then((r) => r.arrayBuffer(), () => undefined);
      healthMs.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  console.log(`Sending ${UPLOADS} concurrent multipart submissions of ${mb(UPLOAD_BYTES).toFixed(0)} MiB each (one token, per-account concurrency limit ${env.GROUNDTRUTH_MULTIPART_MAX_CONCURRENT})...`);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: UPLOADS }, (_, i) => postMultipart(port, project.slug, token, i + 1)));
  const totalMs = performance.now() - started;
  running = false;
  await Promise.all([sampler, health]);
  await new Promise((r) => setTimeout(r, 5000));
  const after = treeRss(pid);

  for (const [i, r] of results.entries()) console.log(`  upload ${i + 1}: HTTP ${r.status} in ${(r.ms / 1000).toFixed(1)} s${r.status >= 300 ? ` ${r.body}` : ""}`);
  console.log(`Uploads took ${(totalMs / 1000).toFixed(1)} s in all (${(mb(UPLOAD_BYTES * UPLOADS) / (totalMs / 1000)).toFixed(0)} MiB/s).`);
  console.log(`Web process RSS: before ${mb(before).toFixed(0)} MB, peak ${mb(peak).toFixed(0)} MB, after ${mb(after).toFixed(0)} MB (growth at peak ${mb(peak - before).toFixed(0)} MB).`);
  console.log(`/api/health during the uploads: ${healthMs.length} requests, p50 ${percentile(healthMs, 50).toFixed(0)} ms, p95 ${percentile(healthMs, 95).toFixed(0)} ms, max ${Math.max(0, ...healthMs).toFixed(0)} ms.`);
  const leftovers = readdirSync(path.join(scratch, "uploads")).length;
  console.log(`Temporary files left in the upload folder: ${leftovers}.`);
  await db().$disconnect();
  const statuses = results.map((r) => r.status).join(",");
  console.log(
    `RESULT multipart_rss_growth_mb=${mb(peak - before).toFixed(0)} health_p95_ms=${percentile(healthMs, 95).toFixed(0)} health_max_ms=${Math.max(0, ...healthMs).toFixed(0)} statuses=${statuses}`,
  );
}

process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (error) => {
    console.error(`bench:multipart failed: ${(error as Error).stack ?? (error as Error).message}`);
    await cleanup();
    process.exit(1);
  });
