// `npm run fixity`: re-hashes every stored original, derivative and public copy now, records the
// run (and an admin alert if anything changed or vanished) and prints a summary.
// Exit 0 when every file is intact, 2 when problems were found, 1 when the check could not run.
import { openDatabase } from "@/lib/infra/database";

async function main() {
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  let exitCode = 0;
  try {
    const { db } = await import("@/lib/server/db");
    const { runFixityCheck } = await import("@/lib/server/fixity/run-fixity");
    const started = Date.now();
    let lastReport = 0;
    const summary = await runFixityCheck({
      onProgress: ({ checked, total, problems }) => {
        // A line every few seconds (and at the end), not one per file.
        if (checked === total || Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          console.log(`Checked ${checked}/${total} files, ${problems} problems so far`);
        }
      },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    for (const problem of summary.problems) {
      const found = problem.outcome === "MISSING" ? "file is missing" : `content now hashes to ${problem.actualHash}`;
      console.error(`${problem.outcome} ${problem.sha256} (${problem.kinds.join(", ")}): ${found}`);
    }
    const line = `Fixity run ${summary.runId}: ${summary.checked} files checked in ${seconds} s, ${summary.mismatches} changed, ${summary.missing} missing.`;
    if (summary.problems.length === 0) {
      console.log(line);
    } else {
      console.error(line);
      console.error("An alert was raised for administrators (see the admin page).");
      exitCode = 2;
    }
    await db().$disconnect();
  } finally {
    await database.stop();
  }
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`fixity failed: ${(error as Error).message}`);
  process.exit(1);
});
