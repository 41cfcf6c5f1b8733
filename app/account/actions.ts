"use server";
// Each export is a public endpoint: runAction re-reads the session from the database, and the
// services act only on the signed-in user's own account. A change to how the user signs in
// (password, second factor) ends every session and starts a fresh one: its cookie is set here,
// and the session secret never travels in a reply body.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { setSessionCookie } from "@/lib/server/session";
import { changePassword } from "@/lib/server/services/accounts/change-password";
import { confirmTwoFactorEnrolment } from "@/lib/server/services/accounts/confirm-two-factor-enrolment";
import { disableTwoFactor } from "@/lib/server/services/accounts/disable-two-factor";
import { regenerateRecoveryCodes } from "@/lib/server/services/accounts/regenerate-recovery-codes";
import { startTwoFactorEnrolment } from "@/lib/server/services/accounts/start-two-factor-enrolment";
import { endOtherOwnSessions, endOwnSession } from "@/lib/server/services/sessions/end-own-sessions";

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : undefined;
};

async function done<T>(result: Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  const settled = await result;
  // Project access depends on two-factor login when a project requires it.
  if (settled.ok) revalidatePath("/", "layout");
  return settled;
}

export async function startTwoFactorEnrolmentAction(): Promise<ActionResult<null>> {
  // The new key is read back by the account page itself; nothing needs to travel in this reply.
  return done(runAction(async (actor) => (await startTwoFactorEnrolment(actor), null)));
}

export async function confirmTwoFactorEnrolmentAction(_previous: unknown, form: FormData): Promise<ActionResult<{ recoveryCodes: string[] }>> {
  return done(
    runAction(async (actor) => {
      const { recoveryCodes, session } = await confirmTwoFactorEnrolment(actor, {
        code: text(form, "code"),
        currentPassword: text(form, "currentPassword"),
        enrolmentCode: text(form, "enrolmentCode") || undefined,
      });
      await setSessionCookie(actor.userId, session);
      return { recoveryCodes };
    }, "Two-factor login is on. Your other sessions were signed out."),
  );
}

export async function regenerateRecoveryCodesAction(_previous: unknown, form: FormData): Promise<ActionResult<{ recoveryCodes: string[] }>> {
  return done(
    runAction(async (actor) => {
      const { recoveryCodes, session } = await regenerateRecoveryCodes(actor, { code: text(form, "code"), currentPassword: text(form, "currentPassword") });
      await setSessionCookie(actor.userId, session);
      return { recoveryCodes };
    }, "New recovery codes made; the old ones no longer work. Your other sessions were signed out."),
  );
}

export async function disableTwoFactorAction(_previous: unknown, form: FormData): Promise<ActionResult<null>> {
  return done(
    runAction(async (actor) => {
      const { session } = await disableTwoFactor(actor, { code: text(form, "code"), currentPassword: text(form, "currentPassword") });
      await setSessionCookie(actor.userId, session);
      return null;
    }, "Two-factor login is off. Your other sessions were signed out."),
  );
}

export async function changePasswordAction(_previous: unknown, form: FormData): Promise<ActionResult<null>> {
  return done(
    runAction(async (actor) => {
      const { session } = await changePassword(actor, {
        currentPassword: text(form, "currentPassword"),
        currentCode: text(form, "currentCode") || undefined,
        newPassword: text(form, "newPassword"),
      });
      await setSessionCookie(actor.userId, session);
      return null;
    }, "Password changed. Your other sessions were signed out."),
  );
}

export async function endSessionAction(_previous: unknown, form: FormData): Promise<ActionResult<null>> {
  return done(runAction(async (actor) => (await endOwnSession(actor, { sessionId: text(form, "sessionId") }), null), "Session signed out."));
}

export async function endOtherSessionsAction(): Promise<ActionResult<{ ended: number }>> {
  return done(runAction((actor) => endOtherOwnSessions(actor), "Signed out everywhere else."));
}
