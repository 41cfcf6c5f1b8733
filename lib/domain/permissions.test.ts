import { describe, it, expect } from "vitest";
import {
  API_SCOPES,
  PROJECT_ACTIONS,
  SYSTEM_ACTIONS,
  SYSTEM_ACTOR,
  auditActorId,
  can,
  isSystemAction,
  rolesWith,
  scopeOf,
  tokenAllows,
  type Action,
  type ApiScope,
  type Actor,
  type ProjectAction,
  type Resource,
  type Scope,
  type SystemAction,
} from "./permissions";
import { PROJECT_ROLES, type ProjectRole } from "./roles";

// ---------------------------------------------------------------------------------------------
// The specification, written out by hand. Nothing here is derived from ROLE_PERMISSIONS.
// ---------------------------------------------------------------------------------------------

const ME = "user-me";
const SOMEONE_ELSE = "user-other";
const MY_PROJECT = "proj-member";
const OTHER_PROJECT = "proj-stranger";

/**
 * can() for a member of MY_PROJECT. Each cell has three letters, in this order:
 *   1. { kind: "project", projectId: MY_PROJECT }
 *   2. { kind: "record", projectId: MY_PROJECT, ownerId: ME }            (own record)
 *   3. { kind: "record", projectId: MY_PROJECT, ownerId: SOMEONE_ELSE }  (someone else's record)
 * "Y" = allowed, "." = denied. (Resources in OTHER_PROJECT are always denied; see below.)
 */
type Cell = "YYY" | ".Y." | "...";
const CAN_MATRIX: ReadonlyArray<readonly [ProjectAction, Cell, Cell, Cell, Cell]> = [
  //  action               CONTRIBUTOR  INVESTIGATOR  REVIEWER  EDITOR
  ["project:view",         "YYY",       "YYY",        "YYY",    "YYY"],
  ["item:create",          "YYY",       "YYY",        "YYY",    "YYY"],
  ["item:read",            ".Y.",       "YYY",        "YYY",    "YYY"],
  ["item:comment",         ".Y.",       "YYY",        "YYY",    "YYY"],
  ["item:triage",          "...",       "YYY",        "YYY",    "YYY"],
  ["item:work",            "...",       "YYY",        "YYY",    "YYY"],
  ["item:review",          "...",       "...",        "YYY",    "YYY"],
  ["item:publish",         "...",       "...",        "...",    "YYY"],
  ["incident:read",        "...",       "YYY",        "YYY",    "YYY"],
  ["incident:manage",      "...",       "...",        "...",    "YYY"],
  ["export:internal",      "...",       "...",        "...",    "YYY"],
  ["import:run",           "...",       "...",        "...",    "YYY"],
  ["archive:export",       "...",       "...",        "...",    "YYY"],
  ["audit:read",           "...",       "...",        "...",    "YYY"],
];
const MATRIX_ROLES: readonly ProjectRole[] = ["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"];

/** scopeOf() for a member of a project, by role. */
type S = Scope | null;
const SCOPE_TABLE: ReadonlyArray<readonly [ProjectAction, S, S, S, S]> = [
  //  action               CONTRIBUTOR  INVESTIGATOR  REVIEWER  EDITOR
  ["project:view",         "any",       "any",        "any",    "any"],
  ["item:create",          "any",       "any",        "any",    "any"],
  ["item:read",            "own",       "any",        "any",    "any"],
  ["item:comment",         "own",       "any",        "any",    "any"],
  ["item:triage",          null,        "any",        "any",    "any"],
  ["item:work",            null,        "any",        "any",    "any"],
  ["item:review",          null,        null,         "any",    "any"],
  ["item:publish",         null,        null,         null,     "any"],
  ["incident:read",        null,        "any",        "any",    "any"],
  ["incident:manage",      null,        null,         null,     "any"],
  ["export:internal",      null,        null,         null,     "any"],
  ["import:run",           null,        null,         null,     "any"],
  ["archive:export",       null,        null,         null,     "any"],
  ["audit:read",           null,        null,         null,     "any"],
];

