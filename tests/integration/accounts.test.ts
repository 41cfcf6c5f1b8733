import { describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { SYSTEM_ACTOR } from "../../lib/domain/permissions";
import { loadSessionActor } from "../../lib/server/actor";
import { db } from "../../lib/server/db";
import { authenticate } from "../../lib/server/services/accounts/authenticate";
import { createUser } from "../../lib/server/services/accounts/create-user";
import { listUsers } from "../../lib/server/services/accounts/list-users";
import { resetPassword } from "../../lib/server/services/accounts/reset-password";
import { setMembership } from "../../lib/server/services/accounts/set-membership";
import { setUserActive } from "../../lib/server/services/accounts/set-user-active";
import { createProject } from "../../lib/server/services/projects/create-project";
import { updateProjectSettings } from "../../lib/server/services/projects/update-project-settings";
import { PASSWORD, actorFor, makeProject, makeUser, tableCounts, unique } from "../support/fixtures";

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("login", () => {
  it("accepts the right password and stores only an argon2id hash", async () => {
    const user = await makeUser();
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(PASSWORD);
    await expect(authenticate({ email: user.email.toUpperCase(), password: PASSWORD }, "10.0.0.1")).resolves.toMatchObject({
      userId: user.id,
      sessionVersion: 0,
    });
  });

  it.each([
    ["wrong password", async (email: string) => ({ email, password: "not the password" })],
    ["unknown user", async () => ({ email: `${unique("nobody")}@example.test`, password: PASSWORD })],
  ])("gives the same message for a %s", async (_label, input) => {
    const user = await makeUser();
    const error = await errorOf(authenticate(await input(user.email), null));
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toBe("Email or password is incorrect.");
  });

  it("rejects malformed fields with a validation error and writes nothing", async () => {
    const before = await tableCounts();
    const throttles = await db().loginThrottle.count();
    for (const input of [{}, { email: "not-an-email", password: "x" }, { email: 42, password: [] }, null, "email=a"]) {
      expect((await errorOf(authenticate(input, null))).code).toBe("VALIDATION");
    }
    expect(await tableCounts()).toEqual(before);
    expect(await db().loginThrottle.count()).toBe(throttles);
  });

  it("slows down after repeated failures, then locks, with a clear message", async () => {
    const user = await makeUser();
    const wrong = { email: user.email, password: "wrong password" };
    for (let i = 0; i < 3; i += 1) expect((await errorOf(authenticate(wrong, null))).code).toBe("UNAUTHENTICATED");
    const slowed = await errorOf(authenticate({ email: user.email, password: PASSWORD }, null));
    expect(slowed.code).toBe("THROTTLED");
    expect(slowed.message).toMatch(/Wait \d+ seconds? before trying again/);

    // Nine failures long enough ago that the delay has passed: the tenth locks the account from
    // this address (here: no known address).
    const past = new Date(Date.now() - 60_000);
    await db().loginThrottle.update({
      where: { key: `account-address:${user.email}|unknown` },
      data: { failures: 9, windowStartAt: past, lastFailureAt: past },
    });
    expect((await errorOf(authenticate(wrong, null))).code).toBe("UNAUTHENTICATED");
    const locked = await errorOf(authenticate({ email: user.email, password: PASSWORD }, null));
    expect(locked.code).toBe("THROTTLED");
    expect(locked.message).toMatch(/locked for 15 minutes/);
    const lockEvents = await db().auditEvent.count({ where: { entityId: user.id, action: "auth.locked" } });
    expect(lockEvents).toBe(1);
  });

  it("throttles a burst of parallel guesses like a sequence", async () => {
    const user = await makeUser();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => authenticate({ email: user.email, password: "guess" }, null).then(() => "ok", (e: DomainError) => e.code)),
    );
    expect(results.filter((r) => r === "UNAUTHENTICATED")).toHaveLength(3);
    expect(results.filter((r) => r === "THROTTLED")).toHaveLength(5);
  });

  it("refuses a deactivated account's right password with the same answer as a wrong one", async () => {
    const user = await makeUser();
    await setUserActive(SYSTEM_ACTOR, { userId: user.id, active: false });
    const right = await errorOf(authenticate({ email: user.email, password: PASSWORD }, "192.0.2.44"));
    const wrong = await errorOf(authenticate({ email: user.email, password: "not the password" }, "192.0.2.45"));
    expect({ code: right.code, message: right.message }).toEqual({ code: "UNAUTHENTICATED", message: "Email or password is incorrect." });
    expect({ code: wrong.code, message: wrong.message }).toEqual({ code: right.code, message: right.message });
    // Counted like any failed attempt, and no session was made.
    expect(await db().loginThrottle.findUnique({ where: { key: `account-address:${user.email}|192.0.2.44` } })).toMatchObject({ failures: 1 });
    expect(await db().auditEvent.count({ where: { entityId: user.id, action: "auth.login" } })).toBe(0);
  });

  it("a stranger's wrong passwords lock out the stranger's address, never the owner at theirs", async () => {
    const user = await makeUser();
    const OWNER = "192.0.2.10";
    const STRANGER = "203.0.113.5";
    // The owner has signed in from their address before.
    await authenticate({ email: user.email, password: PASSWORD }, OWNER);

    // Ten wrong guesses from the stranger's address, waiting out each delay (by moving the clock
    // of the throttle rows back rather than sleeping).
    const wrong = { email: user.email, password: "guess guess guess" };
    for (let failures = 0; failures < 10; ) {
      const error = await errorOf(authenticate(wrong, STRANGER));
      if (error.code === "UNAUTHENTICATED") failures += 1;
      else {
        expect(error.code).toBe("THROTTLED");
        const past = new Date(Date.now() - 5 * 60_000);
        await db().loginThrottle.updateMany({ where: { key: { contains: user.email } }, data: { lastFailureAt: past } });
      }
    }
    // The stranger is locked out, even with the right password...
    const stranger = await errorOf(authenticate({ email: user.email, password: PASSWORD }, STRANGER));
    expect(stranger.code).toBe("THROTTLED");
    expect(stranger.message).toMatch(/locked for 15 minutes/);
    // ...the owner at their usual address signs in at once...
    await expect(authenticate({ email: user.email, password: PASSWORD }, OWNER)).resolves.toMatchObject({ userId: user.id });
    // ...and from an address never seen before they are at most asked to wait, never locked out.
    const elsewhere = await authenticate({ email: user.email, password: PASSWORD }, "198.51.100.77").then(
      () => null,
      (e: DomainError) => e,
    );
    if (elsewhere) {
      expect(elsewhere.code).toBe("THROTTLED");
      expect(elsewhere.message).toMatch(/^Too many failed sign-in attempts\. Wait/);
    }
    // Guessing stays slow: the stranger's address is still locked afterwards.
    expect((await errorOf(authenticate(wrong, STRANGER))).code).toBe("THROTTLED");
  });
});

