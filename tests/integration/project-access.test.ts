import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { DEMO_EMAIL_DOMAIN, seedDemo } from "../../lib/server/seed/demo";
import { getProjectOverview } from "../../lib/server/services/projects/get-project-overview";
import { listProjectsForActor } from "../../lib/server/services/projects/list-projects";
import { LocalBlobStore } from "../../lib/server/storage/local-blob-store";
import { actorFor } from "../support/fixtures";

const actors: Record<string, Awaited<ReturnType<typeof actorFor>>> = {};
let store: LocalBlobStore;

beforeAll(async () => {
  store = new LocalBlobStore(mkdtempSync(path.join(os.tmpdir(), "groundtruth-media-")));
  await seedDemo(db(), store);
  for (const user of await db().user.findMany({ select: { id: true, email: true } })) {
    actors[user.email.split("@")[0]!] = await actorFor(user.id);
  }
});

describe("demo seed", () => {
  it("creates an account for every role, five places, and a verifying audit chain", async () => {
    expect(Object.keys(actors).sort()).toEqual(["admin", "contributor", "editor", "investigator", "outsider", "reviewer"]);
    expect((await db().user.findMany()).every((u) => u.email.endsWith(`@${DEMO_EMAIL_DOMAIN}`))).toBe(true);
    const provinces = (await db().incident.findMany({ select: { province: true } })).map((i) => i.province).sort();
    expect(provinces).toEqual(["Balkh", "Herat", "Kabul", "Kunduz", "Nangarhar"]);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("stores synthetic images in the content-addressed store under their real SHA-256", async () => {
    const { createHash } = await import("node:crypto");
    const media = await db().mediaFile.findMany({ take: 3 });
    expect(media.length).toBe(3);
    for (const file of media) {
      const hash = createHash("sha256");
      for await (const chunk of await store.open(file.sha256)) hash.update(chunk as Buffer);
      expect(hash.digest("hex")).toBe(file.sha256);
    }
  });
});

describe("who sees what", () => {
  const overview = (who: string, slug: string) => getProjectOverview(actors[who]!, slug);
  const countOf = (o: Awaited<ReturnType<typeof getProjectOverview>>) => o.statusCounts.reduce((s, c) => s + c.count, 0);

  it("a contributor sees only their own submissions and no incidents", async () => {
    const o = await overview("contributor", "demo-witness");
    expect(o.role).toBe("CONTRIBUTOR");
    expect(o.seesAllItems).toBe(false);
    const own = await db().evidenceItem.count({ where: { submittedById: actors.contributor!.userId } });
    expect(countOf(o)).toBe(own);
    expect(o.items.every((item) => item.submittedByName.startsWith("Cyrus"))).toBe(true);
    expect(o.incidents).toBeNull();
  });

  it.each(["investigator", "reviewer", "editor"])("a project %s sees every item and the incidents", async (who) => {
    const o = await overview(who, "demo-witness");
    const project = await db().project.findUniqueOrThrow({ where: { slug: "demo-witness" } });
    expect(countOf(o)).toBe(await db().evidenceItem.count({ where: { projectId: project.id } }));
    expect(o.incidents?.recent).toHaveLength(5);
    expect(o.incidents?.total).toBe(5);
  });

  it.each([
    ["outsider", "demo-witness"],
    ["contributor", "second-demo"],
    ["editor", "second-demo"],
    ["admin", "demo-witness"],
    ["admin", "second-demo"],
    ["editor", "no-such-project"],
  ])("%s gets NOT_FOUND for %s", async (who, slug) => {
    const error = await overview(who, slug).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("NOT_FOUND");
  });

  it("project lists show members their projects and admins every project without a role", async () => {
    expect((await listProjectsForActor(actors.outsider!)).map((p) => p.slug)).toEqual(["second-demo"]);
    expect((await listProjectsForActor(actors.editor!)).map((p) => p.slug)).toEqual(["demo-witness"]);
    const adminView = await listProjectsForActor(actors.admin!);
    expect(adminView.map((p) => [p.slug, p.role])).toEqual([
      ["demo-witness", null],
      ["second-demo", null],
    ]);
  });
});