const ROLES_WITH: ReadonlyArray<readonly [ProjectAction, ProjectRole[]]> = [
  ["project:view", ["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"]],
  ["item:create", ["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"]],
  ["item:read", ["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"]],
  ["item:comment", ["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"]],
  ["item:triage", ["INVESTIGATOR", "REVIEWER", "EDITOR"]],
  ["item:work", ["INVESTIGATOR", "REVIEWER", "EDITOR"]],
  ["item:review", ["REVIEWER", "EDITOR"]],
  ["item:publish", ["EDITOR"]],
  ["incident:read", ["INVESTIGATOR", "REVIEWER", "EDITOR"]],
  ["incident:manage", ["EDITOR"]],
  ["export:internal", ["EDITOR"]],
  ["import:run", ["EDITOR"]],
  ["archive:export", ["EDITOR"]],
  ["audit:read", ["EDITOR"]],
];

/**
 * Which API token scope covers each project action: "Y" when a token with only that scope may
 * (as far as the owner's role allows). Export, import, archive and audit are never token work.
 */
type TokenCell = "Y" | ".";
const TOKEN_SCOPE_MATRIX: ReadonlyArray<readonly [ProjectAction, TokenCell, TokenCell, TokenCell, TokenCell]> = [
  //  action               read  submit  comment  edit
  ["project:view",         "Y",  ".",    ".",     "."],
  ["item:create",          ".",  "Y",    ".",     "."],
  ["item:read",            "Y",  ".",    ".",     "."],
  ["item:comment",         ".",  ".",    "Y",     "."],
  ["item:triage",          ".",  ".",    ".",     "Y"],
  ["item:work",            ".",  ".",    ".",     "Y"],
  ["item:review",          ".",  ".",    ".",     "Y"],
  ["item:publish",         ".",  ".",    ".",     "Y"],
  ["incident:read",        "Y",  ".",    ".",     "."],
  ["incident:manage",      ".",  ".",    ".",     "Y"],
  ["export:internal",      ".",  ".",    ".",     "."],
  ["import:run",           ".",  ".",    ".",     "."],
  ["archive:export",       ".",  ".",    ".",     "."],
  ["audit:read",           ".",  ".",    ".",     "."],
];
const MATRIX_SCOPES: readonly ApiScope[] = ["read", "submit", "comment", "edit"];

const EXPECTED_SYSTEM_ACTIONS = ["user:manage", "project:manage", "membership:manage", "settings:manage", "audit:verify", "project:archive", "project:import"];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function actor(overrides: Partial<Actor> = {}): Actor {
  return { userId: ME, isAdmin: false, active: true, memberships: {}, ...overrides };
}

const projectRes = (projectId = MY_PROJECT): Resource => ({ kind: "project", projectId });
const recordRes = (ownerId: string, projectId = MY_PROJECT): Resource => ({ kind: "record", projectId, ownerId });
const SYSTEM: Resource = { kind: "system" };

const RESOURCE_KINDS = [
  ["project resource", projectRes()],
  ["own record", recordRes(ME)],
  ["someone else's record", recordRes(SOMEONE_ELSE)],
] as const;

const NON_MEMBER_RESOURCES = [
  ["non-member project", projectRes(OTHER_PROJECT)],
  ["own record in non-member project", recordRes(ME, OTHER_PROJECT)],
  ["someone else's record in non-member project", recordRes(SOMEONE_ELSE, OTHER_PROJECT)],
] as const;

const ALL_PROJECT_RESOURCES = [...RESOURCE_KINDS, ...NON_MEMBER_RESOURCES];

