import "server-only";
import type { Actor } from "@/lib/domain/permissions";
import { describeUserAgent, sessionVerdict } from "@/lib/domain/sessions";
import { db } from "../../db";
import { sessionPolicy } from "../../sessions";
import { selfServiceUserId } from "../../two-factor";

export interface SessionRow {
  id: string;
  current: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  browser: string;
  secondFactor: boolean;
}

/** The signed-in person's live sessions (this one first, then most recently seen). */
export async function listOwnSessions(actor: Actor): Promise<SessionRow[]> {
  const userId = selfServiceUserId(actor);
  const now = new Date();
  const rows = await db().session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now } },
    orderBy: { lastSeenAt: "desc" },
    select: { id: true, createdAt: true, lastSeenAt: true, expiresAt: true, revokedAt: true, ip: true, userAgent: true, authLevel: true },
    take: 200,
  });
  const policy = sessionPolicy();
  return rows
    .filter((row) => sessionVerdict(row, now, policy) === "active")
    .map((row) => ({
      id: row.id,
      current: row.id === actor.sessionId,
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      expiresAt: row.expiresAt,
      ip: row.ip,
      browser: describeUserAgent(row.userAgent),
      secondFactor: row.authLevel === "SECOND_FACTOR",
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}
