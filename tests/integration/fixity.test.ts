// Fixity against real bytes on disk: a clean store passes, a flipped byte and a deleted file are
// reported with what was found, each run with problems raises one admin alert, acknowledging it
// is audited and admin-only, and the job keeps exactly one future run booked.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { runFixityCheck, type FixityAlertDetails } from "../../lib/server/fixity/run-fixity";
import { ensureFixityScheduled, FIXITY_QUEUE } from "../../lib/server/fixity/schedule";
import { claimNextJob, newWorkerId } from "../../lib/server/jobs/queue";
import { drainJobs, runOne } from "../../lib/server/jobs/worker";
import { acknowledgeAlert, listOpenAlerts } from "../../lib/server/services/admin/alerts";
import { getFixityStatus, requestFixityCheck } from "../../lib/server/services/admin/fixity";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { LocalBlobStore } from "../../lib/server/storage/local-blob-store";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const mediaRoot = mkdtempSync(path.join(os.tmpdir(), "groundtruth-fixity-media-"));
// The job handler and the CLI use the configured store: the same folder.
process.env.GROUNDTRUTH_MEDIA_DIR = mediaRoot;
const store = new LocalBlobStore(mediaRoot);
const root = path.resolve(import.meta.dirname, "..", "..");

let project: { id: string; slug: string };
let itemReference: string;
let admin: Actor;
let editor: Actor;
const sha = { original: "", thumbnail: "", otherOriginal: "", publicCopy: "" };

