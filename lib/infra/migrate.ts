// Applies committed migrations with `prisma migrate deploy` (the JS schema engine; no download).
import { spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "./config";

export async function migrateDeploy(databaseUrl: string, log: (line: string) => void = () => {}): Promise<void> {
  const cli = path.join(PROJECT_ROOT, "node_modules", "prisma", "build", "index.js");
  const child = spawn(process.execPath, [cli, "migrate", "deploy"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  for (const line of output.split("\n")) if (line.trim()) log(line);
  if (code !== 0) throw new Error(`Database migration failed:\n${output.trim()}`);
}
