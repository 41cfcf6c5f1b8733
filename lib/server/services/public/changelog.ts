import "server-only";
import { z } from "zod";
import { DomainError } from "@/lib/domain/errors";
import { PUBLIC_SCHEMA_VERSION } from "@/lib/domain/publication";
import { db } from "../../db";
import { publicProject } from "./project";

// The public record of what was published, updated and retracted, newest first.

export interface PublicChangelogEntry {
  kind: "PUBLISH" | "UPDATE" | "RETRACT";
  entityType: string;
  id: string;
  note: string;
  at: string;
}

export interface PublicChangelogPage {
  schemaVersion: string;
  page: number;
  limit: number;
  total: number;
  entries: PublicChangelogEntry[];
  next: string | null;
}

const changelogQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function parseChangelogQuery(params: URLSearchParams | Record<string, string | undefined>, strict: boolean) {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const input = Object.fromEntries(["page", "limit"].flatMap((key) => (raw[key] ? [[key, raw[key]]] : [])));
  const result = changelogQuery.safeParse(input);
  if (result.success) return result.data;
  if (strict) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of result.error.issues) (fieldErrors[String(issue.path[0])] ??= []).push(issue.message);
    throw new DomainError("VALIDATION", "Some query parameters are not valid.", fieldErrors);
  }
  return changelogQuery.parse({});
}

export async function publicChangelog(slug: string, query: { page: number; limit: number }): Promise<PublicChangelogPage> {
  const project = await publicProject(slug);
  const [total, rows] = await Promise.all([
    db().publicationEvent.count({ where: { projectId: project.id } }),
    db().publicationEvent.findMany({
      where: { projectId: project.id },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (query.page - 1) * query.limit,
      take: query.limit,
      select: { kind: true, entityType: true, publicId: true, note: true, at: true },
    }),
  ]);
  return {
    schemaVersion: PUBLIC_SCHEMA_VERSION,
    page: query.page,
    limit: query.limit,
    total,
    entries: rows.map((r) => ({ kind: r.kind, entityType: r.entityType, id: r.publicId, note: r.note, at: r.at.toISOString() })),
    next: query.page * query.limit < total ? `page=${query.page + 1}&limit=${query.limit}` : null,
  };
}
