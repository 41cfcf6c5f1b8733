import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "../../lib/server/db";
import { ensureUploadExpiryScheduled, expireAbandonedUploads, UPLOAD_EXPIRY_QUEUE } from "../../lib/server/uploads/expire-uploads";
import { makeProject, makeUser } from "../support/fixtures";

const HOUR = 3_600_000;

describe("abandoned partial uploads", () => {
  it("are deleted after the expiry; fresh, finished and resumed uploads are left alone", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "groundtruth-expiry-"));
    const project = await makeProject();
    const user = await makeUser({ projectId: project.id, role: "CONTRIBUTOR" });
    const make = async (id: string, state: "RECEIVING" | "COMPLETE", ageHours: number) => {
      await db().upload.create({ data: { id, projectId: project.id, userId: user.id, declaredFilename: `${id}.mp4`, sizeBytes: BigInt(1000), receivedBytes: BigInt(10), state } });
      await db().$executeRaw`UPDATE "Upload" SET "updatedAt" = now() - make_interval(hours => ${ageHours}) WHERE "id" = ${id}`;
      writeFileSync(path.join(directory, id), Buffer.alloc(10));
      writeFileSync(path.join(directory, `${id}.json`), "{}");
    };
    await make("abandoned0000000000000001", "RECEIVING", 80);
    await make("fresh00000000000000000002", "RECEIVING", 2);
    await make("finished00000000000000003", "COMPLETE", 200);

    expect(await expireAbandonedUploads({ directory, maxAgeMs: 72 * HOUR })).toEqual({ expired: 1 });
    const rows = Object.fromEntries((await db().upload.findMany({ where: { projectId: project.id }, select: { id: true, state: true, error: true } })).map((r) => [r.id, r]));
    expect(rows.abandoned0000000000000001).toMatchObject({ state: "REJECTED" });
    expect(rows.abandoned0000000000000001!.error).toMatch(/Abandoned/);
    expect(rows.fresh00000000000000000002!.state).toBe("RECEIVING");
    expect(rows.finished00000000000000003!.state).toBe("COMPLETE");
    expect(existsSync(path.join(directory, "abandoned0000000000000001"))).toBe(false);
    expect(existsSync(path.join(directory, "abandoned0000000000000001.json"))).toBe(false);
    expect(existsSync(path.join(directory, "fresh00000000000000000002"))).toBe(true);
    expect(existsSync(path.join(directory, "finished00000000000000003"))).toBe(true);
    // Running again finds nothing more to do.
    expect(await expireAbandonedUploads({ directory, maxAgeMs: 72 * HOUR })).toEqual({ expired: 0 });
  });

  it("keeps exactly one future check queued, however many workers start at once", async () => {
    await Promise.all(Array.from({ length: 5 }, () => ensureUploadExpiryScheduled()));
    expect(await db().job.count({ where: { queue: UPLOAD_EXPIRY_QUEUE, state: "QUEUED", runAfter: { gt: new Date() } } })).toBe(1);
  });
});
