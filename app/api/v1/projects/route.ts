// JSON API v1 (docs/api.md): bearer tokens only, never cookies, so CSRF does not apply.
import { can } from "@/lib/domain/permissions";
import { withApiActor } from "@/lib/server/api-auth";
import { listProjectsForActor } from "@/lib/server/services/projects/list-projects";

export const dynamic = "force-dynamic";

/**
 * Projects the token can read or submit to, with the id a resumable upload needs. A submit-only
 * token sees the projects it can feed, nothing more about them.
 */
export async function GET(request: Request) {
  return withApiActor(request, async (actor) => {
    const projects = await listProjectsForActor(actor);
    return Response.json({
      projects: projects
        .filter((p) => can(actor, "project:view", { kind: "project", projectId: p.id }) || can(actor, "item:create", { kind: "project", projectId: p.id }))
        .map((p) => ({
          id: p.id,
          slug: p.slug,
          name: p.name,
          role: p.role,
          timeZone: p.timeZone,
          canRead: can(actor, "project:view", { kind: "project", projectId: p.id }),
          canSubmit: can(actor, "item:create", { kind: "project", projectId: p.id }),
        })),
    });
  });
}
