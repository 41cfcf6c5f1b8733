import { handleRoute } from "@/lib/server/http";
import { searchIncidentChoices } from "@/lib/server/services/incidents/list-incidents";

export const dynamic = "force-dynamic";

/** Type-ahead for incident pickers: ?q= words or a reference prefix; ?exclude=id,id leaves linked ones out. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async (actor) => {
    const { slug } = await params;
    const search = new URL(request.url).searchParams;
    const excludeIds = (search.get("exclude") ?? "").split(",").filter((id) => id.length > 0);
    const choices = await searchIncidentChoices(actor, { projectSlug: slug, query: search.get("q") ?? "", excludeIds });
    return Response.json({ choices }, { headers: { "Cache-Control": "private, no-store" } });
  });
}
