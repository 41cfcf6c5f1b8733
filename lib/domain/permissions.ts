// Who may do what, as data. `can(actor, action, resource)` is the single question every
// service asks; `scopeOf` gives the same answer in a form queries turn into where-clauses.
import type { ProjectRole } from "./roles";

/** Actions on one project's data. */
export const PROJECT_ACTIONS = [
  "project:view",
  "item:create",
  "item:read",
  "item:comment",
  "item:triage",
  "item:work",
  "item:review",
  "item:publish",
  "incident:read",
  "incident:manage",
  "export:internal",
  "import:run",
  "archive:export",
  "audit:read",
] as const;
export type ProjectAction = (typeof PROJECT_ACTIONS)[number];

/** Installation-wide actions, reserved for global admins. */
export const SYSTEM_ACTIONS = [
  "user:manage",
  "project:manage",
  "membership:manage",
  "settings:manage",
  "audit:verify",
  // Backups and bulk loads are installation duties: admins may archive or import any project
  // without a membership. Both are audited like everything else.
  "project:archive",
  "project:import",
] as const;
export type SystemAction = (typeof SYSTEM_ACTIONS)[number];

export type Action = ProjectAction | SystemAction;

/** "any": every record of the project; "own": only records the actor submitted. */
export type Scope = "any" | "own";

export const ROLE_PERMISSIONS: Record<ProjectRole, Partial<Record<ProjectAction, Scope>>> = {
  CONTRIBUTOR: {
    "project:view": "any",
    "item:create": "any",
    "item:read": "own",
    "item:comment": "own",
  },
  INVESTIGATOR: {
    "project:view": "any",
    "item:create": "any",
    "item:read": "any",
    "item:comment": "any",
    "item:triage": "any",
    "item:work": "any",
    "incident:read": "any",
  },
  REVIEWER: {
    "project:view": "any",
    "item:create": "any",
    "item:read": "any",
    "item:comment": "any",
    "item:triage": "any",
    "item:work": "any",
    "item:review": "any",
    "incident:read": "any",
  },
  EDITOR: {
    "project:view": "any",
    "item:create": "any",
    "item:read": "any",
    "item:comment": "any",
    "item:triage": "any",
    "item:work": "any",
    "item:review": "any",
    "item:publish": "any",
    "incident:read": "any",
    "incident:manage": "any",
    "export:internal": "any",
    "import:run": "any",
    "archive:export": "any",
    "audit:read": "any",
  },
};

/** What an API token may be used for; a token never exceeds its owner's role. */
export const API_SCOPES = ["read", "submit", "comment", "edit"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const API_SCOPE_LABELS: Record<ApiScope, string> = {
  read: "Read projects, items and incidents",
  submit: "Submit evidence",
  comment: "Comment on items",
  edit: "Triage, review, publish and manage incidents (as far as your role allows)",
};

/**
 * The scope that lets a token perform each project action, or null: never through a token.
 * Exports, imports, archives and the audit log move a whole project's material at once; a
 * leaked script token must not be able to do that, so those stay with signed-in people.
 */
export const TOKEN_SCOPE_OF_ACTION: Readonly<Record<ProjectAction, ApiScope | null>> = {
  "project:view": "read",
  "item:read": "read",
  "incident:read": "read",
  "item:create": "submit",
  "item:comment": "comment",
  "item:triage": "edit",
  "item:work": "edit",
  "item:review": "edit",
  "item:publish": "edit",
  "incident:manage": "edit",
  "export:internal": null,
  "import:run": null,
  "archive:export": null,
  "audit:read": null,
};

export function isApiScope(value: unknown): value is ApiScope {
  return typeof value === "string" && (API_SCOPES as readonly string[]).includes(value);
}

export interface Actor {
  userId: string;
  isAdmin: boolean;
  active: boolean;
  /** projectId -> role, read fresh from the database on every request. */
  memberships: Readonly<Record<string, ProjectRole>>;
  /** Set when the request authenticated with an API token: only these scopes' actions apply. */
  tokenScopes?: readonly ApiScope[];
  /** The browser session's row id (not its secret) when the request came with a session cookie. */
  sessionId?: string;
}

/** Whether a token-authenticated actor's scopes cover the action (always true for sessions). */
export function tokenAllows(actor: Actor, action: Action): boolean {
  if (actor.tokenScopes === undefined) return true;
  if (isSystemAction(action)) return false;
  const needed = TOKEN_SCOPE_OF_ACTION[action];
  return needed !== null && actor.tokenScopes.includes(needed);
}

export type Resource =
  | { kind: "system" }
  | { kind: "project"; projectId: string }
  /** A record owned by whoever submitted it (an evidence item, its notes and files). */
  | { kind: "record"; projectId: string; ownerId: string };

export function isSystemAction(action: Action): action is SystemAction {
  return (SYSTEM_ACTIONS as readonly string[]).includes(action);
}

/**
 * The scope the actor holds for a project action, or null. Global admins administer users and
 * projects but get no implicit access to evidence: reading a project's material needs a membership,
 * and granting one to yourself is an audited act.
 */
export function scopeOf(actor: Actor, action: ProjectAction, projectId: string): Scope | null {
  if (!actor.active) return null;
  if (!tokenAllows(actor, action)) return null;
  // Own keys only: a project id such as "constructor" or "__proto__" must not hit Object.prototype.
  const role = Object.hasOwn(actor.memberships, projectId) ? actor.memberships[projectId] : undefined;
  if (!role) return null;
  return ROLE_PERMISSIONS[role][action] ?? null;
}

export function can(actor: Actor, action: Action, resource: Resource): boolean {
  if (!actor.active) return false;
  if (!tokenAllows(actor, action)) return false;
  if (isSystemAction(action)) return resource.kind === "system" && actor.isAdmin;
  if (resource.kind === "system") return false;
  const scope = scopeOf(actor, action, resource.projectId);
  if (scope === "any") return true;
  if (scope === "own") return resource.kind === "record" && resource.ownerId === actor.userId;
  return false;
}

export function rolesWith(action: ProjectAction): ProjectRole[] {
  return (Object.keys(ROLE_PERMISSIONS) as ProjectRole[]).filter((role) => ROLE_PERMISSIONS[role][action]);
}

/** The installation itself, acting from a trusted command line (first admin, demo seed). */
export const SYSTEM_ACTOR: Actor = Object.freeze({ userId: "system", isAdmin: true, active: true, memberships: {} });

/** Audit rows name a real user or, for the system actor, nobody. */
export function auditActorId(actor: Actor): string | null {
  return actor === SYSTEM_ACTOR || actor.userId === SYSTEM_ACTOR.userId ? null : actor.userId;
}
