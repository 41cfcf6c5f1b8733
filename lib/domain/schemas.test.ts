import { describe, it, expect } from "vitest";
import { z } from "zod";
import {
  createProjectSchema,
  createUserSchema,
  emailSchema,
  fieldErrorsOf,
  idSchema,
  loginSchema,
  newPasswordSchema,
  projectRoleSchema,
  setMembershipSchema,
  setUserActiveSchema,
} from "./schemas";

/** Parses and returns { field: [messages] } for failures (asserting failure). */
function errorsOf(schema: z.ZodType, input: unknown): Record<string, string[]> {
  const r = schema.safeParse(input);
  expect(r.success).toBe(false);
  if (r.success) throw new Error("unreachable");
  return fieldErrorsOf(r.error);
}

function dataOf<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new Error(`expected success, got ${JSON.stringify(fieldErrorsOf(r.error))}`);
  return r.data;
}

const EMAIL_254 = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
const VALID_PASSWORD = "correct horse battery staple";

describe("emailSchema", () => {
  it.each<[unknown, string]>([
    ["alice@example.org", "alice@example.org"],
    ["Alice@Example.ORG", "alice@example.org"],
    ["  bob@example.org  ", "bob@example.org"],
    ["\tCAROL@EXAMPLE.COM\n", "carol@example.com"],
    ["first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"],
    ["x@y.io", "x@y.io"],
    [EMAIL_254, EMAIL_254],
  ])("accepts %j -> %j", (input, expected) => {
    expect(dataOf(emailSchema, input)).toBe(expected);
  });

  it("the 254-character fixture above is exactly 254 characters", () => {
    expect(EMAIL_254).toHaveLength(254);
  });

  it.each<[string, unknown, string]>([
    ["empty", "", "Enter a valid email address"],
    ["only spaces", "   ", "Enter a valid email address"],
    ["no at sign", "alice.example.org", "Enter a valid email address"],
    ["no domain", "alice@", "Enter a valid email address"],
    ["no local part", "@example.org", "Enter a valid email address"],
    ["no TLD", "alice@example", "Enter a valid email address"],
    ["space inside", "ali ce@example.org", "Enter a valid email address"],
    ["two at signs", "a@b@example.org", "Enter a valid email address"],
    ["255 characters", `${"a".repeat(243)}@example.org`, "Email is too long"],
    ["1000 characters", `${"a".repeat(988)}@example.org`, "Email is too long"],
  ])("rejects %s", (_label, input, message) => {
    expect(errorsOf(emailSchema, input)).toEqual({ _form: [message] });
  });

  it("length is checked after trimming", () => {
    const at254 = `${"a".repeat(242)}@example.org`;
    expect(at254).toHaveLength(254);
    expect(dataOf(emailSchema, `   ${at254}   `)).toBe(at254);
    expect(dataOf(emailSchema, `   ${EMAIL_254.toUpperCase()}\n`)).toBe(EMAIL_254);
  });

  it.each<[string, unknown]>([
    ["number", 5],
    ["null", null],
    ["undefined", undefined],
    ["object", { email: "a@b.co" }],
    ["array", ["a@b.co"]],
  ])("rejects a non-string (%s)", (_label, input) => {
    expect(emailSchema.safeParse(input).success).toBe(false);
  });
});

