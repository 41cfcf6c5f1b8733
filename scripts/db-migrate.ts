// `npm run db:migrate`: applies the committed migrations to DATABASE_URL and nothing else (no
// seeding). Production upgrades run it once, before starting the new version's instances.
import { migrateDeploy, migrationsUpToDate } from "@/lib/infra/migrate";

async function main() {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    console.error("[groundtruth] DATABASE_URL is not set: db:migrate applies migrations to the PostgreSQL server it names.");
    process.exit(1);
  }
  if (await migrationsUpToDate(databaseUrl)) {
    console.log("[groundtruth] Database schema is already up to date.");
    return;
  }
  await migrateDeploy(databaseUrl, (line) => console.log(`[prisma] ${line}`));
  console.log("[groundtruth] Migrations applied; the database schema is up to date.");
}

main().catch((error: unknown) => {
  console.error(`[groundtruth] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