describe("sessions follow the database", () => {
  it("a deactivated user's existing session is refused on the next request", async () => {
    const project = await makeProject();
    const user = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
    const session = await authenticate({ email: user.email, password: PASSWORD }, null);
    expect(await loadSessionActor(session.sessionToken)).not.toBeNull();
    await setUserActive(SYSTEM_ACTOR, { userId: user.id, active: false });
    expect(await loadSessionActor(session.sessionToken)).toBeNull();
    // Reactivation does not revive the old token: the user signs in again.
    await setUserActive(SYSTEM_ACTOR, { userId: user.id, active: true });
    expect(await loadSessionActor(session.sessionToken)).toBeNull();
  });

  it("a role change applies to the very next request of a live session", async () => {
    const project = await makeProject();
    const user = await makeUser({ projectId: project.id, role: "EDITOR" });
    const session = await authenticate({ email: user.email, password: PASSWORD }, null);
    expect((await loadSessionActor(session.sessionToken))!.memberships[project.id]).toBe("EDITOR");
    await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: "CONTRIBUTOR" });
    expect((await loadSessionActor(session.sessionToken))!.memberships[project.id]).toBe("CONTRIBUTOR");
    await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role: null });
    expect((await loadSessionActor(session.sessionToken))!.memberships[project.id]).toBeUndefined();
  });

  it("a password reset ends existing sessions", async () => {
    const user = await makeUser();
    const session = await authenticate({ email: user.email, password: PASSWORD }, null);
    await resetPassword(SYSTEM_ACTOR, { userId: user.id, password: "a brand new passphrase" });
    expect(await loadSessionActor(session.sessionToken)).toBeNull();
    await expect(authenticate({ email: user.email, password: "a brand new passphrase" }, null)).resolves.toMatchObject({ sessionVersion: 1 });
  });
});

