// `npm run audit:export -- --out <file>`: verifies the audit chain and writes its head, signed with
// the server's Ed25519 key, to <file> (see docs/audit-anchoring.md). Exit 0 when written, 2 when
// the chain is broken (nothing is signed), 1 on other errors.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { openDatabase } from "@/lib/infra/database";

async function main() {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  if (!values.out) {
    console.error("Usage: npm run audit:export -- --out <anchor.json>");
    process.exit(1);
  }
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  let exitCode = 0;
  try {
    const { db } = await import("@/lib/server/db");
    const { AnchorRefusedError, auditSigningKey, createAuditAnchor } = await import("@/lib/server/audit-anchor");
    try {
      const anchor = await createAuditAnchor(db(), auditSigningKey());
      writeFileSync(values.out, JSON.stringify(anchor, null, 2) + "\n");
      console.log(`Audit anchor written to ${values.out}: ${anchor.eventCount} events, head #${anchor.headSeq} ${anchor.headHash}`);
    } catch (error) {
      if (!(error instanceof AnchorRefusedError)) throw error;
      console.error(error.message);
      exitCode = 2;
    } finally {
      await db().$disconnect();
    }
  } finally {
    await database.stop();
  }
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`audit:export failed: ${(error as Error).message}`);
  process.exit(1);
});
