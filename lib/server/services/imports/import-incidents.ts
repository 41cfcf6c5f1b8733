import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { DomainError, conflict, forbidden, notFound } from "@/lib/domain/errors";
import { incidentTypesOf } from "@/lib/domain/incident-fields";
import { IMPORT_FORMATS, resolveMapping, type ImportMapping } from "@/lib/domain/import/mapping";
import { MAX_IMPORT_BYTES, parseImportFile, rejectedRowsCsv, type IncidentDraft, type ParsedImport } from "@/lib/domain/import/parse";
import { classifyRow, hashValues, valuesOfDraft, valuesOfIncident, type Classification, type ImportedValues } from "@/lib/domain/import/reimport";
import { MAX_REPORTED_PROBLEMS, ROW_ERROR_MODES, UPDATE_MODES, type ImportReport, type ImportRowDiff } from "@/lib/domain/import/report";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent, appendAuditEvents, type AuditEntry } from "../../audit";
import { bulkInsert, newRowId } from "../../bulk-insert";
import { db, type Prisma, type Tx } from "../../db";
import { refreshPlannerStatistics } from "../../planner-statistics";
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
  /** "abort": nothing is written while any row has an error; "skip": the other rows are written. */
  onRowErrors: z.enum(ROW_ERROR_MODES).default("abort"),
  /** "new-only": rows whose id the project has are left alone; "new-and-changed": changed ones are updated too. */
  updates: z.enum(UPDATE_MODES).default("new-only"),
  filename: z.string().trim().min(1, "The file needs a name").max(255),
});

/** Relation note on every source link an import creates. */
export const IMPORTED_SOURCE_RELATION = "Imported source";
/** Tag on imported items, so the queue can find them. */
export const IMPORTED_ITEM_TAG = "imported";

// Thousands of rows in one all-or-nothing transaction take longer than an ordinary write.
const IMPORT_TRANSACTION = { maxWait: 15_000, timeout: 300_000 };

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

