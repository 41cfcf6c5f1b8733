// Evidence intake end to end below the web layer: the real tus server over loopback HTTP,
// tus-js-client as the browser would use it, the content-addressed store, the submission
// service, the job worker with real fixture files, duplicate detection and URL capture.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import * as tus from "tus-js-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/domain/permissions";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { drainJobs } from "../../lib/server/jobs/worker";
import { previewDuplicates } from "../../lib/server/services/items/find-duplicates";
import { getItemDetail } from "../../lib/server/services/items/get-item-detail";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { createTusServer } from "../../lib/server/uploads/tus-server";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-media-"));
process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE = "1";
const uploadDirectory = mkdtempSync(path.join(os.tmpdir(), "groundtruth-uploads-"));

let project: { id: string; slug: string };
let contributor: Actor;
let investigator: Actor;
let currentActor: Actor | null = null;
let httpServer: http.Server;
let port = 0;

/** Starts (or restarts, on the same port) an upload server; a restart loses all in-memory state. */
async function startUploadServer(): Promise<void> {
  const tusServer = createTusServer({ resolveActor: async () => currentActor, directory: uploadDirectory, maxSize: 64 * 1024 * 1024 });
  httpServer = http.createServer((req, res) => void tusServer.handle(req, res));
  await new Promise<void>((resolve) => httpServer.listen(port, "127.0.0.1", resolve));
  port = (httpServer.address() as AddressInfo).port;
}

async function stopUploadServer(): Promise<void> {
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
}

function upload(bytes: Buffer, filename: string, options: Partial<tus.UploadOptions> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(bytes, {
      endpoint: `http://127.0.0.1:${port}/api/uploads`,
      metadata: { filename, filetype: "application/octet-stream", projectId: project.id },
      retryDelays: [],
      ...options,
      onSuccess: () => resolve(u.url!.split("/").pop()!),
      onError: reject,
    });
    u.start();
  });
}

beforeAll(async () => {
  project = await makeProject();
  contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
  investigator = await actorFor((await makeUser({ projectId: project.id, role: "INVESTIGATOR" })).id);
  await startUploadServer();
});

afterAll(async () => {
  await stopUploadServer();
});

