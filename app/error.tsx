"use client";

// Never shows the error's message: server errors can carry internals. The digest lets an
// administrator find the full error in the server log.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="panel" role="alert">
      <h1>Something went wrong</h1>
      <p>Nothing you submitted was half-saved. Try again; if it keeps happening, give an administrator this reference: <code>{error.digest ?? "none"}</code>.</p>
      <button onClick={reset}>Try again</button>
    </div>
  );
}
