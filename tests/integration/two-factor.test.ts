import { createHash } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { can, type Actor } from "../../lib/domain/permissions";
import { SECOND_FACTOR_INVALID_MESSAGE, SECOND_FACTOR_REQUIRED_MESSAGE } from "../../lib/domain/two-factor";
import { loadActor, loadSessionActor } from "../../lib/server/actor";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { authenticate } from "../../lib/server/services/accounts/authenticate";
import { confirmTwoFactorEnrolment } from "../../lib/server/services/accounts/confirm-two-factor-enrolment";
import { disableTwoFactor } from "../../lib/server/services/accounts/disable-two-factor";
import { getTwoFactorStatus } from "../../lib/server/services/accounts/get-two-factor-status";
import { issueEnrolmentCode } from "../../lib/server/services/accounts/issue-enrolment-code";
import { listUsers } from "../../lib/server/services/accounts/list-users";
import { regenerateRecoveryCodes } from "../../lib/server/services/accounts/regenerate-recovery-codes";
import { adminResetTwoFactor } from "../../lib/server/services/accounts/reset-two-factor";
import { startTwoFactorEnrolment } from "../../lib/server/services/accounts/start-two-factor-enrolment";
import { verifySecondFactor } from "../../lib/server/services/accounts/verify-second-factor";
import { listProjectsAwaitingTwoFactor, listProjectsForActor } from "../../lib/server/services/projects/list-projects";
import { updateProjectSettings } from "../../lib/server/services/projects/update-project-settings";
import { PASSWORD, actorFor, makeProject, makeUser } from "../support/fixtures";

const STEP_MS = 30_000;

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The code an authenticator app shows for `secret`, `offsetSteps` steps from now. */
function appCode(secret: string, offsetSteps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: Date.now() + offsetSteps * STEP_MS });
}

/**
 * Waits out the end of the current time step when it is nearly over, so codes computed here
 * for "previous / current / next step" still fall in the server's ±1 window when checked.
 */
