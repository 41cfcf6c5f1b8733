// The incident vocabulary shared by forms, services, import and export. The list of incident
// types is a project setting (`incidentTypes`); DEFAULT_INCIDENT_TYPES applies until an
// administrator changes it. Target categories and confidence are fixed so datasets compare.

export const DEFAULT_INCIDENT_TYPES = [
  "Suicide bombing",
  "IED",
  "Armed assault",
  "Targeted killing",
  "Rocket or mortar",
  "Drone strike",
  "Arson",
  "Other",
] as const;

export const TARGET_CATEGORIES = [
  "CIVILIANS",
  "MINORITY",
  "GOVERNMENT_SECURITY",
  "FOREIGN_DIPLOMATIC",
  "RELIGIOUS_SITE",
  "EDUCATION",
  "HEALTH",
  "OTHER",
] as const;
export type TargetCategory = (typeof TARGET_CATEGORIES)[number];

export const TARGET_CATEGORY_LABELS: Record<TargetCategory, string> = {
  CIVILIANS: "Civilians",
  MINORITY: "Religious or ethnic minority",
  GOVERNMENT_SECURITY: "Government or security forces",
  FOREIGN_DIPLOMATIC: "Foreign nationals or diplomatic",
  RELIGIOUS_SITE: "Religious site",
  EDUCATION: "Education",
  HEALTH: "Health",
  OTHER: "Other",
};

export const ATTRIBUTION_CONFIDENCES = ["LOW", "MEDIUM", "HIGH"] as const;
export type AttributionConfidence = (typeof ATTRIBUTION_CONFIDENCES)[number];

/** Suggested relation notes for evidence linked to an incident; free text is allowed too. */
export const EVIDENCE_RELATIONS = ["Shows the attack", "Shows the aftermath", "Shows the claim", "Shows casualties", "Shows the location before"] as const;

/** The incident types a project uses: its setting when valid, otherwise the defaults. */
export function incidentTypesOf(settings: unknown): readonly string[] {
  const configured = (settings as { incidentTypes?: unknown } | null)?.incidentTypes;
  if (Array.isArray(configured)) {
    const types = configured.filter((t): t is string => typeof t === "string" && t.trim().length > 0).map((t) => t.trim());
    if (types.length > 0) return [...new Set(types)];
  }
  return DEFAULT_INCIDENT_TYPES;
}
