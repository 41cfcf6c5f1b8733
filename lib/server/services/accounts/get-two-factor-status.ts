import "server-only";
import { notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { enrolmentCodeRequired, twoFactorRequiredFor } from "@/lib/domain/two-factor";
import { db } from "../../db";
import { otpauthUriFor, qrSvgFor, selfServiceUserId } from "../../two-factor";

export interface TwoFactorEnrolment {
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  unusedRecoveryCodes: number;
  /** An enrolment started but not yet confirmed with a code. */
  enrolment: TwoFactorEnrolment | null;
  /** Names of the actor's projects that admit only members with two-factor login. */
  requiredByProjects: string[];
  /** Turning it on needs an enrolment code from an administrator (must-use account, or after a reset). */
  enrolmentCodeRequired: boolean;
}

export async function enrolmentFor(secret: string, email: string): Promise<TwoFactorEnrolment> {
  const otpauthUri = otpauthUriFor(secret, email);
  return { secret, otpauthUri, qrSvg: await qrSvgFor(otpauthUri) };
}

/** The signed-in user's own second-factor state, for the account page. */
export async function getTwoFactorStatus(actor: Actor): Promise<TwoFactorStatus> {
  const userId = selfServiceUserId(actor);
  const user = await db().user.findUnique({
    where: { id: userId },
    select: {
      email: true,
      totpSecret: true,
      totpPending: true,
      totpPendingSessionId: true,
      totpEnabledAt: true,
      totpResetAt: true,
      _count: { select: { recoveryCodes: { where: { usedAt: null } } } },
      memberships: { select: { project: { select: { name: true, settings: true } } }, orderBy: { project: { name: "asc" } } },
    },
  });
  if (!user) throw notFound("Your account");
  const enabled = user.totpSecret !== null;
  return {
    enabled,
    enabledAt: user.totpEnabledAt,
    unusedRecoveryCodes: enabled ? user._count.recoveryCodes : 0,
    // Only the session that started the set-up is shown its key.
    enrolment: !enabled && user.totpPending && user.totpPendingSessionId === (actor.sessionId ?? null) ? await enrolmentFor(user.totpPending, user.email) : null,
    requiredByProjects: user.memberships.filter((m) => twoFactorRequiredFor(m.project.settings)).map((m) => m.project.name),
    enrolmentCodeRequired: !enabled && enrolmentCodeRequired({ totpResetAt: user.totpResetAt, projectSettings: user.memberships.map((m) => m.project.settings) }),
  };
}