describe("loginSchema", () => {
  it.each<[unknown, { email: string; password: string; code?: string }]>([
    [{ email: "alice@example.org", password: "x" }, { email: "alice@example.org", password: "x" }],
    [{ email: "  ALICE@Example.org ", password: "  spaced  " }, { email: "alice@example.org", password: "  spaced  " }],
    [{ email: "a@b.co", password: "p".repeat(256) }, { email: "a@b.co", password: "p".repeat(256) }],
    [{ email: "a@b.co", password: "short", extra: "stripped" }, { email: "a@b.co", password: "short" }],
    [{ email: "a@b.co", password: "x", code: " 123 456 " }, { email: "a@b.co", password: "x", code: "123 456" }],
  ])("accepts %j", (input, expected) => {
    expect(dataOf(loginSchema, input)).toStrictEqual(expected);
  });

  it("does not trim or otherwise alter the password", () => {
    expect(dataOf(loginSchema, { email: "a@b.co", password: " Pa55 " }).password).toBe(" Pa55 ");
  });

  it.each<[string, unknown, Record<string, string[]>]>([
    ["empty password", { email: "a@b.co", password: "" }, { password: ["Enter your password"] }],
    ["overlong password", { email: "a@b.co", password: "p".repeat(257) }, { password: ["Password is too long"] }],
    ["bad email", { email: "nope", password: "x" }, { email: ["Enter a valid email address"] }],
    ["both empty", { email: "", password: "" }, { email: ["Enter a valid email address"], password: ["Enter your password"] }],
    ["overlong code", { email: "a@b.co", password: "x", code: "1".repeat(65) }, { code: ["Code is too long"] }],
  ])("rejects %s", (_label, input, expected) => {
    expect(errorsOf(loginSchema, input)).toEqual(expected);
  });

  it.each<[string, unknown, string[]]>([
    ["missing fields", {}, ["email", "password"]],
    ["missing password", { email: "a@b.co" }, ["password"]],
    ["numeric password", { email: "a@b.co", password: 123456 }, ["password"]],
    ["null email", { email: null, password: "x" }, ["email"]],
  ])("rejects %s with errors on %j", (_label, input, fields) => {
    expect(Object.keys(errorsOf(loginSchema, input)).sort()).toEqual(fields);
  });

  it.each([null, undefined, "a@b.co", 42, []])("rejects non-object input %j", (input) => {
    expect(loginSchema.safeParse(input).success).toBe(false);
  });
});

describe("newPasswordSchema", () => {
  it.each<[number, boolean]>([
    [0, false],
    [1, false],
    [11, false],
    [12, true],
    [13, true],
    [100, true],
    [255, true],
    [256, true],
    [257, false],
    [10_000, false],
  ])("length %i -> valid: %s", (length, valid) => {
    expect(newPasswordSchema.safeParse("x".repeat(length)).success).toBe(valid);
  });

  it("whitespace counts toward the length (no trimming)", () => {
    expect(dataOf(newPasswordSchema, " ".repeat(12))).toBe(" ".repeat(12));
  });
});

describe("createUserSchema", () => {
  const base = { email: "New.User@Example.org", name: "New User", password: VALID_PASSWORD };

  it("normalises email and name, defaults isAdmin to false", () => {
    expect(dataOf(createUserSchema, { ...base, email: "  New.User@Example.ORG  ", name: "  New User  " })).toStrictEqual({
      email: "new.user@example.org",
      name: "New User",
      password: VALID_PASSWORD,
      isAdmin: false,
    });
  });

  it.each([true, false])("keeps an explicit isAdmin: %s", (isAdmin) => {
    expect(dataOf(createUserSchema, { ...base, isAdmin }).isAdmin).toBe(isAdmin);
  });

  it.each<[string, string, boolean]>([
    ["11 chars", "x".repeat(11), false],
    ["12 chars", "x".repeat(12), true],
    ["256 chars", "x".repeat(256), true],
    ["257 chars", "x".repeat(257), false],
    ["empty", "", false],
  ])("password %s -> valid: %s", (_label, password, valid) => {
    expect(createUserSchema.safeParse({ ...base, password }).success).toBe(valid);
  });

  it.each<[string, string, string]>([
    ["too short", "x".repeat(11), "Use at least 12 characters"],
    ["too long", "x".repeat(257), "Use at most 256 characters"],
  ])("password %s has a helpful message", (_label, password, message) => {
    expect(errorsOf(createUserSchema, { ...base, password })).toEqual({ password: [message] });
  });

  it.each<[string, string, string | null]>([
    ["one character", "A", "A"],
    ["120 characters", "n".repeat(120), "n".repeat(120)],
    ["120 characters plus padding", `  ${"n".repeat(120)}  `, "n".repeat(120)],
    ["unicode", "Олена Шевченко", "Олена Шевченко"],
    ["empty", "", null],
    ["only whitespace", "   \t ", null],
    ["121 characters", "n".repeat(121), null],
  ])("name %s", (_label, name, expected) => {
    const r = createUserSchema.safeParse({ ...base, name });
    if (expected === null) {
      expect(r.success).toBe(false);
    } else {
      expect(r.success).toBe(true);
      expect(r.data?.name).toBe(expected);
    }
  });

  it.each<[string, string, string]>([
    ["empty", "", "Enter a name"],
    ["whitespace", "   ", "Enter a name"],
    ["too long", "n".repeat(121), "Name is too long"],
  ])("name %s -> message %j", (_label, name, message) => {
    expect(errorsOf(createUserSchema, { ...base, name })).toEqual({ name: [message] });
  });

  it("reports every bad field at once", () => {
    expect(Object.keys(errorsOf(createUserSchema, { email: "bad", name: "", password: "short", isAdmin: "yes" })).sort()).toEqual([
      "email",
      "isAdmin",
      "name",
      "password",
    ]);
  });

  it.each<[string, unknown]>([
    ["string 'true'", "true"],
    ["number 1", 1],
    ["null", null],
  ])("rejects a non-boolean isAdmin (%s)", (_label, isAdmin) => {
    expect(Object.keys(errorsOf(createUserSchema, { ...base, isAdmin }))).toEqual(["isAdmin"]);
  });
});

