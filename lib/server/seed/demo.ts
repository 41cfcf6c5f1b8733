import "server-only";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { SYSTEM_ACTOR } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { loadActor } from "../actor";
import { publishIncident, publishItem } from "../services/publishing/publish";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../audit";
import type { Tx } from "../db";
import { createUser } from "../services/accounts/create-user";
import { setMembership } from "../services/accounts/set-membership";
import { createProject } from "../services/projects/create-project";
import type { BlobStore } from "../storage/blob-store";
import { enqueueJob } from "../jobs/queue";
import { assertAcceptedMediaHead } from "../media/sniff";
import { renderSyntheticImage, type SyntheticCamera } from "./synthetic-image";

// Everything here is invented. Places are real cities so maps make sense; people, events and
// casualty figures are fictional and labelled as such.

export const DEMO_EMAIL_DOMAIN = "demo.groundtruth.test";

export interface DemoAccount {
  email: string;
  name: string;
  password: string;
  label: string;
}

interface DemoUserSpec {
  key: string;
  name: string;
  label: string;
  isAdmin?: boolean;
  demoRole?: ProjectRole;
  otherRole?: ProjectRole;
}

const USERS: DemoUserSpec[] = [
  { key: "admin", name: "Ada Admin (demo)", label: "ADMIN (global)", isAdmin: true },
  { key: "contributor", name: "Cyrus Contributor (demo)", label: "CONTRIBUTOR", demoRole: "CONTRIBUTOR" },
  { key: "investigator", name: "Iris Investigator (demo)", label: "INVESTIGATOR", demoRole: "INVESTIGATOR" },
  { key: "reviewer", name: "Rami Reviewer (demo)", label: "REVIEWER", demoRole: "REVIEWER" },
  { key: "editor", name: "Elif Editor (demo)", label: "EDITOR", demoRole: "EDITOR" },
  { key: "outsider", name: "Omar Outsider (demo)", label: "INVESTIGATOR in the other project only", otherRole: "INVESTIGATOR" },
];

const PLACES = [
  { city: "Kabul", province: "Kabul", lat: 34.5281, lon: 69.1723, hue: 200 },
  { city: "Herat", province: "Herat", lat: 34.3529, lon: 62.204, hue: 30 },
  { city: "Mazar-i-Sharif", province: "Balkh", lat: 36.709, lon: 67.1109, hue: 140 },
  { city: "Kunduz", province: "Kunduz", lat: 36.728, lon: 68.868, hue: 260 },
  { city: "Jalalabad", province: "Nangarhar", lat: 34.4342, lon: 70.4479, hue: 90 },
] as const;

// What each of a place's five items looks like as a file: most as a phone wrote it (camera, clock,
// GPS near the place), one stripped by a messaging app, one through a photo editor. The worker
// reads them exactly as it reads real uploads.
const CAMERAS: ReadonlyArray<{ make: string; model: string; software?: string; gps: boolean } | null> = [
  { make: "Fictional Phone Co", model: "FP-7 demo", software: "FP-7 camera 4.2", gps: true },
  null,
  { make: "Fictional Camera Works", model: "FC-200 demo", software: "Fictional Photo Editor 3.1", gps: false },
  { make: "Fictional Phone Co", model: "FP-5 demo", software: "FP-5 camera 3.9", gps: true },
  { make: "Fictional Phone Co", model: "FP-7 demo", software: "FP-7 camera 4.2", gps: true },
];

/** The demo's files, re-shared and processed like real uploads: EXIF in local time, Afghanistan's offset. */
function cameraFor(statusIndex: number, place: (typeof PLACES)[number], capturedAt: Date): SyntheticCamera | undefined {
  const spec = CAMERAS[statusIndex];
  if (!spec) return undefined;
  return {
    make: spec.make,
    model: spec.model,
    software: spec.software,
    takenAt: new Date(capturedAt.getTime() - 40 * 60_000),
    utcOffset: "+04:30",
    gps: spec.gps ? { latitude: place.lat + 0.0021 * statusIndex, longitude: place.lon - 0.0019 * statusIndex, altitudeM: 1790 - 100 * statusIndex } : undefined,
  };
}

