"use server";
// Each export is a public endpoint: runAction re-reads the session from the database and the
// service checks the permission and parses the input itself.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { createUser } from "@/lib/server/services/accounts/create-user";
import { resetPassword } from "@/lib/server/services/accounts/reset-password";
import { issueEnrolmentCode } from "@/lib/server/services/accounts/issue-enrolment-code";
import { adminResetTwoFactor } from "@/lib/server/services/accounts/reset-two-factor";
import { setMembership } from "@/lib/server/services/accounts/set-membership";
import { setUserActive } from "@/lib/server/services/accounts/set-user-active";
import { acknowledgeAlert } from "@/lib/server/services/admin/alerts";
import { requestFixityCheck } from "@/lib/server/services/admin/fixity";
import { createProject } from "@/lib/server/services/projects/create-project";
import { updateProjectSettings } from "@/lib/server/services/projects/update-project-settings";
import { endAllSessions, endUserSessions } from "@/lib/server/services/sessions/admin-end-sessions";

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : undefined;
};

async function done<T>(result: Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  const settled = await result;
  if (settled.ok) revalidatePath("/admin");
  return settled;
}

export async function createUserAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  return done(
    runAction(
      (actor) =>
        createUser(actor, {
          email: text(form, "email"),
          name: text(form, "name"),
          password: text(form, "password"),
          isAdmin: form.get("isAdmin") === "on",
        }),
      "User created.",
    ),
  );
}

export async function setUserActiveAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  return done(
    runAction(
      (actor) => setUserActive(actor, { userId: text(form, "userId"), active: text(form, "active") === "true" }),
      text(form, "active") === "true" ? "User reactivated." : "User deactivated; their sessions have ended.",
    ),
  );
}

export async function setMembershipAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const role = text(form, "role");
  // The role the admin saw ("" = not a member): the service refuses if it changed meanwhile.
  const expectedRole = text(form, "expectedRole");
  return done(
    runAction(
      (actor) =>
        setMembership(actor, {
          userId: text(form, "userId"),
          projectId: text(form, "projectId"),
          role: role === "" ? null : role,
          ...(expectedRole === undefined ? {} : { expectedRole: expectedRole === "" ? null : expectedRole }),
        }),
      "Project role saved.",
    ),
  );
}

export async function resetPasswordAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  return done(
    runAction(
      (actor) => resetPassword(actor, { userId: text(form, "userId"), password: text(form, "password"), ...confirmation(form) }),
      "Password reset; their sessions have ended.",
    ),
  );
}

export async function resetTwoFactorAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  return done(
    runAction(
      (actor) => adminResetTwoFactor(actor, { userId: text(form, "userId"), ...confirmation(form) }),
      "Two-factor login reset; their sessions have ended. They need an enrolment code to set it up again.",
    ),
  );
}

/** The admin's own password (and code) confirming a reset: fields currentPassword, currentCode. */
function confirmation(form: FormData) {
  return { currentPassword: text(form, "currentPassword"), currentCode: text(form, "currentCode") || undefined };
}

export async function issueEnrolmentCodeAction(_previous: unknown, form: FormData): Promise<ActionResult<{ code: string; expiresAt: string }>> {
  return done(
    runAction(async (actor) => {
      const issued = await issueEnrolmentCode(actor, { userId: text(form, "userId"), ...confirmation(form) });
      return { code: issued.code, expiresAt: issued.expiresAt.toISOString() };
    }, "Enrolment code issued. It is shown only now."),
  );
}

export async function endUserSessionsAction(_previous: unknown, form: FormData): Promise<ActionResult<{ ended: number }>> {
  return done(runAction((actor) => endUserSessions(actor, { userId: text(form, "userId") }), "Their sessions have ended."));
}

export async function endAllSessionsAction(): Promise<ActionResult<{ ended: number }>> {
  return done(runAction((actor) => endAllSessions(actor), "Everyone else has been signed out."));
}

export async function createProjectAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  return done(
    runAction(
      (actor) => createProject(actor, { name: text(form, "name"), slug: text(form, "slug"), description: text(form, "description") ?? "" }),
      "Project created.",
    ),
  );
}

export async function updateProjectSettingsAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  return done(
    runAction(
      (actor) =>
        updateProjectSettings(actor, {
          projectId: text(form, "projectId"),
          timeZone: text(form, "timeZone"),
          requiredConfirmations: text(form, "requiredConfirmations"),
          requireTwoFactor: form.get("requireTwoFactor") === "on",
        }),
      "Settings saved.",
    ),
  );
}

export async function acknowledgeAlertAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  return done(runAction((actor) => acknowledgeAlert(actor, { alertId: text(form, "alertId") }), "Alert acknowledged."));
}

export async function requestFixityCheckAction(): Promise<ActionResult> {
  return done(
    runAction(async (actor) => {
      const queued = await requestFixityCheck(actor);
      return { created: queued.created };
    }, "Fixity check queued; a worker runs it next."),
  );
}