async function storeBytes(bytes: Buffer): Promise<string> {
  const stored = await store.put(Readable.from([bytes]));
  expect(stored.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  return stored.sha256;
}

beforeAll(async () => {
  project = await makeProject();
  admin = await actorFor((await makeUser({ isAdmin: true })).id);
  editor = await actorFor((await makeUser({ projectId: project.id, role: "EDITOR" })).id);
  const item = await submitEvidence(editor, { projectId: project.id, title: "Checkpoint video", sourceUrls: ["https://example.org/post/1"] });
  // Submitting needs a source URL, which queues a capture; this file is about fixity jobs only.
  await db().job.deleteMany({ where: { itemId: item.id } });
  itemReference = (await db().evidenceItem.findUniqueOrThrow({ where: { id: item.id }, select: { reference: true } })).reference;

  sha.original = await storeBytes(randomBytes(300_000));
  sha.thumbnail = await storeBytes(randomBytes(2_000));
  sha.otherOriginal = await storeBytes(randomBytes(5_000));
  sha.publicCopy = await storeBytes(randomBytes(4_000));
  const media = await db().mediaFile.create({
    data: { itemId: item.id, sha256: sha.original, sizeBytes: 300_000n, sniffedMime: "video/mp4", originalFilename: "a.mp4", captureMethod: "UPLOAD", collectedById: editor.userId },
  });
  // The same bytes twice (a re-submitted file): hashed once per run.
  await db().mediaFile.create({
    data: { itemId: item.id, sha256: sha.original, sizeBytes: 300_000n, sniffedMime: "video/mp4", originalFilename: "a-again.mp4", captureMethod: "UPLOAD", collectedById: editor.userId },
  });
  await db().mediaFile.create({
    data: { itemId: item.id, sha256: sha.otherOriginal, sizeBytes: 5_000n, sniffedMime: "image/jpeg", originalFilename: "b.jpg", captureMethod: "UPLOAD", collectedById: editor.userId },
  });
  await db().derivative.create({ data: { mediaFileId: media.id, kind: "KEYFRAME", sha256: sha.thumbnail, sizeBytes: 2_000n, mime: "image/jpeg" } });
  await db().publicMedia.create({
    data: { projectId: project.id, itemId: item.id, mediaFileId: media.id, kind: "POSTER", sha256: sha.publicCopy, originalSha256: sha.original, mime: "image/jpeg", sizeBytes: 4_000n },
  });
});

function npmRun(script: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { cwd: root, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function expectDomainError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
}

describe("fixity check", () => {
  let changedHash = "";

  it("passes a clean store, hashing each distinct blob once, and raises no alert", async () => {
    const progress: number[] = [];
    const summary = await runFixityCheck({ store, onProgress: (p) => progress.push(p.checked) });
    expect(summary).toMatchObject({ checked: 4, mismatches: 0, missing: 0, problems: [], alertId: null });
    expect(progress.at(-1)).toBe(4);
    const run = await db().fixityRun.findUniqueOrThrow({ where: { id: summary.runId } });
    expect(run).toMatchObject({ checked: 4, mismatches: 0, missing: 0 });
    expect(run.finishedAt).not.toBeNull();
    expect(await db().fixityResult.count()).toBe(0);
    expect(await db().adminAlert.count()).toBe(0);
  });

  it("reports a flipped byte with the hash the file now has, and alerts admins once", async () => {
    const file = store.localPath(sha.original);
    const bytes = await readFile(file);
    bytes[1234] = bytes[1234]! ^ 0xff;
    await chmod(file, 0o644);
    await writeFile(file, bytes);
    changedHash = createHash("sha256").update(bytes).digest("hex");

    const summary = await runFixityCheck({ store });
    expect(summary).toMatchObject({ checked: 4, mismatches: 1, missing: 0 });
    expect(summary.problems).toEqual([{ sha256: sha.original, kinds: ["original"], outcome: "MISMATCH", actualHash: changedHash }]);
    const results = await db().fixityResult.findMany({ where: { runId: summary.runId } });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ sha256: sha.original, kind: "original", outcome: "MISMATCH", actualHash: changedHash });

    const alerts = await db().adminAlert.findMany();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.id).toBe(summary.alertId);
    expect(alerts[0]!.message).toBe("Fixity check found 1 changed and 0 missing files");
    const details = alerts[0]!.details as unknown as FixityAlertDetails;
    expect(details.runId).toBe(summary.runId);
    expect(details.problems[0]).toMatchObject({ sha256: sha.original, actualHash: changedHash, references: [{ project: project.slug, item: itemReference }] });
  });

  it("reports a deleted file as missing, for every role it plays", async () => {
    await rm(store.localPath(sha.thumbnail));
    const summary = await runFixityCheck({ store });
    expect(summary).toMatchObject({ checked: 4, mismatches: 1, missing: 1 });
    const missing = summary.problems.find((p) => p.outcome === "MISSING");
    expect(missing).toEqual({ sha256: sha.thumbnail, kinds: ["derivative"], outcome: "MISSING", actualHash: null });
    const rows = await db().fixityResult.findMany({ where: { runId: summary.runId }, orderBy: { outcome: "asc" } });
    expect(rows.map((r) => [r.sha256, r.kind, r.outcome, r.actualHash])).toEqual([
      [sha.original, "original", "MISMATCH", changedHash],
      [sha.thumbnail, "derivative", "MISSING", null],
    ]);
    const alert = await db().adminAlert.findUniqueOrThrow({ where: { id: summary.alertId! } });
    expect(alert.message).toBe("Fixity check found 1 changed and 1 missing files");
    expect(await db().adminAlert.count()).toBe(2);
  });

  it("lists open alerts for admins only and records who acknowledged one", async () => {
    const open = await listOpenAlerts(admin);
    expect(open).toHaveLength(2);
    expect(open[0]!.fixity?.problems.map((p) => p.sha256).sort()).toEqual([sha.original, sha.thumbnail].sort());
    await expectDomainError(listOpenAlerts(editor), "FORBIDDEN");

    const target = open[1]!;
    const auditBefore = await db().auditEvent.count();
    await expectDomainError(acknowledgeAlert(editor, { alertId: target.id }), "FORBIDDEN");
    expect((await db().adminAlert.findUniqueOrThrow({ where: { id: target.id } })).acknowledgedAt).toBeNull();
    expect(await db().auditEvent.count()).toBe(auditBefore);

    await acknowledgeAlert(admin, { alertId: target.id });
    const acknowledged = await db().adminAlert.findUniqueOrThrow({ where: { id: target.id } });
    expect(acknowledged.acknowledgedBy).toBe(admin.userId);
    expect(acknowledged.acknowledgedAt).not.toBeNull();
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "admin_alert.acknowledge" } });
    expect(event).toMatchObject({ actorId: admin.userId, entityType: "AdminAlert", entityId: target.id });
    expect((await listOpenAlerts(admin)).map((a) => a.id)).toEqual([open[0]!.id]);

    await expectDomainError(acknowledgeAlert(admin, { alertId: target.id }), "CONFLICT");
    await expectDomainError(acknowledgeAlert(admin, { alertId: "no-such-alert" }), "NOT_FOUND");
    await expectDomainError(acknowledgeAlert(admin, { alertId: "bad id!" }), "VALIDATION");
  });

  it("npm run fixity exits 2 and names the damaged files", { timeout: 120_000 }, async () => {
    const result = await npmRun("fixity", []);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/Checked 4\/4 files/);
    expect(result.stderr).toContain(`MISMATCH ${sha.original} (original): content now hashes to ${changedHash}`);
    expect(result.stderr).toContain(`MISSING ${sha.thumbnail} (derivative)`);
    expect(result.stderr).toMatch(/4 files checked in [\d.]+ s, 1 changed, 1 missing/);
  });
});

