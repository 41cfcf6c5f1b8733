import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { DEMO_PASSWORD, E2E_BASE_URL, E2E_PORT } from "./e2e/fixtures";
import { CHROMIUM_BASE_ARGS, systemChromiumPath } from "./lib/infra/chromium";

// The e2e server runs the real start command against its own embedded PostgreSQL in .e2e-data,
// wiped before each run so the demo seed is fresh. The folder is removed by the web server
// command, not at the top of this file: Playwright loads this file again in every worker, and
// a top-level delete there would remove the running server's database.
const dataDir = path.join(__dirname, ".e2e-data");

// Debian's Chromium (`apt-get install chromium`); without it, Playwright's own browser build.
const chromiumLaunchOptions = { executablePath: systemChromiumPath(), args: [...CHROMIUM_BASE_ARGS] };

export default defineConfig({
  testDir: "e2e",
  workers: 1, // 2-core machine: the server, PostgreSQL and the browser share it
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  use: {
    baseURL: E2E_BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  // Read-mostly specs first (they count the demo's seeded items); specs that add and change
  // items run after them against the same server.
  projects: [
    {
      name: "roles",
      testMatch: /(roles|deactivation|public-map|demo)\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunchOptions },
    },
    {
      name: "workflows",
      testMatch: /(intake|workflow|queue|incidents|incident-list|import|archive|publishing|two-factor|sessions|hardening)\.spec\.ts/,
      dependencies: ["roles"],
      use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunchOptions },
    },
  ],
  webServer: {
    command: "rm -rf .e2e-data && npm start",
    cwd: __dirname,
    url: `${E2E_BASE_URL}/api/health`,
    timeout: 600_000, // the first start may build Next.js
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    // SIGTERM lets `npm start` stop Next.js and PostgreSQL cleanly.
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    env: {
      PORT: String(E2E_PORT),
      GROUNDTRUTH_HOST: "127.0.0.1",
      GROUNDTRUTH_PG_PORT: process.env.GROUNDTRUTH_E2E_PG_PORT ?? "54400",
      GROUNDTRUTH_DATA_DIR: dataDir,
      GROUNDTRUTH_MEDIA_DIR: path.join(dataDir, "media"),
      // Empty: always the embedded server, even if the shell has a DATABASE_URL for another install.
      DATABASE_URL: "",
      GROUNDTRUTH_DEMO_PASSWORD: DEMO_PASSWORD,
      // start.ts defaults to http://localhost:<port>; match the baseURL so cookies and redirects agree.
      NEXTAUTH_URL: E2E_BASE_URL,
      NEXT_TELEMETRY_DISABLED: "1",
      // intake.spec.ts captures a page served on loopback; refused by default everywhere else.
      GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE: "1",
    },
  },
});
