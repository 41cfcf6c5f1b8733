// `npm run start:prod`: one production web instance, configured only by the environment.
// Refuses to start (exit 1, one line per problem) on a missing or weak secret, missing database
// or bucket settings, bad trusted proxies or token lifetimes, or pending migrations; then runs
// Next.js behind scripts/web-server.ts and forwards SIGTERM/SIGINT so in-flight requests finish
// before it exits. Run `npm run build` once and `npm run worker` beside it; any number of
// instances can share the database and the bucket.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT, webPort } from "@/lib/infra/config";
import { isPortFree } from "@/lib/infra/embedded-postgres";
import { migrationsUpToDate } from "@/lib/infra/migrate";
import { distDir } from "@/lib/infra/next-build";
import { productionConfigProblems } from "@/lib/infra/production-config";

const say = (line: string) => console.log(`[groundtruth] ${line}`);
const refuse = (lines: string[]): never => {
  for (const line of lines) console.error(`[groundtruth] ${line}`);
  process.exit(1);
};

async function main() {
  const problems = productionConfigProblems(process.env, "web");
  let port = 0;
  try {
    port = webPort();
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) refuse(problems);

  if (!existsSync(path.join(distDir(), "BUILD_ID"))) refuse(["The web app is not built: run `npm run build` first."]);

  const databaseUrl = process.env.DATABASE_URL!.trim();
  let upToDate: boolean;
  try {
    upToDate = await migrationsUpToDate(databaseUrl);
  } catch {
    // The driver's message can carry the connection string; say only what to check.
    return refuse(["Cannot reach the PostgreSQL server in DATABASE_URL: check the host, port, credentials and database name."]);
  }
  if (!upToDate) refuse(["The database has migrations pending: run `npm run db:migrate` (once, from one machine) and start again."]);

  const host = process.env.GROUNDTRUTH_HOST || "127.0.0.1";
  if (!(await isPortFree(port, host))) refuse([`Port ${port} on ${host} is already in use: choose another with PORT=...`]);

  // Next.js behind our own node:http server, the one place that sees the socket's address
  // (scripts/web-server.ts). Not under react-server conditions: Next.js sets up its own.
  const web = spawn(process.execPath, [path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(PROJECT_ROOT, "scripts", "web-server.ts")], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
    env: { ...process.env, PORT: String(port), GROUNDTRUTH_HOST: host, NEXT_TELEMETRY_DISABLED: "1", GROUNDTRUTH_EMBEDDED_DATABASE: "0" },
  });
  // The web server stops accepting connections on SIGTERM and exits once in-flight requests are done.
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: finishing in-flight requests...`);
    web.kill(signal);
    const limit = Number(process.env.GROUNDTRUTH_SHUTDOWN_TIMEOUT_MS) || 30_000;
    setTimeout(() => web.kill("SIGKILL"), limit).unref();
  };
  process.on("SIGTERM", () => forward("SIGTERM"));
  process.on("SIGINT", () => forward("SIGINT"));
  web.on("exit", (code, signal) => {
    if (stopping) say("Web server stopped.");
    else say(`The web server stopped unexpectedly (exit code ${code ?? signal}).`);
    process.exit(stopping ? 0 : (code ?? 1));
  });
  say(`Serving on http://${host}:${port} (public URL ${process.env.NEXTAUTH_URL}, storage ${process.env.GROUNDTRUTH_STORAGE || "local"})`);
}

main().catch((error: unknown) => {
  console.error(`[groundtruth] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
