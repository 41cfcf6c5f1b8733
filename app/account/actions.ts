"use server";
// Each export is a public endpoint: runAction re-reads the session from the database, and the
// services act only on the signed-in user's own account.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { confirmTwoFactorEnrolment } from "@/lib/server/services/accounts/confirm-two-factor-enrolment";
import { disableTwoFactor } from "@/lib/server/services/accounts/disable-two-factor";
import { regenerateRecoveryCodes } from "@/lib/server/services/accounts/regenerate-recovery-codes";
import { startTwoFactorEnrolment } from "@/lib/server/services/accounts/start-two-factor-enrolment";

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
  return done(runAction((actor) => confirmTwoFactorEnrolment(actor, { code: text(form, "code") }), "Two-factor login is on."));
}

export async function regenerateRecoveryCodesAction(_previous: unknown, form: FormData): Promise<ActionResult<{ recoveryCodes: string[] }>> {
  return done(runAction((actor) => regenerateRecoveryCodes(actor, { code: text(form, "code") }), "New recovery codes made; the old ones no longer work."));
}

export async function disableTwoFactorAction(_previous: unknown, form: FormData): Promise<ActionResult<null>> {
  return done(runAction(async (actor) => (await disableTwoFactor(actor, { code: text(form, "code") }), null), "Two-factor login is off."));
}
