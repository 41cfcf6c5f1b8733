import { handleRoute, lookupSegment } from "@/lib/server/http";
import { getCustodyReport } from "@/lib/server/services/items/custody-report";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ slug: string; ref: string }> }) {
  return handleRoute(async (actor) => {
    const { slug, ref } = await params;
    const report = await getCustodyReport(actor, slug, lookupSegment(ref));
    return new Response(JSON.stringify(report, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="custody-${report.item.reference}.json"`,
        "Cache-Control": "private, no-store",
      },
    });
  });
}