async function awayFromStepBoundary(): Promise<void> {
  const remaining = TOTP.remaining({ period: 30 });
  if (remaining < 5_000) await new Promise((resolve) => setTimeout(resolve, remaining + 100));
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * A user with two-factor login on. Enrolment is confirmed with the previous step's code, so the
 * current and next step's codes are still unused for the test to sign in with.
 */
async function enrolledUser(options: Parameters<typeof makeUser>[0] = {}) {
  await awayFromStepBoundary();
  const user = await makeUser(options);
  const actor = await actorFor(user.id);
  const enrolment = await startTwoFactorEnrolment(actor);
  const { recoveryCodes } = await confirmTwoFactorEnrolment(actor, { code: appCode(enrolment.secret, -1), currentPassword: PASSWORD });
  return { user, actor, secret: enrolment.secret, recoveryCodes };
}

async function auditActions(userId: string): Promise<string[]> {
  const events = await db().auditEvent.findMany({ where: { entityType: "User", entityId: userId }, orderBy: { seq: "asc" }, select: { action: true } });
  return events.map((e) => e.action);
}

describe("enrolment", () => {
  it("stores a pending secret, turns on with a code from the app and returns 10 recovery codes stored only as SHA-256", async () => {
    await awayFromStepBoundary();
    const user = await makeUser();
    const actor = await actorFor(user.id);
    const enrolment = await startTwoFactorEnrolment(actor);

    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.otpauthUri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(enrolment.secret);
    expect(uri.searchParams.get("issuer")).toBe("Groundtruth");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
    expect(uri.searchParams.get("algorithm")).toBe("SHA1");
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);
    expect(enrolment.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    let row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ totpPending: enrolment.secret, totpSecret: null, totpEnabledAt: null });
    // A pending enrolment changes nothing about sign-in yet.
    await expect(authenticate({ email: user.email, password: PASSWORD }, null)).resolves.toMatchObject({ userId: user.id });
    expect((await getTwoFactorStatus(actor)).enrolment?.secret).toBe(enrolment.secret);

    const wrongCode = String((Number(appCode(enrolment.secret)) + 1) % 1_000_000).padStart(6, "0");
    const wrong = await errorOf(confirmTwoFactorEnrolment(actor, { code: wrongCode, currentPassword: PASSWORD }));
    expect(wrong.code).toBe("VALIDATION");
    expect(wrong.fieldErrors?.code).toHaveLength(1);
    expect((await errorOf(confirmTwoFactorEnrolment(actor, { code: "ABCDE-FGH23", currentPassword: PASSWORD }))).code).toBe("VALIDATION");

    const code = appCode(enrolment.secret);
    const { recoveryCodes } = await confirmTwoFactorEnrolment(actor, { code: `${code.slice(0, 3)} ${code.slice(3)}`, currentPassword: PASSWORD });
    expect(recoveryCodes).toHaveLength(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
    expect(new Set(recoveryCodes).size).toBe(10);

    row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.totpSecret).toBe(enrolment.secret);
    expect(row.totpPending).toBeNull();
    expect(row.totpEnabledAt).toBeInstanceOf(Date);
    expect(row.totpLastStep).toBe(BigInt(TOTP.counter({ period: 30 })));

    const stored = await db().recoveryCode.findMany({ where: { userId: user.id }, select: { codeHash: true, usedAt: true } });
    expect(stored.map((s) => s.codeHash).sort()).toEqual(recoveryCodes.map((c) => sha256(c.replace("-", ""))).sort());
    expect(stored.every((s) => s.usedAt === null)).toBe(true);

    const status = await getTwoFactorStatus(actor);
    expect(status).toMatchObject({ enabled: true, unusedRecoveryCodes: 10, enrolment: null });
    expect((await errorOf(startTwoFactorEnrolment(actor))).code).toBe("CONFLICT");
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(["user.2fa.enrol_start", "user.2fa.enable"]));
  });

  it("is only for the signed-in user themselves, never through an API token", async () => {
    const user = await makeUser();
    const actor = await actorFor(user.id);
    const tokenActor: Actor = { ...actor, tokenScopes: ["read", "submit", "comment", "edit"] };
    expect((await errorOf(startTwoFactorEnrolment(tokenActor))).code).toBe("FORBIDDEN");
    expect((await errorOf(confirmTwoFactorEnrolment({ ...actor, active: false }, { code: "123456" }))).code).toBe("FORBIDDEN");
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).totpPending).toBeNull();
  });
});

