// The command-line tools, run as a new user would: real processes against a real database.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { db } from "../../lib/server/db";
import { authenticate } from "../../lib/server/services/accounts/authenticate";
import { makeProject, unique } from "../support/fixtures";

const root = path.resolve(import.meta.dirname, "..", "..");

function npmRun(script: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe("npm run user:create", () => {
  it("creates a first admin who can sign in with the printed password", async () => {
    const email = `${unique("first-admin")}@example.test`;
    const result = await npmRun("user:create", ["--email", email, "--role", "ADMIN", "--name", "First Admin"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(result.stdout)?.[1];
    expect(password).toBeDefined();
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    expect(user.isAdmin).toBe(true);
    await expect(authenticate({ email, password }, null)).resolves.toMatchObject({ userId: user.id });
  });

  it("gives a project role with --project and refuses bad arguments clearly", async () => {
    const project = await makeProject();
    const email = `${unique("member")}@example.test`;
    const ok = await npmRun("user:create", ["--email", email, "--role", "reviewer", "--project", project.slug], {
      GROUNDTRUTH_NEW_PASSWORD: "a chosen long password",
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain("shown once");
    const membership = await db().membership.findFirstOrThrow({ where: { user: { email } } });
    expect(membership).toMatchObject({ projectId: project.id, role: "REVIEWER" });

    const users = await db().user.count();
    for (const [args, message] of [
      [["--email", "not-an-email", "--role", "ADMIN"], /valid email/],
      [["--email", `${unique("x")}@example.test`, "--role", "OVERLORD"], /--role must be/],
      [["--email", `${unique("x")}@example.test`, "--role", "EDITOR"], /needs --project/],
      [["--email", email, "--role", "ADMIN"], /already exists/],
    ] as const) {
      const refused = await npmRun("user:create", [...args]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(message);
    }
    expect(await db().user.count()).toBe(users);
  });
});

describe("npm run audit:verify", () => {
  it("passes on an intact chain and names the tampered event", async () => {
    await makeProject();
    await makeProject();
    const ok = await npmRun("audit:verify", []);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Audit chain OK: \d+ events verified/);

    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query("SET session_replication_role = replica");
    await client.query(`UPDATE "AuditEvent" SET "entityId" = 'forged' WHERE "seq" = 2`);
    await client.end();

    const broken = await npmRun("audit:verify", []);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/BROKEN at event #2 /);
  });
});
