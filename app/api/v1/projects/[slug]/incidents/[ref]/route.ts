import { referenceParamSchema } from "@/lib/server/api/v1";
import { withApiActor } from "@/lib/server/api-auth";
import { getIncident } from "@/lib/server/services/incidents/get-incident";
import { parseInput } from "@/lib/server/validation";

export const dynamic = "force-dynamic";

/** One incident with the linked items the token may read. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string; ref: string }> }) {
  return withApiActor(request, async (actor) => {
    const { slug, ref } = await params;
    const detail = await getIncident(actor, slug, parseInput(referenceParamSchema, ref));
    const { createdBy, ...incident } = detail.incident;
    return Response.json({
      incident: { ...incident, createdBy: createdBy.name, counts: detail.counts },
      evidence: detail.evidence,
    });
  });
}
