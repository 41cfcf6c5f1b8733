// The migration that makes a reviewer's review of a note one decision must first remove the
// duplicate rows older versions wrote (a reviewer confirming the same note twice), keeping each
// reviewer's latest review of each note, or the unique index could not be created. A project
// archive made before the migration holds those duplicates too: restoring it keeps the latest.
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/domain/permissions";
import { ensureDatabase } from "../../lib/infra/embedded-postgres";
import { createPrismaClient, db } from "../../lib/server/db";
import { exportProjectArchive } from "../../lib/server/services/archive/export-project-archive";
import { restoreProjectArchive } from "../../lib/server/services/archive/restore-project-archive";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { LocalBlobStore } from "../../lib/server/storage/local-blob-store";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-dedupe-media-"));
const workDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-dedupe-"));
let archivePath: string;
let projectSlug: string;

const migrationsDir = path.join(import.meta.dirname, "../../prisma/migrations");
const migrationSql = readFileSync(path.join(migrationsDir, readdirSync(migrationsDir).find((d) => d.endsWith("_review_one_decision_per_note"))!, "migration.sql"), "utf8");

let itemId: string;
let geoId: string;
let chronoId: string;
let reviewers: string[];

beforeAll(async () => {
  const project = await makeProject();
  projectSlug = project.slug;
  const contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
  const author = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
  reviewers = [(await makeUser({ projectId: project.id, role: "REVIEWER" })).id, (await makeUser({ projectId: project.id, role: "REVIEWER" })).id];
  itemId = (await submitEvidence(contributor, { projectId: project.id, title: "Old duplicate reviews", sourceUrls: ["https://example.org/p/old"] })).id;
  geoId = (await db().geolocation.create({ data: { itemId, authorId: author.id, latitude: 34.5, longitude: 69.2, precisionM: 10 } })).id;
  chronoId = (
    await db().chronolocation.create({
      data: { itemId, authorId: author.id, earliestAt: new Date("2022-09-30T02:30:00Z"), latestAt: new Date("2022-09-30T03:30:00Z"), confidence: "LOW", methods: ["OTHER"] },
    })
  ).id;
});

describe("migration review_one_decision_per_note", () => {
  it("keeps the latest review per note and reviewer, then refuses duplicates", async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      // The database as it was before the migration: no unique indexes.
      await client.query(`DROP INDEX "Review_geolocationId_reviewerId_key"; DROP INDEX "Review_chronolocationId_reviewerId_key";`);
      const [first, second] = reviewers as [string, string];
      const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
      const rows = [
        { id: "rev-geo-1-old", reviewerId: first, geolocationId: geoId, decision: "APPROVE", createdAt: at(1) },
        { id: "rev-geo-1-mid", reviewerId: first, geolocationId: geoId, decision: "APPROVE", createdAt: at(2) },
        { id: "rev-geo-1-new", reviewerId: first, geolocationId: geoId, decision: "REQUEST_CHANGES", createdAt: at(3) },
        { id: "rev-geo-2", reviewerId: second, geolocationId: geoId, decision: "APPROVE", createdAt: at(1) },
        // Same instant: the higher id is kept.
        { id: "rev-chr-1-a", reviewerId: first, chronolocationId: chronoId, decision: "APPROVE", createdAt: at(5) },
        { id: "rev-chr-1-b", reviewerId: first, chronolocationId: chronoId, decision: "APPROVE", createdAt: at(5) },
        { id: "rev-chr-2", reviewerId: second, chronolocationId: chronoId, decision: "APPROVE", createdAt: at(4) },
      ];
      for (const row of rows) {
        await db().review.create({ data: { itemId, target: row.geolocationId ? "GEOLOCATION" : "CHRONOLOCATION", ...row, decision: row.decision as "APPROVE" | "REQUEST_CHANGES" } });
      }
      expect(await db().review.count({ where: { itemId } })).toBe(7);
      // An archive made now, before the migration, carries all seven.
      const archive = await exportProjectArchive(SYSTEM_ACTOR, { projectSlug });
      archivePath = path.join(workDir, archive.filename);
      await pipeline(archive.stream, createWriteStream(archivePath));

      await client.query(migrationSql);

      const kept = await db().review.findMany({ where: { itemId }, orderBy: { id: "asc" }, select: { id: true, decision: true } });
      expect(kept).toEqual([
        { id: "rev-chr-1-b", decision: "APPROVE" },
        { id: "rev-chr-2", decision: "APPROVE" },
        { id: "rev-geo-1-new", decision: "REQUEST_CHANGES" },
        { id: "rev-geo-2", decision: "APPROVE" },
      ]);
      const duplicate = await db()
        .review.create({ data: { itemId, reviewerId: second, target: "GEOLOCATION", geolocationId: geoId, decision: "APPROVE" } })
        .then(() => null, (e: unknown) => e);
      expect(duplicate).toMatchObject({ code: "P2002" });
    } finally {
      await client.end();
    }
  });

  it("restoring an archive made before it keeps each reviewer's latest review of each note", async () => {
    const name = `it_dedupe_restore_${randomBytes(5).toString("hex")}`;
    await ensureDatabase(inject("pgServerUrl"), name, inject("templateDatabase"));
    const url = new URL(inject("pgServerUrl"));
    url.pathname = `/${name}`;
    const target = createPrismaClient(url.toString());
    try {
      const report = await restoreProjectArchive(SYSTEM_ACTOR, { archivePath }, { client: target, store: new LocalBlobStore(mkdtempSync(path.join(workDir, "store-"))) });
      const restored = await target.review.findMany({ where: { itemId }, orderBy: { id: "asc" }, select: { id: true } });
      expect(restored.map((r) => r.id)).toEqual(["rev-chr-1-b", "rev-chr-2", "rev-geo-1-new", "rev-geo-2"]);
      expect(report.counts.reviews).toBe(4);
      const event = await target.auditEvent.findFirstOrThrow({ where: { action: "project.restore" } });
      expect(event.after).toMatchObject({ droppedDuplicateReviews: 3, counts: { reviews: 4 } });
    } finally {
      await target.$disconnect();
    }
  });
});