// Expand the hand-written matrix into one row per role x action x resource.
const matrixRows = CAN_MATRIX.flatMap(([action, ...cells]) =>
  MATRIX_ROLES.flatMap((role, r) => {
    const cell = cells[r]!;
    return [
      ...RESOURCE_KINDS.map(([label, resource], i) => ({ role, action, label, resource, expected: cell[i] === "Y" })),
      ...NON_MEMBER_RESOURCES.map(([label, resource]) => ({ role, action, label, resource, expected: false })),
    ];
  }),
);

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("the specification tables cover the module's vocabulary exactly", () => {
  it("matrix roles are exactly PROJECT_ROLES, in order", () => {
    expect([...PROJECT_ROLES]).toEqual(MATRIX_ROLES);
  });

  it.each([
    ["CAN_MATRIX", CAN_MATRIX.map((row) => row[0])],
    ["SCOPE_TABLE", SCOPE_TABLE.map((row) => row[0])],
    ["ROLES_WITH", ROLES_WITH.map((row) => row[0])],
    ["TOKEN_SCOPE_MATRIX", TOKEN_SCOPE_MATRIX.map((row) => row[0])],
  ])("%s lists every PROJECT_ACTION exactly once", (_name, actions) => {
    expect([...actions].sort()).toEqual([...PROJECT_ACTIONS].sort());
    expect(new Set(actions).size).toBe(actions.length);
  });

  it("token scope columns are exactly API_SCOPES, in order", () => {
    expect([...API_SCOPES]).toEqual(MATRIX_SCOPES);
  });

  it("SYSTEM_ACTIONS are exactly the expected set", () => {
    expect([...SYSTEM_ACTIONS].sort()).toEqual([...EXPECTED_SYSTEM_ACTIONS].sort());
  });

  it("project and system actions do not overlap", () => {
    const overlap = PROJECT_ACTIONS.filter((a) => (SYSTEM_ACTIONS as readonly string[]).includes(a));
    expect(overlap).toEqual([]);
  });

  it("the expanded matrix has one row per role x action x resource", () => {
    expect(matrixRows).toHaveLength(4 * 14 * 6);
  });
});

describe("isSystemAction", () => {
  it.each(EXPECTED_SYSTEM_ACTIONS as SystemAction[])("%s is a system action", (action) => {
    expect(isSystemAction(action)).toBe(true);
  });
  it.each([...PROJECT_ACTIONS])("%s is not a system action", (action) => {
    expect(isSystemAction(action)).toBe(false);
  });
});

describe.each([
  ["non-admin member", false],
  ["admin who is also a member", true],
])("can(): full matrix for a %s", (_who, isAdmin) => {
  it.each(matrixRows)("$role / $action / $label -> $expected", ({ role, action, resource, expected }) => {
    const a = actor({ isAdmin, memberships: { [MY_PROJECT]: role } });
    expect(can(a, action, resource)).toBe(expected);
  });
});

describe("can(): membership is per project", () => {
  const multi = actor({ memberships: { "proj-a": "CONTRIBUTOR", "proj-b": "EDITOR" } });

  it.each<[string, ProjectAction, Resource, boolean]>([
    ["contributor in A cannot read others' records in A", "item:read", recordRes(SOMEONE_ELSE, "proj-a"), false],
    ["contributor in A can read own records in A", "item:read", recordRes(ME, "proj-a"), true],
    ["editor in B can read others' records in B", "item:read", recordRes(SOMEONE_ELSE, "proj-b"), true],
    ["editor in B cannot publish in A", "item:publish", projectRes("proj-a"), false],
    ["editor in B can publish in B", "item:publish", projectRes("proj-b"), true],
    ["editor in B cannot read audit in A", "audit:read", projectRes("proj-a"), false],
    ["no role in C", "project:view", projectRes("proj-c"), false],
    ["project id match is exact (case)", "project:view", projectRes("PROJ-B"), false],
    ["project id match is exact (prefix)", "project:view", projectRes("proj-"), false],
  ])("%s", (_label, action, resource, expected) => {
    expect(can(multi, action, resource)).toBe(expected);
  });

  it("ownership is matched by exact user id", () => {
    const a = actor({ memberships: { [MY_PROJECT]: "CONTRIBUTOR" } });
    expect(can(a, "item:read", recordRes(ME.toUpperCase()))).toBe(false);
    expect(can(a, "item:read", recordRes(`${ME} `))).toBe(false);
    expect(can(a, "item:read", recordRes(""))).toBe(false);
    expect(can(a, "item:read", recordRes(ME))).toBe(true);
  });
});

describe("can(): project ids that collide with Object.prototype members", () => {
  const editor = actor({ memberships: { [MY_PROJECT]: "EDITOR" } });
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"])(
    "%s is denied (not thrown)",
    (projectId) => {
      expect(() => can(editor, "project:view", projectRes(projectId))).not.toThrow();
      expect(can(editor, "project:view", projectRes(projectId))).toBe(false);
      expect(can(editor, "item:read", recordRes(ME, projectId))).toBe(false);
      expect(scopeOf(editor, "item:read", projectId)).toBeNull();
    },
  );
});

