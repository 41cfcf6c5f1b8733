// `npm run worker`: runs background jobs (metadata, derivatives, URL capture) until SIGTERM or
// SIGINT, then finishes the job in hand and exits. Any number of workers can share a database.
// A job still running GROUNDTRUTH_WORKER_SHUTDOWN_MS (default 60 s) after the signal, or when a
// second signal arrives, is handed back to the queue for another worker and the process exits.
import { openDatabase } from "@/lib/infra/database";
import { productionConfigProblems } from "@/lib/infra/production-config";

async function main() {
  if (process.env.DATABASE_URL) {
    const problems = productionConfigProblems(process.env, "worker");
    if (problems.length > 0) {
      for (const line of problems) console.error(`[groundtruth] ${line}`);
      process.exit(1);
    }
  }
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  if (database.embedded) process.env.GROUNDTRUTH_EMBEDDED_DATABASE = "1";
  const { runWorker } = await import("@/lib/server/jobs/worker");
  const { newWorkerId, releaseJobsOf } = await import("@/lib/server/jobs/queue");
  const { db } = await import("@/lib/server/db");
  const workerId = newWorkerId();
  const controller = new AbortController();
  let releasing = false;
  const releaseAndExit = async () => {
    if (releasing) return;
    releasing = true;
    const released = await releaseJobsOf(workerId).catch(() => 0);
    console.error(`[groundtruth] worker stopped before its job finished; ${released} job(s) returned to the queue`);
    await db().$disconnect().catch(() => {});
    await database.stop();
    process.exit(1);
  };
  const stop = () => {
    if (controller.signal.aborted) return void releaseAndExit();
    controller.abort();
    const graceMs = Number(process.env.GROUNDTRUTH_WORKER_SHUTDOWN_MS) || 60_000;
    setTimeout(() => void releaseAndExit(), graceMs).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await runWorker({ signal: controller.signal, workerId });
  await db().$disconnect();
  await database.stop();
}

main().catch((error) => {
  console.error(`worker failed: ${(error as Error).message}`);
  process.exit(1);
});
