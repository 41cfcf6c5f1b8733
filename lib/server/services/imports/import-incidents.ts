import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { DomainError, conflict, forbidden, notFound } from "@/lib/domain/errors";
import { incidentTypesOf } from "@/lib/domain/incident-fields";
import { IMPORT_FORMATS, resolveMapping, type ImportMapping } from "@/lib/domain/import/mapping";
import { MAX_IMPORT_BYTES, parseImportFile, type ImportProblem, type IncidentDraft } from "@/lib/domain/import/parse";
import { MAX_REPORTED_PROBLEMS, type ImportReport } from "@/lib/domain/import/report";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent, appendAuditEvents, type AuditEntry } from "../../audit";
import { db, type Tx } from "../../db";
import { adminAreaAt } from "../../geo/admin-areas";
import { isUniqueViolation } from "../../prisma-errors";
import { parseInput } from "../../validation";
import { nextIncidentReference } from "../incidents/incident-access";
import { nextItemReference, referencePrefix } from "../items/item-reference";

const importInputSchema = z.object({
  projectId: idSchema,
  format: z.enum(IMPORT_FORMATS, { message: "Choose TimeMap JSON or CSV" }),
  /** The file's bytes, or the same bytes base64-encoded (JSON callers). */
  bytes: z.union([z.instanceof(Uint8Array), z.string()], { message: "Choose a file" }),
  mapping: z.union([z.string().max(100_000), z.record(z.string(), z.unknown()), z.null()]).optional(),
  dryRun: z.boolean(),
  filename: z.string().trim().min(1, "The file needs a name").max(255),
});

/** Relation note on every source link an import creates. */
export const IMPORTED_SOURCE_RELATION = "Imported source";
/** Tag on imported items, so the queue can find them. */
export const IMPORTED_ITEM_TAG = "imported";

const BATCH = 1000;
// Thousands of rows in one all-or-nothing transaction take longer than an ordinary write.
const IMPORT_TRANSACTION = { maxWait: 15_000, timeout: 300_000 };

class ExternalIdClash extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super("external ids already imported");
  }
}

function tooLarge(): DomainError {
  const limit = `${MAX_IMPORT_BYTES / 1024 / 1024} MiB`;
  return new DomainError("VALIDATION", `The file is larger than ${limit}; split it into smaller files.`, { file: [`At most ${limit}.`] });
}

function decodeBytes(bytes: Uint8Array | string): Uint8Array {
  if (typeof bytes !== "string") {
    if (bytes.length > MAX_IMPORT_BYTES) throw tooLarge();
    return bytes;
  }
  if (bytes.length > Math.ceil(MAX_IMPORT_BYTES / 3) * 4 + 4) throw tooLarge();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(bytes)) throw new DomainError("VALIDATION", "The file data is not base64.", { file: ["Not base64."] });
  return new Uint8Array(Buffer.from(bytes, "base64"));
}

/** Rows whose id some incident of the project already has (an earlier import of the same data). */
async function externalIdClashes(client: Tx, projectId: string, drafts: IncidentDraft[]): Promise<ImportProblem[]> {
  const rowById = new Map(drafts.map((d) => [d.externalId, d.rowNumber]));
  const ids = [...rowById.keys()];
  const problems: ImportProblem[] = [];
  for (let start = 0; start < ids.length; start += 5000) {
    const taken = await client.incident.findMany({
      where: { projectId, externalId: { in: ids.slice(start, start + 5000) } },
      select: { externalId: true, reference: true },
    });
    for (const incident of taken) {
      problems.push({
        row: rowById.get(incident.externalId!) ?? null,
        field: "id",
        message: `The id "${incident.externalId}" was already imported into this project as ${incident.reference}.`,
      });
    }
  }
  return problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
}

