// `npm run audit:verify`: walks the whole audit chain and names the first broken link, then checks
// the audit history carried in by project restores (RestoredAuditEvent) the same way.
import { openDatabase } from "@/lib/infra/database";

async function main() {
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  let exitCode = 0;
  try {
    const { db } = await import("@/lib/server/db");
    const { verifyRestoredAuditHistory, verifyStoredAuditChain } = await import("@/lib/server/audit");
    const started = Date.now();
    const verdict = await verifyStoredAuditChain(db());
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    if (verdict.ok) {
      console.log(`Audit chain OK: ${verdict.count} events verified in ${seconds} s; head #${verdict.headSeq} ${verdict.headHash}`);
    } else {
      console.error(`Audit chain BROKEN at event #${verdict.brokenAtSeq} (id ${verdict.eventId}): ${verdict.reason}.`);
      console.error(`${verdict.count} events before it verified.`);
      exitCode = 2;
    }
    const restored = await verifyRestoredAuditHistory(db());
    if (restored.ok) {
      if (restored.segments.length === 0) console.log("Restored audit history: none.");
      for (const segment of restored.segments) {
        console.log(`Restored audit history OK (restore ${segment.restoreId}): ${segment.count} events #${segment.firstSeq}..#${segment.headSeq}; head ${segment.headHash}`);
      }
    } else {
      console.error(`Restored audit history BROKEN (restore ${restored.restoreId}) at event #${restored.brokenAtSeq} (id ${restored.eventId}): ${restored.reason}.`);
      exitCode = 2;
    }
    await db().$disconnect();
  } finally {
    await database.stop();
  }
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`audit:verify failed: ${(error as Error).message}`);
  process.exit(1);
});
