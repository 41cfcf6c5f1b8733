// Starts one embedded PostgreSQL for the whole integration run and prepares a migrated
// template database; each test file then clones its own fresh database from the template.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDatabase, findFreePort, removeClusterDir, startEmbeddedPostgres } from "../../lib/infra/embedded-postgres";
import { migrateDeploy } from "../../lib/infra/migrate";

export const TEMPLATE_DATABASE = "groundtruth_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const root = mkdtempSync(path.join(os.tmpdir(), "groundtruth-it-"));
  const server = await startEmbeddedPostgres({ clusterDir: path.join(root, "postgres"), port: await findFreePort() });
  await ensureDatabase(server.serverUrl, TEMPLATE_DATABASE);
  await migrateDeploy(server.databaseUrl(TEMPLATE_DATABASE));
  project.provide("pgServerUrl", server.serverUrl);
  project.provide("templateDatabase", TEMPLATE_DATABASE);
  return async () => {
    await server.stop();
    removeClusterDir(path.join(root, "postgres")); // it may live outside `root` (a private TMPDIR)
    rmSync(root, { recursive: true, force: true });
  };
}
