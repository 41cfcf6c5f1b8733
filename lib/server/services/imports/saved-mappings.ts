import "server-only";
import { z } from "zod";
import { DomainError, conflict, notFound } from "@/lib/domain/errors";
import { IMPORT_FORMATS, resolveMapping } from "@/lib/domain/import/mapping";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { type Prisma } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { isUniqueViolation } from "../../prisma-errors";
import { parseInput } from "../../validation";

export const SAVED_MAPPING_NAME_MAX = 80;
export const SAVED_MAPPINGS_PER_PROJECT = 50;

/** Who may keep a project's mappings: the same people who may import into it. */
function mayImport(actor: Actor, projectId: string): boolean {
  return can(actor, "import:run", { kind: "project", projectId }) || can(actor, "project:import", { kind: "system" });
}

export interface SavedMapping {
  id: string;
  name: string;
  format: string;
  /** The mapping as JSON text, as the import form edits it. */
  mapping: string;
  updatedAt: Date;
}

export async function listSavedMappings(actor: Actor, projectId: string): Promise<SavedMapping[]> {
  if (!mayImport(actor, projectId)) throw notFound("That project");
  const rows = await db().savedImportMapping.findMany({
    where: { projectId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, format: true, mapping: true, updatedAt: true },
  });
  return rows.map((row) => ({ ...row, mapping: JSON.stringify(row.mapping, null, 2) }));
}

const saveSchema = z.object({
  projectId: idSchema,
  name: z.string().trim().min(1, "Give the mapping a name").max(SAVED_MAPPING_NAME_MAX, `At most ${SAVED_MAPPING_NAME_MAX} characters`),
  format: z.enum(IMPORT_FORMATS, { message: "Choose TimeMap JSON or CSV" }),
  mapping: z.string().max(100_000),
});

/**
 * Saves a column mapping under a name for this project's next imports (the same name replaces
 * the earlier one). Only a mapping the import accepts can be saved. Audited.
 */
export async function saveImportMapping(actor: Actor, input: unknown): Promise<{ id: string; name: string; replaced: boolean }> {
  const data = parseInput(saveSchema, input);
  const project = await db().project.findUnique({ where: { id: data.projectId }, select: { id: true } });
  if (!project || !mayImport(actor, project.id)) throw notFound("That project");
  const resolved = resolveMapping(data.format, data.mapping);
  if (!resolved.ok) throw new DomainError("VALIDATION", "This mapping cannot be saved: fix it first.", resolved.errors);
  const mapping = JSON.parse(data.mapping) as Prisma.InputJsonValue;

  return db()
    .$transaction(async (tx) => {
    const existing = await tx.savedImportMapping.findUnique({ where: { projectId_name: { projectId: project.id, name: data.name } }, select: { id: true, mapping: true, format: true } });
    if (!existing && (await tx.savedImportMapping.count({ where: { projectId: project.id } })) >= SAVED_MAPPINGS_PER_PROJECT) {
      throw new DomainError("VALIDATION", `A project keeps at most ${SAVED_MAPPINGS_PER_PROJECT} saved mappings; delete one first.`, { name: ["Too many saved mappings."] });
    }
    const saved = existing
      ? await tx.savedImportMapping.update({ where: { id: existing.id }, data: { format: data.format, mapping }, select: { id: true } })
      : await tx.savedImportMapping.create({ data: { projectId: project.id, name: data.name, format: data.format, mapping, createdById: actor.userId }, select: { id: true } });
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: project.id,
      action: existing ? "import.mapping_replace" : "import.mapping_save",
      entityType: "SavedImportMapping",
      entityId: saved.id,
      before: existing ? { format: existing.format, mapping: existing.mapping } : undefined,
      after: { name: data.name, format: data.format, mapping },
    });
    return { id: saved.id, name: data.name, replaced: !!existing };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw conflict("Someone saved a mapping under this name at the same moment. Save again to replace it.");
      throw error;
    });
}

const deleteSchema = z.object({ mappingId: idSchema });

export async function deleteImportMapping(actor: Actor, input: unknown): Promise<{ name: string }> {
  const { mappingId } = parseInput(deleteSchema, input);
  return db().$transaction(async (tx) => {
    const found = await tx.savedImportMapping.findUnique({ where: { id: mappingId }, select: { id: true, projectId: true, name: true, format: true, mapping: true } });
    if (!found || !mayImport(actor, found.projectId)) throw notFound("That mapping");
    const deleted = await tx.savedImportMapping.deleteMany({ where: { id: found.id } });
    if (deleted.count !== 1) throw notFound("That mapping");
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: found.projectId,
      action: "import.mapping_delete",
      entityType: "SavedImportMapping",
      entityId: found.id,
      before: { name: found.name, format: found.format, mapping: found.mapping },
    });
    return { name: found.name };
  });
}
