// The README's two commands from a checkout inside a private folder (mode 700, like root's home),
// run as root as containers do. PostgreSQL runs as the `postgres` user, which cannot enter such
// a folder: `npm start` must still start, serve, stop cleanly and keep its data across a restart,
// and the integration tests' PostgreSQL must start from there too.
//
// The checkout is a copy of this working tree's files (tracked and untracked, not ignored, so
// uncommitted changes are what is tested) one level below a fresh mode-700 folder. node_modules
// is a hard-link copy (`cp -al`): every file really sits at a path under the private folder, as
// after `npm ci` there, without reinstalling. lib/generated (Prisma's output) is copied, and so
// is .next (without its cache) when it matches the sources; otherwise the copy builds.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort, isPortFree } from "../../lib/infra/embedded-postgres";
import { distDir, needsBuild } from "../../lib/infra/next-build";
import { removeClusterDir } from "../../lib/infra/postgres-access";

const root = path.resolve(import.meta.dirname, "..", "..");
const privateDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-private-"));
chmodSync(privateDir, 0o700);
const checkout = path.join(privateDir, "groundtruth");
const logOf = (name: string) => path.join(os.tmpdir(), `${path.basename(privateDir)}-${name}.log`);
const PASSWORD = "private-checkout-password-123";
let app: ChildProcess | null = null;

function copyCheckout() {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((file) => file && existsSync(path.join(root, file)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(checkout, file), { verbatimSymlinks: true });
  }
  execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(checkout, "node_modules")]);
  cpSync(path.join(root, "lib", "generated"), path.join(checkout, "lib", "generated"), { recursive: true });
  if (!needsBuild()) {
    cpSync(distDir(), path.join(checkout, ".next"), { recursive: true, filter: (source) => !source.startsWith(path.join(distDir(), "cache")) });
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, log?: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${log ? `\n--- output ---\n${tail(log)}` : ""}`);
}

const tail = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => !l.startsWith('{"time')).slice(-40).join("\n") : "");

function startApp(name: string, port: number, pgPort: number): ChildProcess {
  const log = openSync(logOf(name), "w");
  return spawn("npm", ["start"], {
    cwd: checkout,
    detached: true,
    stdio: ["ignore", log, log],
    env: {
      ...inheritedEnv(),
      DATABASE_URL: "",
      PORT: String(port),
      GROUNDTRUTH_PG_PORT: String(pgPort),
      GROUNDTRUTH_DEMO_PASSWORD: PASSWORD,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    },
  });
}

/** This shell's environment less anything that would point the copy at other folders. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ["GROUNDTRUTH_DATA_DIR", "GROUNDTRUTH_MEDIA_DIR", "GROUNDTRUTH_UPLOAD_DIR", "GROUNDTRUTH_ROOT", "GROUNDTRUTH_NEXT_DIST_DIR"]) delete env[name];
  return env;
}

/** Waits until the app answers /api/health, failing at once (with its output) if it exits first. */
async function untilHealthy(child: ChildProcess, base: string, name: string, timeoutMs: number) {
  let exited: string | null = null;
  child.once("exit", (code, signal) => (exited = signal ?? `code ${code}`));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`npm start exited (${exited}) before serving\n--- output ---\n${tail(logOf(name))}`);
    if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for npm start to serve\n--- output ---\n${tail(logOf(name))}`);
}

/**
 * SIGTERM to the whole process group, as a terminal's Ctrl-C (SIGINT) or Playwright's shutdown
 * reaches every process; resolves once `npm start` has reported PostgreSQL stopped and its port is free.
 */
