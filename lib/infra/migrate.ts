// Applies committed migrations with `prisma migrate deploy` (the JS schema engine; no download).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PROJECT_ROOT } from "./config";

/**
 * True when every committed migration is recorded as applied with the same checksum, so the
 * (slow to load) migration engine can be skipped on ordinary restarts.
 */
export async function migrationsUpToDate(databaseUrl: string): Promise<boolean> {
  const dir = path.join(PROJECT_ROOT, "prisma", "migrations");
  const committed = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => ({
      name: entry.name,
      checksum: createHash("sha256").update(readFileSync(path.join(dir, entry.name, "migration.sql"))).digest("hex"),
    }));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query(`SELECT to_regclass('public._prisma_migrations') AS t`);
    if (!table.rows[0]?.t) return false;
    const applied = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const byName = new Map(applied.rows.map((row) => [row.migration_name, row.checksum]));
    return committed.every((m) => byName.get(m.name) === m.checksum);
  } finally {
    await client.end();
  }
}

export async function migrateDeploy(databaseUrl: string, log: (line: string) => void = () => {}): Promise<void> {
  if (await migrationsUpToDate(databaseUrl)) return;
  const cli = path.join(PROJECT_ROOT, "node_modules", "prisma", "build", "index.js");
  const child = spawn(process.execPath, [cli, "migrate", "deploy"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  for (const line of output.split("\n")) if (line.trim()) log(line);
  if (code !== 0) throw new Error(`Database migration failed:\n${output.trim()}`);
}
