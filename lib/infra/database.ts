// Gives a process its database: DATABASE_URL when set, otherwise the embedded server in the
// data folder. Used by `npm start` and the command-line tools, never inside the web tier.
import path from "node:path";
import { dataDir, embeddedPostgresPort } from "./config";
import { ensureDatabase, startEmbeddedPostgres } from "./embedded-postgres";

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const EMBEDDED_DATABASE_NAME = "groundtruth";

export async function openDatabase(log: (line: string) => void = () => {}): Promise<DatabaseHandle> {
  const configured = process.env.DATABASE_URL;
  if (configured) return { url: configured, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({ clusterDir: path.join(dataDir(), "postgres"), port: embeddedPostgresPort(), log });
  await ensureDatabase(server.serverUrl, EMBEDDED_DATABASE_NAME);
  return { url: server.databaseUrl(EMBEDDED_DATABASE_NAME), embedded: true, stop: () => server.stop() };
}
