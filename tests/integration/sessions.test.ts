// Server-side sessions (issue 14): each session records whether it passed a second factor, and
// a project that requires two-factor login serves only such sessions; changing a password or a
// second factor needs the current credentials, starts a fresh session and ends every other one;
// only an admin-issued enrolment code lets an account that must use two-factor login enrol;
// revoked, expired and idle sessions are refused.
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { can, SYSTEM_ACTOR } from "../../lib/domain/permissions";
import { DEFAULT_QUEUE_STATE } from "../../lib/domain/queue";
import { DEFAULT_SESSION_IDLE_MINUTES } from "../../lib/domain/sessions";
import { loadActor, loadSessionActor } from "../../lib/server/actor";
import { verifyStoredAuditChain } from "../../lib/server/audit";
import { db } from "../../lib/server/db";
import { createSession, hashSessionToken } from "../../lib/server/sessions";
import { authenticate } from "../../lib/server/services/accounts/authenticate";
import { changePassword } from "../../lib/server/services/accounts/change-password";
import { confirmTwoFactorEnrolment } from "../../lib/server/services/accounts/confirm-two-factor-enrolment";
import { disableTwoFactor } from "../../lib/server/services/accounts/disable-two-factor";
import { getTwoFactorStatus } from "../../lib/server/services/accounts/get-two-factor-status";
import { issueEnrolmentCode } from "../../lib/server/services/accounts/issue-enrolment-code";
import { regenerateRecoveryCodes } from "../../lib/server/services/accounts/regenerate-recovery-codes";
import { resetPassword } from "../../lib/server/services/accounts/reset-password";
import { adminResetTwoFactor } from "../../lib/server/services/accounts/reset-two-factor";
import { setUserActive } from "../../lib/server/services/accounts/set-user-active";
import { signOutSession } from "../../lib/server/services/accounts/sign-out";
import { startTwoFactorEnrolment } from "../../lib/server/services/accounts/start-two-factor-enrolment";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { updateProjectSettings } from "../../lib/server/services/projects/update-project-settings";
import { queryQueue } from "../../lib/server/services/queue/query-queue";
import { endAllSessions, endUserSessions } from "../../lib/server/services/sessions/admin-end-sessions";
import { endOtherOwnSessions, endOwnSession } from "../../lib/server/services/sessions/end-own-sessions";
import { listOwnSessions } from "../../lib/server/services/sessions/list-sessions";
import { PASSWORD, actorFor, makeProject, makeUser } from "../support/fixtures";

const MIN = 60_000;

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

function appCode(secret: string, offsetSteps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: Date.now() + offsetSteps * 30_000 });
}

async function awayFromStepBoundary(): Promise<void> {
  const remaining = TOTP.remaining({ period: 30 });
  if (remaining < 5_000) await new Promise((resolve) => setTimeout(resolve, remaining + 100));
}

/** Signs in like the login form does and returns the session's secret and its actor. */
async function signIn(email: string, options: { password?: string; code?: string; userAgent?: string } = {}) {
  const signedIn = await authenticate({ email, password: options.password ?? PASSWORD, code: options.code ?? "" }, "10.9.0.1", options.userAgent ?? null);
  const actor = await loadSessionActor(signedIn.sessionToken);
  if (!actor) throw new Error("the new session does not load");
  return { token: signedIn.sessionToken, actor };
}

/** A project that requires two-factor login, with one item in it. */
async function twoFactorProject() {
  const project = await makeProject();
  const editor = await makeUser({ projectId: project.id, role: "EDITOR" });
  await submitEvidence(await actorFor(editor.id), { projectId: project.id, title: "Sensitive item", sourceUrls: ["https://example.org/sensitive"] });
  await updateProjectSettings(SYSTEM_ACTOR, { projectId: project.id, timeZone: "UTC", requiredConfirmations: 1, requireTwoFactor: true });
  return project;
}

