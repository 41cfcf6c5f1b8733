// Browser side of POST /api/client-errors: a failure the page recovers from (showing a fallback)
// still reaches the server log, and the browser console, instead of being swallowed.
import type { ClientErrorSource } from "@/lib/domain/client-errors";

export const CLIENT_ERRORS_URL = "/api/client-errors";

function describe(error: unknown): { name: string | null; message: string; stack: string | null } {
  if (error instanceof Error) return { name: error.name, message: error.message || error.name, stack: error.stack ?? null };
  // Some libraries throw plain strings (Leaflet.markercluster: "Map has no maxZoom specified").
  let message: string;
  try {
    message = typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
  } catch {
    message = String(error);
  }
  return { name: null, message: message || "Unknown error", stack: null };
}

/** Logs `error` to the console and sends it to the server log; never throws, never waits. */
export function reportClientError(source: ClientErrorSource, error: unknown): void {
  console.error(`[${source}]`, error);
  try {
    const body = JSON.stringify({ source, ...describe(error), page: window.location.pathname });
    void fetch(CLIENT_ERRORS_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => undefined);
  } catch {
    // Reporting must never break the page it reports on.
  }
}