describe("resumable upload", () => {
  it("stores a fixture video under the SHA-256 of its bytes, hashed as they arrived", async () => {
    currentActor = contributor;
    const bytes = readFileSync(path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV"));
    const id = await upload(bytes, "IMG_0034.MOV");
    const row = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "COMPLETE", sha256: sha256(bytes), sniffedMime: "video/quicktime", declaredFilename: "IMG_0034.MOV" });
    expect(Number(row.sizeBytes)).toBe(bytes.length);
  });

  it("resumes after the server restarts mid-upload and ends with the same SHA-256", async () => {
    currentActor = contributor;
    // 12 MiB: a real JPEG header followed by deterministic noise, sent in 1 MiB chunks.
    const head = readFileSync(path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg"));
    const noise = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((i * 2654435761) >>> 0, i);
    const bytes = Buffer.concat([head, noise]);

    let uploadUrl: string | null = null;
    await new Promise<void>((resolve, reject) => {
      const u = new tus.Upload(bytes, {
        endpoint: `http://127.0.0.1:${port}/api/uploads`,
        metadata: { filename: "big.jpg", filetype: "image/jpeg", projectId: project.id },
        chunkSize: 1024 * 1024,
        retryDelays: [],
        onChunkComplete: (_chunk, sent) => {
          if (sent >= 5 * 1024 * 1024 && !uploadUrl) {
            uploadUrl = u.url;
            void u.abort().then(resolve);
          }
        },
        onError: reject,
      });
      u.start();
    });
    const id = uploadUrl!.split("/").pop()!;
    const partial = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(partial.state).toBe("RECEIVING");
    expect(Number(partial.receivedBytes)).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    expect(Number(partial.receivedBytes)).toBeLessThan(bytes.length);

    await stopUploadServer();
    await startUploadServer();

    // Like a browser, the client retries: its first request may hit a socket of the old server.
    const resumedId = await upload(bytes, "big.jpg", { uploadUrl: uploadUrl!, chunkSize: 1024 * 1024, retryDelays: [0, 100, 500] });
    expect(resumedId).toBe(id);
    const done = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(done.state).toBe("COMPLETE");
    expect(done.sha256).toBe(sha256(bytes));
  });

  it("rejects an executable renamed .mp4, and keeps nothing of it", async () => {
    currentActor = contributor;
    const elf = readFileSync("/bin/ls").subarray(0, 200_000);
    await expect(upload(elf, "clip.mp4")).rejects.toThrow(/415|not an accepted|type/i);
    const row = await db().upload.findFirstOrThrow({ where: { declaredFilename: "clip.mp4" } });
    expect(row.state).toBe("REJECTED");
    expect(row.sha256).toBeNull();
  });

  it("refuses anonymous uploads, other projects, empty and oversized files", async () => {
    currentActor = null;
    await expect(upload(Buffer.from("x"), "a.jpg")).rejects.toThrow(/401/);
    currentActor = await actorFor((await makeUser()).id);
    await expect(upload(Buffer.from("x"), "a.jpg")).rejects.toThrow(/403/);
    currentActor = contributor;
    await expect(upload(Buffer.alloc(0), "empty.jpg")).rejects.toThrow(/400|empty/i);
    await expect(upload(Buffer.alloc(65 * 1024 * 1024), "huge.jpg")).rejects.toThrow(/413/);
  });

  it("does not let one user resume another user's upload", async () => {
    currentActor = contributor;
    const bytes = readFileSync(path.join(fixtures, "images", "exifr_IMG_5910.jpg"));
    const id = await upload(bytes, "IMG_5910.jpg");
    currentActor = investigator;
    const response = await fetch(`http://127.0.0.1:${port}/api/uploads/${id}`, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0" } });
    expect(response.status).toBe(404);
  });
});

describe("submission, processing and duplicates", () => {
  it("submits uploads as one item, extracts metadata and keyframes, and flags the same photo submitted again", async () => {
    currentActor = contributor;
    const videoBytes = readFileSync(path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV"));
    const photoBytes = readFileSync(path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg"));
    const videoId = await upload(videoBytes, "IMG_0034.MOV");
    const photoId = await upload(photoBytes, "pixel.jpg");

    const item = await submitEvidence(contributor, {
      projectId: project.id,
      title: "Smoke over a market",
      uploadIds: [videoId, photoId],
      platform: "TELEGRAM",
      postUrl: "https://t.me/example/42",
      platformUploadedAt: "2018-07-26T10:00:00Z",
      claimedDate: "2018-07-25",
      sensitiveGraphic: true,
    });
    expect(item.reference).toMatch(/^[A-Z0-9]+-0001$/);
    // Submitting the same upload twice is a conflict, not a second item.
    await expect(submitEvidence(contributor, { projectId: project.id, title: "Again", uploadIds: [videoId] })).rejects.toMatchObject({ code: "CONFLICT" });

    expect(await drainJobs()).toBe(2);
    const detail = await getItemDetail(contributor, project.slug, item.reference);
    const video = detail.item.media.find((m) => m.sniffedMime === "video/quicktime")!;
    const photo = detail.item.media.find((m) => m.sniffedMime === "image/jpeg")!;
    expect(video.sha256).toBe(sha256(videoBytes));
    expect(photo.sha256).toBe(sha256(photoBytes));
    expect(video.derivatives.filter((d) => d.kind === "KEYFRAME").length).toBeGreaterThanOrEqual(1);
    expect(video.derivatives.some((d) => d.kind === "THUMBNAIL")).toBe(true);
    expect((video.metadata as { durationMs?: number }).durationMs).toBeCloseTo(2675, -1);
    const photoMeta = photo.metadata as { gps?: { latitude: number; longitude: number }; model?: string };
    expect(photoMeta.gps?.latitude).toBeCloseTo(50.29960277777778, 6);
    expect(photoMeta.gps?.longitude).toBeCloseTo(14.820294444444444, 6);
    expect(detail.jobs.every((j) => j.state === "DONE")).toBe(true);

    // The same photo again: the preview names the earlier item before anything is submitted.
    const againId = await upload(photoBytes, "pixel-copy.jpg");
    const candidates = await previewDuplicates(contributor, { projectId: project.id, uploadIds: [againId], sourceUrls: ["https://t.me/example/42"] });
    expect(candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "exact", subject: againId, item: expect.objectContaining({ reference: item.reference }) }),
        expect.objectContaining({ kind: "same_url", item: expect.objectContaining({ reference: item.reference }) }),
      ]),
    );
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("finds a resized, recompressed copy as a near duplicate and hides other people's items from contributors", async () => {
    const sharp = (await import("sharp")).default;
    const original = readFileSync(path.join(fixtures, "images", "exifr_IMG_5910.jpg"));
    currentActor = investigator;
    const originalId = await upload(original, "canon.jpg");
    const first = await submitEvidence(investigator, { projectId: project.id, title: "Canon photo", uploadIds: [originalId] });
    await drainJobs();

    const resized = await sharp(original).resize({ width: 300 }).jpeg({ quality: 60 }).toBuffer();
    currentActor = contributor;
    const copyId = await upload(resized, "canon-small.jpg");
    const seenByContributor = await previewDuplicates(contributor, { projectId: project.id, uploadIds: [copyId] });
    const near = seenByContributor.find((c) => c.kind === "near");
    expect(near).toBeDefined();
    expect(near!.item).toBeNull(); // submitted by someone else: the fact, not the content

    currentActor = investigator;
    const copyByInvestigator = await upload(resized, "canon-small-2.jpg");
    const seenByInvestigator = await previewDuplicates(investigator, { projectId: project.id, uploadIds: [copyByInvestigator] });
    expect(seenByInvestigator.find((c) => c.kind === "near")?.item?.reference).toBe(first.reference);
  });

  it("captures a source URL on loopback: screenshot and HTML stored and hashed, failures recorded", async () => {
    const page = http.createServer((req, res) => {
      if (req.url === "/post") {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end("<html><head><title>A captured post</title></head><body><h1>marker-7731</h1></body></html>");
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    try {
      const item = await submitEvidence(contributor, { projectId: project.id, title: "Post", sourceUrls: [`${base}/post`, "http://127.0.0.1:9/closed"] });
      await drainJobs();
      const detail = await getItemDetail(contributor, project.slug, item.reference);
      const ok = detail.captures.find((c) => c.url.endsWith("/post"))!;
      expect(ok).toMatchObject({ state: "DONE", pageTitle: "A captured post", httpStatus: 200 });
      const html = detail.item.media.find((m) => m.id === ok.htmlId)!;
      expect(html.captureMethod).toBe("URL_CAPTURE");
      const { blobStore } = await import("../../lib/server/storage");
      const chunks: Buffer[] = [];
      for await (const chunk of await (await blobStore()).open(html.sha256)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toContain("marker-7731");
      expect(sha256(Buffer.concat(chunks))).toBe(html.sha256);

      const failed = detail.captures.find((c) => c.url.endsWith("/closed"))!;
      expect(failed.state).toBe("FAILED");
      expect(failed.error).toBeTruthy();
      const failedJob = await db().job.findFirstOrThrow({ where: { itemId: item.id, queue: "url.capture", state: { not: "DONE" } } });
      expect(failedJob.lastError).toBeTruthy();
    } finally {
      await new Promise((resolve) => page.close(resolve));
    }
  });
});
