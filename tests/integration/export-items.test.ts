// Internal exports against the database: the real SHA-256 of stored bytes reaches every format,
// only editors may export, and an id filter naming another project's items never leaks them.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { kml } from "@tmcw/togeojson";
import { DOMParser } from "@xmldom/xmldom";
import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { Prisma } from "../../lib/generated/prisma/client";
import { db } from "../../lib/server/db";
import { exportItems } from "../../lib/server/services/exports/export-items";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { blobStore } from "../../lib/server/storage";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-export-media-"));
const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const imageBytes = readFileSync(path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg"));
const expectedSha = createHash("sha256").update(imageBytes).digest("hex");

let project: { id: string; slug: string };
let otherProject: { id: string; slug: string };
let editor: Actor;
let investigator: Actor;
let itemId: string;
let unlocatedItemId: string;
let foreignItemId: string;

const allOf = (projectId: string) => Prisma.sql`SELECT i."id" FROM "EvidenceItem" i WHERE i."projectId" = ${projectId}`;

beforeAll(async () => {
  project = await makeProject();
  otherProject = await makeProject();
  const editorUser = await makeUser({ projectId: project.id, role: "EDITOR" });
  await db().user.update({ where: { id: editorUser.id }, data: { name: "Editor Erin" } });
  editor = await actorFor(editorUser.id);
  investigator = await actorFor((await makeUser({ projectId: project.id, role: "INVESTIGATOR" })).id);
  const otherEditor = await actorFor((await makeUser({ projectId: otherProject.id, role: "EDITOR" })).id);

  const item = await submitEvidence(editor, { projectId: project.id, title: "Market, \"north\" gate", sourceUrls: ["https://example.org/post/7"] });
  itemId = item.id;
  const stored = await (await blobStore()).put(Readable.from([imageBytes]));
  await db().mediaFile.create({
    data: {
      itemId,
      sha256: stored.sha256,
      sizeBytes: BigInt(stored.sizeBytes),
      sniffedMime: "image/jpeg",
      originalFilename: "IMG_20180725_163423.jpg",
      captureMethod: "UPLOAD",
      collectedById: editor.userId,
      sourceUrl: "https://example.org/post/7",
    },
  });
  await db().geolocation.create({ data: { itemId, authorId: editor.userId, latitude: 34.5553, longitude: 69.2075, precisionM: 100, method: "Minaret", status: "CONFIRMED" } });
  unlocatedItemId = (await submitEvidence(editor, { projectId: project.id, title: "Not yet located", sourceUrls: ["https://example.org/post/8"] })).id;
  foreignItemId = (await submitEvidence(otherEditor, { projectId: otherProject.id, title: "FOREIGN-MARKER item", sourceUrls: ["https://example.org/post/9"] })).id;
});

describe("exportItems", () => {
  it("CSV carries the real SHA-256 and custody fields of the stored file", async () => {
    const result = await exportItems(editor, { projectId: project.id, format: "csv", itemIds: allOf(project.id), filterDescription: "status=ALL" });
    expect(result.contentType).toMatch(/^text\/csv/);
    expect(result.filename).toMatch(new RegExp(`^${project.slug}-items-[0-9-]+\\.csv$`));
    const parsed = Papa.parse<Record<string, string>>(result.body, { header: true, skipEmptyLines: true });
    expect(parsed.data).toHaveLength(2);
    const row = parsed.data.find((r) => r.id === itemId)!;
    expect(row).toMatchObject({
      title: "Market, \"north\" gate",
      media_sha256: expectedSha,
      media_size_bytes: String(imageBytes.length),
      media_original_filename: "IMG_20180725_163423.jpg",
      media_capture_method: "UPLOAD",
      media_collected_by: "Editor Erin",
      media_source_url: "https://example.org/post/7",
      latitude: "34.5553",
      submitted_by: "Editor Erin",
    });
    expect(row.media_collected_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "export.items", projectId: project.id }, orderBy: { seq: "desc" } });
    expect(event.after).toEqual({ format: "csv", count: 2, filter: "status=ALL" });
    expect(event.actorId).toBe(editor.userId);
  });

  it("GeoJSON has a point for the located item, null geometry for the other, and the custody record", async () => {
    const result = await exportItems(editor, { projectId: project.id, format: "geojson", itemIds: allOf(project.id) });
    const collection = JSON.parse(result.body) as { type: string; features: Array<{ id: string; geometry: unknown; properties: { media: Array<{ sha256: string; collectedBy: string }> } }> };
    expect(collection.type).toBe("FeatureCollection");
    const located = collection.features.find((f) => f.id === itemId)!;
    expect(located.geometry).toEqual({ type: "Point", coordinates: [69.2075, 34.5553] });
    expect(located.properties.media).toEqual([expect.objectContaining({ sha256: expectedSha, collectedBy: "Editor Erin" })]);
    expect(collection.features.find((f) => f.id === unlocatedItemId)!.geometry).toBeNull();
  });

  it("KML parses back to the same point and hash", async () => {
    const result = await exportItems(editor, { projectId: project.id, format: "kml", itemIds: allOf(project.id) });
    const back = kml(new DOMParser().parseFromString(result.body, "text/xml") as unknown as Document);
    const located = back.features.find((f) => f.properties?.id === itemId)!;
    expect(located.geometry).toEqual({ type: "Point", coordinates: [69.2075, 34.5553] });
    expect(located.properties).toMatchObject({ media_sha256: expectedSha, media_collectedBy: "Editor Erin" });
  });

  it("refuses an investigator, who has no export permission, and records nothing", async () => {
    const before = await db().auditEvent.count({ where: { action: "export.items" } });
    const error = await exportItems(investigator, { projectId: project.id, format: "csv", itemIds: allOf(project.id) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("FORBIDDEN");
    expect(await db().auditEvent.count({ where: { action: "export.items" } })).toBe(before);
  });

  it("never includes another project's items, even when the id fragment names them", async () => {
    const sneaky = Prisma.sql`SELECT i."id" FROM "EvidenceItem" i WHERE i."id" IN (${foreignItemId}, ${itemId})`;
    for (const format of ["csv", "geojson", "kml"] as const) {
      const result = await exportItems(editor, { projectId: project.id, format, itemIds: sneaky });
      expect(result.count).toBe(1);
      expect(result.body).toContain(itemId);
      expect(result.body).not.toContain(foreignItemId);
      expect(result.body).not.toContain("FOREIGN-MARKER");
    }
  });
});
