import "server-only";
import { z } from "zod";
import { notFound } from "@/lib/domain/errors";
import { prefixTsQuery } from "@/lib/domain/incident-list";
import type { Actor } from "@/lib/domain/permissions";
import { storableText } from "@/lib/domain/storable-text";
import { Prisma } from "@/lib/generated/prisma/client";
import { findVisibleProject } from "../../access";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { readScopeFor } from "../queue/query-queue";

const schema = z.object({
  projectSlug: z.string().trim().min(1).max(64),
  query: z.string().max(200).default(""),
});

export const ITEM_PICKER_LIMIT = 12;

export interface ItemChoice {
  id: string;
  reference: string;
  title: string;
  status: string;
}

/**
 * Type-ahead choices for item pickers, over every item of the project the actor may read: the
 * reference typed exactly first, then reference prefixes, then title and note words (each word
 * a prefix). The status comes along so a picker can say whether an item can be evidence.
 */
export async function searchItemChoices(actor: Actor, input: unknown): Promise<ItemChoice[]> {
  const data = parseInput(schema, input);
  const project = await findVisibleProject(actor, data.projectSlug);
  const scope = readScopeFor(actor, project.id);
  // Hidden is "not found", the same answer as a project one is not in.
  if (scope.kind === "none") throw notFound("That project's items");
  const own = scope.kind === "own" ? Prisma.sql`AND i."submittedById" = ${scope.userId}` : Prisma.empty;
  const query = storableText(data.query).trim();
  if (!query) {
    return db().$queryRaw<ItemChoice[]>`
      SELECT i."id", i."reference", i."title", i."status"::text AS "status" FROM "EvidenceItem" i
      WHERE i."projectId" = ${project.id} ${own}
      ORDER BY i."updatedAt" DESC, i."id" DESC LIMIT ${ITEM_PICKER_LIMIT}`;
  }
  const prefix = prefixTsQuery(query);
  const words = prefix ? Prisma.sql`i."searchVector" @@ to_tsquery('simple', ${prefix})` : Prisma.sql`FALSE`;
  const likeReference = `${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db().$queryRaw<ItemChoice[]>`
    SELECT i."id", i."reference", i."title", i."status"::text AS "status" FROM "EvidenceItem" i
    WHERE i."projectId" = ${project.id} ${own}
      AND (upper(i."reference") LIKE upper(${likeReference}) OR ${words})
    ORDER BY (upper(i."reference") = upper(${query})) DESC, (upper(i."reference") LIKE upper(${likeReference})) DESC,
             i."updatedAt" DESC, i."id" DESC
    LIMIT ${ITEM_PICKER_LIMIT}`;
}
