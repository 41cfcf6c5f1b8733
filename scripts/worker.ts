// `npm run worker`: runs background jobs (metadata, derivatives, URL capture) until SIGTERM or
// SIGINT, then finishes the job in hand and exits. Any number of workers can share a database.
import { openDatabase } from "@/lib/infra/database";

async function main() {
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  if (database.embedded) process.env.GROUNDTRUTH_EMBEDDED_DATABASE = "1";
  const { runWorker } = await import("@/lib/server/jobs/worker");
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await runWorker({ signal: controller.signal });
  const { db } = await import("@/lib/server/db");
  await db().$disconnect();
  await database.stop();
}

main().catch((error) => {
  console.error(`worker failed: ${(error as Error).message}`);
  process.exit(1);
});
