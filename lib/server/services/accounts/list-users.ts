import "server-only";
import { forbidden } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { db } from "../../db";

export interface UserRow {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  active: boolean;
  createdAt: Date;
  twoFactorEnabled: boolean;
  memberships: Array<{ projectId: string; projectName: string; role: ProjectRole }>;
}

/** Admin view of accounts. Selects explicit fields: password hashes never leave the database layer. */
export async function listUsers(actor: Actor): Promise<UserRow[]> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const users = await db().user.findMany({
    orderBy: [{ active: "desc" }, { email: "asc" }],
    select: {
      id: true,
      email: true,
      name: true,
      isAdmin: true,
      active: true,
      createdAt: true,
      // Only whether it is on: the secret itself never leaves the server.
      totpEnabledAt: true,
      memberships: { select: { projectId: true, role: true, project: { select: { name: true } } } },
    },
  });
  return users.map(({ memberships, totpEnabledAt, ...u }) => ({
    ...u,
    twoFactorEnabled: totpEnabledAt !== null,
    memberships: memberships.map((m) => ({ projectId: m.projectId, projectName: m.project.name, role: m.role })),
  }));
}
