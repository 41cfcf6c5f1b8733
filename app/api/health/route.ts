// Liveness: the process is up and serving; no I/O, so a slow database never gets an instance
// restarted. Whether it can serve traffic is /api/ready.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
