// Session cookies against the real running app (`npm start`, with a 45-second absolute session
// lifetime): a cookie copied before sign-out is refused afterwards, and re-reading it through
// GET /api/auth/session (which re-issues the cookie with a fresh expiry) does not keep the
// session alive past its absolute lifetime. "Refused" is checked by its effect: pages send the
// holder to the login page, the cookie-authenticated export answers 401, and no project data
// comes back.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const PORT = 3340;
const PG_PORT = 54640;
const PASSWORD = "sessions-system-password-123";
const LIFETIME_MS = 45_000;
const base = `http://127.0.0.1:${PORT}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-sessions-"));
const logFile = path.join(os.tmpdir(), `${path.basename(dataDir)}.log`);
const SLUG = "demo-witness";
const COOKIE = "next-auth.session-token";
let app: ChildProcess | null = null;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "";
  throw new Error(`timed out waiting for ${what}\n--- npm start output ---\n${log}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cookiePairs = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");

/** Signs in through next-auth's own endpoints, as the login form does; returns the session cookie pair. */
async function signIn(email: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookiePairs(csrf).join("; ") },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, json: "true" }),
  });
  const session = cookiePairs(response).find((c) => c.startsWith(`${COOKIE}=`));
  if (!session) throw new Error(`sign-in of ${email} failed (${response.status})`);
  return session;
}

/** Signs out like the Sign out button: CSRF token, then POST /api/auth/signout with the cookie. */
async function signOut(sessionCookie: string): Promise<void> {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers: { Cookie: sessionCookie } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: [sessionCookie, ...cookiePairs(csrf)].join("; ") },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${base}/login`, json: "true" }),
  });
  expect(response.status).toBe(200);
  // The browser's own copy is cleared...
  expect(response.headers.getSetCookie().some((c) => c.startsWith(`${COOKIE}=;`) || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c))).toBe(true);
}

/** What a request with this cookie gets of the project: its page, its item export, and the session endpoint. */
async function whatTheCookieGets(sessionCookie: string) {
  const page = await fetch(`${base}/projects/${SLUG}`, { headers: { Cookie: sessionCookie }, redirect: "manual" });
  const pageBody = await page.text();
  const exported = await fetch(`${base}/projects/${SLUG}/export/items?format=csv`, { headers: { Cookie: sessionCookie } });
  const exportBody = await exported.text();
  const session = await fetch(`${base}/api/auth/session`, { headers: { Cookie: sessionCookie } });
  const renewed = cookiePairs(session).find((c) => c.startsWith(`${COOKIE}=`) && c.length > COOKIE.length + 1);
  return {
    pageStatus: page.status,
    pageLocation: page.headers.get("location"),
    /** The items table, i.e. evidence, is in the page. */
    pageShowsItems: pageBody.includes('data-testid="items-table"'),
    exportStatus: exported.status,
    /** Rows of the CSV export that carry an item reference of the demo project (DW-…). */
    exportedItems: exportBody.split("\n").filter((line) => /\bDW-\d+/.test(line)).length,
    session: (await session.json()) as { expires?: string },
    renewed,
  };
}

beforeAll(async () => {
  const log = openSync(logFile, "w");
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
      GROUNDTRUTH_SESSION_MAX_AGE_MINUTES: String(LIFETIME_MS / 60_000),
      NEXTAUTH_URL: base,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  await until(() => fetch(`${base}/api/health`).then((r) => r.ok), 600_000, "the app to start");
}, 900_000);

afterAll(async () => {
  if (app?.pid) {
    try {
      process.kill(-app.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await sleep(3000);
    try {
      process.kill(-app.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("session cookies", () => {
  it("a cookie copied before sign-out is refused afterwards: login page, 401, no project data", async () => {
    const cookie = await signIn("editor@demo.groundtruth.test");
    const copy = cookie; // what an attacker lifted from the browser (or a proxy log); editors may export items

    const before = await whatTheCookieGets(copy);
    expect(before).toMatchObject({ pageStatus: 200, pageShowsItems: true, exportStatus: 200 });
    expect(before.exportedItems).toBeGreaterThan(0);
    expect(before.session.expires).toBeTruthy();

    await signOut(cookie);

    const after = await whatTheCookieGets(copy);
    expect(after.pageStatus).toBe(307);
    expect(new URL(after.pageLocation!, base).pathname).toBe("/login");
    expect(after.pageShowsItems).toBe(false);
    expect(after.exportStatus).toBe(401);
    expect(after.exportedItems).toBe(0);
    expect(after.session).toEqual({});
    expect(after.renewed).toBeUndefined();
    // Following the redirect shows the sign-in form, not the project.
    const login = await fetch(`${base}/projects/${SLUG}`, { headers: { Cookie: copy } });
    const html = await login.text();
    expect(new URL(login.url).pathname).toBe("/login");
    expect(html).toContain("Sign in");
    expect(html).not.toContain('data-testid="signed-in-as"');
  });

  it("re-reading /api/auth/session renews the cookie but never past the absolute lifetime", async () => {
    const started = Date.now();
    let cookie = await signIn("editor@demo.groundtruth.test");
    const seen: Array<{ at: number; live: boolean; expires?: string; exportStatus: number }> = [];
    // Active all along (every 5 seconds, well inside any idle timeout), always with the newest cookie.
    while (Date.now() - started < LIFETIME_MS + 15_000) {
      const got = await whatTheCookieGets(cookie);
      seen.push({ at: Date.now() - started, live: got.session.expires !== undefined, expires: got.session.expires, exportStatus: got.exportStatus });
      if (got.renewed) cookie = got.renewed;
      await sleep(5_000);
    }
    const early = seen.filter((s) => s.at < LIFETIME_MS - 10_000);
    const late = seen.filter((s) => s.at > LIFETIME_MS + 5_000);
    expect(early.length).toBeGreaterThan(3);
    expect(late.length).toBeGreaterThan(0);
    expect(early.every((s) => s.live && s.exportStatus === 200), JSON.stringify(seen)).toBe(true);
    // The session reports its real end, which does not move forward.
    for (const s of early) expect(Date.parse(s.expires!) - started).toBeLessThanOrEqual(LIFETIME_MS + 5_000);
    expect(late.every((s) => !s.live && s.exportStatus === 401), JSON.stringify(seen)).toBe(true);

    const final = await whatTheCookieGets(cookie);
    expect(final).toMatchObject({ pageStatus: 307, pageShowsItems: false, exportStatus: 401, exportedItems: 0, session: {} });
  });
});
