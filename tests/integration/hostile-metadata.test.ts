// Hostile metadata (issue 14, finding 6): a tiny JPEG whose EXIF ImageDescription holds a NUL
// byte used to fail media processing three times with PostgreSQL's error on the item page, and
// with it went the thumbnail and the perceptual hash, so a recycled picture escaped duplicate
// detection. Now its metadata is stored cleaned, its previews and hash are made whatever the
// metadata does, and no job error shown to people carries database text.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { findContradictions, type MediaMetadata } from "../../lib/domain/media-metadata";
import type { Actor } from "../../lib/domain/permissions";
import type * as DerivativesModule from "../../lib/server/media/derivatives";
import type * as ExtractMetadataModule from "../../lib/server/media/extract-metadata";
import { db } from "../../lib/server/db";
import { drainJobs } from "../../lib/server/jobs/worker";
import { getItemDetail } from "../../lib/server/services/items/get-item-detail";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { storeDirectUpload } from "../../lib/server/uploads/direct-upload";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-media-"));
process.env.GROUNDTRUTH_UPLOAD_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-uploads-"));

/** Switches for the wrapped modules below; off unless a test turns them on. */
const sabotage = vi.hoisted(() => ({ metadata: false, thumbnail: false }));

vi.mock("../../lib/server/media/extract-metadata", async (importOriginal) => {
  const real = await importOriginal<typeof ExtractMetadataModule>();
  return {
    ...real,
    extractMetadata: async (...args: Parameters<typeof real.extractMetadata>) => {
      // What a metadata reader or the database says when it chokes: internal words, not ours.
      if (sabotage.metadata) throw new Error('invalid byte sequence for encoding "UTF8": 0x00 in UPDATE "MediaFile" SET "metadata"');
      return real.extractMetadata(...args);
    },
  };
});

vi.mock("../../lib/server/media/derivatives", async (importOriginal) => {
  const real = await importOriginal<typeof DerivativesModule>();
  return {
    ...real,
    makeImageThumbnail: async (...args: Parameters<typeof real.makeImageThumbnail>) => {
      if (sabotage.thumbnail) throw new Error('Invalid `prisma.derivative.createMany()` invocation: duplicate key value violates unique constraint "Derivative_pkey"');
      return real.makeImageThumbnail(...args);
    },
  };
});

let project: { id: string; slug: string };
let contributor: Actor;

beforeAll(async () => {
  project = await makeProject();
  contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
});

afterAll(() => {
  sabotage.metadata = false;
  sabotage.thumbnail = false;
});

/** A small photo-like JPEG (a gradient, so it has a meaningful perceptual hash). */
async function gradientJpeg(description?: string): Promise<Buffer> {
  const width = 48;
  const height = 32;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 5) & 255;
      pixels[i + 1] = (y * 7) & 255;
      pixels[i + 2] = ((x + y) * 3) & 255;
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (description) image.withExif({ IFD0: { ImageDescription: description, Make: "Crafted" } });
  return image.jpeg({ quality: 80 }).toBuffer();
}

/** The JPEG of the report: its EXIF ImageDescription has a NUL byte in the middle (byte-patched). */
async function jpegWithNulInDescription(): Promise<Buffer> {
  const jpeg = await gradientJpeg("before-X-after");
  const at = jpeg.indexOf(Buffer.from("before-X-after", "latin1"));
  expect(at).toBeGreaterThan(0);
  jpeg[at + "before-".length] = 0x00;
  return jpeg;
}

async function submitPhoto(bytes: Buffer, title: string) {
  const uploadId = await storeDirectUpload(contributor, project.id, new File([new Uint8Array(bytes)], `${title}.jpg`, { type: "image/jpeg" }));
  return submitEvidence(contributor, { projectId: project.id, title, uploadIds: [uploadId] });
}

/** Words that mean a database or library error leaked into what people see. */
const INTERNAL_TEXT = /prisma|postgres|invalid byte sequence|unicode escape|\bUPDATE\b|\bINSERT\b|"MediaFile"|"Derivative|constraint|invocation/i;