/** What a session can read of a project: the items' titles, or the refusal. */
async function titlesSeenBy(token: string, project: { id: string; slug: string }): Promise<string[] | "signed out" | "refused"> {
  const actor = await loadSessionActor(token);
  if (!actor) return "signed out";
  const page = await queryQueue(actor, { projectSlug: project.slug, state: { ...DEFAULT_QUEUE_STATE } }).catch((e: unknown) => (e instanceof DomainError ? null : Promise.reject(e)));
  if (!page) {
    expect(can(actor, "item:read", { kind: "project", projectId: project.id })).toBe(false);
    return "refused";
  }
  return page.rows.map((row) => row.title);
}

describe("two-factor is checked per session", () => {
  it("a password-only session is refused on a 2FA project even after the same user enrols in another session", async () => {
    await awayFromStepBoundary();
    const project = await twoFactorProject();
    const user = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);

    // Session A: someone with the password only (the attacker's copy, or a forgotten browser).
    const a = await signIn(user.email);
    expect(a.actor.twoFactorMissingFor).toEqual([project.id]);
    expect(await titlesSeenBy(a.token, project)).toBe("refused");

    // Session B: the owner enrols properly (password, app code and the admin's enrolment code).
    const b = await signIn(user.email);
    const enrolment = await startTwoFactorEnrolment(b.actor);
    const { code: enrolmentCode } = await issueEnrolmentCode(admin, { userId: user.id, currentPassword: PASSWORD });
    const { session } = await confirmTwoFactorEnrolment(b.actor, { code: appCode(enrolment.secret, -1), currentPassword: PASSWORD, enrolmentCode });

    // A gets nothing: not the project, not even a session.
    expect(await titlesSeenBy(a.token, project)).toBe("signed out");
    expect(await titlesSeenBy(b.token, project)).toBe("signed out");
    expect(await titlesSeenBy(session.token, project)).toEqual(["Sensitive item"]);

    // The account now has a second factor, but a session that did not pass it in itself (made
    // here directly, as any session that escaped revocation would be) still does not get in.
    const passwordOnly = await db().$transaction((tx) => createSession(tx, { userId: user.id, secondFactor: false, origin: { ip: null, userAgent: null } }));
    const stale = (await loadSessionActor(passwordOnly.token))!;
    expect(stale.memberships[project.id]).toBeUndefined();
    expect(stale.twoFactorMissingFor).toEqual([project.id]);
    expect(await titlesSeenBy(passwordOnly.token, project)).toBe("refused");

    // Signing in with the code is what opens it.
    const withCode = await signIn(user.email, { code: appCode(enrolment.secret, 1) });
    expect(withCode.actor.secondFactorInSession).toBe(true);
    expect(await titlesSeenBy(withCode.token, project)).toEqual(["Sensitive item"]);
    const row = await db().session.findUniqueOrThrow({ where: { tokenHash: hashSessionToken(withCode.token) } });
    expect(row).toMatchObject({ authLevel: "SECOND_FACTOR", ip: "10.9.0.1" });
    expect(row.secondFactorAt).toBeInstanceOf(Date);
  });
});

