// Helpers shared by integration tests: real rows created through the real services.
import { randomBytes } from "node:crypto";
import { SYSTEM_ACTOR, type Actor } from "../../lib/domain/permissions";
import type { ProjectRole } from "../../lib/domain/roles";
import { loadActor } from "../../lib/server/actor";
import { db } from "../../lib/server/db";
import { createUser } from "../../lib/server/services/accounts/create-user";
import { setMembership } from "../../lib/server/services/accounts/set-membership";
import { createProject } from "../../lib/server/services/projects/create-project";

export const PASSWORD = "correct horse battery staple";

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export async function makeUser(options: { isAdmin?: boolean; projectId?: string; role?: ProjectRole } = {}) {
  const user = await createUser(SYSTEM_ACTOR, {
    email: `${unique("user")}@example.test`,
    name: "Test User",
    password: PASSWORD,
    isAdmin: options.isAdmin ?? false,
  });
  if (options.projectId && options.role) await setMembership(SYSTEM_ACTOR, { userId: user.id, projectId: options.projectId, role: options.role });
  return user;
}

export async function makeProject() {
  return createProject(SYSTEM_ACTOR, { name: unique("Project"), slug: unique("p") });
}

/** The actor exactly as a request would see it, read from the database. */
export async function actorFor(userId: string): Promise<Actor> {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { sessionVersion: true } });
  const actor = await loadActor(userId, user.sessionVersion);
  if (!actor) throw new Error("user is not active");
  return actor;
}

/** Counts of every table a service might write, to prove a refused request wrote nothing. */
export async function tableCounts() {
  const client = db();
  const [users, projects, memberships, items, audit] = await Promise.all([
    client.user.count(),
    client.project.count(),
    client.membership.count(),
    client.evidenceItem.count(),
    client.auditEvent.count(),
  ]);
  return { users, projects, memberships, items, audit };
}