describe("system actions", () => {
  const admin = actor({ isAdmin: true });
  const adminWithRoles = actor({ isAdmin: true, memberships: { [MY_PROJECT]: "EDITOR" } });

  describe.each(EXPECTED_SYSTEM_ACTIONS as SystemAction[])("%s", (action) => {
    it("is allowed for an active admin on the system resource", () => {
      expect(can(admin, action, SYSTEM)).toBe(true);
      expect(can(adminWithRoles, action, SYSTEM)).toBe(true);
    });

    it("is allowed for SYSTEM_ACTOR on the system resource", () => {
      expect(can(SYSTEM_ACTOR, action, SYSTEM)).toBe(true);
    });

    it.each(ALL_PROJECT_RESOURCES)("is denied to an admin on a %s", (_label, resource) => {
      expect(can(admin, action, resource)).toBe(false);
      expect(can(adminWithRoles, action, resource)).toBe(false);
    });

    it.each<[string, Actor]>([
      ["a non-admin with no roles", actor()],
      ...MATRIX_ROLES.map((role): [string, Actor] => [`a non-admin ${role}`, actor({ memberships: { [MY_PROJECT]: role } })]),
      [
        "a non-admin EDITOR of several projects",
        actor({ memberships: { [MY_PROJECT]: "EDITOR", [OTHER_PROJECT]: "EDITOR", system: "EDITOR" } }),
      ],
    ])("is denied to %s, on any resource", (_label, who) => {
      expect(can(who, action, SYSTEM)).toBe(false);
      for (const [, resource] of ALL_PROJECT_RESOURCES) expect(can(who, action, resource)).toBe(false);
    });

    it("is denied to an inactive admin", () => {
      expect(can(actor({ isAdmin: true, active: false }), action, SYSTEM)).toBe(false);
    });
  });
});

describe("admins get no implicit project access", () => {
  const admin = actor({ isAdmin: true });

  it.each(
    PROJECT_ACTIONS.flatMap((action) => ALL_PROJECT_RESOURCES.map(([label, resource]) => ({ action, label, resource }))),
  )("admin without membership: $action on $label is denied", ({ action, resource }) => {
    expect(can(admin, action, resource)).toBe(false);
  });

  it.each([...PROJECT_ACTIONS])("SYSTEM_ACTOR cannot %s in any project", (action) => {
    for (const [, resource] of ALL_PROJECT_RESOURCES) expect(can(SYSTEM_ACTOR, action, resource)).toBe(false);
    expect(scopeOf(SYSTEM_ACTOR, action, MY_PROJECT)).toBeNull();
  });

  it.each([...PROJECT_ACTIONS])("scopeOf(admin without membership, %s) is null", (action) => {
    expect(scopeOf(admin, action, MY_PROJECT)).toBeNull();
  });
});

describe("project actions against the system resource are denied", () => {
  const everyone: Array<[string, Actor]> = [
    ["admin", actor({ isAdmin: true })],
    ["admin EDITOR", actor({ isAdmin: true, memberships: { [MY_PROJECT]: "EDITOR" } })],
    ...MATRIX_ROLES.map((role): [string, Actor] => [role, actor({ memberships: { [MY_PROJECT]: role } })]),
    ["member of a project literally named 'system'", actor({ memberships: { system: "EDITOR" } })],
    ["SYSTEM_ACTOR", SYSTEM_ACTOR],
  ];
  it.each(everyone.flatMap(([label, who]) => PROJECT_ACTIONS.map((action) => ({ label, who, action }))))(
    "$label: $action on {kind:'system'} -> false",
    ({ who, action }) => {
      expect(can(who, action, SYSTEM)).toBe(false);
    },
  );
});

describe("inactive actors are denied everything", () => {
  const inactiveActors: Array<[string, Actor]> = [
    ["inactive admin", actor({ isAdmin: true, active: false })],
    ["inactive admin EDITOR", actor({ isAdmin: true, active: false, memberships: { [MY_PROJECT]: "EDITOR" } })],
    ...MATRIX_ROLES.map((role): [string, Actor] => [`inactive ${role}`, actor({ active: false, memberships: { [MY_PROJECT]: role } })]),
  ];
  const allActions: Action[] = [...PROJECT_ACTIONS, ...SYSTEM_ACTIONS];
  const allResources: ReadonlyArray<readonly [string, Resource]> = [["system", SYSTEM], ...ALL_PROJECT_RESOURCES];

  it.each(
    inactiveActors.flatMap(([label, who]) =>
      allActions.flatMap((action) => allResources.map(([resLabel, resource]) => ({ label, who, action, resLabel, resource }))),
    ),
  )("$label: $action on $resLabel -> false", ({ who, action, resource }) => {
    expect(can(who, action, resource)).toBe(false);
  });

  it.each(
    inactiveActors.flatMap(([label, who]) => PROJECT_ACTIONS.map((action) => ({ label, who, action }))),
  )("$label: scopeOf($action) is null", ({ who, action }) => {
    expect(scopeOf(who, action, MY_PROJECT)).toBeNull();
  });
});