describe("sign-in with a second factor", () => {
  it("asks for a code after the right password without counting a failure, then accepts a current code", async () => {
    const { user, secret } = await enrolledUser();
    const missing = await errorOf(authenticate({ email: user.email, password: PASSWORD }, "10.2.0.1"));
    expect(missing.code).toBe("SECOND_FACTOR_REQUIRED");
    expect(missing.message).toBe(SECOND_FACTOR_REQUIRED_MESSAGE);
    const blank = await errorOf(authenticate({ email: user.email, password: PASSWORD, code: "  " }, "10.2.0.1"));
    expect(blank.code).toBe("SECOND_FACTOR_REQUIRED");
    expect(await db().loginThrottle.findUnique({ where: { key: `account:${user.email}` } })).toMatchObject({ failures: 0 });

    await expect(authenticate({ email: user.email, password: PASSWORD, code: appCode(secret) }, "10.2.0.1")).resolves.toMatchObject({
      userId: user.id,
      sessionVersion: 0,
      secondFactor: true,
    });
    const login = await db().auditEvent.findFirstOrThrow({ where: { entityId: user.id, action: "auth.login" }, orderBy: { seq: "desc" } });
    expect(login.after).toEqual({ secondFactor: "totp" });
  });

  it("gives a wrong password the same message with or without two-factor login, code or not", async () => {
    const { user, secret } = await enrolledUser();
    const plain = await makeUser();
    const messages = new Set<string>();
    for (const input of [
      { email: user.email, password: "not the password" },
      { email: user.email, password: "not the password", code: appCode(secret) },
      { email: plain.email, password: "not the password" },
    ]) {
      const error = await errorOf(authenticate(input, null));
      expect(error.code).toBe("UNAUTHENTICATED");
      messages.add(error.message);
    }
    expect([...messages]).toEqual(["Email or password is incorrect."]);
    // The wrong password with a valid code did not spend that code.
    await expect(authenticate({ email: user.email, password: PASSWORD, code: appCode(secret) }, null)).resolves.toMatchObject({ userId: user.id });
  });

  it("refuses a replayed code, including one that already confirmed the enrolment", async () => {
    const { user, secret } = await enrolledUser();
    const enrolmentCode = appCode(secret, -1);
    const replayedEnrolment = await errorOf(authenticate({ email: user.email, password: PASSWORD, code: enrolmentCode }, null));
    expect(replayedEnrolment).toMatchObject({ code: "UNAUTHENTICATED", message: SECOND_FACTOR_INVALID_MESSAGE });

    const code = appCode(secret, 1);
    await expect(authenticate({ email: user.email, password: PASSWORD, code }, null)).resolves.toMatchObject({ userId: user.id });
    const replay = await errorOf(authenticate({ email: user.email, password: PASSWORD, code }, null));
    expect(replay).toMatchObject({ code: "UNAUTHENTICATED", message: SECOND_FACTOR_INVALID_MESSAGE });
    // An older code than the last accepted one is a replay too, even inside the window.
    const older = await errorOf(authenticate({ email: user.email, password: PASSWORD, code: appCode(secret) }, null));
    expect(older.message).toBe(SECOND_FACTOR_INVALID_MESSAGE);
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(["auth.2fa_failed"]));
  });

  it("lets two parallel sign-ins with the same code succeed only once", async () => {
    const { user, secret } = await enrolledUser();
    const code = appCode(secret);
    const results = await Promise.allSettled(
      Array.from({ length: 2 }, () => authenticate({ email: user.email, password: PASSWORD, code }, null)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("accepts each recovery code once, in any case and spacing", async () => {
    const { user, actor, recoveryCodes } = await enrolledUser();
    const [first, second] = recoveryCodes as [string, string];
    await expect(authenticate({ email: user.email, password: PASSWORD, code: ` ${first.toLowerCase()} ` }, null)).resolves.toMatchObject({ userId: user.id });
    const again = await errorOf(authenticate({ email: user.email, password: PASSWORD, code: first }, null));
    expect(again.message).toBe(SECOND_FACTOR_INVALID_MESSAGE);
    const used = await db().recoveryCode.findUniqueOrThrow({ where: { codeHash: sha256(first.replace("-", "")) } });
    expect(used.usedAt).toBeInstanceOf(Date);
    expect((await getTwoFactorStatus(actor)).unusedRecoveryCodes).toBe(9);

    await expect(verifySecondFactor(user.id, second.replace("-", ""))).resolves.toBe("recovery");
    expect((await errorOf(verifySecondFactor(user.id, second))).code).toBe("VALIDATION");
  });

  it("counts wrong codes in the login throttle, so codes cannot be guessed quickly", async () => {
    const { user, secret } = await enrolledUser();
    const current = appCode(secret);
    const wrong = String((Number(current) + 500_000) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 3; i += 1) {
      const error = await errorOf(authenticate({ email: user.email, password: PASSWORD, code: wrong }, "10.2.0.9"));
      expect(error.message).toBe(SECOND_FACTOR_INVALID_MESSAGE);
    }
    expect(await db().loginThrottle.findUnique({ where: { key: `account:${user.email}` } })).toMatchObject({ failures: 3 });
    expect(await db().loginThrottle.findUnique({ where: { key: "ip:10.2.0.9" } })).toMatchObject({ failures: 3 });
    // Even the right code waits now: the password being right must not reset the count.
    const slowed = await errorOf(authenticate({ email: user.email, password: PASSWORD, code: current }, "10.2.0.9"));
    expect(slowed.code).toBe("THROTTLED");
    // Guesses from one address do not hold up the owner at another (the lock is per account and
    // address; lib/domain/login-throttle.ts): there the form just asks for the code.
    const missing = await errorOf(authenticate({ email: user.email, password: PASSWORD }, "10.2.0.10"));
    expect(missing.code).toBe("SECOND_FACTOR_REQUIRED");
  });
});

describe("managing your own second factor", () => {
  it("regenerates recovery codes (old ones stop working) and disables only with a valid code", async () => {
    const { user, actor, secret, recoveryCodes } = await enrolledUser();
    expect((await errorOf(regenerateRecoveryCodes(actor, { code: "" }))).code).toBe("VALIDATION");
    expect((await errorOf(regenerateRecoveryCodes(actor, { code: "ABCDE-ABCDE" }))).code).toBe("VALIDATION");

    const fresh = await regenerateRecoveryCodes(actor, { code: appCode(secret), currentPassword: PASSWORD });
    expect(fresh.recoveryCodes).toHaveLength(10);
    expect(fresh.recoveryCodes.some((c) => recoveryCodes.includes(c))).toBe(false);
    expect((await errorOf(verifySecondFactor(user.id, recoveryCodes[1]!))).code).toBe("VALIDATION");
    const stored = await db().recoveryCode.findMany({ where: { userId: user.id }, select: { codeHash: true } });
    expect(stored.map((s) => s.codeHash).sort()).toEqual(fresh.recoveryCodes.map((c) => sha256(c.replace("-", ""))).sort());

    const refused = await errorOf(disableTwoFactor(actor, { code: recoveryCodes[2]!, currentPassword: PASSWORD }));
    expect(refused.code).toBe("VALIDATION");
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).totpSecret).toBe(secret);

    await disableTwoFactor(actor, { code: fresh.recoveryCodes[0]!, currentPassword: PASSWORD });
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ totpSecret: null, totpPending: null, totpEnabledAt: null, totpLastStep: null });
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    await expect(authenticate({ email: user.email, password: PASSWORD }, null)).resolves.toMatchObject({ userId: user.id });
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(["user.2fa.recovery_codes", "user.2fa.disable"]));
  });
});

