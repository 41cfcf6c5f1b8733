// Fault scenarios against real processes:
// 1. A worker killed with SIGKILL in the middle of a media job: the job is claimed again after
//    its lease lapses and its effect (derivatives, metadata, audit event) happens exactly once.
// 2. PostgreSQL restarted while the web app is taking writes: the app recovers by itself (same
//    process, no restart) and every write it acknowledged is in the database afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../lib/infra/embedded-postgres";
import { migrateDeploy } from "../../lib/infra/migrate";

const root = path.resolve(import.meta.dirname, "..", "..");
const fixtures = path.resolve(root, "..", "shared", "fixtures");
const PG_PORT = 54620;
const WEB_PORT = 3320;
const base = `http://127.0.0.1:${WEB_PORT}`;
const PASSWORD = "faults-test-password-123";
const SECRET = "faults-test-secret-0123456789abcdefghijklmnop";
const dataDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-faults-"));
const clusterDir = path.join(dataDir, "postgres");
let server: EmbeddedPostgresHandle;
// The worker scenario and the web scenario use separate databases: the web app seeds the demo
// only into an empty install.
let workerDatabaseUrl = "";
let webDatabaseUrl = "";
const children: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, log?: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(300);
  }
  const tail = log ? readFileSync(log, "utf8").split("\n").slice(-25).join("\n") : "";
  throw new Error(`timed out waiting for ${what}\n${tail}`);
}

function launch(args: string[], env: Record<string, string>, name: string): { child: ChildProcess; log: string } {
  const log = path.join(dataDir, `${name}-${children.length}.log`);
  const child = spawn("npm", args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", openSync(log, "w"), openSync(log, "a")],
    env: { ...process.env, DATABASE_URL: name === "web" ? webDatabaseUrl : workerDatabaseUrl, GROUNDTRUTH_DATA_DIR: dataDir, NEXTAUTH_SECRET: SECRET, ...env },
  });
  children.push(child);
  return { child, log };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL") {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

beforeAll(async () => {
  server = await startEmbeddedPostgres({ clusterDir, port: PG_PORT });
  for (const name of ["groundtruth", "groundtruth_worker"]) {
    await ensureDatabase(server.serverUrl, name);
    await migrateDeploy(server.databaseUrl(name));
  }
  webDatabaseUrl = server.databaseUrl("groundtruth");
  workerDatabaseUrl = server.databaseUrl("groundtruth_worker");
  // Services in this process use the worker scenario's database and the shared media folder.
  process.env.DATABASE_URL = workerDatabaseUrl;
  process.env.GROUNDTRUTH_DATA_DIR = dataDir;
}, 180_000);

afterAll(async () => {
  for (const child of children) killGroup(child);
  const { db } = await import("../../lib/server/db");
  await db().$disconnect().catch(() => {});
  await server?.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a worker killed mid-job", () => {
  it("is retried after its lease lapses and takes effect exactly once", async () => {
    const { db } = await import("../../lib/server/db");
    const { SYSTEM_ACTOR } = await import("../../lib/domain/permissions");
    const { createProject } = await import("../../lib/server/services/projects/create-project");
    const { createUser } = await import("../../lib/server/services/accounts/create-user");
    const { blobStore } = await import("../../lib/server/storage");
    const { enqueueJob } = await import("../../lib/server/jobs/queue");

    const project = await createProject(SYSTEM_ACTOR, { name: "Faults", slug: "faults" });
    const user = await createUser(SYSTEM_ACTOR, { email: "worker-fault@example.test", name: "Fault Tester", password: PASSWORD });
    const video = path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV");
    const stored = await (await blobStore()).put(createReadStream(video));
    const mediaIds: string[] = [];
    for (let n = 1; n <= 8; n++) {
      const item = await db().evidenceItem.create({ data: { projectId: project.id, reference: `F-${n}`, title: `Fault item ${n}`, submittedById: user.id } });
      const file = await db().mediaFile.create({
        data: { itemId: item.id, sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes), sniffedMime: "video/quicktime", originalFilename: `f${n}.mov`, captureMethod: "UPLOAD", collectedById: user.id },
      });
      mediaIds.push(file.id);
      await db().$transaction((tx) => enqueueJob(tx, { queue: "media.process", payload: { mediaFileId: file.id }, projectId: project.id, itemId: item.id }));
    }

    // Kill the worker while a job is RUNNING (not yet done); try again if we were too slow.
    let interrupted: string | null = null;
    for (let attempt = 0; attempt < 6 && !interrupted; attempt++) {
      const { child, log } = launch(["run", "worker"], { GROUNDTRUTH_JOB_LEASE_MS: "3000" }, "worker");
      await until(async () => (await db().job.count({ where: { queue: "media.process", state: "RUNNING" } })) > 0, 120_000, "a running job", log);
      killGroup(child);
      await sleep(300);
      const running = await db().job.findFirst({ where: { queue: "media.process", state: "RUNNING" }, select: { id: true } });
      interrupted = running?.id ?? null;
    }
    expect(interrupted, "a job was caught mid-run").not.toBeNull();

    const { log } = launch(["run", "worker"], { GROUNDTRUTH_JOB_LEASE_MS: "3000" }, "worker");
    await until(async () => (await db().job.count({ where: { queue: "media.process", state: { not: "DONE" } } })) === 0, 240_000, "all jobs done", log);

    const retried = await db().job.findUniqueOrThrow({ where: { id: interrupted! } });
    expect(retried.attempts).toBeGreaterThanOrEqual(2);
    for (const mediaFileId of mediaIds) {
      // Exactly once in effect: one audit event, one set of derivatives, metadata written.
      expect(await db().auditEvent.count({ where: { action: "media.processed", entityId: mediaFileId } }), mediaFileId).toBe(1);
      const derivatives = await db().derivative.findMany({ where: { mediaFileId }, select: { kind: true, position: true } });
      expect(derivatives.length).toBeGreaterThan(0);
      expect(new Set(derivatives.map((d) => `${d.kind}:${d.position}`)).size).toBe(derivatives.length);
      const file = await db().mediaFile.findUniqueOrThrow({ where: { id: mediaFileId } });
      expect(Object.keys(file.metadata as object).length).toBeGreaterThan(0);
    }
    const { verifyStoredAuditChain } = await import("../../lib/server/audit");
    expect((await verifyStoredAuditChain(db())).ok).toBe(true);
  }, 600_000);
});