describe("scopeOf", () => {
  const rows = SCOPE_TABLE.flatMap(([action, ...scopes]) =>
    MATRIX_ROLES.map((role, r) => ({ role, action, expected: scopes[r]! as S })),
  );

  it.each(rows)("$role / $action -> $expected", ({ role, action, expected }) => {
    expect(scopeOf(actor({ memberships: { [MY_PROJECT]: role } }), action, MY_PROJECT)).toBe(expected);
  });

  it.each(rows)("$role / $action in a project the actor is not a member of -> null", ({ role, action }) => {
    expect(scopeOf(actor({ memberships: { [MY_PROJECT]: role } }), action, OTHER_PROJECT)).toBeNull();
  });

  it.each(rows)("$role / $action is unaffected by isAdmin -> $expected", ({ role, action, expected }) => {
    expect(scopeOf(actor({ isAdmin: true, memberships: { [MY_PROJECT]: role } }), action, MY_PROJECT)).toBe(expected);
  });
});

describe("rolesWith", () => {
  it.each(ROLES_WITH)("%s -> %j", (action, roles) => {
    expect(rolesWith(action)).toEqual(roles);
  });

  it("never lists a role twice and lists roles lowest to highest", () => {
    for (const action of PROJECT_ACTIONS) {
      const roles = rolesWith(action);
      expect(new Set(roles).size).toBe(roles.length);
      const ranks = roles.map((r) => MATRIX_ROLES.indexOf(r));
      expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    }
  });
});

describe("role hierarchy (derived from the hand-written matrix)", () => {
  // A higher role never has fewer rights than a lower one, for any resource.
  it.each(CAN_MATRIX)("%s is monotone from CONTRIBUTOR to EDITOR", (action) => {
    for (const [, resource] of RESOURCE_KINDS) {
      const allowed = MATRIX_ROLES.map((role) => can(actor({ memberships: { [MY_PROJECT]: role } }), action, resource));
      const firstAllowed = allowed.indexOf(true);
      if (firstAllowed >= 0) expect(allowed.slice(firstAllowed).every(Boolean)).toBe(true);
    }
  });
});

