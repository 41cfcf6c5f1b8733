// Where a request came from, against the real app (`npm start`, its own web server in front of
// Next.js): X-Forwarded-For and friends are believed only from a configured trusted proxy.
// 1. With no trusted proxies (the default), a forged X-Forwarded-For (or X-Real-IP, or our own
//    internal header) lands neither in the audit log nor in the custody record: the socket's
//    address does; and rotating it does not get round the per-address login throttle.
// 2. Malformed percent-encoding in a path is a 400 that names the segment, not a 500.
// 3. Started again with GROUNDTRUTH_TRUSTED_PROXIES=127.0.0.1 (as behind a proxy on the same
//    machine), the address the proxy forwarded is the one recorded.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const PORT = 3330;
const PG_PORT = 54630;
const PASSWORD = "client-address-test-password-1";
const base = `http://127.0.0.1:${PORT}`;
const SLUG = "demo-witness";
const dataDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-client-address-"));
const logFile = path.join(os.tmpdir(), `${path.basename(dataDir)}.log`);
let app: ChildProcess | null = null;
let client: pg.Client | null = null;

const demo = (key: string) => `${key}@demo.groundtruth.test`;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").filter((l) => !l.startsWith('{"time')).slice(-30).join("\n") : "";
  throw new Error(`timed out waiting for ${what}\n--- npm start output ---\n${log}`);
}

async function startApp(extraEnv: Record<string, string>) {
  const log = openSync(logFile, "a");
  app = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      DATABASE_URL: "",
      PORT: String(PORT),
      GROUNDTRUTH_PG_PORT: String(PG_PORT),
      GROUNDTRUTH_DATA_DIR: dataDir,
      GROUNDTRUTH_DEMO_PASSWORD: PASSWORD,
      GROUNDTRUTH_INLINE_WORKER: "0",
      GROUNDTRUTH_TRUSTED_PROXIES: "",
      NEXTAUTH_URL: base,
      ...extraEnv,
    },
  });
  await until(() => fetch(`${base}/api/health`).then((r) => r.ok), 900_000, "the app to start");
}

async function stopApp() {
  if (!app?.pid) return;
  const pid = app.pid;
  const exited = new Promise((resolve) => app!.once("exit", resolve));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
  app = null;
  // The port is free again before the next start.
  await until(() => fetch(`${base}/api/health`).then(() => false, () => true), 30_000, "the app to stop");
}

const cookiesOf = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");

/** Signs in through next-auth's credentials endpoint with extra request headers; the session cookie or the form's error. */
async function signIn(email: string, password: string, headers: Record<string, string>): Promise<{ cookie: string | null; error: string | null }> {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded", Cookie: cookiesOf(csrf).join("; "), Origin: base },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const cookie = cookiesOf(response).find((c) => /session-token=/.test(c)) ?? null;
  if (cookie) return { cookie, error: null };
  const body = (await response.json().catch(() => ({}))) as { url?: string };
  return { cookie: null, error: body.url ? new URL(body.url).searchParams.get("error") : `HTTP ${response.status}` };
}

async function lastLoginAddress(email: string): Promise<string | null> {
  const rows = await client!.query<{ ip: string | null }>(
    `SELECT a."ip" FROM "AuditEvent" a JOIN "User" u ON u."id" = a."entityId" WHERE u."email" = $1 AND a."action" = 'auth.login' ORDER BY a."seq" DESC LIMIT 1`,
    [email],
  );
  return rows.rows[0]?.ip ?? null;
}

/** A connection to the app's own (embedded) database, which `npm start` stops and starts with it. */
async function connectDatabase() {
  const password = readFileSync(path.join(dataDir, ".postgres-password"), "utf8").trim();
  client = new pg.Client({ host: "127.0.0.1", port: PG_PORT, user: "postgres", password, database: "groundtruth" });
  await client.connect();
}

async function disconnectDatabase() {
  await client?.end().catch(() => {});
  client = null;
}

beforeAll(async () => {
  await startApp({});
  await connectDatabase();
}, 1_200_000);