describe("a NUL byte in EXIF", () => {
  it("is stored without the NUL, and the thumbnail and perceptual hash are made; no job error, no SQL on the page", async () => {
    const jpeg = await jpegWithNulInDescription();
    expect(jpeg.length).toBeLessThan(4096);
    const item = await submitPhoto(jpeg, "nul-in-exif");
    await drainJobs();

    const detail = await getItemDetail(contributor, project.slug, item.reference);
    const media = detail.item.media[0]!;
    const stored = JSON.stringify(media.metadata);
    expect(stored).not.toMatch(/\\u0000/);
    expect(stored).not.toContain("\u0000");
    const meta = media.metadata as unknown as MediaMetadata;
    expect(meta.make).toBe("Crafted");
    expect(meta.raw?.["ifd0.ImageDescription"]).toBe("before--after");
    expect(media.derivatives.some((d) => d.kind === "THUMBNAIL")).toBe(true);
    const row = await db().mediaFile.findUniqueOrThrow({ where: { id: media.id } });
    expect(row.phash).toMatch(/^[0-9a-f]{16}$/);

    const jobs = await db().job.findMany({ where: { itemId: item.id } });
    expect(jobs.map((j) => j.state)).toEqual(["DONE"]);
    for (const job of jobs) expect(job.lastError ?? "").not.toMatch(INTERNAL_TEXT);
    for (const job of detail.jobs) expect(job.lastError ?? "").not.toMatch(INTERNAL_TEXT);
  });

  it("the same picture submitted again is found as a duplicate (its hash was made)", async () => {
    const copy = await gradientJpeg();
    const again = await submitPhoto(copy, "clean-copy");
    await drainJobs();
    const detail = await getItemDetail(contributor, project.slug, again.reference);
    expect(detail.duplicates.some((d) => d.kind === "near")).toBe(true);
  });
});

describe("metadata that cannot be read", () => {
  it("does not block the thumbnail and hash, and is flagged to the investigator", async () => {
    sabotage.metadata = true;
    try {
      const item = await submitPhoto(await gradientJpeg("fine"), "unreadable-metadata");
      await drainJobs();
      const detail = await getItemDetail(contributor, project.slug, item.reference);
      const media = detail.item.media[0]!;
      const meta = media.metadata as unknown as MediaMetadata;
      expect(meta.metadataUnreadable).toBe(true);
      expect(meta.metadataError ?? "").not.toMatch(INTERNAL_TEXT);
      expect(findContradictions(meta).map((f) => f.code)).toContain("METADATA_UNREADABLE");
      expect(media.derivatives.some((d) => d.kind === "THUMBNAIL")).toBe(true);
      expect((await db().mediaFile.findUniqueOrThrow({ where: { id: media.id } })).phash).toMatch(/^[0-9a-f]{16}$/);
      expect(detail.jobs.map((j) => j.state)).toEqual(["DONE"]);
    } finally {
      sabotage.metadata = false;
    }
  });
});

describe("job errors shown on the item page", () => {
  it("never carry a database or library's own text", async () => {
    sabotage.thumbnail = true;
    try {
      const item = await submitPhoto(await gradientJpeg(), "thumbnail-fails");
      await drainJobs(10);
      const job = await db().job.findFirstOrThrow({ where: { itemId: item.id } });
      expect(job.lastError).toBeTruthy();
      expect(job.lastError).not.toMatch(INTERNAL_TEXT);
      expect(job.lastError).toMatch(/internal error \(reference [0-9a-z]{8}\)/);

      // A row written by an older worker, raw database text and all, is not shown as is either.
      await db().job.update({ where: { id: job.id }, data: { lastError: 'Invalid `prisma.mediaFile.update()` invocation: unsupported Unicode escape sequence' } });
      const detail = await getItemDetail(contributor, project.slug, item.reference);
      expect(detail.jobs[0]!.lastError).toBeTruthy();
      expect(detail.jobs[0]!.lastError).not.toMatch(INTERNAL_TEXT);
    } finally {
      sabotage.thumbnail = false;
    }
  });
});
