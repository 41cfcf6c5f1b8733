import "server-only";
import { z } from "zod";
import { DomainError, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { BUILT_IN_VIEWS, SAVED_VIEW_NAME_MAX, parseQueueState, queueStateToSearch } from "@/lib/domain/queue";
import { idSchema } from "@/lib/domain/schemas";
import { findVisibleProject } from "../../access";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";

export interface SavedViewLink {
  id: string | null;
  name: string;
  search: string;
  builtIn: boolean;
}

/** A view is stored as its canonical query string, without the page number. */
function canonicalSearch(search: string): string {
  const { state } = parseQueueState(new URLSearchParams(search.replace(/^\?/, "")));
  return queueStateToSearch({ ...state, page: 1 });
}

export async function listSavedViews(actor: Actor, projectSlug: string): Promise<SavedViewLink[]> {
  const project = await findVisibleProject(actor, projectSlug);
  const own = await db().savedView.findMany({ where: { userId: actor.userId, projectId: project.id }, orderBy: { name: "asc" }, select: { id: true, name: true, query: true } });
  return [
    ...BUILT_IN_VIEWS.map((view) => ({ id: null, name: view.name, search: canonicalSearch(view.search), builtIn: true })),
    // Stored strings are parsed again: a view saved before a filter changed still opens.
    ...own.map((view) => ({ id: view.id, name: view.name, search: canonicalSearch(view.query), builtIn: false })),
  ];
}

const saveSchema = z.object({
  projectId: idSchema,
  name: z.string().trim().min(1, "Name the view").max(SAVED_VIEW_NAME_MAX, `At most ${SAVED_VIEW_NAME_MAX} characters`),
  search: z.string().max(4000),
});

/** Saves (or replaces, by name) one of the actor's own views. */
export async function saveView(actor: Actor, input: unknown): Promise<SavedViewLink> {
  const data = parseInput(saveSchema, input);
  if (!Object.hasOwn(actor.memberships, data.projectId) || !actor.active) throw notFound("That project");
  if (BUILT_IN_VIEWS.some((view) => view.name.toLowerCase() === data.name.toLowerCase())) {
    throw new DomainError("VALIDATION", "That name belongs to a built-in view: choose another.", { name: ["Choose another name"] });
  }
  const query = canonicalSearch(data.search);
  return db().$transaction(async (tx) => {
    const view = await tx.savedView.upsert({
      where: { userId_projectId_name: { userId: actor.userId, projectId: data.projectId, name: data.name } },
      create: { userId: actor.userId, projectId: data.projectId, name: data.name, query },
      update: { query },
      select: { id: true, name: true, query: true },
    });
    await appendAuditEvent(tx, { actorId: actor.userId, projectId: data.projectId, action: "view.save", entityType: "SavedView", entityId: view.id, after: { name: view.name, query } });
    return { id: view.id, name: view.name, search: view.query, builtIn: false };
  });
}

export async function deleteView(actor: Actor, input: unknown): Promise<void> {
  const { viewId } = parseInput(z.object({ viewId: idSchema }), input);
  await db().$transaction(async (tx) => {
    const view = await tx.savedView.findFirst({ where: { id: viewId, userId: actor.userId }, select: { id: true, projectId: true, name: true, query: true } });
    if (!view) throw notFound("That view");
    await tx.savedView.delete({ where: { id: view.id } });
    await appendAuditEvent(tx, { actorId: actor.userId, projectId: view.projectId, action: "view.delete", entityType: "SavedView", entityId: view.id, before: { name: view.name, query: view.query } });
  });
}
