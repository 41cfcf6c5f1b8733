import "server-only";
import { notFound } from "@/lib/domain/errors";
import type { ImportRunSummary } from "@/lib/domain/import/report";
import { can, type Actor } from "@/lib/domain/permissions";
import { db } from "../../db";

/** The project's kept import runs, newest first, for review on the import page (editors and admins). */
export async function listImportRuns(actor: Actor, projectId: string, limit = 50): Promise<ImportRunSummary[]> {
  const allowed = can(actor, "import:run", { kind: "project", projectId }) || can(actor, "project:import", { kind: "system" });
  if (!allowed) throw notFound("That project");
  const runs = await db().importRun.findMany({ where: { projectId }, orderBy: { createdAt: "desc" }, take: limit });
  const users = await db().user.findMany({ where: { id: { in: [...new Set(runs.map((r) => r.createdById))] } }, select: { id: true, name: true, email: true } });
  const nameOf = new Map(users.map((u) => [u.id, u.name || u.email]));
  return runs.map((run) => {
    const options = (run.options ?? {}) as { onRowErrors?: string; updates?: string; preset?: string | null };
    return {
      id: run.id,
      createdAt: run.createdAt,
      filename: run.filename,
      sha256: run.sha256,
      format: run.format,
      by: nameOf.get(run.createdById) ?? "unknown user",
      counts: (run.counts ?? {}) as Record<string, number>,
      options: { onRowErrors: options.onRowErrors, updates: options.updates, preset: options.preset ?? null },
    };
  });
}
