import type { Metadata } from "next";
import Link from "next/link";
import { currentActor } from "@/lib/server/session";
import { SignOutButton } from "@/components/sign-out-button";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Groundtruth", template: "%s · Groundtruth" },
  description: "Evidence verification for open-source investigations",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const actor = await currentActor();
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
