// The upload server used by `npm run bench:ingest`: the real tus server module (hashing store,
// PostgreSQL, content-addressed store) on loopback, in its own process so its memory can be
// measured alone. Prints one JSON line when ready and one with memory figures on SIGTERM.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SYSTEM_ACTOR } from "@/lib/domain/permissions";
import { ensureDatabase, findFreePort, startEmbeddedPostgres } from "@/lib/infra/embedded-postgres";
import { migrateDeploy } from "@/lib/infra/migrate";

async function main() {
  const root = process.env.BENCH_ROOT!;
  const server = await startEmbeddedPostgres({ clusterDir: `${root}/postgres`, port: await findFreePort() });
  await ensureDatabase(server.serverUrl, "bench");
  process.env.DATABASE_URL = server.databaseUrl("bench");
  process.env.GROUNDTRUTH_MEDIA_DIR = `${root}/media`;
  await migrateDeploy(process.env.DATABASE_URL);

  const { createUser } = await import("@/lib/server/services/accounts/create-user");
  const { createProject } = await import("@/lib/server/services/projects/create-project");
  const { setMembership } = await import("@/lib/server/services/accounts/set-membership");
  const { loadActor } = await import("@/lib/server/actor");
  const { createTusServer } = await import("@/lib/server/uploads/tus-server");
  const user = await createUser(SYSTEM_ACTOR, { email: "bench@example.test", name: "Bench", password: "bench password 123" });
  const project = await createProject(SYSTEM_ACTOR, { name: "Bench", slug: "bench" });
  await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: "CONTRIBUTOR" });
  const actor = await loadActor(user.id, 0);

  const tus = createTusServer({ resolveActor: async () => actor, directory: `${root}/uploads`, maxSize: 8 * 1024 ** 3 });
  const web = http.createServer((req, res) => void tus.handle(req, res));
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));

  if (global.gc) global.gc();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  console.log(JSON.stringify({ ready: true, port: (web.address() as AddressInfo).port, projectId: project.id }));

  process.on("SIGTERM", async () => {
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(JSON.stringify({ baselineRss, peakRss }));
    web.close();
    // Close the pool before PostgreSQL stops, or its idle connections report the shutdown as an error.
    const { db } = await import("@/lib/server/db");
    const { closeUploadLockPool } = await import("@/lib/server/uploads/postgres-locker");
    await Promise.all([db().$disconnect(), closeUploadLockPool()]);
    await server.stop();
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
