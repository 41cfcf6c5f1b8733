// `npm run audit:check-anchor -- <anchor.json>`: checks an anchor written by audit:export against
// the live audit log: its signature, the chain, and that the anchored event still has the
// anchored hash. Exit 0 when all hold, 2 when any fails, 1 when the check could not run.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { openDatabase } from "@/lib/infra/database";

async function main() {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error("Usage: npm run audit:check-anchor -- <anchor.json>");
    process.exit(1);
  }
  const { parseAuditAnchor } = await import("@/lib/server/audit-anchor");
  const anchor = parseAuditAnchor(readFileSync(file, "utf8"));
  if ("error" in anchor) {
    console.error(`Anchor REJECTED: ${anchor.error}.`);
    process.exit(2);
  }
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  let exitCode = 0;
  try {
    const { db } = await import("@/lib/server/db");
    const { checkAuditAnchor, existingAuditSigningKey } = await import("@/lib/server/audit-anchor");
    const check = await checkAuditAnchor(db(), anchor, existingAuditSigningKey());
    if (check.ok) {
      console.log(`Anchor OK: signature valid; event #${anchor.headSeq} still has hash ${anchor.headHash} (anchored ${anchor.exportedAt}).`);
      if (check.signedByThisServer === false) console.log("Note: it was signed with a different key than this server's current signing key.");
    } else {
      console.error(`Anchor FAILED: ${check.reason}.`);
      exitCode = 2;
    }
    await db().$disconnect();
  } finally {
    await database.stop();
  }
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`audit:check-anchor failed: ${(error as Error).message}`);
  process.exit(1);
});
