import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { DomainError } from "@/lib/domain/errors";
import { sessionCookieSettings } from "@/lib/domain/web-security";
import { loadSessionActor } from "./actor";
import { clientAddressOf } from "./client-address";
import { authenticate } from "./services/accounts/authenticate";
import { signOutSession } from "./services/accounts/sign-out";
import { logger } from "./logger";
import { sessionPolicy } from "./sessions";

function userAgentOf(headers: Record<string, string | string[] | undefined> | undefined): string | null {
  const value = headers?.["user-agent"];
  return (Array.isArray(value) ? value[0] : value) || null;
}

// next-auth's defaults already look like this; spelling them out ties Secure and the
// __Secure- prefix to NEXTAUTH_URL explicitly and keeps a dependency update from loosening them.
const sessionCookie = sessionCookieSettings(process.env.NEXTAUTH_URL);

/** Thrown by the jwt callback for a cookie whose server-side session has ended (not a fault). */
const SESSION_ENDED = "session ended";

/**
 * The cookie is a next-auth JWT that only names a server-side session (`sid`, a random secret
 * stored as SHA-256 in the Session table). Whether it signs anyone in is decided by that record
 * on every request (lib/server/session.ts): sign-out revokes it, and the absolute lifetime and
 * idle timeout end it, however often next-auth re-issues the cookie.
 */
export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: Math.ceil(sessionPolicy().maxAgeMs / 1000) },
  useSecureCookies: sessionCookie.useSecureCookies,
  cookies: { sessionToken: { name: sessionCookie.name, options: sessionCookie.options } },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
        code: { label: "Authentication code", type: "text" },
      },
      async authorize(credentials, req) {
        try {
          const user = await authenticate(
            { email: credentials?.email ?? "", password: credentials?.password ?? "", code: credentials?.code ?? "" },
            clientAddressOf(req?.headers),
            userAgentOf(req?.headers),
          );
          return { id: user.userId, sid: user.sessionToken, sessionExpiresAt: user.sessionExpiresAt.toISOString() };
        } catch (error) {
          // next-auth passes a thrown Error's message to the login form; only ours are safe to show.
          if (error instanceof DomainError) throw new Error(error.message);
          logger.error("login failed unexpectedly", { error });
          throw new Error("Sign-in is unavailable right now. Try again shortly.");
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        const signedIn = user as unknown as { id: string; sid: string; sessionExpiresAt: string };
        return { sub: signedIn.id, uid: signedIn.id, sid: signedIn.sid, sx: signedIn.sessionExpiresAt };
      }
      // Every other call is GET /api/auth/session re-reading the cookie: it answers (and renews
      // the cookie) only while the session record is live. Throwing makes next-auth answer {}
      // and clear the cookie.
      if (!(await loadSessionActor(token.sid))) throw new Error(SESSION_ENDED);
      return token;
    },
    async session({ session, token }) {
      // Nothing secret goes to the client: not the session id, and no roles (read per request).
      // `expires` is the session's absolute end, not next-auth's sliding cookie expiry.
      const absolute = typeof token.sx === "string" ? token.sx : session.expires;
      const expires = new Date(Math.min(Date.parse(absolute), Date.parse(session.expires))).toISOString();
      return { expires, uid: token.uid as string } as unknown as typeof session;
    },
  },
  events: {
    // Runs after next-auth has checked the sign-out request's CSRF token.
    async signOut({ token }) {
      await signOutSession((token as { sid?: unknown } | null)?.sid);
    },
  },
  logger: {
    error(code, metadata) {
      const message = metadata instanceof Error ? metadata.message : (metadata as { message?: unknown } | undefined)?.message;
      if (code === "JWT_SESSION_ERROR" && message === SESSION_ENDED) return;
      logger.error(`next-auth: ${code}`, { error: metadata });
    },
    warn(code) {
      logger.warn(`next-auth: ${code}`);
    },
    debug() {},
  },
};
