import "server-only";
import { decode, encode } from "next-auth/jwt";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { DomainError } from "@/lib/domain/errors";
import { sessionCookieSettings } from "@/lib/domain/web-security";
import { loadSessionActor, type SessionActor } from "./actor";
import type { NewSession } from "./sessions";

/** The session cookie's name and flags (Secure and the __Secure- prefix on https). */
export function sessionCookie() {
  return sessionCookieSettings(process.env.NEXTAUTH_URL);
}

/**
 * The session secret inside a session cookie's value (a JWT encrypted by next-auth with
 * NEXTAUTH_SECRET), or null when it is missing, forged or from before server-side sessions.
 */
export async function sessionTokenOfCookie(value: string | undefined): Promise<string | null> {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!value || !secret) return null;
  try {
    const jwt = await decode({ token: value, secret });
    return typeof jwt?.sid === "string" ? jwt.sid : null;
  } catch {
    return null;
  }
}

/**
 * The signed-in, still-active actor for this request, or null. The cookie only names a session;
 * the session record (revoked? expired? idle?) and the user are read from the database on every
 * request. Memoised per server render, so the layout and the page share one lookup.
 */
export const currentActor = cache(async function currentActor(): Promise<SessionActor | null> {
  const jar = await cookies();
  const token = await sessionTokenOfCookie(jar.get(sessionCookie().name)?.value);
  return token ? loadSessionActor(token) : null;
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

/**
 * For server actions that started a fresh session (after a password or second-factor change):
 * replaces this browser's cookie with one naming the new session, in the format next-auth
 * itself writes, so sign-out and /api/auth/session keep working with it.
 */
export async function setSessionCookie(userId: string, session: NewSession): Promise<void> {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is not set");
  const maxAge = Math.max(1, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  const value = await encode({ token: { sub: userId, uid: userId, sid: session.token }, secret, maxAge });
  const { name, options } = sessionCookie();
  (await cookies()).set(name, value, { ...options, expires: session.expiresAt });
}
