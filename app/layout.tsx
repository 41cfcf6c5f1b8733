import type { Metadata } from "next";
import Link from "next/link";
import { currentActor } from "@/lib/server/session";
import { unreadNotificationCount } from "@/lib/server/services/comments/notifications";
import { SignOutButton } from "@/components/sign-out-button";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Groundtruth", template: "%s · Groundtruth" },
  description: "Evidence verification for open-source investigations",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const actor = await currentActor();
  const unread = actor ? await unreadNotificationCount(actor) : 0;
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">Skip to content</a>
        <header className="topbar">
          <Link href="/" className="brand">Groundtruth</Link>
          {actor ? (
            <nav aria-label="Main">
              <Link href="/">Projects</Link>
              {actor.isAdmin ? <Link href="/admin">Admin</Link> : null}
              <Link href="/account" data-testid="account-link">Account</Link>
              <Link href="/notifications" data-testid="notifications-link">
                Notifications{unread ? <span className="badge count" aria-label={`${unread} unread`}>{unread}</span> : null}
              </Link>
              <span className="who" data-testid="signed-in-as">{actor.name}</span>
              <SignOutButton />
            </nav>
          ) : null}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