async function stopApp(child: ChildProcess, name: string, pgPort: number): Promise<void> {
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return; // already gone
  }
  await until(async () => readFileSync(logOf(name), "utf8").includes("PostgreSQL stopped cleanly.") && (await isPortFree(pgPort)), 90_000, "a clean stop", logOf(name));
  await until(async () => !groupAlive(child.pid!), 30_000, "every process of npm start to exit", logOf(name));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function userCount(pgPort: number): Promise<number> {
  const password = readFileSync(path.join(checkout, "data", ".postgres-password"), "utf8").trim();
  const client = new pg.Client({ host: "127.0.0.1", port: pgPort, user: "postgres", password, database: "groundtruth" });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*)::int AS n FROM "User"`)).rows[0].n);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  if (app && groupAlive(app.pid!)) {
    process.kill(-app.pid!, "SIGTERM");
    await until(async () => !groupAlive(app!.pid!), 60_000, "npm start to stop").catch(() => process.kill(-app!.pid!, "SIGKILL"));
  }
  // The database may live outside the checkout (linked from data/postgres): remove it too.
  if (existsSync(path.join(checkout, "data"))) removeClusterDir(path.join(checkout, "data", "postgres"));
  rmSync(privateDir, { recursive: true, force: true });
});

describe("a checkout inside a private folder", () => {
  it.runIf(process.getuid?.() === 0)("npm start serves, stops cleanly and keeps its data; the integration setup starts PostgreSQL", async () => {
    copyCheckout();
    expect(lstatSync(privateDir).mode & 0o777).toBe(0o700);

    const port = await findFreePort();
    const pgPort = await findFreePort();
    const base = `http://127.0.0.1:${port}`;

    app = startApp("start-1", port, pgPort);
    await untilHealthy(app, base, "start-1", 900_000);
    expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ status: "ok" });
    const login = await fetch(`${base}/login`);
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain("Sign in");
    expect(html).toMatch(/type="password"/);
    const seededUsers = await userCount(pgPort);
    expect(seededUsers).toBeGreaterThan(0);

    await stopApp(app, "start-1", pgPort);

    // Started again: the same database, not a fresh one seeded anew.
    app = startApp("start-2", port, pgPort);
    await untilHealthy(app, base, "start-2", 300_000);
    expect(await userCount(pgPort)).toBe(seededUsers);
    expect(readFileSync(logOf("start-2"), "utf8")).not.toContain("First run");
    await stopApp(app, "start-2", pgPort);
    const output = readFileSync(logOf("start-1"), "utf8") + readFileSync(logOf("start-2"), "utf8");
    expect(output).not.toMatch(/Unhandled|EACCES/);
    // Nothing was opened up to get there.
    expect(lstatSync(privateDir).mode & 0o777).toBe(0o700);

    // The integration tests from the same checkout, with their temporary folder private too.
    const tmp = path.join(privateDir, "tmp");
    mkdirSync(tmp, { mode: 0o700 });
    const clustersBefore = clusterOwners();
    const vitest = spawn(process.execPath, [path.join(checkout, "node_modules", "vitest", "vitest.mjs"), "run", "--project", "integration", "tests/integration/upload-expiry.test.ts"], {
      cwd: checkout,
      stdio: ["ignore", openSync(logOf("integration"), "w"), openSync(logOf("integration"), "a")],
      env: { ...inheritedEnv(), TMPDIR: tmp, DATABASE_URL: "" },
    });
    const code = await new Promise<number | null>((resolve) => vitest.once("exit", resolve));
    expect(code, tail(logOf("integration"))).toBe(0);
    expect(readFileSync(logOf("integration"), "utf8")).toMatch(/Tests\s+.*\d+ passed/);
    // Its throwaway cluster is gone with it.
    expect(clusterOwners().filter((owner) => owner.startsWith(tmp) && !clustersBefore.includes(owner))).toEqual([]);
  });
});

/** Paths that clusters kept outside their configured folder belong to (see lib/infra/postgres-access.ts). */
function clusterOwners(): string[] {
  const home = "/var/lib/groundtruth/clusters";
  if (!existsSync(home)) return [];
  return readdirSync(home).flatMap((name) => {
    try {
      return [readFileSync(path.join(home, name, "configured-path"), "utf8").trim()];
    } catch {
      return [];
    }
  });
}
