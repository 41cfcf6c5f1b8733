// `npm run project:restore -- <file.zip>`
// Loads a project archive into an EMPTY installation (no users, projects or items) with the
// original ids and hashes. Every file is verified before anything is written. Restored accounts
// get unusable random passwords: create an admin with `npm run user:create` and reset them.
import { parseArgs } from "node:util";
import { DomainError } from "@/lib/domain/errors";
import { SYSTEM_ACTOR } from "@/lib/domain/permissions";
import { openDatabase } from "@/lib/infra/database";
import { migrateDeploy } from "@/lib/infra/migrate";

async function main() {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const archivePath = positionals[0];
  if (!archivePath || positionals.length > 1) throw new DomainError("VALIDATION", "Usage: npm run project:restore -- <file.zip>");
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  try {
    if (database.embedded) await migrateDeploy(database.url);
    const { db } = await import("@/lib/server/db");
    const { restoreProjectArchive } = await import("@/lib/server/services/archive/restore-project-archive");
    const report = await restoreProjectArchive(SYSTEM_ACTOR, { archivePath });
    console.log(`Restored project ${report.project.slug} (${report.project.id}) from manifest ${report.manifestSha256}`);
    console.log(`${report.counts.items} items, ${report.counts.users} users, ${report.blobs} files, ${report.restoredAuditEvents} audit events (head ${report.restoredHeadHash ?? "none"})`);
    console.log("Restored accounts cannot sign in until an administrator resets their passwords.");
    await db().$disconnect();
  } finally {
    await database.stop();
  }
}

main().catch((error) => {
  console.error(`project:restore failed: ${(error as Error).message}`);
  process.exit(1);
});
