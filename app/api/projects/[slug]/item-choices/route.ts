import { handleRoute } from "@/lib/server/http";
import { searchItemChoices } from "@/lib/server/services/items/search-item-choices";

export const dynamic = "force-dynamic";

/** Type-ahead for item pickers: ?q= words or a reference prefix, over the items the signed-in user may read. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async (actor) => {
    const { slug } = await params;
    const choices = await searchItemChoices(actor, { projectSlug: slug, query: new URL(request.url).searchParams.get("q") ?? "" });
    return Response.json({ choices }, { headers: { "Cache-Control": "private, no-store" } });
  });
}
