import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { cache } from "react";
import { DomainError } from "@/lib/domain/errors";
import { loadActor, type SessionActor } from "./actor";
import { authOptions } from "./auth-options";

/**
 * The signed-in, still-active actor for this request, or null. Memoised per server render, so
 * the layout and the page share one session decode and one database lookup.
 */
export const currentActor = cache(async function currentActor(): Promise<SessionActor | null> {
  const session = (await getServerSession(authOptions)) as { uid?: unknown; sv?: unknown } | null;
  if (!session || typeof session.uid !== "string" || typeof session.sv !== "number") return null;
  return loadActor(session.uid, session.sv);
});

/** For pages: send anyone without a valid, active session to the login page. */
export async function actorOrRedirect(): Promise<SessionActor> {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  return actor;
}

/** For actions and route handlers. */
export async function requireActor(): Promise<SessionActor> {
  const actor = await currentActor();
  if (!actor) throw new DomainError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
  return actor;
}