afterAll(async () => {
  await disconnectDatabase();
  await stopApp();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

const FORGED = { "X-Forwarded-For": "6.6.6.6", "X-Real-IP": "6.6.6.7", "X-Groundtruth-Client-Address": "6.6.6.8" };

describe("no trusted proxy (the default)", () => {
  it("records the socket's address, not a forged one, in the audit log", async () => {
    const { cookie, error } = await signIn(demo("editor"), PASSWORD, FORGED);
    expect(error).toBeNull();
    expect(cookie).not.toBeNull();
    expect(await lastLoginAddress(demo("editor"))).toBe("127.0.0.1");
  });

  it("records the socket's address, not a forged one, in the custody record an editor reads", async () => {
    const { cookie } = await signIn(demo("editor"), PASSWORD, {});
    const media = await client!.query<{ id: string; sha256: string; reference: string }>(
      `SELECT m."id", m."sha256", i."reference" FROM "MediaFile" m JOIN "EvidenceItem" i ON i."id" = m."itemId" JOIN "Project" p ON p."id" = i."projectId" WHERE p."slug" = $1 ORDER BY i."reference" LIMIT 1`,
      [SLUG],
    );
    const { id, sha256, reference } = media.rows[0]!;
    const download = await fetch(`${base}/api/media/${id}`, { headers: { Cookie: cookie!, ...FORGED } });
    expect(download.status).toBe(200);
    await download.arrayBuffer();

    const report = await fetch(`${base}/projects/${SLUG}/items/${reference}/custody/json`, { headers: { Cookie: cookie! } });
    expect(report.status).toBe(200);
    const text = await report.text();
    const file = (JSON.parse(text) as { files: Array<{ sha256: string; accesses: Array<{ purpose: string; ip: string | null }> }> }).files.find((f) => f.sha256 === sha256)!;
    expect(file.accesses.at(-1)).toMatchObject({ purpose: "download_original", ip: "127.0.0.1" });
    expect(text).not.toMatch(/6\.6\.6\.[678]/);
  });

  it("a path with malformed percent-encoding is a 400 naming the segment, not a 500", async () => {
    const { cookie } = await signIn(demo("editor"), PASSWORD, {});
    for (const url of [`/api/v1/projects/%E0%A4%A/items`, `/projects/${SLUG}/items/%E0%A4%A`, `/public/%E0%A4%A`, `/api/media/%E0%A4%A`]) {
      const response = await fetch(`${base}${url}`, { headers: { Cookie: cookie! } });
      expect({ url, status: response.status }).toEqual({ url, status: 400 });
      expect(await response.text()).toContain("%E0%A4%A");
    }
  });

  it("rotating X-Forwarded-For does not get round the per-address login throttle", async () => {
    // Wrong passwords for many different accounts (an address spraying guesses), each request
    // claiming a different address. The address throttle counts them all against the socket's
    // address: after ten, the next attempts from it have to wait.
    const answers: string[] = [];
    for (let i = 0; i < 14; i++) {
      const spoof = `198.51.100.${i + 1}`;
      const { error } = await signIn(`nobody-${i}@example.test`, "wrong password", { "X-Forwarded-For": spoof, "X-Real-IP": spoof, "X-Groundtruth-Client-Address": spoof });
      answers.push(error ?? "signed in");
    }
    expect(answers.slice(0, 10)).toEqual(Array(10).fill("Email or password is incorrect."));
    expect(answers.slice(10).some((a) => /^Too many failed sign-in attempts/.test(a))).toBe(true);
    const rows = await client!.query<{ key: string; failures: number }>(`SELECT "key", "failures" FROM "LoginThrottle" WHERE "key" LIKE 'ip:%'`);
    expect(rows.rows.map((r) => r.key)).toEqual(["ip:127.0.0.1"]);
  });
});

describe("behind a trusted proxy (GROUNDTRUTH_TRUSTED_PROXIES=127.0.0.1)", () => {
  beforeAll(async () => {
    await disconnectDatabase();
    await stopApp();
    await startApp({ GROUNDTRUTH_TRUSTED_PROXIES: "127.0.0.1, ::1" });
    await connectDatabase();
  }, 1_200_000);

  it("records the address the proxy forwarded (the rightmost untrusted hop)", async () => {
    expect((await signIn(demo("reviewer"), PASSWORD, { "X-Forwarded-For": "203.0.113.50" })).error).toBeNull();
    expect(await lastLoginAddress(demo("reviewer"))).toBe("203.0.113.50");
    // What a client wrote before the proxy appended the real address does not count.
    expect((await signIn(demo("reviewer"), PASSWORD, { "X-Forwarded-For": "6.6.6.6, 203.0.113.51" })).error).toBeNull();
    expect(await lastLoginAddress(demo("reviewer"))).toBe("203.0.113.51");
    // Our internal header is never taken from the request, even from a trusted proxy.
    expect((await signIn(demo("reviewer"), PASSWORD, { "X-Forwarded-For": "203.0.113.52", "X-Groundtruth-Client-Address": "6.6.6.8" })).error).toBeNull();
    expect(await lastLoginAddress(demo("reviewer"))).toBe("203.0.113.52");
  });

  it("shows the owner where their API token was last used from", async () => {
    const token = `gt_${randomBytes(32).toString("base64url")}`;
    await client!.query(
      `INSERT INTO "ApiToken" ("id", "userId", "name", "prefix", "tokenHash", "scopes", "expiresAt")
       SELECT 'tokensystemtest01', u."id", 'System test token', $2, $3, ARRAY['read'], now() + interval '1 day' FROM "User" u WHERE u."email" = $1`,
      [demo("reviewer"), token.slice(0, 10), createHash("sha256").update(token).digest("hex")],
    );
    const used = await fetch(`${base}/api/v1/projects`, { headers: { Authorization: `Bearer ${token}`, "X-Forwarded-For": "6.6.6.6, 203.0.113.60" } });
    expect(used.status).toBe(200);
    const { cookie } = await signIn(demo("reviewer"), PASSWORD, { "X-Forwarded-For": "203.0.113.52" });
    const page = await (await fetch(`${base}/account/tokens`, { headers: { Cookie: cookie! } })).text();
    expect(page).toContain("System test token");
    expect(page).toMatch(/from <span class="mono">203\.0\.113\.60<\/span>/);
    expect(page).not.toContain("6.6.6.6");
  });
});
