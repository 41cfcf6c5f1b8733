// `npm start`: one command from a fresh clone to a running app.
// No DATABASE_URL: starts the embedded PostgreSQL in the data folder, applies migrations,
// seeds the fictional demo on first run, builds if the sources changed, and serves.
// With DATABASE_URL: uses that server and seeds nothing unless GROUNDTRUTH_SEED_DEMO=1.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT, dataDir, mediaDir, webPort } from "@/lib/infra/config";
import { openDatabase, type DatabaseHandle } from "@/lib/infra/database";
import { isPortFree } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";
import { fingerprintFile, needsBuild, nextBin, sourceFingerprint } from "@/lib/infra/next-build";

const say = (line: string) => console.log(`[groundtruth] ${line}`);

async function main() {
  const startedAt = Date.now();
  const port = webPort();
  // Not HOSTNAME: shells and containers set that to the machine name, which would expose the app.
  const host = process.env.GROUNDTRUTH_HOST || "127.0.0.1";
  if (!(await isPortFree(port, host))) {
    fail(`Port ${port} is already in use, so Groundtruth cannot serve there. Stop the other program or choose another port: PORT=3001 npm start`);
  }

  mkdirSync(dataDir(), { recursive: true });
  let database: DatabaseHandle | null = null;
  let web: ChildProcess | null = null;
  let worker: ChildProcess | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // The worker finishes the job in hand; the web server its in-flight requests.
    await Promise.all([web, worker].map((child) => stopChild(child)));
    if (database?.embedded) {
      say("Stopping PostgreSQL...");
      await database.stop();
      say("PostgreSQL stopped cleanly.");
    }
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    // PostgreSQL's own messages are kept quiet unless it fails to start.
    const postgresLog: string[] = [];
    database = await openDatabase((line) => postgresLog.push(line) > 200 && postgresLog.shift()).catch((error: unknown) => {
      if (postgresLog.length) console.error(`[groundtruth] PostgreSQL said:\n${postgresLog.slice(-15).join("\n")}`);
      throw error instanceof Error ? error : new Error("The embedded PostgreSQL server did not start.");
    });
    say(database.embedded ? `Embedded PostgreSQL running (data in ${path.join(dataDir(), "postgres")})` : "Using the PostgreSQL server in DATABASE_URL");
    process.env.DATABASE_URL = database.url;
    await migrateDeploy(database.url);
    say("Database schema is up to date.");

    const secret = authSecret(database.embedded);
    await seedIfNeeded(database.embedded);

    if (needsBuild()) {
      say("Building the web app (first start or changed sources; this takes a minute or two)...");
      await run(process.execPath, [nextBin(), "build"], {});
      writeFileSync(fingerprintFile(), sourceFingerprint());
    }

    const baseUrl = process.env.NEXTAUTH_URL || `http://localhost:${port}`;
    const childEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      NEXTAUTH_SECRET: secret,
      NEXTAUTH_URL: baseUrl,
      GROUNDTRUTH_MEDIA_DIR: mediaDir(),
      GROUNDTRUTH_EMBEDDED_DATABASE: database.embedded ? "1" : "0",
      NEXT_TELEMETRY_DISABLED: "1",
    };
    // Next.js behind our own node:http server, the one place that sees the socket's address
    // (scripts/web-server.ts). Not under react-server conditions: Next.js sets up its own.
    web = spawn(process.execPath, [tsxBin(), path.join(PROJECT_ROOT, "scripts", "web-server.ts")], {
      cwd: PROJECT_ROOT,
      stdio: "inherit",
      env: { ...childEnv, PORT: String(port), GROUNDTRUTH_HOST: host },
    });
    // One background worker alongside the web server; larger installs run `npm run worker` separately.
    if (process.env.GROUNDTRUTH_INLINE_WORKER !== "0") {
      worker = spawn(process.execPath, [tsxBin(), "--conditions=react-server", path.join(PROJECT_ROOT, "scripts", "worker.ts")], {
        cwd: PROJECT_ROOT,
        stdio: "inherit",
        env: childEnv,
      });
      worker.on("exit", (code) => {
        if (!stopping) say(`The background worker stopped (exit code ${code}); jobs wait until it runs again.`);
      });
    }
    web.on("exit", (code) => {
      if (!stopping) {
        say(`The web server stopped (exit code ${code}).`);
        void shutdown(code ?? 1);
      }
    });
    say(`Ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: open ${baseUrl}  (Ctrl-C stops everything)`);
  } catch (error) {
    console.error(`[groundtruth] ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

function fail(message: string): never {
  console.error(`[groundtruth] ${message}`);
  process.exit(1);
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(timer);
}

function tsxBin(): string {
  return path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
}

/** Production needs a real secret from the environment; the embedded default keeps one in the data folder. */
function authSecret(embedded: boolean): string {
  const fromEnv = process.env.NEXTAUTH_SECRET;
  if (fromEnv) {
    if (fromEnv.length < 32) fail("NEXTAUTH_SECRET is too short: use at least 32 random characters (e.g. openssl rand -base64 32).");
    return fromEnv;
  }
  if (!embedded) fail("NEXTAUTH_SECRET is not set. With an external DATABASE_URL, set it to at least 32 random characters.");
  const file = path.join(dataDir(), ".auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

async function seedIfNeeded(embedded: boolean) {
  const forced = process.env.GROUNDTRUTH_SEED_DEMO === "1";
  if (!embedded && !forced) return;
  // Imported lazily: these modules open a database pool, which only the seeding path needs.
  const { db } = await import("@/lib/server/db");
  const { isEmptyInstall, seedDemo } = await import("@/lib/server/seed/demo");
  const { blobStore } = await import("@/lib/server/storage");
  try {
    if (!(await isEmptyInstall(db()))) return;
    say("First run: creating the fictional demo project...");
    // The configured store (local folder or bucket): the worker processes the seeded files from there.
    const accounts = await seedDemo(db(), await blobStore());
    const width = Math.max(...accounts.map((a) => a.email.length));
    console.log("\n  Demo accounts (shown once; an admin can reset passwords later):\n");
    for (const a of accounts) console.log(`    ${a.email.padEnd(width)}  ${a.password}  ${a.label}`);
    console.log("");
  } finally {
    await db().$disconnect();
  }
}

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? command)} ${args[1] ?? ""} failed (exit ${code})`))));
  });
}

void main();
