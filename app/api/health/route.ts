// Liveness: the process is up and serving. Readiness (database, store) comes with scale-out work.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
