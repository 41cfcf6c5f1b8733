// `npm run project:archive -- --project <slug> --out <file.zip>`
// Writes a full archive of one project (data, audit segment, originals, SHA256SUMS) as the
// installation itself; the archive and its manifest hash are recorded in the audit log.
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { DomainError } from "@/lib/domain/errors";
import { SYSTEM_ACTOR } from "@/lib/domain/permissions";
import { openDatabase } from "@/lib/infra/database";

async function main() {
  const { values } = parseArgs({ options: { project: { type: "string" }, out: { type: "string" } } });
  if (!values.project || !values.out) throw new DomainError("VALIDATION", "Usage: npm run project:archive -- --project <slug> --out <file.zip>");
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  try {
    const { db } = await import("@/lib/server/db");
    const { exportProjectArchive } = await import("@/lib/server/services/archive/export-project-archive");
    const archive = await exportProjectArchive(SYSTEM_ACTOR, { projectSlug: values.project });
    // Written beside the target and renamed when complete, so a failed run never leaves a half archive.
    const partial = `${values.out}.partial`;
    try {
      await pipeline(archive.stream, createWriteStream(partial, { flags: "w" }));
      await rename(partial, values.out);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    console.log(`Archived project ${archive.manifest.project.slug} to ${values.out}`);
    console.log(`${archive.manifest.files.length} files; ${archive.manifest.counts.items} items; manifest SHA-256 ${archive.manifestSha256}`);
    await db().$disconnect();
  } finally {
    await database.stop();
  }
}

main().catch((error) => {
  console.error(`project:archive failed: ${(error as Error).message}`);
  process.exit(1);
});
