import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { DomainError } from "@/lib/domain/errors";
import { sessionCookieSettings } from "@/lib/domain/web-security";
import { clientAddressOf } from "./client-address";
import { authenticate } from "./services/accounts/authenticate";
import { logger } from "./logger";

// next-auth's defaults already look like this; spelling them out ties Secure and the
// __Secure- prefix to NEXTAUTH_URL explicitly and keeps a dependency update from loosening them.
const sessionCookie = sessionCookieSettings(process.env.NEXTAUTH_URL);

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
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
          );
          return { id: user.userId, sessionVersion: user.sessionVersion };
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
        token.uid = user.id;
        token.sv = (user as unknown as { sessionVersion: number }).sessionVersion;
      }
      return token;
    },
    async session({ session, token }) {
      // Only identifiers go to the client; roles and rights are read from the database per request.
      return { expires: session.expires, uid: token.uid as string, sv: token.sv as number } as unknown as typeof session;
    },
  },
};