describe("enrolling needs the password, and an admin's code where two-factor is a must", () => {
  it("refuses enrolment from a session without the current password, and counts wrong passwords", async () => {
    await awayFromStepBoundary();
    const user = await makeUser();
    const { actor } = await signIn(user.email);
    const enrolment = await startTwoFactorEnrolment(actor);

    expect((await errorOf(confirmTwoFactorEnrolment(actor, { code: appCode(enrolment.secret) }))).fieldErrors?.currentPassword).toHaveLength(1);
    const wrong = await errorOf(confirmTwoFactorEnrolment(actor, { code: appCode(enrolment.secret), currentPassword: "not the password" }));
    expect(wrong.fieldErrors?.currentPassword).toEqual(["Your current password is not right."]);
    expect(await db().loginThrottle.findUnique({ where: { key: `account:${user.email}` } })).toMatchObject({ failures: 1 });
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).totpSecret).toBeNull();

    // Not a must-use account and never reset: the password and the app's code are enough.
    await confirmTwoFactorEnrolment(actor, { code: appCode(enrolment.secret), currentPassword: PASSWORD });
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).totpSecret).toBe(enrolment.secret);
  });

  it("stops someone with only the password of a 2FA-project member from binding their own authenticator", async () => {
    await awayFromStepBoundary();
    const project = await twoFactorProject();
    const victim = await makeUser({ projectId: project.id, role: "REVIEWER" });
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);

    // The attacker knows the password: signs in, starts enrolment with their own app, confirms.
    const attacker = await signIn(victim.email);
    const theirs = await startTwoFactorEnrolment(attacker.actor);
    const attempt = await errorOf(confirmTwoFactorEnrolment(attacker.actor, { code: appCode(theirs.secret), currentPassword: PASSWORD }));
    expect(attempt.code).toBe("VALIDATION");
    expect(attempt.fieldErrors?.enrolmentCode).toHaveLength(1);
    // A guessed or old code does not do either.
    const guessed = await errorOf(confirmTwoFactorEnrolment(attacker.actor, { code: appCode(theirs.secret), currentPassword: PASSWORD, enrolmentCode: "AAAAA-BBBBB-CCCCC-DDDDD" }));
    expect(guessed.fieldErrors?.enrolmentCode).toHaveLength(1);

    const row = await db().user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(row.totpSecret).toBeNull();
    expect(await titlesSeenBy(attacker.token, project)).toBe("refused");
    expect(await db().auditEvent.count({ where: { entityId: victim.id, action: "user.2fa.enrolment_code_failed" } })).toBe(1);

    // An expired code is refused; a fresh one works once and is then spent.
    const expired = await issueEnrolmentCode(admin, { userId: victim.id, currentPassword: PASSWORD });
    await db().user.update({ where: { id: victim.id }, data: { enrolmentCodeExpiresAt: new Date(Date.now() - 1) } });
    expect((await errorOf(confirmTwoFactorEnrolment(attacker.actor, { code: appCode(theirs.secret), currentPassword: PASSWORD, enrolmentCode: expired.code }))).fieldErrors?.enrolmentCode).toHaveLength(1);

    const issued = await issueEnrolmentCode(admin, { userId: victim.id, currentPassword: PASSWORD });
    expect(issued.code).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
    const stored = await db().user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(stored.enrolmentCodeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.enrolmentCodeHash).not.toContain(issued.code.replace(/-/g, ""));
    expect(stored.enrolmentCodeExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(24 * 60 * MIN);

    // The key the attacker started is never offered to the owner, nor can it be confirmed from
    // the owner's session (else the owner might scan it and share it with the attacker).
    const owner = await signIn(victim.email);
    expect((await getTwoFactorStatus(owner.actor)).enrolment).toBeNull();
    expect((await getTwoFactorStatus(attacker.actor)).enrolment?.secret).toBe(theirs.secret);
    const foreign = await errorOf(confirmTwoFactorEnrolment(owner.actor, { code: appCode(theirs.secret), currentPassword: PASSWORD, enrolmentCode: issued.code }));
    expect(foreign.code).toBe("CONFLICT");
    const mine = await startTwoFactorEnrolment(owner.actor);
    await confirmTwoFactorEnrolment(owner.actor, { code: appCode(mine.secret), currentPassword: PASSWORD, enrolmentCode: issued.code.toLowerCase() });
    expect(await db().user.findUniqueOrThrow({ where: { id: victim.id } })).toMatchObject({ totpSecret: mine.secret, enrolmentCodeHash: null, enrolmentCodeExpiresAt: null });
    const issue = await db().auditEvent.findFirstOrThrow({ where: { entityId: victim.id, action: "user.2fa.enrolment_code_issue" } });
    expect(issue.actorId).toBe(admin.userId);
    expect(JSON.stringify(issue)).not.toContain(issued.code);
  });

  it("asks for an admin's code after an admin reset, even outside 2FA projects", async () => {
    await awayFromStepBoundary();
    const user = await makeUser();
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const first = await signIn(user.email);
    const enrolment = await startTwoFactorEnrolment(first.actor);
    await confirmTwoFactorEnrolment(first.actor, { code: appCode(enrolment.secret, -1), currentPassword: PASSWORD });

    // An admin's reset needs the admin's own password: a stolen admin session is not enough.
    expect((await errorOf(adminResetTwoFactor(admin, { userId: user.id }))).fieldErrors?.currentPassword).toHaveLength(1);
    expect((await errorOf(adminResetTwoFactor(admin, { userId: user.id, currentPassword: "wrong password" }))).code).toBe("VALIDATION");
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).totpSecret).toBe(enrolment.secret);
    await adminResetTwoFactor(admin, { userId: user.id, currentPassword: PASSWORD });

    const again = await signIn(user.email);
    const second = await startTwoFactorEnrolment(again.actor);
    const refused = await errorOf(confirmTwoFactorEnrolment(again.actor, { code: appCode(second.secret), currentPassword: PASSWORD }));
    expect(refused.fieldErrors?.enrolmentCode).toHaveLength(1);
    const { code } = await issueEnrolmentCode(admin, { userId: user.id, currentPassword: PASSWORD });
    await confirmTwoFactorEnrolment(again.actor, { code: appCode(second.secret), currentPassword: PASSWORD, enrolmentCode: code });
    expect(await db().user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ totpSecret: second.secret, totpResetAt: null });
  });
});