describe("admin reset", () => {
  it("clears the second factor and every recovery code and ends the user's sessions", async () => {
    const { user, actor } = await enrolledUser();
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const bystander = await actorFor((await makeUser()).id);

    expect((await errorOf(adminResetTwoFactor(bystander, { userId: user.id }))).code).toBe("FORBIDDEN");
    expect((await errorOf(adminResetTwoFactor(admin, { userId: "no-such-user", currentPassword: PASSWORD }))).code).toBe("NOT_FOUND");
    expect((await listUsers(admin)).find((u) => u.id === user.id)).toMatchObject({ twoFactorEnabled: true });

    await adminResetTwoFactor(admin, { userId: user.id, currentPassword: PASSWORD });
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ totpSecret: null, totpPending: null, totpEnabledAt: null, totpLastStep: null, sessionVersion: 1 });
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await loadActor(user.id, 0)).toBeNull();
    expect(await loadActor(actor.userId, 1)).not.toBeNull();
    expect((await listUsers(admin)).find((u) => u.id === user.id)).toMatchObject({ twoFactorEnabled: false });
    await expect(authenticate({ email: user.email, password: PASSWORD }, null)).resolves.toMatchObject({ userId: user.id, sessionVersion: 1, secondFactor: false });

    const reset = await db().auditEvent.findFirstOrThrow({ where: { entityId: user.id, action: "user.2fa.reset" } });
    expect(reset.actorId).toBe(admin.userId);
    expect(reset.before).toEqual({ enabled: true, recoveryCodes: 10 });
  });
});