describe("administration is admin-only and leaves data untouched when refused", () => {
  it.each(["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"] as const)("a project %s cannot administer", async (role) => {
    const project = await makeProject();
    const victim = await makeUser({ projectId: project.id, role: "CONTRIBUTOR" });
    const actor = await actorFor((await makeUser({ projectId: project.id, role })).id);
    const before = await tableCounts();
    const attempts = [
      createUser(actor, { email: `${unique("x")}@example.test`, name: "X", password: PASSWORD }),
      setUserActive(actor, { userId: victim.id, active: false }),
      setMembership(actor, { userId: actor.userId, projectId: project.id, role: "EDITOR" }),
      resetPassword(actor, { userId: victim.id, password: "attacker chosen pw" }),
      createProject(actor, { name: "Rogue", slug: unique("rogue") }),
      listUsers(actor),
    ];
    for (const attempt of attempts) expect((await errorOf(attempt)).code).toBe("FORBIDDEN");
    expect(await tableCounts()).toEqual(before);
  });

  it("an admin creates users, rejects duplicates and malformed input without writing", async () => {
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const email = `${unique("new")}@example.test`;
    const created = await createUser(admin, { email, name: "New Person", password: PASSWORD });
    expect(created).toEqual({ id: expect.any(String), email, name: "New Person", isAdmin: false });
    const before = await tableCounts();
    expect((await errorOf(createUser(admin, { email: email.toUpperCase(), name: "Again", password: PASSWORD }))).code).toBe("CONFLICT");
    const invalid = await errorOf(createUser(admin, { email: "nope", name: "", password: "short" }));
    expect(invalid.code).toBe("VALIDATION");
    expect(Object.keys(invalid.fieldErrors ?? {}).sort()).toEqual(["email", "name", "password"]);
    expect(await tableCounts()).toEqual(before);
  });

  it("the user list never carries password hashes", async () => {
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const rows = await listUsers(admin);
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toMatch(/argon2|passwordHash/);
  });

  it("an admin cannot deactivate their own account", async () => {
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    expect((await errorOf(setUserActive(admin, { userId: admin.userId, active: false }))).code).toBe("VALIDATION");
  });

  it("membership changes for unknown users or projects are NOT_FOUND", async () => {
    const project = await makeProject();
    const user = await makeUser();
    expect((await errorOf(setMembership(SYSTEM_ACTOR, { userId: "nosuchuser", projectId: project.id, role: "EDITOR" }))).code).toBe("NOT_FOUND");
    expect((await errorOf(setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: "nosuchproject", role: "EDITOR" }))).code).toBe("NOT_FOUND");
  });
});

describe("role changes from the admin page", () => {
  it("apply only if the role the admin saw is still current, and are audited with before and after", async () => {
    const project = await makeProject();
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const editor = await makeUser({ projectId: project.id, role: "EDITOR" });
    const role = async () => (await db().membership.findUnique({ where: { userId_projectId: { userId: editor.id, projectId: project.id } } }))?.role ?? null;

    // A page that still shows CONTRIBUTOR (or no role) while they are EDITOR is refused, changing nothing.
    const before = await tableCounts();
    const stale = await errorOf(setMembership(admin, { userId: editor.id, projectId: project.id, role: "INVESTIGATOR", expectedRole: "CONTRIBUTOR" }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toMatch(/now EDITOR/);
    expect(await errorOf(setMembership(admin, { userId: editor.id, projectId: project.id, role: "EDITOR", expectedRole: null }))).toMatchObject({ code: "CONFLICT" });
    expect(await role()).toBe("EDITOR");
    expect(await tableCounts()).toEqual(before);

    expect(await setMembership(admin, { userId: editor.id, projectId: project.id, role: "CONTRIBUTOR", expectedRole: "EDITOR" })).toEqual({ role: "CONTRIBUTOR" });
    expect(await role()).toBe("CONTRIBUTOR");
    const event = await db().auditEvent.findFirstOrThrow({ where: { entityId: `${project.id}:${editor.id}`, action: "membership.change_role" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ actorId: admin.userId, before: { userId: editor.id, role: "EDITOR" }, after: { userId: editor.id, role: "CONTRIBUTOR" } });
    expect(await setMembership(admin, { userId: editor.id, projectId: project.id, role: null, expectedRole: "CONTRIBUTOR" })).toEqual({ role: null });
    expect(await role()).toBeNull();
  });
});

describe("project settings", () => {
  it("only admins change them; bad values are refused; changes are audited", async () => {
    const project = await makeProject();
    const editor = await actorFor((await makeUser({ projectId: project.id, role: "EDITOR" })).id);
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    expect((await errorOf(updateProjectSettings(editor, { projectId: project.id, timeZone: "Asia/Kabul", requiredConfirmations: 2 }))).code).toBe("FORBIDDEN");
    expect((await errorOf(updateProjectSettings(admin, { projectId: project.id, timeZone: "Mars/Olympus", requiredConfirmations: 2 }))).code).toBe("VALIDATION");
    expect((await errorOf(updateProjectSettings(admin, { projectId: project.id, timeZone: "Asia/Kabul", requiredConfirmations: 0 }))).code).toBe("VALIDATION");
    await updateProjectSettings(admin, { projectId: project.id, timeZone: "Asia/Yangon", requiredConfirmations: "2" });
    const saved = await db().project.findUniqueOrThrow({ where: { id: project.id } });
    expect(saved.settings).toEqual({ timeZone: "Asia/Yangon", requiredConfirmations: 2 });
    expect(await db().auditEvent.count({ where: { entityId: project.id, action: "project.settings" } })).toBe(1);
  });
});