const INCIDENT_TYPES = ["IED", "Armed assault", "Suicide bombing", "Rocket or mortar", "Targeted killing"] as const;

export function demoPassword(): string {
  return process.env.GROUNDTRUTH_DEMO_PASSWORD || `demo-${randomBytes(9).toString("base64url")}`;
}

/** True when the database has no users yet: the only time demo data is seeded automatically. */
export async function isEmptyInstall(client: PrismaClient): Promise<boolean> {
  return (await client.user.count()) === 0;
}

export async function seedDemo(client: PrismaClient, store: BlobStore): Promise<DemoAccount[]> {
  const accounts: DemoAccount[] = [];
  const userIds = new Map<string, string>();
  for (const spec of USERS) {
    const email = `${spec.key}@${DEMO_EMAIL_DOMAIN}`;
    const password = demoPassword();
    const user = await createUser(SYSTEM_ACTOR, { email, name: spec.name, password, isAdmin: spec.isAdmin ?? false });
    userIds.set(spec.key, user.id);
    accounts.push({ email, name: spec.name, password, label: spec.label });
  }

  const demo = await createProject(SYSTEM_ACTOR, {
    name: "Demo Witness (fictional)",
    slug: "demo-witness",
    description: "A fictional investigation for trying Groundtruth. Every item, incident and person here is invented.",
  });
  const other = await createProject(SYSTEM_ACTOR, {
    name: "Second Demo Project (fictional)",
    slug: "second-demo",
    description: "A separate fictional project: its members must never see Demo Witness material, and vice versa.",
  });
  for (const spec of USERS) {
    const userId = userIds.get(spec.key)!;
    if (spec.demoRole) await setMembership(SYSTEM_ACTOR, { userId, projectId: demo.id, role: spec.demoRole });
    if (spec.otherRole) await setMembership(SYSTEM_ACTOR, { userId, projectId: other.id, role: spec.otherRole });
  }

  const id = (key: string) => userIds.get(key)!;
  const statuses = ["SUBMITTED", "TRIAGED", "IN_PROGRESS", "IN_REVIEW", "VERIFIED"] as const;
  let itemNumber = 0;
  for (const [placeIndex, place] of PLACES.entries()) {
    const incidentRef = `DW-INC-${String(placeIndex + 1).padStart(3, "0")}`;
    const start = new Date(Date.UTC(2025, placeIndex * 2, 10 + placeIndex, 5 + placeIndex, 30));
    const incident = await audited(client, "incident.create", demo.id, id("editor"), "Incident", (tx) =>
      tx.incident.create({
        data: {
          projectId: demo.id,
          reference: incidentRef,
          title: `Fictional ${INCIDENT_TYPES[placeIndex]!.toLowerCase()} in ${place.city} (demo)`,
          incidentType: INCIDENT_TYPES[placeIndex]!,
          description: `Invented demo incident near ${place.city}. Not a real event.`,
          startAt: start,
          endAt: new Date(start.getTime() + 45 * 60_000),
          latitude: place.lat,
          longitude: place.lon,
          precisionM: 1000,
          locationName: place.city,
          province: place.province,
          claimGroup: placeIndex % 2 === 0 ? "Fictional Group A" : null,
          claimChannel: placeIndex % 2 === 0 ? "Fictional weekly newsletter" : null,
          attributionGroup: "Fictional Group A",
          attributionConfidence: placeIndex % 2 === 0 ? "HIGH" : "LOW",
          killedMin: placeIndex,
          killedMax: placeIndex + 2,
          killedSource: "Invented figure for the demo",
          injuredMin: placeIndex * 2,
          injuredMax: placeIndex * 3 + 1,
          injuredSource: "Invented figure for the demo",
          targets: [placeIndex % 2 === 0 ? "CIVILIANS" : "GOVERNMENT_SECURITY"],
          tags: ["demo"],
          createdById: id("editor"),
        },
      }),
    );

    for (const [statusIndex, status] of statuses.entries()) {
      itemNumber += 1;
      const submitter = statusIndex % 2 === 0 ? "contributor" : "investigator";
      const reference = `DW-${String(itemNumber).padStart(4, "0")}`;
      const capturedAt = new Date(start.getTime() + (statusIndex + 1) * 3600_000);
      const image = await renderSyntheticImage(`${place.city} - demo item ${itemNumber}`, place.hue + statusIndex * 10, cameraFor(statusIndex, place, capturedAt));
      const { mime, ext } = await assertAcceptedMediaHead(image);
      const blob = await store.put(Readable.from(image));

      await audited(client, "item.submit", demo.id, id(submitter), "EvidenceItem", async (tx) => {
        const item = await tx.evidenceItem.create({
          data: {
            projectId: demo.id,
            reference,
            title: `${place.city}: synthetic photo ${itemNumber} (demo)`,
            description: `Synthetic image generated for the demo. Claimed to show ${place.city}.`,
            status,
            submittedById: id(submitter),
            assigneeId: statusIndex >= 2 ? id("investigator") : null,
            platform: (["TELEGRAM", "X_TWITTER", "FACEBOOK", "TIKTOK", "YOUTUBE"] as const)[statusIndex],
            postUrl: `https://example.org/demo/${reference.toLowerCase()}`,
            posterHandle: `@fictional_poster_${itemNumber}`,
            platformUploadedAt: capturedAt,
            claimedPlace: place.city,
            claimedDate: start.toISOString().slice(0, 10),
            language: "ps",
            sensitiveGraphic: statusIndex === 4 && placeIndex % 2 === 0,
          },
        });
        const media = await tx.mediaFile.create({
          data: {
            itemId: item.id,
            sha256: blob.sha256,
            sizeBytes: BigInt(blob.sizeBytes),
            sniffedMime: mime,
            declaredMime: mime,
            originalFilename: `${reference}.${ext}`,
            captureMethod: "UPLOAD",
            collectedById: id(submitter),
          },
        });
        // The same processing as an upload (metadata, thumbnail, perceptual hash), by the worker.
        await enqueueJob(tx, { queue: "media.process", payload: { mediaFileId: media.id }, projectId: demo.id, itemId: item.id });
        await tx.sourceUrl.create({
          data: { itemId: item.id, url: `https://example.org/demo/${reference.toLowerCase()}`, platform: "OTHER", addedById: id(submitter) },
        });
        if (statusIndex >= 3) {
          const confirmed = status === "VERIFIED";
          await tx.evidenceItem.update({ where: { id: item.id }, data: { province: place.province } });
          const geo = await tx.geolocation.create({
            data: {
              itemId: item.id,
              authorId: id("investigator"),
              latitude: place.lat + 0.002 * statusIndex,
              longitude: place.lon - 0.002 * statusIndex,
              precisionM: 100,
              method: "Demo: skyline and road layout matched against reference imagery (fictional).",
              referenceImagery: [{ provider: "Demo imagery", captureDate: "2024-05-01", url: "https://example.org/imagery" }],
              landmarks: [{ name: "Fictional minaret", description: "Tall white tower right of frame" }],
              province: place.province,
              status: confirmed ? "CONFIRMED" : "PROPOSED",
            },
          });
          const chrono = await tx.chronolocation.create({
            data: {
              itemId: item.id,
              authorId: id("investigator"),
              earliestAt: new Date(capturedAt.getTime() - 2 * 3600_000),
              latestAt: capturedAt,
              confidence: "MEDIUM",
              methods: ["PLATFORM_UPLOAD_TIME", "SUN_AND_SHADOWS"],
              notes: "Demo: upload time bounds the window; shadows suggest morning.",
              status: confirmed ? "CONFIRMED" : "PROPOSED",
            },
          });
          if (confirmed) {
            await tx.review.createMany({
              data: [
                { itemId: item.id, reviewerId: id("reviewer"), target: "GEOLOCATION", geolocationId: geo.id, decision: "APPROVE", comment: "Matches." },
                { itemId: item.id, reviewerId: id("reviewer"), target: "CHRONOLOCATION", chronolocationId: chrono.id, decision: "APPROVE", comment: "Agree." },
              ],
            });
          }
        }
        await tx.incidentEvidence.create({
          data: {
            incidentId: incident.id,
            itemId: item.id,
            relation: status === "VERIFIED" ? "Shows the aftermath" : "Possible footage of the event",
            isLead: status !== "VERIFIED",
            createdById: id("editor"),
          },
        });
        return item;
      });
    }
  }

  // Two incidents are public from the start, so the public site has something to show.
  const editorRow = await client.user.findUniqueOrThrow({ where: { id: id("editor") }, select: { sessionVersion: true } });
  const editor = await loadActor(id("editor"), editorRow.sessionVersion);
  if (!editor) throw new Error("The demo editor could not be loaded.");
  for (const reference of ["DW-INC-004", "DW-INC-005"]) {
    const incident = await client.incident.findFirstOrThrow({
      where: { projectId: demo.id, reference },
      select: { id: true, version: true, evidence: { where: { isLead: false }, select: { itemId: true, item: { select: { title: true, version: true } } } } },
    });
    // As an editor would: each item is published from its own page first (public title and
    // files decided there), then the incident is published with it.
    for (const e of incident.evidence) {
      await publishItem(editor, { itemId: e.itemId, expectedVersion: e.item.version, title: `${e.item.title} (public)`, description: "Fictional demo evidence." });
    }
    await publishIncident(editor, {
      incidentId: incident.id,
      expectedVersion: incident.version,
      items: incident.evidence.map((e) => ({ itemId: e.itemId })),
      note: "Demo publication (fictional).",
    });
  }

  // The other project's material uses its own marker so isolation tests can look for it.
  for (let n = 1; n <= 2; n += 1) {
    const image = await renderSyntheticImage(`Second project item ${n}`, 320);
    const { mime, ext } = await assertAcceptedMediaHead(image);
    const blob = await store.put(Readable.from(image));
    await audited(client, "item.submit", other.id, id("outsider"), "EvidenceItem", async (tx) => {
      const item = await tx.evidenceItem.create({
        data: {
          projectId: other.id,
          reference: `SD-${String(n).padStart(4, "0")}`,
          title: `Second project confidential item ${n} (demo)`,
          description: "Belongs to the second demo project only.",
          submittedById: id("outsider"),
          platform: "TELEGRAM",
        },
      });
      const media = await tx.mediaFile.create({
        data: {
          itemId: item.id,
          sha256: blob.sha256,
          sizeBytes: BigInt(blob.sizeBytes),
          sniffedMime: mime,
          originalFilename: `second-${n}.${ext}`,
          captureMethod: "UPLOAD",
          collectedById: id("outsider"),
        },
      });
      await enqueueJob(tx, { queue: "media.process", payload: { mediaFileId: media.id }, projectId: other.id, itemId: item.id });
      return item;
    });
  }
  return accounts;
}

/** Runs one seed write and its audit event in a single transaction. */
async function audited<T extends { id: string }>(
  client: PrismaClient,
  action: string,
  projectId: string,
  actorId: string,
  entityType: string,
  write: (tx: Tx) => Promise<T>,
): Promise<T> {
  return client.$transaction(async (tx) => {
    const record = await write(tx);
    await appendAuditEvent(tx, { actorId, projectId, action, entityType, entityId: record.id, after: { ...record, seeded: true } });
    return record;
  });
}
