// Two upload servers (as two web instances) sharing the database and the upload folder: an
// upload started on one is finished on the other with the SHA-256 of the original bytes, and
// PATCHes for one upload arriving at both at once are serialised by the PostgreSQL lock (the
// test holds that lock while both arrive, so the overlap is forced, and checks it happened).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
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

/** Upload-lock connections whose last statement was a failed try for a lock: requests waiting for one. */
async function lockWaiters(): Promise<number> {
  const rows = await db().$queryRaw<Array<{ waiting: bigint }>>`
    SELECT count(*) AS waiting FROM pg_stat_activity
    WHERE application_name = ${LOCK_POOL_APPLICATION_NAME} AND datname = current_database() AND query LIKE '%pg_try_advisory_lock%'`;
  return Number(rows[0]?.waiting ?? 0);
}

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
    const uploadId = uploadPath.split("/").pop()!;
    const half = Math.floor(bytes.length / 2);
    const headers = { "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" };

    // The test holds the upload's cross-instance lock itself (the same advisory lock the
    // instances take), so both PATCHes arrive while it is held, whatever the machine's speed.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: "multi-instance-test-holder" });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`groundtruth:upload:${uploadId}`]);
      const answered: string[] = [];
      const send = (origin: string, name: string) =>
        fetch(`${origin}${uploadPath}`, { method: "PATCH", headers, body: bytes.subarray(0, half) }).then((response) => {
          answered.push(name);
          return response.status;
        });
      const onA = send(originA, "A");
      const onB = send(originB, "B");

      // The overlap, observed: both instances are inside their PATCH, each polling for the lock
      // on its own lock connection, and neither has answered or written a byte.
      await expect.poll(() => lockWaiters(), { timeout: 10_000, interval: 50 }).toBe(2);
      expect(answered).toEqual([]);
      expect(Number((await db().upload.findUniqueOrThrow({ where: { id: uploadId } })).receivedBytes)).toBe(0);

      await holder.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`groundtruth:upload:${uploadId}`]);
      // Whichever instance gets the lock first writes the chunk; the other then finds the
      // offset moved on and refuses instead of writing at offset 0 again.
      const statuses = await Promise.all([onA, onB]);
      expect([...statuses].sort()).toEqual([204, 409]);
      expect(Number((await db().upload.findUniqueOrThrow({ where: { id: uploadId } })).receivedBytes)).toBe(half);
    } finally {
      await holder.end();
    }
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
