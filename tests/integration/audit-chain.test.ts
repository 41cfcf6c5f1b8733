import { describe, expect, it } from "vitest";
import pg from "pg";
import { SYSTEM_ACTOR } from "../../lib/domain/permissions";
import { appendAuditEvent, verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { createProject } from "../../lib/server/services/projects/create-project";
import { setMembership } from "../../lib/server/services/accounts/set-membership";
import { makeProject, makeUser, unique } from "../support/fixtures";

async function rawClient() {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  return client;
}

describe("audit chain in PostgreSQL", () => {
  it("records each service change with before/after values in the same transaction", async () => {
    const project = await makeProject();
    const user = await makeUser();
    await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: "INVESTIGATOR" });
    await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: "REVIEWER" });

    const events = await db().auditEvent.findMany({ where: { entityId: `${project.id}:${user.id}` }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["membership.add", "membership.change_role"]);
    expect(events[1]!.before).toEqual({ userId: user.id, role: "INVESTIGATOR" });
    expect(events[1]!.after).toEqual({ userId: user.id, role: "REVIEWER" });
    expect(events[1]!.projectId).toBe(project.id);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("does not fork under many concurrent writers", async () => {
    const before = await db().auditEvent.count();
    const writers = 40;
    await Promise.all(Array.from({ length: writers }, () => createProject(SYSTEM_ACTOR, { name: unique("Concurrent"), slug: unique("c") })));
    const events = await db().auditEvent.findMany({ orderBy: { seq: "asc" }, select: { seq: true, prevHash: true, hash: true } });
    expect(events).toHaveLength(before + writers);
    // Contiguous sequence, each event pointing at its predecessor: one line, no branches.
    events.forEach((event, index) => {
      expect(event.seq).toBe(index + 1);
      if (index > 0) expect(event.prevHash).toBe(events[index - 1]!.hash);
    });
    expect(new Set(events.map((e) => e.prevHash)).size).toBe(events.length);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true, count: events.length });
  });

  it("rolls back the audit event together with a failed change", async () => {
    const before = await db().auditEvent.count();
    await expect(
      db().$transaction(async (tx) => {
        await appendAuditEvent(tx, { actorId: null, projectId: null, action: "test.doomed", entityType: "Test", entityId: "x" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await db().auditEvent.count()).toBe(before);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true });
  });

  it("refuses ordinary UPDATE and DELETE of audit rows", async () => {
    await makeProject();
    const client = await rawClient();
    try {
      await expect(client.query(`UPDATE "AuditEvent" SET "action" = 'forged' WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM "AuditEvent" WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });

  it("names the first broken link after a stored event is edited with raw SQL", async () => {
    for (let i = 0; i < 5; i += 1) await makeProject();
    const total = await db().auditEvent.count();
    const target = Math.floor(total / 2);
    expect(await verifyStoredAuditChain(db())).toMatchObject({ ok: true, count: total });

    const client = await rawClient();
    try {
      // A superuser bypassing the append-only trigger, as an attacker with database access would.
      await client.query("SET session_replication_role = replica");
      const edited = await client.query(
        `UPDATE "AuditEvent" SET "after" = jsonb_set("after", '{name}', '"rewritten history"') WHERE "seq" = $1`,
        [target],
      );
      expect(edited.rowCount).toBe(1);
    } finally {
      await client.end();
    }

    const verdict = await verifyStoredAuditChain(db());
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.brokenAtSeq).toBe(target);
      expect(verdict.count).toBe(target - 1);
      expect(verdict.reason).toMatch(/altered/);
    }
  });
});