function numberOf(reference: string): number {
  return Number(/([0-9]+)$/.exec(reference)![1]);
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Imports incidents and their source links from a TimeMap-style JSON or CSV file. A dry run
 * reports what would be created and every problem, and writes nothing. A real run writes only
 * a clean file, all of it in one transaction: incidents, one SUBMITTED item per source URL
 * linked to its incident as a lead, an audit event for each, and one summary event naming the
 * file's SHA-256. Editors of the project may import, and so may admins (installation duty).
 */
export async function importIncidents(actor: Actor, input: unknown): Promise<ImportReport> {
  const data = parseInput(importInputSchema, input);
  const project = await db().project.findUnique({ where: { id: data.projectId }, select: { id: true, slug: true, settings: true, archived: true } });
  const allowed = !!project && (can(actor, "import:run", { kind: "project", projectId: project.id }) || can(actor, "project:import", { kind: "system" }));
  if (!project || (!allowed && !can(actor, "project:view", { kind: "project", projectId: project.id }))) throw notFound("That project");
  if (!allowed) throw forbidden("Only editors and administrators can import into a project.");
  const actorId = auditActorId(actor);
  if (!actorId) throw new DomainError("VALIDATION", "An import must be run as a named user, who becomes the submitter of the imported items.");
  if (project.archived) throw conflict("This project is archived; nothing can be imported into it.");

  const bytes = decodeBytes(data.bytes);
  const mapping = resolveMapping(data.format, data.mapping);
  if (!mapping.ok) throw new DomainError("VALIDATION", "The column mapping is not valid.", mapping.errors);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const parsed = parseImportFile(bytes, { format: data.format, mapping: mapping.mapping, incidentTypes: incidentTypesOf(project.settings) });

  const report = (problems: ImportProblem[], created: ImportReport["created"] = null): ImportReport => ({
    dryRun: data.dryRun,
    imported: created !== null,
    filename: data.filename,
    format: data.format,
    sha256,
    counts: {
      rows: parsed.rowCount,
      incidents: parsed.drafts.length,
      items: parsed.drafts.reduce((sum, d) => sum + d.sources.length, 0),
      rowsWithProblems: new Set(problems.filter((p) => p.row !== null).map((p) => p.row)).size,
    },
    problems: problems.slice(0, MAX_REPORTED_PROBLEMS),
    problemCount: problems.length,
    warnings: parsed.warnings,
    created,
  });

  const problems = [...parsed.problems];
  if (problems.length === 0) problems.push(...(await externalIdClashes(db(), project.id, parsed.drafts)));
  if (data.dryRun || problems.length > 0) return report(problems);

  // Point-in-polygon is CPU work: done before the transaction opens.
  const provinces = parsed.drafts.map((d) => (d.latitude !== null && d.longitude !== null ? adminAreaAt(d.latitude, d.longitude)?.province : undefined) ?? d.province);
  try {
    const created = await db().$transaction(
      (tx) => writeImport(tx, { actorId, projectId: project.id, slug: project.slug, drafts: parsed.drafts, provinces, filename: data.filename, sha256, format: data.format, mapping: mapping.mapping, warnings: parsed.warnings }),
      IMPORT_TRANSACTION,
    );
    return report([], created);
  } catch (error) {
    if (error instanceof ExternalIdClash) return report(error.problems);
    if (isUniqueViolation(error)) throw conflict("Someone else changed this project's incidents at the same moment. Run the check again.");
    throw error;
  }
}

interface WriteInput {
  actorId: string;
  projectId: string;
  slug: string;
  drafts: IncidentDraft[];
  provinces: Array<string | null>;
  filename: string;
  sha256: string;
  format: string;
  mapping: ImportMapping;
  warnings: string[];
}

async function writeImport(tx: Tx, input: WriteInput): Promise<NonNullable<ImportReport["created"]>> {
  const { actorId, projectId, drafts } = input;
  // Taking the incident reference lock first serialises imports and incident creation in this
  // project, so the id check below cannot race another import of the same file.
  const firstIncident = numberOf(await nextIncidentReference(tx, projectId));
  const clashes = await externalIdClashes(tx, projectId, drafts);
  if (clashes.length > 0) throw new ExternalIdClash(clashes);
  const firstItem = numberOf(await nextItemReference(tx, projectId, input.slug));
  const itemPrefix = referencePrefix(input.slug);

  const incidentRows = drafts.map((d, index) => ({
    projectId,
    reference: `INC-${String(firstIncident + index).padStart(4, "0")}`,
    title: d.title,
    incidentType: d.incidentType,
    description: d.description,
    startAt: d.startAt,
    endAt: d.endAt,
    latitude: d.latitude,
    longitude: d.longitude,
    precisionM: d.precisionM,
    locationName: d.locationName,
    province: input.provinces[index] ?? null,
    killedMin: d.killedMin,
    killedMax: d.killedMax,
    injuredMin: d.injuredMin,
    injuredMax: d.injuredMax,
    targets: d.targets,
    tags: d.tags,
    externalId: d.externalId,
    createdById: actorId,
  }));
  const incidentIdByReference = new Map<string, string>();
  for (let start = 0; start < incidentRows.length; start += BATCH) {
    const rows = await tx.incident.createManyAndReturn({ data: incidentRows.slice(start, start + BATCH), select: { id: true, reference: true } });
    for (const row of rows) incidentIdByReference.set(row.reference, row.id);
  }

  const items: Array<{ id: string; reference: string; title: string; url: string; description: string; incidentIndex: number }> = [];
  let itemNumber = firstItem;
  drafts.forEach((d, incidentIndex) => {
    for (const source of d.sources) {
      items.push({
        id: "",
        reference: `${itemPrefix}-${String(itemNumber).padStart(4, "0")}`,
        title: (source.description || `Imported source for ${d.title}`).slice(0, 200),
        url: source.url,
        description: source.description,
        incidentIndex,
      });
      itemNumber += 1;
    }
  });
  for (let start = 0; start < items.length; start += BATCH) {
    const batch = items.slice(start, start + BATCH);
    const rows = await tx.evidenceItem.createManyAndReturn({
      data: batch.map((item) => {
        const d = drafts[item.incidentIndex]!;
        return {
          projectId,
          reference: item.reference,
          title: item.title,
          description: item.description,
          submittedById: actorId,
          postUrl: item.url,
          claimedPlace: d.locationName,
          claimedDate: isoDay(d.startAt),
          tags: [IMPORTED_ITEM_TAG],
        };
      }),
      select: { id: true, reference: true },
    });
    const idByReference = new Map(rows.map((row) => [row.reference, row.id]));
    for (const item of batch) item.id = idByReference.get(item.reference)!;
    await tx.sourceUrl.createMany({ data: batch.map((item) => ({ itemId: item.id, url: item.url, note: item.description, addedById: actorId })) });
    await tx.incidentEvidence.createMany({
      data: batch.map((item) => ({
        incidentId: incidentIdByReference.get(incidentRows[item.incidentIndex]!.reference)!,
        itemId: item.id,
        relation: IMPORTED_SOURCE_RELATION,
        isLead: true,
        createdById: actorId,
      })),
    });
  }

  const importedFrom = { filename: input.filename, sha256: input.sha256 };
  const entries: AuditEntry[] = [];
  incidentRows.forEach((row, index) => {
    const d = drafts[index]!;
    entries.push({
      actorId,
      projectId,
      action: "incident.import",
      entityType: "Incident",
      entityId: incidentIdByReference.get(row.reference)!,
      after: {
        reference: row.reference,
        externalId: row.externalId,
        row: d.rowNumber,
        title: row.title,
        incidentType: row.incidentType,
        startAt: row.startAt,
        endAt: row.endAt,
        latitude: row.latitude,
        longitude: row.longitude,
        province: row.province,
        sources: d.sources.length,
        importedFrom,
      },
    });
  });
  for (const item of items) {
    entries.push({
      actorId,
      projectId,
      action: "item.import",
      entityType: "EvidenceItem",
      entityId: item.id,
      after: { reference: item.reference, title: item.title, sourceUrls: [item.url], incident: incidentRows[item.incidentIndex]!.reference, isLead: true, importedFrom },
    });
  }
  await appendAuditEvents(tx, entries);

  const firstReference = incidentRows[0]?.reference ?? null;
  const lastReference = incidentRows.at(-1)?.reference ?? null;
  await appendAuditEvent(tx, {
    actorId,
    projectId,
    action: "import.run",
    entityType: "Project",
    entityId: projectId,
    after: {
      ...importedFrom,
      format: input.format,
      mapping: input.mapping,
      counts: { incidents: incidentRows.length, items: items.length },
      firstReference,
      lastReference,
      warnings: input.warnings,
    },
  });
  return { incidentReferences: incidentRows.slice(0, 20).map((r) => r.reference), firstReference, lastReference };
}