describe("idSchema", () => {
  it.each<[unknown, string]>([
    ["abc", "abc"],
    ["cm1x2y3z40000abcd", "cm1x2y3z40000abcd"],
    ["A_b-C_9", "A_b-C_9"],
    ["-", "-"],
    ["_", "_"],
    ["  padded  ", "padded"],
    ["x".repeat(64), "x".repeat(64)],
  ])("accepts %j -> %j", (input, expected) => {
    expect(dataOf(idSchema, input)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ["empty", ""],
    ["whitespace only", "   "],
    ["65 characters", "x".repeat(65)],
    ["internal space", "ab cd"],
    ["double quote", 'ab"cd'],
    ["single quote", "ab'cd"],
    ["SQL-ish", "1' OR '1'='1"],
    ["path traversal", "../etc/passwd"],
    ["dot-dot", ".."],
    ["slash", "a/b"],
    ["backslash", "a\\b"],
    ["dot", "a.b"],
    ["colon", "a:b"],
    ["percent-encoding", "a%2Fb"],
    ["null byte", "ab\u0000cd"],
    ["newline", "ab\ncd"],
    ["non-ASCII letter", "abç"],
    ["emoji", "id😀"],
    ["angle brackets", "<script>"],
    ["number", 123],
    ["null", null],
    ["undefined", undefined],
  ])("rejects %s", (_label, input) => {
    expect(idSchema.safeParse(input).success).toBe(false);
  });

  it("reports the malformed-id message", () => {
    expect(errorsOf(idSchema, "a b")).toEqual({ _form: ["Malformed id"] });
  });
});

describe("projectRoleSchema", () => {
  it.each(["CONTRIBUTOR", "INVESTIGATOR", "REVIEWER", "EDITOR"])("accepts %s", (role) => {
    expect(dataOf(projectRoleSchema, role)).toBe(role);
  });
  it.each(["ADMIN", "OWNER", "editor", " EDITOR", "EDITOR ", "", null, 0])("rejects %j", (role) => {
    expect(projectRoleSchema.safeParse(role).success).toBe(false);
  });
});

describe("setMembershipSchema", () => {
  const base = { userId: "usr_1", projectId: "prj-1", role: "REVIEWER" };

  it.each<[unknown, unknown]>([
    [base, { userId: "usr_1", projectId: "prj-1", role: "REVIEWER" }],
    [{ ...base, role: null }, { userId: "usr_1", projectId: "prj-1", role: null }],
    [{ ...base, role: "CONTRIBUTOR" }, { userId: "usr_1", projectId: "prj-1", role: "CONTRIBUTOR" }],
    [{ ...base, role: "INVESTIGATOR" }, { userId: "usr_1", projectId: "prj-1", role: "INVESTIGATOR" }],
    [{ ...base, role: "EDITOR" }, { userId: "usr_1", projectId: "prj-1", role: "EDITOR" }],
    [{ userId: " usr_1 ", projectId: "\tprj-1\n", role: null }, { userId: "usr_1", projectId: "prj-1", role: null }],
    [{ ...base, extra: "dropped" }, { userId: "usr_1", projectId: "prj-1", role: "REVIEWER" }],
  ])("accepts %j", (input, expected) => {
    expect(dataOf(setMembershipSchema, input)).toStrictEqual(expected);
  });

  it.each<[string, unknown]>([
    ["ADMIN", "ADMIN"],
    ["lowercase", "editor"],
    ["empty string", ""],
    ["undefined (role must be given; null removes)", undefined],
    ["number", 1],
    ["array", ["EDITOR"]],
  ])("rejects role %s", (_label, role) => {
    expect(Object.keys(errorsOf(setMembershipSchema, { ...base, role }))).toEqual(["role"]);
  });

  it.each<[string, string]>([
    ["with spaces", "usr 1"],
    ["with quotes", '"usr_1"'],
    ["with single quotes", "'usr_1'"],
    ["path traversal", "../../admin"],
    ["url-like", "https://evil.example/x"],
    ["overlong", "u".repeat(65)],
    ["empty", ""],
    ["whitespace", "  "],
  ])("rejects a malformed id (%s) in either field", (_label, bad) => {
    expect(Object.keys(errorsOf(setMembershipSchema, { ...base, userId: bad }))).toEqual(["userId"]);
    expect(Object.keys(errorsOf(setMembershipSchema, { ...base, projectId: bad }))).toEqual(["projectId"]);
  });

  it("reports all three fields when all are bad", () => {
    expect(errorsOf(setMembershipSchema, { userId: "../etc", projectId: "a b", role: "ADMIN" })).toEqual({
      userId: ["Malformed id"],
      projectId: ["Malformed id"],
      role: [expect.any(String)],
    });
  });
});

describe("setUserActiveSchema", () => {
  it.each([true, false])("accepts active: %s", (active) => {
    expect(dataOf(setUserActiveSchema, { userId: "usr_1", active })).toStrictEqual({ userId: "usr_1", active });
  });
  it.each<[string, unknown]>([
    ["string active", { userId: "usr_1", active: "false" }],
    ["missing active", { userId: "usr_1" }],
    ["bad id", { userId: "usr 1", active: true }],
  ])("rejects %s", (_label, input) => {
    expect(setUserActiveSchema.safeParse(input).success).toBe(false);
  });
});

describe("createProjectSchema", () => {
  const base = { name: "Kyiv Strikes", slug: "kyiv-strikes" };

  it("defaults description to an empty string", () => {
    expect(dataOf(createProjectSchema, base)).toStrictEqual({ name: "Kyiv Strikes", slug: "kyiv-strikes", description: "" });
  });

  it("trims name and description", () => {
    expect(dataOf(createProjectSchema, { name: "  Kyiv  ", slug: "kyiv", description: "  About.  " })).toStrictEqual({
      name: "Kyiv",
      slug: "kyiv",
      description: "About.",
    });
  });

  it.each<[string, string]>([
    ["kyiv", "kyiv"],
    ["ab", "ab"],
    ["a1", "a1"],
    ["12", "12"],
    ["kyiv-2024", "kyiv-2024"],
    ["a-b-c-d", "a-b-c-d"],
    ["Kyiv-Strikes", "kyiv-strikes"],
    ["  spaced-out  ", "spaced-out"],
    ["  UPPER ", "upper"],
    ["s".repeat(48), "s".repeat(48)],
    [`${"a".repeat(23)}-${"b".repeat(24)}`, `${"a".repeat(23)}-${"b".repeat(24)}`],
  ])("slug %j -> %j", (slug, expected) => {
    expect(dataOf(createProjectSchema, { ...base, slug }).slug).toBe(expected);
  });

  it.each<[string, string]>([
    ["empty", ""],
    ["one character", "a"],
    ["one character after trimming", "  a  "],
    ["49 characters", "s".repeat(49)],
    ["leading hyphen", "-kyiv"],
    ["trailing hyphen", "kyiv-"],
    ["double hyphen", "kyiv--strikes"],
    ["only hyphens", "--"],
    ["underscore", "kyiv_strikes"],
    ["internal space", "kyiv strikes"],
    ["dot", "kyiv.strikes"],
    ["slash", "kyiv/strikes"],
    ["path traversal", "../admin"],
    ["non-ASCII", "київ"],
    ["accented", "café"],
    ["quote", "kyiv'"],
  ])("rejects slug %s (%j)", (_label, slug) => {
    expect(Object.keys(errorsOf(createProjectSchema, { ...base, slug }))).toEqual(["slug"]);
  });

  it("explains the slug rule", () => {
    expect(errorsOf(createProjectSchema, { ...base, slug: "a--b" })).toEqual({
      slug: ["Use lowercase letters, digits and single hyphens"],
    });
  });

  it.each<[string, string, boolean]>([
    ["2 characters", "Ky", true],
    ["1 character", "K", false],
    ["1 character padded to 3", " K ", false],
    ["120 characters", "n".repeat(120), true],
    ["121 characters", "n".repeat(121), false],
  ])("name %s -> valid: %s", (_label, name, valid) => {
    expect(createProjectSchema.safeParse({ ...base, name }).success).toBe(valid);
  });

  it("short name has a helpful message", () => {
    expect(errorsOf(createProjectSchema, { ...base, name: " " })).toEqual({ name: ["Enter a project name"] });
  });

  it.each<[number, boolean]>([
    [0, true],
    [2000, true],
    [2001, false],
  ])("description of %i characters -> valid: %s", (length, valid) => {
    expect(createProjectSchema.safeParse({ ...base, description: "d".repeat(length) }).success).toBe(valid);
  });
});

describe("fieldErrorsOf", () => {
  it("maps each field to its messages, in issue order", () => {
    const schema = z.object({
      a: z.string().min(3, "too short").regex(/^x/, "must start with x"),
      b: z.number({ message: "not a number" }),
    });
    const r = schema.safeParse({ a: "y", b: "1" });
    if (r.success) throw new Error("expected failure");
    expect(fieldErrorsOf(r.error)).toStrictEqual({ a: ["too short", "must start with x"], b: ["not a number"] });
  });

  it("joins nested paths with dots (including array indexes)", () => {
    const schema = z.object({ user: z.object({ emails: z.array(z.string().email("bad email")) }) });
    const r = schema.safeParse({ user: { emails: ["ok@example.org", "nope"] } });
    if (r.success) throw new Error("expected failure");
    expect(fieldErrorsOf(r.error)).toStrictEqual({ "user.emails.1": ["bad email"] });
  });

  it("puts issues without a path under _form", () => {
    const schema = z
      .object({ a: z.string(), b: z.string() })
      .refine((v) => v.a === v.b, { message: "a and b must match" });
    const r = schema.safeParse({ a: "1", b: "2" });
    if (r.success) throw new Error("expected failure");
    expect(fieldErrorsOf(r.error)).toStrictEqual({ _form: ["a and b must match"] });
  });

  it("returns an empty object for an error with no issues", () => {
    expect(fieldErrorsOf(new z.ZodError([]))).toStrictEqual({});
  });

  it("output is plain JSON: string keys to non-empty string arrays", () => {
    const r = createUserSchema.safeParse({ email: "x", name: "", password: "", isAdmin: 3 });
    if (r.success) throw new Error("expected failure");
    const out = fieldErrorsOf(r.error);
    expect(JSON.parse(JSON.stringify(out))).toStrictEqual(out);
    for (const [key, messages] of Object.entries(out)) {
      expect(typeof key).toBe("string");
      expect(Array.isArray(messages)).toBe(true);
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) expect(typeof m).toBe("string");
    }
  });
});