describe("fixity job", () => {
  const futureFixityJobs = () => db().job.findMany({ where: { queue: FIXITY_QUEUE, state: "QUEUED", runAfter: { gt: new Date() } } });

  afterEach(() => {
    delete process.env.GROUNDTRUTH_FIXITY_INTERVAL_HOURS;
  });

  it("runs on request (once however often asked, audited, admins only) and books the next run", async () => {
    process.env.GROUNDTRUTH_FIXITY_INTERVAL_HOURS = "2";
    await expectDomainError(requestFixityCheck(editor), "FORBIDDEN");
    const first = await requestFixityCheck(admin);
    const second = await requestFixityCheck(admin);
    expect(first.created).toBe(true);
    expect(second).toEqual({ jobId: first.jobId, created: false });
    expect(await db().auditEvent.count({ where: { action: "fixity.request", entityId: first.jobId } })).toBe(1);
    expect((await getFixityStatus(admin)).runNowPending).toBe(true);

    const runsBefore = await db().fixityRun.count();
    const started = Date.now();
    expect(await drainJobs(5)).toBe(1);
    const job = await db().job.findUniqueOrThrow({ where: { id: first.jobId } });
    expect(job.state).toBe("DONE");
    expect(job.result).toMatchObject({ checked: 4, mismatches: 1, missing: 1 });
    expect(await db().fixityRun.count()).toBe(runsBefore + 1);

    const future = await futureFixityJobs();
    expect(future).toHaveLength(1);
    const delayHours = (future[0]!.runAfter.getTime() - started) / 3_600_000;
    expect(delayHours).toBeGreaterThan(1.99);
    expect(delayHours).toBeLessThan(2.01);
    const status = await getFixityStatus(admin);
    expect(status).toMatchObject({ runNowPending: false, nextRunAfter: future[0]!.runAfter, unfinishedSince: null });
    expect(status.lastRun).toMatchObject({ checked: 4, mismatches: 1, missing: 1 });
  });

  it("keeps exactly one future run booked when two workers finish at once", async () => {
    await db().job.deleteMany({ where: { queue: FIXITY_QUEUE, state: "QUEUED" } });
    await db().job.createMany({ data: [{ queue: FIXITY_QUEUE, payload: {} }, { queue: FIXITY_QUEUE, payload: {} }] });
    const workers = [newWorkerId(), newWorkerId()];
    const claimed = await Promise.all(workers.map((w) => claimNextJob(w, 60_000)));
    expect(claimed.every((job) => job?.queue === FIXITY_QUEUE)).toBe(true);
    expect(new Set(claimed.map((job) => job!.id)).size).toBe(2);
    await Promise.all(claimed.map((job, i) => runOne(job!, workers[i]!)));
    expect(await db().job.count({ where: { queue: FIXITY_QUEUE, state: "DONE", id: { in: claimed.map((j) => j!.id) } } })).toBe(2);
    expect(await futureFixityJobs()).toHaveLength(1);

    // A worker starting up (here: several at once) adds nothing when a run is already booked.
    await Promise.all([ensureFixityScheduled(), ensureFixityScheduled(), ensureFixityScheduled()]);
    expect(await futureFixityJobs()).toHaveLength(1);
  });
});
