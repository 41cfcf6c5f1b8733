// Settings read from the environment, in one place, with their defaults.
import path from "node:path";

// npm scripts run from the project root; GROUNDTRUTH_ROOT overrides for unusual layouts.
export const PROJECT_ROOT = path.resolve(process.env.GROUNDTRUTH_ROOT ?? process.cwd());

export function dataDir(): string {
  return path.resolve(process.env.GROUNDTRUTH_DATA_DIR ?? path.join(PROJECT_ROOT, "data"));
}

export function webPort(): number {
  return parsePort(process.env.PORT, 3000, "PORT");
}

export function embeddedPostgresPort(): number {
  return parsePort(process.env.GROUNDTRUTH_PG_PORT, 54329, "GROUNDTRUTH_PG_PORT");
}

export function mediaDir(): string {
  return path.resolve(process.env.GROUNDTRUTH_MEDIA_DIR ?? path.join(dataDir(), "media"));
}

function parsePort(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
  return port;
}
