// Runs before each integration test file: a fresh database cloned from the migrated template,
// so files never see each other's rows and can run in parallel.
import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { ensureDatabase } from "../../lib/infra/embedded-postgres";

const serverUrl = inject("pgServerUrl");
const name = `it_${randomBytes(6).toString("hex")}`;
await ensureDatabase(serverUrl, name, inject("templateDatabase"));
const url = new URL(serverUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();
process.env.GROUNDTRUTH_TEST_DATABASE = name;

afterAll(async () => {
  const { db } = await import("../../lib/server/db");
  await db().$disconnect();
});
