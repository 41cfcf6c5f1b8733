// `npm run trial:services`: the two shared services of a production install, on this machine,
// for trying the multi-instance setup of docs/deployment.md without a PostgreSQL server or an
// S3 account: a PostgreSQL server (the binaries npm installed for the embedded default) and an
// S3-compatible server (s3rver, a development dependency) with a bucket. Writes an environment
// file for the web instances and the worker, then runs until Ctrl-C. Not for production: s3rver
// keeps objects in a local folder and checks no real credentials.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "@/lib/infra/config";
import { ensureDatabase, isPortFree, startEmbeddedPostgres } from "@/lib/infra/embedded-postgres";
import { startS3rver, type LocalS3Server } from "@/lib/infra/s3rver";

const say = (line: string) => console.log(`[trial] ${line}`);

function portSetting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a port number`);
  return value;
}

async function main() {
  const root = path.resolve(process.env.GROUNDTRUTH_TRIAL_DIR ?? path.join(PROJECT_ROOT, "data", "trial"));
  const postgresPort = portSetting("TRIAL_POSTGRES_PORT", 5433);
  const s3Port = portSetting("TRIAL_S3_PORT", 4569);
  const bucket = "groundtruth";
  for (const [what, port] of [["PostgreSQL", postgresPort], ["S3", s3Port]] as const) {
    if (!(await isPortFree(port))) throw new Error(`Port ${port} (${what}) is in use: choose another with TRIAL_${what === "S3" ? "S3" : "POSTGRES"}_PORT=...`);
  }
  mkdirSync(path.join(root, "s3"), { recursive: true });

  // PostgreSQL's own start-up chatter is left out; its warnings and errors are shown.
  const postgres = await startEmbeddedPostgres({
    clusterDir: path.join(root, "postgres"),
    port: postgresPort,
    log: (message) => {
      if (/\b(WARNING|ERROR|FATAL|PANIC)\b/.test(message)) say(message);
    },
  });
  await ensureDatabase(postgres.serverUrl, "groundtruth");
  let s3: LocalS3Server;
  try {
    s3 = await startS3rver({ directory: path.join(root, "s3"), port: s3Port, buckets: [bucket] });
  } catch (error) {
    await postgres.stop();
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") {
      throw new Error("s3rver is a development dependency: install with `npm ci` (not --omit=dev) to use trial:services.");
    }
    throw error;
  }

  // One secret for every instance, kept across restarts so sessions stay valid.
  const envFile = path.join(root, "groundtruth.env");
  const previous = existsSync(envFile) ? /^NEXTAUTH_SECRET=(.+)$/m.exec(readFileSync(envFile, "utf8"))?.[1] : undefined;
  const secret = previous ?? randomBytes(32).toString("base64url");
  const settings = [
    `DATABASE_URL=${postgres.databaseUrl("groundtruth")}`,
    `NEXTAUTH_SECRET=${secret}`,
    `NEXTAUTH_URL=http://127.0.0.1:3001`,
    `GROUNDTRUTH_STORAGE=s3`,
    `GROUNDTRUTH_S3_ENDPOINT=${s3.endpoint}`,
    `GROUNDTRUTH_S3_BUCKET=${bucket}`,
    // s3rver's fixed development credentials.
    `GROUNDTRUTH_S3_ACCESS_KEY_ID=S3RVER`,
    `GROUNDTRUTH_S3_SECRET_ACCESS_KEY=S3RVER`,
    `GROUNDTRUTH_DATA_DIR=${root}`,
  ];
  writeFileSync(envFile, `${settings.join("\n")}\n`, { mode: 0o600 });

  say(`PostgreSQL on 127.0.0.1:${postgresPort} (data in ${path.join(root, "postgres")})`);
  say(`S3-compatible server on 127.0.0.1:${s3Port}, bucket "${bucket}" (objects in ${path.join(root, "s3")})`);
  say(`Settings for the web instances and the worker: ${envFile}`);
  say(`In another terminal: set -a; . ${envFile}; set +a; then follow docs/deployment.md, "Trying it on one machine".`);
  say("Ctrl-C stops both services.");

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say("stopping...");
    await s3.close().catch(() => {});
    await postgres.stop().catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error) => {
  console.error(`[trial] ${(error as Error).message}`);
  process.exit(1);
});
