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