describe("changing how you sign in ends your other sessions", () => {
  it("a password change needs the current password, starts a fresh session and ends every other one", async () => {
    const user = await makeUser();
    const laptop = await signIn(user.email);
    const phone = await signIn(user.email);

    const wrong = await errorOf(changePassword(phone.actor, { currentPassword: "not the password", newPassword: "a brand new passphrase" }));
    expect(wrong.fieldErrors?.currentPassword).toHaveLength(1);
    expect(await loadSessionActor(laptop.token)).not.toBeNull();
    await expect(authenticate({ email: user.email, password: PASSWORD }, null)).resolves.toMatchObject({ userId: user.id });

    const { session } = await changePassword(phone.actor, { currentPassword: PASSWORD, newPassword: "a brand new passphrase" });
    expect(await loadSessionActor(laptop.token)).toBeNull();
    expect(await loadSessionActor(phone.token)).toBeNull();
    const fresh = (await loadSessionActor(session.token))!;
    expect(fresh.userId).toBe(user.id);
    // The fresh session keeps the browser's address and description.
    expect(await db().session.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({ ip: "10.9.0.1", revokedAt: null });
    expect((await db().session.findUniqueOrThrow({ where: { tokenHash: hashSessionToken(laptop.token) } })).revokedReason).toBe("credentials_changed");
    expect((await errorOf(authenticate({ email: user.email, password: PASSWORD }, null))).code).toBe("UNAUTHENTICATED");
    await expect(authenticate({ email: user.email, password: "a brand new passphrase" }, null)).resolves.toMatchObject({ userId: user.id });
    expect(await db().auditEvent.count({ where: { entityId: user.id, action: "user.password_change" } })).toBe(1);
  });

  it("with two-factor on, a password change also needs a code; turning it off and new recovery codes end other sessions too", async () => {
    await awayFromStepBoundary();
    const user = await makeUser();
    const setup = await signIn(user.email);
    const enrolment = await startTwoFactorEnrolment(setup.actor);
    const { session: enrolled } = await confirmTwoFactorEnrolment(setup.actor, { code: appCode(enrolment.secret, -1), currentPassword: PASSWORD });
    const enrolledActor = (await loadSessionActor(enrolled.token))!;
    expect(enrolledActor.secondFactorInSession).toBe(true);

    const noCode = await errorOf(changePassword(enrolledActor, { currentPassword: PASSWORD, newPassword: "another long passphrase" }));
    expect(noCode.fieldErrors?.currentCode).toHaveLength(1);

    const other = await signIn(user.email, { code: appCode(enrolment.secret) });
    // Without the password, a code alone does not regenerate or disable.
    expect((await errorOf(regenerateRecoveryCodes(enrolledActor, { code: appCode(enrolment.secret, 1) }))).fieldErrors?.currentPassword).toHaveLength(1);
    const { session: afterRegenerate, recoveryCodes } = await regenerateRecoveryCodes(enrolledActor, { code: appCode(enrolment.secret, 1), currentPassword: PASSWORD });
    expect(await loadSessionActor(other.token)).toBeNull();
    expect(await loadSessionActor(enrolled.token)).toBeNull();

    const regenerated = (await loadSessionActor(afterRegenerate.token))!;
    const { session: afterDisable } = await disableTwoFactor(regenerated, { code: recoveryCodes[0]!, currentPassword: PASSWORD });
    expect(await loadSessionActor(afterRegenerate.token)).toBeNull();
    const plain = (await loadSessionActor(afterDisable.token))!;
    expect(plain.secondFactorInSession).toBe(false);
    expect((await db().session.findUniqueOrThrow({ where: { id: afterDisable.id } })).authLevel).toBe("PASSWORD");
  });

  it("an admin's password reset and a deactivation end every session of the user", async () => {
    const user = await makeUser();
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const one = await signIn(user.email);
    expect((await errorOf(resetPassword(admin, { userId: user.id, password: "set by the admin 123" }))).fieldErrors?.currentPassword).toHaveLength(1);
    expect(await loadSessionActor(one.token)).not.toBeNull();
    await resetPassword(admin, { userId: user.id, password: "set by the admin 123", currentPassword: PASSWORD });
    expect(await loadSessionActor(one.token)).toBeNull();

    const two = await signIn(user.email, { password: "set by the admin 123" });
    await setUserActive(admin, { userId: user.id, active: false });
    expect((await db().session.findUniqueOrThrow({ where: { tokenHash: hashSessionToken(two.token) } })).revokedReason).toBe("deactivated");
    await setUserActive(admin, { userId: user.id, active: true });
    // Reactivation does not revive the old session.
    expect(await loadSessionActor(two.token)).toBeNull();
  });
});

describe("a session ends", () => {
  it("at sign-out: the same secret is refused afterwards", async () => {
    const project = await makeProject();
    const user = await makeUser({ projectId: project.id, role: "EDITOR" });
    const { token } = await signIn(user.email);
    expect(await titlesSeenBy(token, project)).toEqual([]);
    await signOutSession(token);
    expect(await titlesSeenBy(token, project)).toBe("signed out");
    expect(await db().auditEvent.count({ where: { actorId: user.id, action: "auth.logout" } })).toBe(1);
    // Signing out again (or with garbage) is harmless.
    await signOutSession(token);
    await signOutSession("not a token");
    expect(await db().auditEvent.count({ where: { actorId: user.id, action: "auth.logout" } })).toBe(1);
  });

  it("at its absolute end, however active it is", async () => {
    const user = await makeUser();
    const { token } = await signIn(user.email);
    const row = await db().session.findUniqueOrThrow({ where: { tokenHash: hashSessionToken(token) } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(12 * 60 * MIN);
    // Used a minute before its end (so never idle): still refused once the end is reached.
    await db().session.update({ where: { id: row.id }, data: { lastSeenAt: new Date(row.expiresAt.getTime() - MIN) } });
    expect(await loadSessionActor(token, new Date(row.expiresAt.getTime() - 1_000))).not.toBeNull();
    expect(await loadSessionActor(token, row.expiresAt)).toBeNull();
  });

  it("after the idle timeout, and lastSeenAt is written at most once a minute", async () => {
    const user = await makeUser();
    const { token } = await signIn(user.email);
    const where = { tokenHash: hashSessionToken(token) };
    const started = (await db().session.findUniqueOrThrow({ where })).lastSeenAt;

    await loadSessionActor(token, new Date(started.getTime() + 30_000));
    expect((await db().session.findUniqueOrThrow({ where })).lastSeenAt).toEqual(started);
    const later = new Date(started.getTime() + 2 * MIN);
    await loadSessionActor(token, later);
    expect((await db().session.findUniqueOrThrow({ where })).lastSeenAt).toEqual(later);

    const idleLimit = DEFAULT_SESSION_IDLE_MINUTES * MIN;
    expect(await loadSessionActor(token, new Date(later.getTime() + idleLimit - 1_000))).not.toBeNull();
    const seen = (await db().session.findUniqueOrThrow({ where })).lastSeenAt;
    expect(await loadSessionActor(token, new Date(seen.getTime() + idleLimit))).toBeNull();
  });

  it("and ended sessions older than 30 days are deleted at the user's next sign-in", async () => {
    const user = await makeUser();
    const day = 24 * 60 * MIN;
    const old = await db().session.create({
      data: { tokenHash: "a".repeat(64), userId: user.id, authLevel: "PASSWORD", lastSeenAt: new Date(Date.now() - 31 * day), expiresAt: new Date(Date.now() - 31 * day) },
    });
    const recent = await db().session.create({
      data: { tokenHash: "b".repeat(64), userId: user.id, authLevel: "PASSWORD", lastSeenAt: new Date(Date.now() - 2 * day), expiresAt: new Date(Date.now() - day), revokedAt: new Date(Date.now() - day) },
    });
    await signIn(user.email);
    expect(await db().session.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await db().session.findUnique({ where: { id: recent.id } })).not.toBeNull();
  });

  it("is refused for unknown, malformed or deactivated-user secrets", async () => {
    expect(await loadSessionActor(undefined)).toBeNull();
    expect(await loadSessionActor("x".repeat(43))).toBeNull();
    expect(await loadSessionActor("short")).toBeNull();
  });
});

describe("your sessions and the admin's", () => {
  it("lists your own sessions and signs out one or all others, never someone else's", async () => {
    const user = await makeUser();
    const stranger = await makeUser();
    const here = await signIn(user.email, { userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" });
    const there = await signIn(user.email, { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1" });
    const third = await signIn(user.email);
    const strangers = await signIn(stranger.email);

    const listed = await listOwnSessions(here.actor);
    expect(listed).toHaveLength(3);
    expect(listed[0]).toMatchObject({ id: here.actor.sessionId, current: true, browser: "Firefox on Linux", ip: "10.9.0.1", secondFactor: false });
    expect(listed.map((s) => s.browser)).toContain("Safari on iOS");

    expect((await errorOf(endOwnSession(here.actor, { sessionId: strangers.actor.sessionId }))).code).toBe("NOT_FOUND");
    expect(await loadSessionActor(strangers.token)).not.toBeNull();

    await endOwnSession(here.actor, { sessionId: there.actor.sessionId });
    expect(await loadSessionActor(there.token)).toBeNull();
    expect((await listOwnSessions(here.actor)).map((s) => s.id).sort()).toEqual([here.actor.sessionId, third.actor.sessionId].sort());

    expect(await endOtherOwnSessions(here.actor)).toEqual({ ended: 1 });
    expect(await loadSessionActor(third.token)).toBeNull();
    expect(await loadSessionActor(here.token)).not.toBeNull();
    expect(await loadSessionActor(strangers.token)).not.toBeNull();
  });

  it("an admin ends all sessions of a user, or of everyone but themselves, audited; others cannot", async () => {
    const adminUser = await makeUser({ isAdmin: true });
    const user = await makeUser();
    const bystander = await makeUser();
    const admin = await signIn(adminUser.email);
    const userSession = await signIn(user.email);
    const bystanderSession = await signIn(bystander.email);
    const otherAdminSession = await signIn(adminUser.email);

    expect((await errorOf(endUserSessions(userSession.actor, { userId: bystander.id }))).code).toBe("FORBIDDEN");
    expect((await errorOf(endAllSessions(userSession.actor))).code).toBe("FORBIDDEN");
    expect(await loadSessionActor(bystanderSession.token)).not.toBeNull();

    expect(await endUserSessions(admin.actor, { userId: user.id })).toEqual({ ended: 1 });
    expect(await loadSessionActor(userSession.token)).toBeNull();
    expect(await loadSessionActor(bystanderSession.token)).not.toBeNull();

    const { ended } = await endAllSessions(admin.actor);
    expect(ended).toBeGreaterThanOrEqual(2);
    expect(await loadSessionActor(bystanderSession.token)).toBeNull();
    expect(await loadSessionActor(otherAdminSession.token)).toBeNull();
    expect(await loadSessionActor(admin.token)).not.toBeNull();

    const events = await db().auditEvent.findMany({ where: { action: { in: ["user.sessions_end", "sessions.end_all"] } }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ["user.sessions_end", adminUser.id],
      ["sessions.end_all", adminUser.id],
    ]);
    expect((await verifyStoredAuditChain(db())).ok).toBe(true);
  });

  it("API tokens and scripts keep loading the user without a browser session", async () => {
    const user = await makeUser();
    expect(await loadActor(user.id, 0)).toMatchObject({ userId: user.id });
    expect((await loadActor(user.id, 0))!.sessionId).toBeUndefined();
  });
});
