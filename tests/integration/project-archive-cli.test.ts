// The archive commands as an administrator runs them: archive from one database, restore into a
// fresh one with its own media folder, then `audit:verify` reports both histories.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ensureDatabase } from "../../lib/infra/embedded-postgres";
import { createPrismaClient, db } from "../../lib/server/db";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { LocalBlobStore } from "../../lib/server/storage/local-blob-store";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const root = path.resolve(import.meta.dirname, "..", "..");
const workDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-archive-cli-"));
const sourceMedia = path.join(workDir, "source-media");
const targetMedia = path.join(workDir, "target-media");
process.env.GROUNDTRUTH_MEDIA_DIR = sourceMedia;
const fixtures = path.resolve(root, "..", "shared", "fixtures");
const bytes = readFileSync(path.join(fixtures, "images", "exifr_png_with_exif_and_gps.png"));
const expectedSha = createHash("sha256").update(bytes).digest("hex");

const targetName = `it_cli_restore_${randomBytes(5).toString("hex")}`;
const targetUrl = (() => {
  const url = new URL(inject("pgServerUrl"));
  url.pathname = `/${targetName}`;
  return url.toString();
})();
const target = createPrismaClient(targetUrl);

afterAll(async () => {
  await target.$disconnect();
});

function npmRun(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe("npm run project:archive / project:restore", () => {
  it("round-trips a project into a fresh database with identical hashes", { timeout: 180_000 }, async () => {
    const project = await makeProject();
    const editor = await actorFor((await makeUser({ projectId: project.id, role: "EDITOR" })).id);
    const item = await submitEvidence(editor, { projectId: project.id, title: "CLI round trip", sourceUrls: ["https://example.org/cli"] });
    const stored = await new LocalBlobStore(sourceMedia).put(Readable.from([bytes]));
    await db().mediaFile.create({
      data: { itemId: item.id, sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes), sniffedMime: "image/png", originalFilename: "gps.png", captureMethod: "UPLOAD", collectedById: editor.userId },
    });

    const archivePath = path.join(workDir, "project.zip");
    const archived = await npmRun("project:archive", ["--project", project.slug, "--out", archivePath], { GROUNDTRUTH_MEDIA_DIR: sourceMedia });
    expect(archived.stderr).toBe("");
    expect(archived.code).toBe(0);
    expect(archived.stdout).toMatch(/manifest SHA-256 [0-9a-f]{64}/);

    await ensureDatabase(inject("pgServerUrl"), targetName, inject("templateDatabase"));
    const restored = await npmRun("project:restore", [archivePath], { DATABASE_URL: targetUrl, GROUNDTRUTH_MEDIA_DIR: targetMedia });
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`Restored project ${project.slug}`);

    const media = await target.mediaFile.findFirstOrThrow({ where: { itemId: item.id } });
    expect(media.sha256).toBe(expectedSha);
    const chunks: Buffer[] = [];
    for await (const chunk of await new LocalBlobStore(targetMedia).open(expectedSha)) chunks.push(chunk as Buffer);
    expect(createHash("sha256").update(Buffer.concat(chunks)).digest("hex")).toBe(expectedSha);

    const verified = await npmRun("audit:verify", [], { DATABASE_URL: targetUrl });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/Audit chain OK: 1 events verified/);
    expect(verified.stdout).toMatch(/Restored audit history OK \(restore [0-9a-f-]+\): \d+ events/);

    const again = await npmRun("project:restore", [archivePath], { DATABASE_URL: targetUrl, GROUNDTRUTH_MEDIA_DIR: targetMedia });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/empty installation/);
  });
});
