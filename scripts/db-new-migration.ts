// `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql
// with the SQL that takes the committed schema (git HEAD) to the working prisma/schema.prisma.
// Run it before committing a schema change. The JS schema engine refuses --from-url with a
// driver adapter, so the diff is schema-to-schema; a throwaway embedded PostgreSQL then
// applies all migrations to prove the result deploys.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDatabase, findFreePort, startEmbeddedPostgres } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";

async function main() {
  const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_").toLowerCase();
  if (!name) throw new Error("Give a migration name: npm run db:new-migration -- add_uploads");
  const root = mkdtempSync(path.join(os.tmpdir(), "groundtruth-migration-"));
  const server = await startEmbeddedPostgres({ clusterDir: path.join(root, "postgres"), port: await findFreePort() });
  try {
    await ensureDatabase(server.serverUrl, "scratch");
    const url = server.databaseUrl("scratch");
    const committedSchema = path.join(root, "committed.prisma");
    const shown = spawnSync("git", ["show", "HEAD:prisma/schema.prisma"], { encoding: "utf8" });
    if (shown.status !== 0) throw new Error(shown.stderr);
    writeFileSync(committedSchema, shown.stdout);
    const diff = spawnSync(
      process.execPath,
      ["node_modules/prisma/build/index.js", "migrate", "diff", "--from-schema-datamodel", committedSchema, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" },
    );
    if (diff.status !== 0) throw new Error(diff.stderr);
    if (!diff.stdout.trim() || /empty migration/i.test(diff.stdout)) {
      console.log("The schema matches the migrations: nothing to write.");
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join("prisma", "migrations", `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), diff.stdout);
    console.log(`Wrote ${dir}/migration.sql`);
    await migrateDeploy(url);
    console.log("All migrations apply cleanly to an empty database.");
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
