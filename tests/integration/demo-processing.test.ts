// The demo a newcomer sees first must show what the app really does: after seeding and letting
// the worker run, every seeded file has gone through the same processing as an upload (its
// metadata read, a thumbnail, a perceptual hash), the EXIF the demo photos carry is read like a
// phone's, and the two published incidents' items have public copies made by the publish job.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import type { MediaMetadata } from "../../lib/domain/media-metadata";
import { db } from "../../lib/server/db";
import { drainJobs } from "../../lib/server/jobs/worker";
import { seedDemo } from "../../lib/server/seed/demo";
import { blobStore } from "../../lib/server/storage";
import { withLocalCopy } from "../../lib/server/storage/local-copy";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-demo-media-"));

beforeAll(async () => {
  // The store the worker reads from, as `npm start` seeds it.
  await seedDemo(db(), await blobStore());
  await drainJobs(500);
}, 240_000);

const mediaWithDerivatives = () =>
  db().mediaFile.findMany({
    include: { derivatives: true, item: { select: { reference: true, sensitiveGraphic: true } } },
    orderBy: { item: { reference: "asc" } },
  });

describe("seeded demo files are processed like uploads", () => {
  it("every seeded file has its metadata read, a thumbnail that decodes and a perceptual hash", async () => {
    const media = await mediaWithDerivatives();
    expect(media).toHaveLength(27);
    const failed = await db().job.findMany({ where: { state: { not: "DONE" } }, select: { queue: true, state: true, lastError: true } });
    expect(failed).toEqual([]);
    const store = await blobStore();
    for (const file of media) {
      const meta = file.metadata as unknown as MediaMetadata;
      expect(meta, file.item.reference).toMatchObject({ kind: "image", mime: file.sniffedMime, width: 640, height: 400 });
      expect(file.phash, file.item.reference).toMatch(/^[0-9a-f]{16}$/);
      const thumbnails = file.derivatives.filter((d) => d.kind === "THUMBNAIL");
      expect(thumbnails, file.item.reference).toHaveLength(1);
      // The thumbnail is a real picture in the store, not just a row.
      const size = await withLocalCopy(store, thumbnails[0]!.sha256, async (filePath) => sharp(filePath).metadata());
      expect(size.width).toBe(thumbnails[0]!.width);
      expect(size.width! > 0 && size.height! > 0).toBe(true);
    }
  });

  it("the demo photos' camera data is read as a phone's would be: camera, local time with offset, GPS near the claimed place", async () => {
    const media = await mediaWithDerivatives();
    const byRef = new Map(media.map((m) => [m.item.reference, m.metadata as unknown as MediaMetadata]));
    // DW-0001: a phone photo in Kabul (fictional camera), with GPS and its UTC clock.
    const first = byRef.get("DW-0001")!;
    expect(first.make).toBe("Fictional Phone Co");
    expect(first.captureTime?.offset).toBe("+04:30");
    expect(first.gps?.latitude).toBeCloseTo(34.5281, 3);
    expect(first.gps?.longitude).toBeCloseTo(69.1723, 3);
    expect(first.gps?.gpsTimeUtc).toBeTruthy();
    // DW-0002: re-shared through a messaging app, nothing left but the pixels.
    expect(byRef.get("DW-0002")!.make).toBeUndefined();
    expect(byRef.get("DW-0002")!.captureTime).toBeUndefined();
    // DW-0003: went through a photo editor, which the metadata names.
    expect(byRef.get("DW-0003")!.editedBy).toBe("Fictional Photo Editor 3.1");
  });

  it("the published incidents' items have public copies made by the publish job (blurred ones for graphic items)", async () => {
    const publishedIds = (await db().publishedItem.findMany({ select: { itemId: true } })).map((p) => p.itemId);
    expect(publishedIds.length).toBeGreaterThan(0);
    const published = await db().evidenceItem.findMany({ where: { id: { in: publishedIds } }, select: { id: true, reference: true, sensitiveGraphic: true, media: { select: { id: true } } } });
    for (const item of published) {
      const copies = await db().publicMedia.findMany({ where: { itemId: item.id } });
      expect(copies.filter((c) => c.kind === "IMAGE" && !c.blurred).map((c) => c.mediaFileId), item.reference).toEqual(item.media.map((m) => m.id));
      expect(copies.some((c) => c.blurred), item.reference).toBe(item.sensitiveGraphic);
    }
  });
});
