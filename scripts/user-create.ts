// `npm run user:create -- --email you@example.org --role ADMIN [--name "..."] [--project slug]`
// Creates an account from the command line (the first admin of a production install).
// The password is read from GROUNDTRUTH_NEW_PASSWORD or generated and printed once.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { openDatabase } from "@/lib/infra/database";
import { migrateDeploy } from "@/lib/infra/migrate";
import { isProjectRole } from "@/lib/domain/roles";
import { DomainError } from "@/lib/domain/errors";
import { SYSTEM_ACTOR } from "@/lib/domain/permissions";

async function main() {
  const { values } = parseArgs({
    options: { email: { type: "string" }, role: { type: "string", default: "ADMIN" }, name: { type: "string" }, project: { type: "string" } },
  });
  const role = (values.role ?? "ADMIN").toUpperCase();
  if (!values.email) throw new DomainError("VALIDATION", "Give --email");
  if (role !== "ADMIN" && !isProjectRole(role)) throw new DomainError("VALIDATION", `--role must be ADMIN, CONTRIBUTOR, INVESTIGATOR, REVIEWER or EDITOR`);
  if (role !== "ADMIN" && !values.project) throw new DomainError("VALIDATION", "A project role needs --project <slug>");

  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  try {
    // The embedded database may be brand new; an external one is migrated explicitly by its operator.
    if (database.embedded) await migrateDeploy(database.url);
    const { db } = await import("@/lib/server/db");
    const { createUser } = await import("@/lib/server/services/accounts/create-user");
    const { setMembership } = await import("@/lib/server/services/accounts/set-membership");
    const generated = !process.env.GROUNDTRUTH_NEW_PASSWORD;
    const password = process.env.GROUNDTRUTH_NEW_PASSWORD || randomBytes(15).toString("base64url");
    const user = await createUser(SYSTEM_ACTOR, {
      email: values.email,
      name: values.name ?? values.email.split("@")[0],
      password,
      isAdmin: role === "ADMIN",
    });
    if (role !== "ADMIN") {
      const project = await db().project.findUnique({ where: { slug: values.project! }, select: { id: true } });
      if (!project) throw new DomainError("NOT_FOUND", `No project with slug ${values.project}`);
      await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: project.id, role });
    }
    console.log(`Created ${user.email} (${role}).`);
    if (generated) console.log(`Password (shown once): ${password}`);
    await db().$disconnect();
  } finally {
    await database.stop();
  }
}

main().catch((error) => {
  if (error instanceof DomainError) {
    console.error(`user:create: ${error.message}`);
    for (const [field, messages] of Object.entries(error.fieldErrors ?? {})) console.error(`  ${field}: ${messages.join("; ")}`);
  } else console.error(`user:create failed: ${(error as Error).message}`);
  process.exit(1);
});