describe("SYSTEM_ACTOR and auditActorId", () => {
  it("SYSTEM_ACTOR is an active admin with no memberships, frozen", () => {
    expect(SYSTEM_ACTOR).toEqual({ userId: "system", isAdmin: true, active: true, memberships: {} });
    expect(Object.isFrozen(SYSTEM_ACTOR)).toBe(true);
  });

  it.each<[string, Actor, string | null]>([
    ["SYSTEM_ACTOR", SYSTEM_ACTOR, null],
    ["a copy of SYSTEM_ACTOR", { ...SYSTEM_ACTOR, memberships: {} }, null],
    ["a normal user", actor({ userId: "user-123" }), "user-123"],
    ["an admin", actor({ userId: "admin-9", isAdmin: true }), "admin-9"],
    ["an inactive user", actor({ userId: "gone-1", active: false }), "gone-1"],
    ["a user whose id merely contains 'system'", actor({ userId: "system-2" }), "system-2"],
    ["a user whose id is 'System' (case differs)", actor({ userId: "System" }), "System"],
  ])("%s -> %s", (_label, who, expected) => {
    expect(auditActorId(who)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// API tokens: the role matrix AND the token's scopes
// ---------------------------------------------------------------------------------------------

/** Every subset of the four scopes, the empty one included (16). */
const SCOPE_SUBSETS: ApiScope[][] = Array.from({ length: 1 << MATRIX_SCOPES.length }, (_, mask) =>
  MATRIX_SCOPES.filter((_scope, i) => mask & (1 << i)),
);

function scopesCover(action: ProjectAction, scopes: readonly ApiScope[]): boolean {
  const row = TOKEN_SCOPE_MATRIX.find((r) => r[0] === action)!;
  return scopes.some((scope) => row[1 + MATRIX_SCOPES.indexOf(scope)] === "Y");
}

describe("API token scopes", () => {
  it("there are 16 scope subsets", () => {
    expect(SCOPE_SUBSETS).toHaveLength(16);
  });

  it.each(
    TOKEN_SCOPE_MATRIX.flatMap(([action, ...cells]) => MATRIX_SCOPES.map((scope, i) => ({ action, scope, expected: cells[i] === "Y" }))),
  )("an EDITOR token with only $scope: $action -> $expected", ({ action, scope, expected }) => {
    const token = actor({ memberships: { [MY_PROJECT]: "EDITOR" }, tokenScopes: [scope] });
    expect(can(token, action, projectRes())).toBe(expected);
    expect(scopeOf(token, action, MY_PROJECT)).toBe(expected ? "any" : null);
    expect(tokenAllows(token, action)).toBe(expected);
  });

  // Exhaustive: role x action x resource x scope subset. A token is exactly the owner's rights
  // intersected with its scopes, never more.
  const tokenRows = matrixRows.flatMap((row) => SCOPE_SUBSETS.map((scopes) => ({ ...row, scopes, expected: row.expected && scopesCover(row.action, scopes) })));

  it("the exhaustive table has one row per role x action x resource x scope subset", () => {
    expect(tokenRows).toHaveLength(4 * 14 * 6 * 16);
  });

  it.each(tokenRows)("$role / $action / $label / scopes $scopes -> $expected", ({ role, action, resource, scopes, expected }) => {
    expect(can(actor({ memberships: { [MY_PROJECT]: role }, tokenScopes: scopes }), action, resource)).toBe(expected);
    expect(can(actor({ isAdmin: true, memberships: { [MY_PROJECT]: role }, tokenScopes: scopes }), action, resource)).toBe(expected);
  });

  it.each(
    SCOPE_TABLE.flatMap(([action, ...scopes]) =>
      MATRIX_ROLES.flatMap((role, r) => SCOPE_SUBSETS.map((subset) => ({ role, action, subset, expected: scopesCover(action, subset) ? (scopes[r]! as S) : null }))),
    ),
  )("scopeOf: $role / $action / scopes $subset -> $expected", ({ role, action, subset, expected }) => {
    expect(scopeOf(actor({ memberships: { [MY_PROJECT]: role }, tokenScopes: subset }), action, MY_PROJECT)).toBe(expected);
  });

  it.each((EXPECTED_SYSTEM_ACTIONS as SystemAction[]).flatMap((action) => SCOPE_SUBSETS.map((scopes) => ({ action, scopes }))))(
    "system action $action is never allowed through a token (admin, scopes $scopes)",
    ({ action, scopes }) => {
      const adminToken = actor({ isAdmin: true, memberships: { [MY_PROJECT]: "EDITOR" }, tokenScopes: scopes });
      expect(can(adminToken, action, SYSTEM)).toBe(false);
      expect(tokenAllows(adminToken, action)).toBe(false);
    },
  );

  it("an empty scope list allows nothing; an absent one is a normal session", () => {
    for (const action of PROJECT_ACTIONS) {
      expect(can(actor({ memberships: { [MY_PROJECT]: "EDITOR" }, tokenScopes: [] }), action, projectRes())).toBe(false);
      expect(can(actor({ memberships: { [MY_PROJECT]: "EDITOR" } }), action, projectRes())).toBe(true);
    }
  });

  it("an inactive owner's token allows nothing", () => {
    const token = actor({ active: false, memberships: { [MY_PROJECT]: "EDITOR" }, tokenScopes: [...MATRIX_SCOPES] });
    for (const action of PROJECT_ACTIONS) expect(can(token, action, projectRes())).toBe(false);
  });

  it("a token never reaches a project its owner is not a member of", () => {
    const token = actor({ memberships: { [MY_PROJECT]: "EDITOR" }, tokenScopes: [...MATRIX_SCOPES] });
    for (const action of PROJECT_ACTIONS) for (const [, resource] of NON_MEMBER_RESOURCES) expect(can(token, action, resource)).toBe(false);
  });
});