function numberOf(reference: string): number {
  return Number(/([0-9]+)$/.exec(reference)![1]);
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

const COMPARED_SELECT = {
  id: true,
  reference: true,
  externalId: true,
  title: true,
  incidentType: true,
  description: true,
  startAt: true,
  endAt: true,
  latitude: true,
  longitude: true,
  precisionM: true,
  locationName: true,
  province: true,
  killedMin: true,
  killedMax: true,
  injuredMin: true,
  injuredMax: true,
  targets: true,
  tags: true,
  version: true,
} as const;
type ExistingIncident = Prisma.IncidentGetPayload<{ select: typeof COMPARED_SELECT }>;

interface ClassifiedRow {
  draft: IncidentDraft;
  values: ImportedValues;
  hash: string;
  existing: ExistingIncident | null;
  hasRecord: boolean;
  classification: Classification;
}

/** Each draft against the incident with its id (if any) and the values as last imported. */
async function classify(client: Tx, projectId: string, drafts: IncidentDraft[]): Promise<ClassifiedRow[]> {
  const ids = drafts.map((d) => d.externalId);
  const incidents = new Map<string, ExistingIncident>();
  const records = new Map<string, ImportedValues>();
  for (let start = 0; start < ids.length; start += 5000) {
    const chunk = ids.slice(start, start + 5000);
    for (const incident of await client.incident.findMany({ where: { projectId, externalId: { in: chunk } }, select: COMPARED_SELECT })) {
      incidents.set(incident.externalId!, incident);
    }
    for (const record of await client.importRecord.findMany({ where: { projectId, externalId: { in: chunk } }, select: { externalId: true, incidentId: true, values: true } })) {
      if (incidents.get(record.externalId)?.id === record.incidentId) records.set(record.externalId, record.values as unknown as ImportedValues);
    }
  }
  return drafts.map((draft) => {
    const values = valuesOfDraft(draft);
    const existing = incidents.get(draft.externalId) ?? null;
    const lastImported = records.get(draft.externalId) ?? null;
    return {
      draft,
      values,
      hash: hashValues(values),
      existing,
      hasRecord: lastImported !== null,
      classification: classifyRow(values, existing ? { app: valuesOfIncident(existing), lastImported } : null),
    };
  });
}

const preview = (parsed: ParsedImport): ImportReport["preview"] => ({
  fieldColumns: parsed.fieldColumns,
  rows: parsed.drafts.slice(0, 5).map((d) => ({
    row: String(d.rowNumber),
    id: d.externalId,
    title: d.title,
    type: d.incidentType,
    date: d.startAt ? `${d.startAt.toISOString()}${d.endAt ? ` to ${d.endAt.toISOString()}` : ""}` : "date unknown",
    location: [d.locationName, d.latitude !== null ? `${d.latitude}, ${d.longitude}` : null, d.precisionM !== null ? `±${d.precisionM} m` : null].filter(Boolean).join(" · "),
    killed: d.killedMin === null && d.killedMax === null ? "" : `${d.killedMin ?? "?"}–${d.killedMax ?? "?"}`,
    sources: d.sources.map((s) => s.url).join(" "),
    tags: d.tags.join("; "),
  })),
});

/**
 * Imports incidents and their source links from a TimeMap-style JSON or CSV file. A dry run
 * reports what would happen and writes nothing: row errors (rows that cannot be imported), cell
 * warnings (values dropped or repaired), and for each row whether it is new, unchanged, changed
 * (with a field-by-field diff) or in conflict (changed in the file and in the app since the last
 * import). A real run writes, in one transaction: new incidents with one SUBMITTED lead item per
 * source URL; with updates "new-and-changed", the file's values for changed rows (never for
 * conflicts); the values as imported per incident (ImportRecord); the run (ImportRun); and audit
 * events. With onRowErrors "abort" nothing is written while any row has an error; with "skip"
 * those rows are left out whole and returned as a CSV. Editors and admins may import.
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
  const fileLevel = parsed.problems.some((p) => p.row === null) || (parsed.drafts.length === 0 && parsed.problems.length > 0 && parsed.rejected.rows.length === 0);
  const rowErrors = parsed.problems.length > 0;
  const options = { onRowErrors: data.onRowErrors, updates: data.updates };

  const report = (rows: ClassifiedRow[], written: { created: WriteResult["created"]; updated: number; runId: string } | null): ImportReport => {
    const count = (status: string) => rows.filter((r) => r.classification.status === status).length;
    const diffs: ImportRowDiff[] = rows
      .filter((r) => r.classification.status === "changed" || r.classification.status === "conflict")
      .map((r) => ({ row: r.draft.rowNumber, externalId: r.draft.externalId, status: r.classification.status as ImportRowDiff["status"], reference: r.existing!.reference, changes: r.classification.changes }));
    const applyChanged = options.updates === "new-and-changed";
    const items = rows.reduce((sum, r) => sum + (r.classification.status === "new" || (applyChanged && r.classification.status === "changed") ? r.classification.newSources.length : 0), 0);
    return {
      dryRun: data.dryRun,
      fileProblem: fileLevel,
      imported: written !== null && ((written.created?.incidentReferences.length ?? 0) > 0 || written.updated > 0),
      filename: data.filename,
      format: data.format,
      sha256,
      options,
      counts: {
        rows: parsed.rowCount,
        incidents: rows.length,
        items,
        rowsWithProblems: new Set(parsed.problems.filter((p) => p.row !== null).map((p) => p.row)).size,
        rowsWithWarnings: new Set(parsed.cellWarnings.map((p) => p.row)).size,
        new: count("new"),
        unchanged: count("unchanged"),
        changed: count("changed"),
        conflicts: count("conflict"),
        created: written ? count("new") : 0,
        updated: written?.updated ?? 0,
      },
      problems: parsed.problems.slice(0, MAX_REPORTED_PROBLEMS),
      problemCount: parsed.problems.length,
      cellWarnings: parsed.cellWarnings.slice(0, MAX_REPORTED_PROBLEMS),
      cellWarningCount: parsed.cellWarnings.length,
      warnings: parsed.warnings,
      diffs: diffs.slice(0, MAX_REPORTED_PROBLEMS),
      rejectedCsv: rowErrors ? rejectedRowsCsv(parsed.rejected) : null,
      preview: preview(parsed),
      created: written?.created ?? null,
      runId: written?.runId ?? null,
    };
  };

  if (fileLevel) return report([], null);
  const classified = await classify(db(), project.id, parsed.drafts);
  if (data.dryRun || (rowErrors && options.onRowErrors === "abort")) return report(classified, null);

  // Point-in-polygon is CPU work: done before the transaction opens.
  const provinces = new Map(parsed.drafts.map((d) => [d.rowNumber, (d.latitude !== null && d.longitude !== null ? adminAreaAt(d.latitude, d.longitude)?.province : undefined) ?? d.province]));
  try {
    const { rows, result } = await db().$transaction(async (tx) => {
      // Taking the incident reference lock first serialises imports and incident creation in this
      // project; the rows are classified again under it, so a concurrent run cannot be overtaken.
      const firstIncident = numberOf(await nextIncidentReference(tx, project.id));
      const rows = await classify(tx, project.id, parsed.drafts);
      const result = await writeImport(tx, {
        actorId,
        projectId: project.id,
        slug: project.slug,
        firstIncident,
        rows,
        provinces,
        filename: data.filename,
        sha256,
        format: data.format,
        mapping: mapping.mapping,
        warnings: parsed.warnings,
        options,
        parsed,
      });
      return { rows, result };
    }, IMPORT_TRANSACTION);
    await refreshPlannerStatistics(["Incident", "IncidentEvidence", "EvidenceItem", "SourceUrl", "ImportRun", "ImportRecord"]);
    return report(rows, result);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict("Someone else changed this project's incidents at the same moment. Run the check again.");
    throw error;
  }
}

interface WriteInput {
  actorId: string;
  projectId: string;
  slug: string;
  firstIncident: number;
  rows: ClassifiedRow[];
  provinces: Map<number, string | null>;
  filename: string;
  sha256: string;
  format: string;
  mapping: ImportMapping;
  warnings: string[];
  options: { onRowErrors: string; updates: string };
  parsed: ParsedImport;
}

// Column types of the rows an import writes in bulk (see lib/server/bulk-insert.ts).
const INCIDENT_TABLE = {
  table: "Incident",
  columns: {
    id: "text", projectId: "text", reference: "text", title: "text", incidentType: "text", description: "text",
    startAt: "timestamptz", endAt: "timestamptz", latitude: "float8", longitude: "float8", precisionM: "int", locationName: "text",
    province: "text", killedMin: "int", killedMax: "int", injuredMin: "int", injuredMax: "int", targets: "text[]", tags: "text[]",
    externalId: "text", createdById: "text",
  },
} as const;
const ITEM_TABLE = {
  table: "EvidenceItem",
  columns: {
    id: "text", projectId: "text", reference: "text", title: "text", description: "text", submittedById: "text", postUrl: "text",
    claimedPlace: "text", claimedDate: "text", tags: "text[]",
  },
} as const;
const SOURCE_URL_TABLE = { table: "SourceUrl", columns: { id: "text", itemId: "text", url: "text", note: "text", addedById: "text" } } as const;
const INCIDENT_EVIDENCE_TABLE = {
  table: "IncidentEvidence",
  columns: { id: "text", incidentId: "text", itemId: "text", relation: "text", isLead: "bool", createdById: "text" },
} as const;
const IMPORT_RECORD_TABLE = {
  table: "ImportRecord",
  columns: { id: "text", projectId: "text", incidentId: "text", externalId: "text", hash: "text", values: "jsonb", importRunId: "text" },
} as const;

interface WriteResult {
  created: NonNullable<ImportReport["created"]>;
  updated: number;
  runId: string;
}

async function writeImport(tx: Tx, input: WriteInput): Promise<WriteResult> {
  const { actorId, projectId, rows } = input;
  const importedFrom = { filename: input.filename, sha256: input.sha256 };
  const newRows = rows.filter((r) => r.classification.status === "new");
  const changedRows = input.options.updates === "new-and-changed" ? rows.filter((r) => r.classification.status === "changed") : [];
  const conflicts = rows.filter((r) => r.classification.status === "conflict");
  const run = await tx.importRun.create({
    data: {
      projectId,
      createdById: actorId,
      filename: input.filename,
      sha256: input.sha256,
      format: input.format,
      counts: {},
      options: { ...input.options, preset: input.mapping.preset ?? null, mapping: input.mapping } as unknown as Prisma.InputJsonValue,
    },
    select: { id: true },
  });
  const entries: AuditEntry[] = [];

  // New incidents.
  const incidentRows = newRows.map((r, index) => {
    const d = r.draft;
    return {
      id: newRowId(),
      projectId,
      reference: `INC-${String(input.firstIncident + index).padStart(4, "0")}`,
      ...incidentFields(d, input.provinces.get(d.rowNumber) ?? null),
      externalId: d.externalId,
      createdById: actorId,
    };
  });
  await bulkInsert(tx, INCIDENT_TABLE, incidentRows, { timestamps: ["updatedAt"] });
  const incidentIdByReference = new Map(incidentRows.map((row) => [row.reference, row.id]));
  const targets: Array<{ incidentId: string; reference: string; draft: IncidentDraft; urls: string[] }> = newRows.map((r, index) => ({
    incidentId: incidentIdByReference.get(incidentRows[index]!.reference)!,
    reference: incidentRows[index]!.reference,
    draft: r.draft,
    urls: r.classification.newSources,
  }));
  incidentRows.forEach((row, index) => {
    const d = newRows[index]!.draft;
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

  // Changed incidents: the file's values, conditional on the version classified (an edit made
  // in the app in between makes the whole run fail rather than be overwritten).
  for (const r of changedRows) {
    const d = r.draft;
    const existing = r.existing!;
    const province = input.provinces.get(d.rowNumber) ?? null;
    const fields = incidentFields(d, province);
    const updated = await tx.incident.updateMany({ where: { id: existing.id, version: existing.version }, data: { ...fields, version: { increment: 1 } } });
    if (updated.count !== 1) throw conflict("An incident changed in the app while the import ran. Run the check again.");
    const changedFields = r.classification.changes.map((c) => c.field).filter((f) => f !== "sources");
    const pick = (source: Record<string, unknown>) => Object.fromEntries(changedFields.map((f) => [f, source[f]]));
    entries.push({
      actorId,
      projectId,
      action: "incident.import-update",
      entityType: "Incident",
      entityId: existing.id,
      before: { ...pick(existing as unknown as Record<string, unknown>), version: existing.version },
      after: { ...pick(fields), version: existing.version + 1, row: d.rowNumber, externalId: d.externalId, newSources: r.classification.newSources.length, importedFrom },
    });
    targets.push({ incidentId: existing.id, reference: existing.reference, draft: d, urls: r.classification.newSources });
  }

  // One SUBMITTED lead item per new source URL.
  const firstItem = numberOf(await nextItemReference(tx, projectId, input.slug));
  const itemPrefix = referencePrefix(input.slug);
  const items: Array<{ id: string; reference: string; title: string; url: string; description: string; target: (typeof targets)[number] }> = [];
  let itemNumber = firstItem;
  for (const target of targets) {
    for (const url of target.urls) {
      const source = target.draft.sources.find((s) => s.url === url)!;
      items.push({
        id: newRowId(),
        reference: `${itemPrefix}-${String(itemNumber).padStart(4, "0")}`,
        title: (source.description || `Imported source for ${target.draft.title}`).slice(0, 200),
        url,
        description: source.description,
        target,
      });
      itemNumber += 1;
    }
  }
  await bulkInsert(
    tx,
    ITEM_TABLE,
    items.map((item) => ({
      id: item.id,
      projectId,
      reference: item.reference,
      title: item.title,
      description: item.description,
      submittedById: actorId,
      postUrl: item.url,
      claimedPlace: item.target.draft.locationName,
      claimedDate: item.target.draft.startAt ? isoDay(item.target.draft.startAt) : null,
      tags: [IMPORTED_ITEM_TAG],
    })),
    { timestamps: ["updatedAt"] },
  );
  await bulkInsert(tx, SOURCE_URL_TABLE, items.map((item) => ({ id: newRowId(), itemId: item.id, url: item.url, note: item.description, addedById: actorId })));
  await bulkInsert(
    tx,
    INCIDENT_EVIDENCE_TABLE,
    items.map((item) => ({ id: newRowId(), incidentId: item.target.incidentId, itemId: item.id, relation: IMPORTED_SOURCE_RELATION, isLead: true, createdById: actorId })),
  );
  for (const item of items) {
    entries.push({
      actorId,
      projectId,
      action: "item.import",
      entityType: "EvidenceItem",
      entityId: item.id,
      after: { reference: item.reference, title: item.title, sourceUrls: [item.url], incident: item.target.reference, isLead: true, importedFrom },
    });
  }

  // The values as imported, per incident: the baseline the next import compares against.
  // Unchanged rows of incidents without a record (imported before records were kept) get one too.
  const recorded = [
    ...newRows.map((r, index) => ({ r, incidentId: incidentIdByReference.get(incidentRows[index]!.reference)! })),
    ...changedRows.map((r) => ({ r, incidentId: r.existing!.id })),
    ...rows.filter((r) => r.classification.status === "unchanged" && !r.hasRecord).map((r) => ({ r, incidentId: r.existing!.id })),
  ];
  const record = ({ r, incidentId }: (typeof recorded)[number]) => ({
    projectId,
    incidentId,
    externalId: r.draft.externalId,
    hash: r.hash,
    values: r.values as unknown as Prisma.InputJsonValue,
    importRunId: run.id,
  });
  // New incidents have no record yet: written in batches. Updated ones replace theirs.
  const fresh = recorded.slice(0, newRows.length);
  await bulkInsert(tx, IMPORT_RECORD_TABLE, fresh.map((entry) => ({ id: newRowId(), ...record(entry) })), { timestamps: ["updatedAt"] });
  for (const entry of recorded.slice(newRows.length)) {
    const data = record(entry);
    await tx.importRecord.upsert({ where: { incidentId: entry.incidentId }, create: data, update: { externalId: data.externalId, hash: data.hash, values: data.values, importRunId: run.id } });
  }

  const counts = {
    rows: input.parsed.rowCount,
    created: newRows.length,
    updated: changedRows.length,
    unchanged: rows.filter((r) => r.classification.status === "unchanged").length,
    changedNotApplied: input.options.updates === "new-and-changed" ? 0 : rows.filter((r) => r.classification.status === "changed").length,
    conflicts: conflicts.length,
    skippedRows: input.parsed.rejected.rows.length,
    rowsWithWarnings: new Set(input.parsed.cellWarnings.map((w) => w.row)).size,
    items: items.length,
  };
  await tx.importRun.update({ where: { id: run.id }, data: { counts } });
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
      runId: run.id,
      format: input.format,
      mapping: input.mapping,
      options: input.options,
      counts: { ...counts, incidents: incidentRows.length },
      firstReference,
      lastReference,
      skippedRows: input.parsed.rejected.rows.slice(0, 1000).map((row) => ({ row: row.rowNumber, errors: row.errors })),
      conflicts: conflicts.slice(0, 1000).map((r) => ({ row: r.draft.rowNumber, externalId: r.draft.externalId, reference: r.existing!.reference, fields: r.classification.changes.map((c) => c.field) })),
      cellWarnings: input.parsed.cellWarnings.length,
      warnings: input.warnings,
    },
  });
  return { created: { incidentReferences: incidentRows.slice(0, 20).map((r) => r.reference), firstReference, lastReference }, updated: changedRows.length, runId: run.id };
}

/** The incident columns an imported row sets, the same for a new incident and an update. */
function incidentFields(d: IncidentDraft, province: string | null) {
  return {
    title: d.title,
    incidentType: d.incidentType,
    description: d.description,
    startAt: d.startAt,
    endAt: d.endAt,
    latitude: d.latitude,
    longitude: d.longitude,
    precisionM: d.precisionM,
    locationName: d.locationName,
    province,
    killedMin: d.killedMin,
    killedMax: d.killedMax,
    injuredMin: d.injuredMin,
    injuredMax: d.injuredMax,
    targets: d.targets,
    tags: d.tags,
  };
}