/** Signs in through next-auth's credentials flow and returns the session cookie header. */
async function signIn(email: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies, Origin: base },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, json: "true" }),
  });
  const session = response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").find((c) => /session-token=/.test(c));
  if (!session) throw new Error(`sign-in failed (${response.status})`);
  return session;
}

describe("PostgreSQL restarted under traffic", () => {
  it("the app recovers on its own and every acknowledged write is kept", async () => {
    const query = async <T,>(sql: string, params: unknown[] = []): Promise<T[]> => {
      const client = new pg.Client({ connectionString: webDatabaseUrl });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    };
    const { child: web, log } = launch(["start"], { PORT: String(WEB_PORT), GROUNDTRUTH_SEED_DEMO: "1", GROUNDTRUTH_DEMO_PASSWORD: PASSWORD, GROUNDTRUTH_INLINE_WORKER: "0", NEXTAUTH_URL: base }, "web");
    await until(() => fetch(`${base}/api/health`).then((r) => r.ok), 600_000, "the web app", log);
    const cookie = await signIn("contributor@demo.groundtruth.test");
    const [project] = await query<{ id: string }>(`SELECT "id" FROM "Project" WHERE "slug" = 'demo-witness'`);
    const b64 = (s: string) => Buffer.from(s).toString("base64");

    const acknowledged: string[] = [];
    let failures = 0;
    let okAfterRestart = 0;
    let restarted = false;
    const createUpload = async (n: number) => {
      try {
        const response = await fetch(`${base}/api/uploads`, {
          method: "POST",
          headers: {
            Cookie: cookie,
            Origin: base,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "1000",
            "Upload-Metadata": `filename ${b64(`fault-${n}.mp4`)},filetype ${b64("video/mp4")},projectId ${b64(project!.id)}`,
          },
        });
        if (response.status === 201) {
          acknowledged.push(new URL(response.headers.get("location")!, base).pathname.split("/").pop()!);
          if (restarted) okAfterRestart += 1;
        } else failures += 1;
      } catch {
        failures += 1;
      }
    };

    let n = 0;
    let running = true;
    const traffic = Promise.all(
      Array.from({ length: 3 }, async () => {
        while (running) {
          await createUpload((n += 1));
          await sleep(50);
        }
      }),
    );
    await until(async () => acknowledged.length >= 10, 60_000, "traffic before the restart", log);
    const beforeRestart = acknowledged.length;
    await server.stop();
    await sleep(3_000);
    server = await startEmbeddedPostgres({ clusterDir, port: PG_PORT });
    restarted = true;
    await until(async () => okAfterRestart >= 10, 90_000, "writes to succeed again after the restart", log);
    running = false;
    await traffic;

    expect(web.exitCode).toBeNull(); // the same web process served before and after
    expect(beforeRestart).toBeGreaterThanOrEqual(10);
    expect(okAfterRestart).toBeGreaterThanOrEqual(10);
    // Every write the app acknowledged is in the database.
    const stored = await query<{ id: string }>(`SELECT "id" FROM "Upload" WHERE "id" = ANY($1)`, [acknowledged]);
    expect(stored.length).toBe(acknowledged.length);
    console.log(`faults: ${acknowledged.length} acknowledged uploads kept, ${failures} refused while PostgreSQL was down, ${okAfterRestart} after the restart`);
    killGroup(web, "SIGTERM");
  }, 900_000);
});
