import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { scopeOf } from "@/lib/domain/permissions";
import { findMemberProject, readJsonBody, referenceParamSchema } from "@/lib/server/api/v1";
import { withApiActor } from "@/lib/server/api-auth";
import { db } from "@/lib/server/db";
import { addComment } from "@/lib/server/services/comments/add-comment";
import { parseInput } from "@/lib/server/validation";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ body: z.unknown() });

/** Adds a comment; addComment checks that the token may read and comment on this item. */
export async function POST(request: Request, { params }: { params: Promise<{ slug: string; ref: string }> }) {
  return withApiActor(request, async (actor) => {
    const { slug, ref } = await params;
    const project = await findMemberProject(actor, slug);
    // A token without the comment scope is refused outright, before the item is looked at.
    if (!scopeOf(actor, "item:comment", project.id)) throw forbidden("This token cannot comment.");
    const { body } = parseInput(bodySchema, await readJsonBody(request));
    const item = await db().evidenceItem.findFirst({ where: { projectId: project.id, reference: parseInput(referenceParamSchema, ref) }, select: { id: true } });
    if (!item) throw notFound("That item");
    const comment = await addComment(actor, { itemId: item.id, body });
    return Response.json({ id: comment.id }, { status: 201 });
  });
}
