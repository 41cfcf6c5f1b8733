import { presentItem, referenceParamSchema } from "@/lib/server/api/v1";
import { withApiActor } from "@/lib/server/api-auth";
import { getItemDetail } from "@/lib/server/services/items/get-item-detail";
import { parseInput } from "@/lib/server/validation";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ slug: string; ref: string }> }) {
  return withApiActor(request, async (actor) => {
    const { slug, ref } = await params;
    const detail = await getItemDetail(actor, slug, parseInput(referenceParamSchema, ref));
    return Response.json({ item: presentItem(detail) });
  });
}
