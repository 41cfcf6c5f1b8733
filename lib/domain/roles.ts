// Project roles, lowest to highest. Each role's rights are listed explicitly in permissions.ts.
export const PROJECT_ROLES = ["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<ProjectRole, string> = {
  CONTRIBUTOR: "Submits evidence and sees their own submissions",
  INVESTIGATOR: "Works items: triage, geolocation and chronolocation",
  REVIEWER: "Peer-reviews and verifies other investigators' work",
  EDITOR: "Manages incidents and publishing",
};

export function isProjectRole(value: unknown): value is ProjectRole {
  return typeof value === "string" && (PROJECT_ROLES as readonly string[]).includes(value);
}

/** How a membership change moves a person: used to ask before anything that takes rights away. */
export type RoleChange = "none" | "add" | "promote" | "demote" | "remove";
export function roleChange(from: ProjectRole | null, to: ProjectRole | null): RoleChange {
  if (from === to) return "none";
  if (to === null) return "remove";
  if (from === null) return "add";
  return PROJECT_ROLES.indexOf(to) > PROJECT_ROLES.indexOf(from) ? "promote" : "demote";
}

/**
 * The question an admin answers before a demotion or removal, naming the person, the roles and
 * the project; null when the change only adds rights and needs no confirmation.
 */
export function roleChangeQuestion(person: string, project: string, from: ProjectRole | null, to: ProjectRole | null): string | null {
  switch (roleChange(from, to)) {
    case "demote":
      return `Demote ${person} from ${from} to ${to} in ${project}?`;
    case "remove":
      return `Remove ${person} (${from}) from ${project}? They lose access to its evidence at once.`;
    default:
      return null;
  }
}
