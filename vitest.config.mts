import path from "node:path";
import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure lib/domain, no I/O) and `integration` (services against a real
// embedded PostgreSQL, one fresh database per test file; see tests/integration/setup).
export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // `server-only` throws outside React Server Components; tests run server code directly.
      "server-only": path.resolve(import.meta.dirname, "tests/support/empty-module.ts"),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/integration/global-setup.ts"],
          setupFiles: ["tests/integration/per-file-database.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: files run in parallel, each on its own database.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        // Whole-app tests: real `npm start` processes, killed and restarted.
        test: { name: "system", include: ["tests/system/**/*.test.ts"], environment: "node", testTimeout: 900_000, hookTimeout: 120_000, maxWorkers: 1 },
      },
    ],
  },
});
