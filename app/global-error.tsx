"use client";

// Replaces the root layout when it fails itself, so it renders its own <html>. Like app/error.tsx
// it never shows the error's message (server errors can carry internals), only the digest an
// administrator can find in the server log.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main id="main">
          <div className="panel" role="alert">
            <h1>Something went wrong</h1>
            <p>Nothing you submitted was half-saved. Try again; if it keeps happening, give an administrator this reference: <code>{error.digest ?? "none"}</code>.</p>
            <button onClick={reset}>Try again</button>
          </div>
        </main>
      </body>
    </html>
  );
}
