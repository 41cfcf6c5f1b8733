// The whole app killed with SIGKILL in the middle of a resumable upload (web server, worker and
// embedded PostgreSQL at once), started again with the README command: the upload resumes
// where it stopped and ends with the SHA-256 of the original bytes.
import { execSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import * as tus from "tus-js-client";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const PORT = 3300;
const PG_PORT = 54600;
const PASSWORD = "system-test-password-123";
const base = `http://127.0.0.1:${PORT}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-system-"));
let app: ChildProcess | null = null;
let starts = 0;
const logOf = (n: number) => path.join(os.tmpdir(), `${path.basename(dataDir)}-start-${n}.log`);

function start(): ChildProcess {
  starts += 1;
  const log = openSync(logOf(starts), "w");
  const child = spawn("npm", ["start"], {
    cwd: root,
    detached: true, // its own process group, so one kill takes the app, worker and PostgreSQL
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      DATABASE_URL: "",
      PORT: String(PORT),
      GROUNDTRUTH_PG_PORT: String(PG_PORT),
      GROUNDTRUTH_DATA_DIR: dataDir,
      GROUNDTRUTH_DEMO_PASSWORD: PASSWORD,
      NEXTAUTH_URL: base,
    },
  });
  return child;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  const log = existsSync(logOf(starts)) ? readFileSync(logOf(starts), "utf8").split("\n").filter((l) => !l.startsWith('{"time')).slice(-30).join("\n") : "";
  throw new Error(`timed out waiting for ${what}\n--- npm start output ---\n${log}`);
}

const healthy = () => fetch(`${base}/api/health`).then((r) => r.ok);
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

function killGroup(child: ChildProcess) {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Signs in through next-auth's credentials flow and returns the session cookie header. */
async function signIn(email: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, json: "true" }),
  });
  const session = response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in failed (${response.status})`);
  return session;
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const password = readFileSync(path.join(dataDir, ".postgres-password"), "utf8").trim();
  const client = new pg.Client({ host: "127.0.0.1", port: PG_PORT, user: "postgres", password, database: "groundtruth" });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  if (app) {
    app.kill("SIGTERM");
    try {
      process.kill(-app.pid!, "SIGTERM");
    } catch {
      // gone
    }
    await until(async () => portFree(PG_PORT), 30_000, "shutdown").catch(() => {});
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("SIGKILL during an upload", () => {
  it("resumes after a restart to the same SHA-256", async () => {
    app = start();
    await until(healthy, 600_000, "the first start (may build)");
    const cookie = await signIn("contributor@demo.groundtruth.test");
    const [project] = await query<{ id: string }>(`SELECT "id" FROM "Project" WHERE "slug" = 'demo-witness'`);

    // 48 MiB: an MP4 'ftyp' header, then random bytes, sent in 4 MiB chunks.
    const bytes = Buffer.concat([Buffer.from("00000014667479706973736f6d0000020069736f6d", "hex"), randomBytes(48 * 1024 * 1024)]);
    const expected = createHash("sha256").update(bytes).digest("hex");
    const options = (onChunk?: (sent: number) => void): tus.UploadOptions => ({
      endpoint: `${base}/api/uploads`,
      // A cookie-authenticated client must say where it comes from (CSRF check, lib/server/csrf.ts).
      headers: { Cookie: cookie, Origin: base },
      chunkSize: 4 * 1024 * 1024,
      metadata: { filename: "crash.mp4", filetype: "video/mp4", projectId: project!.id },
      retryDelays: [],
      onChunkComplete: (_size, sent) => onChunk?.(sent),
    });

    let uploadUrl: string | null = null;
    await new Promise<void>((resolve) => {
      const upload = new tus.Upload(bytes, {
        ...options((sent) => {
          if (sent >= 16 * 1024 * 1024 && !uploadUrl) {
            uploadUrl = upload.url;
            killGroup(app!);
          }
        }),
        onError: () => resolve(), // the connection dies with the server
        onSuccess: () => resolve(),
      });
      upload.start();
    });
    expect(uploadUrl).not.toBeNull();
    await until(() => healthy().then((ok) => !ok, () => true), 15_000, "the app to be gone");
    await until(async () => (await portFree(PORT)) && (await portFree(PG_PORT)), 30_000, "ports to be released");
    await until(async () => !execSync("ps -eo stat=,args=").toString().split("\n").some((line) => line.includes(dataDir) && !line.startsWith("Z")), 30_000, "the old PostgreSQL processes to exit");

    app = start();
    await until(healthy, 120_000, "the restart");
    const [partial] = await query<{ receivedBytes: string; state: string }>(`SELECT "receivedBytes"::text, "state"::text FROM "Upload" WHERE "id" = $1`, [uploadUrl!.split("/").pop()]);
    expect(partial!.state).toBe("RECEIVING");
    expect(Number(partial!.receivedBytes)).toBeGreaterThan(0);

    await new Promise<void>((resolve, reject) => {
      const resumed = new tus.Upload(bytes, { ...options(), uploadUrl: uploadUrl!, retryDelays: [0, 500, 1000], onSuccess: () => resolve(), onError: reject });
      resumed.start();
    });
    const [done] = await query<{ sha256: string; state: string; sizeBytes: string }>(`SELECT "sha256", "state"::text, "sizeBytes"::text FROM "Upload" WHERE "id" = $1`, [uploadUrl!.split("/").pop()]);
    expect(done).toEqual({ sha256: expected, state: "COMPLETE", sizeBytes: String(bytes.length) });
  });
});
