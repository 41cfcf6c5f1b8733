// Two upload servers (as two web instances) sharing the database and the upload folder: an
// upload started on one is finished on the other with the SHA-256 of the original bytes, and
// PATCHes for one upload arriving at both at once are serialised by the PostgreSQL lock.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import * as tus from "tus-js-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { LOCK_POOL_APPLICATION_NAME, PostgresLocker } from "../../lib/server/uploads/postgres-locker";
import { createTusServer } from "../../lib/server/uploads/tus-server";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-media-"));
const sharedUploadDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-shared-uploads-"));

let project: { id: string };
let contributor: Actor;
const servers: http.Server[] = [];
const origins: string[] = [];

async function startInstance(): Promise<string> {
  const tusServer = createTusServer({ resolveActor: async () => contributor, directory: sharedUploadDir, maxSize: 64 * 1024 * 1024 });
  const server = http.createServer((req, res) => void tusServer.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  project = await makeProject();
  contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
  origins.push(await startInstance(), await startInstance());
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const video = () => readFileSync(path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV"));

describe("an upload across two instances", () => {
  it("starts on A, finishes on B, and ends with the file's SHA-256", async () => {
    const bytes = video();
    const chunkSize = Math.ceil(bytes.length / 3);
    const [originA, originB] = origins as [string, string];

    // On A: create and send the first chunk only.
    const uploadPath = await new Promise<string>((resolve, reject) => {
      const upload: tus.Upload = new tus.Upload(bytes, {
        endpoint: `${originA}/api/uploads`,
        chunkSize,
        retryDelays: [],
        metadata: { filename: "IMG_0034.MOV", filetype: "video/quicktime", projectId: project.id },
        onChunkComplete: () => {
          void upload.abort().then(() => resolve(new URL(upload.url!).pathname));
        },
        onError: reject,
      });
      upload.start();
    });
    const id = uploadPath.split("/").pop()!;
    const afterA = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(Number(afterA.receivedBytes)).toBe(chunkSize);
    expect(afterA.state).toBe("RECEIVING");

    // On B: same upload path, B's origin; tus asks B for the offset and continues from there.
    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        uploadUrl: `${originB}${uploadPath}`,
        chunkSize,
        retryDelays: [],
        onSuccess: () => resolve(),
        onError: reject,
      });
      upload.start();
    });
    const finished = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(finished).toMatchObject({ state: "COMPLETE", sha256: sha256(bytes), sniffedMime: "video/quicktime" });
  });

  it("serialises PATCHes for one upload that reach both instances at once", async () => {
    const bytes = video();
    const [originA, originB] = origins as [string, string];
    const created = await fetch(`${originA}/api/uploads`, {
      method: "POST",
      headers: {
        "Tus-Resumable": "1.0.0",
        "Upload-Length": String(bytes.length),
        "Upload-Metadata": `filename ${Buffer.from("race.mov").toString("base64")},projectId ${Buffer.from(project.id).toString("base64")}`,
      },
    });
    expect(created.status).toBe(201);
    const uploadPath = new URL(created.headers.get("location")!, originA).pathname;
    const half = Math.floor(bytes.length / 2);
    const headers = { "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" };
    // A's request (headers sent at once) delivers its body only after B's whole chunk was sent:
    // without a lock shared by the instances, B would write at offset 0 while A's is still open.
    const onA = new Promise<{ status: number }>((resolve, reject) => {
      const request = http.request(`${originA}${uploadPath}`, { method: "PATCH", headers: { ...headers, "Content-Length": String(half) } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0 });
      });
      request.on("error", reject);
      request.flushHeaders();
      setTimeout(() => request.end(bytes.subarray(0, half)), 800);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const onB = fetch(`${originB}${uploadPath}`, { method: "PATCH", headers, body: bytes.subarray(0, half) });
    // B waits for A's request to finish, then finds the offset moved on and refuses.
    const [a, b] = await Promise.all([onA, onB]);
    expect([a.status, b.status]).toEqual([204, 409]);
    const rest = await fetch(`${originB}${uploadPath}`, {
      method: "PATCH",
      headers: { "Tus-Resumable": "1.0.0", "Upload-Offset": String(half), "Content-Type": "application/offset+octet-stream" },
      body: bytes.subarray(half),
    });
    expect(rest.status).toBe(204);
    const row = await db().upload.findUniqueOrThrow({ where: { id: uploadPath.split("/").pop()! } });
    expect(row).toMatchObject({ state: "COMPLETE", sha256: sha256(bytes) });
  });
});

describe("PostgresLocker", () => {
  it("makes a second instance wait until the first releases, and time out meanwhile", async () => {
    const first = new PostgresLocker().newLock("upload-x");
    const second = new PostgresLocker().newLock("upload-x");
    await first.lock(new AbortController().signal, () => {});
    await expect(second.lock(AbortSignal.timeout(300), () => {})).rejects.toMatchObject({ body: expect.stringMatching(/lock/) });
    await first.unlock();
    await second.lock(AbortSignal.timeout(2_000), () => {});
    await second.unlock();
  });

  it("survives the server dropping its idle lock connections, and locks again afterwards", async () => {
    const lock = new PostgresLocker().newLock(`dropped-${Date.now()}`);
    await lock.lock(AbortSignal.timeout(2_000), () => {});
    await lock.unlock();
    // The released connection now idles in the pool; the server ends it, as a restart would.
    // (The subquery keeps PostgreSQL from calling pg_terminate_backend before filtering.)
    const terminated = await db().$queryRaw<Array<{ ended: boolean }>>`
      SELECT pg_terminate_backend(pid) AS ended FROM (SELECT pid FROM pg_stat_activity WHERE application_name = ${LOCK_POOL_APPLICATION_NAME} OFFSET 0) locks`;
    expect(terminated.filter((row) => row.ended).length).toBeGreaterThan(0);
    // Unhandled, the pool's error event would end this process (and fail the run) right here.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await lock.lock(AbortSignal.timeout(2_000), () => {});
    await lock.unlock();
  });
});