describe("projects that require two-factor login", () => {
  it("treat sessions without a second factor as non-members, say why, and let them in after enrolment with an admin's code", async () => {
    const project = await makeProject();
    const adminUser = await makeUser({ isAdmin: true });
    const admin = await actorFor(adminUser.id);
    const member = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
    const { user: enrolled, secret: enrolledSecret } = await enrolledUser({ projectId: project.id, role: "EDITOR" });

    await updateProjectSettings(admin, { projectId: project.id, timeZone: "Asia/Kabul", requiredConfirmations: 1, requireTwoFactor: true });
    // Saving other settings without the flag leaves it as it was.
    await updateProjectSettings(admin, { projectId: project.id, timeZone: "Asia/Kabul", requiredConfirmations: 2 });
    const settings = (await db().project.findUniqueOrThrow({ where: { id: project.id } })).settings;
    expect(settings).toMatchObject({ requireTwoFactor: true, requiredConfirmations: 2 });
    expect((await listProjectsForActor(admin)).find((p) => p.id === project.id)?.requireTwoFactor).toBe(true);

    const memberSession = await authenticate({ email: member.email, password: PASSWORD }, null);
    const locked = (await loadSessionActor(memberSession.sessionToken))!;
    expect(locked.memberships[project.id]).toBeUndefined();
    expect(locked.twoFactorMissingFor).toEqual([project.id]);
    expect(can(locked, "project:view", { kind: "project", projectId: project.id })).toBe(false);
    expect(can(locked, "item:read", { kind: "project", projectId: project.id })).toBe(false);
    expect((await listProjectsForActor(locked)).map((p) => p.id)).not.toContain(project.id);
    expect(await listProjectsAwaitingTwoFactor(locked)).toEqual([{ id: project.id, name: expect.any(String) }]);
    expect((await getTwoFactorStatus(locked)).requiredByProjects).toHaveLength(1);
    expect((await getTwoFactorStatus(locked)).enrolmentCodeRequired).toBe(true);

    const enrolledSession = await authenticate({ email: enrolled.email, password: PASSWORD, code: appCode(enrolledSecret) }, null);
    const enrolledActor = (await loadSessionActor(enrolledSession.sessionToken))!;
    expect(enrolledActor.memberships[project.id]).toBe("EDITOR");
    expect(enrolledActor.twoFactorMissingFor).toEqual([]);

    await awayFromStepBoundary();
    const enrolment = await startTwoFactorEnrolment(locked);
    expect((await loadSessionActor(memberSession.sessionToken))!.twoFactorMissingFor).toEqual([project.id]); // pending is not enough
    // The password alone cannot bind an authenticator to an account that must use one.
    const refused = await errorOf(confirmTwoFactorEnrolment(locked, { code: appCode(enrolment.secret), currentPassword: PASSWORD }));
    expect(refused.fieldErrors?.enrolmentCode).toHaveLength(1);
    const { code: enrolmentCode } = await issueEnrolmentCode(admin, { userId: member.id, currentPassword: PASSWORD });
    const { session } = await confirmTwoFactorEnrolment(locked, { code: appCode(enrolment.secret), currentPassword: PASSWORD, enrolmentCode });
    // The session that enrolled was replaced; the fresh one proved both factors and gets in.
    expect(await loadSessionActor(memberSession.sessionToken)).toBeNull();
    const unlocked = (await loadSessionActor(session.token))!;
    expect(unlocked.memberships[project.id]).toBe("INVESTIGATOR");
    expect(unlocked.twoFactorMissingFor).toEqual([]);
    expect((await listProjectsForActor(unlocked)).map((p) => p.id)).toContain(project.id);

    await updateProjectSettings(admin, { projectId: project.id, timeZone: "Asia/Kabul", requiredConfirmations: 2, requireTwoFactor: false });
    await adminResetTwoFactor(admin, { userId: member.id, currentPassword: PASSWORD });
    const afterReset = await authenticate({ email: member.email, password: PASSWORD }, null);
    expect((await loadSessionActor(afterReset.sessionToken))!.memberships[project.id]).toBe("INVESTIGATOR");
  });
});

describe("audit", () => {
  it("keeps the chain intact through all of the above", async () => {
    await enrolledUser();
    const verdict = await verifyStoredAuditChain(db());
    expect(verdict.ok).toBe(true);
    const actions = new Set((await db().auditEvent.findMany({ select: { action: true } })).map((e) => e.action));
    for (const action of ["user.2fa.enrol_start", "user.2fa.enable"]) expect(actions).toContain(action);
  });
});
