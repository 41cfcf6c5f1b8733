// API tokens and the JSON API, against a real database: tokens are shown once and stored only
// as a hash, their scopes and project narrow the owner's role (never widen it), revocation,
// expiry and deactivation shut them out at once, and submissions (JSON, multipart, tus) land
// with the right bytes. Route handlers are called directly with real Request objects.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, WEB_SERVER_MARK } from "../../lib/domain/client-address";
import { SYSTEM_ACTOR, can, type Actor, type ApiScope } from "../../lib/domain/permissions";
import { actorFromToken } from "../../lib/server/api-auth";
import { db } from "../../lib/server/db";
import { resetPassword } from "../../lib/server/services/accounts/reset-password";
import { adminResetTwoFactor } from "../../lib/server/services/accounts/reset-two-factor";
import { setUserActive } from "../../lib/server/services/accounts/set-user-active";
import { listNotifications, unreadNotificationCount } from "../../lib/server/services/comments/notifications";
import { createIncident } from "../../lib/server/services/incidents/create-incident";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { createToken } from "../../lib/server/services/tokens/create-token";
import { listTokens } from "../../lib/server/services/tokens/list-tokens";
import { revokeToken } from "../../lib/server/services/tokens/revoke-token";
import { blobStore } from "../../lib/server/storage";
import { tusServer } from "../../lib/server/uploads/web-tus-server";
import { GET as projectsRoute } from "../../app/api/v1/projects/route";
import { GET as itemsRoute, POST as submitRoute } from "../../app/api/v1/projects/[slug]/items/route";
import { GET as itemRoute } from "../../app/api/v1/projects/[slug]/items/[ref]/route";
import { POST as commentRoute } from "../../app/api/v1/projects/[slug]/items/[ref]/comments/route";
import { GET as incidentsRoute } from "../../app/api/v1/projects/[slug]/incidents/route";
import { GET as incidentRoute } from "../../app/api/v1/projects/[slug]/incidents/[ref]/route";
import { PASSWORD, actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-api-media-"));
process.env.GROUNDTRUTH_UPLOAD_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-api-uploads-"));

const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const imageBytes = readFileSync(path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg"));
const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const BASE = "http://localhost/api/v1/projects";

let project: { id: string; slug: string };
let otherProject: { id: string; slug: string };
let editor: Actor;
let investigator: Actor;
let itemRef: string;

const auth = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });
const getJson = (url: string, token: string | null) => new Request(url, { headers: auth(token) });
const postJson = (url: string, token: string | null, body: unknown) =>
  new Request(url, { method: "POST", headers: { ...auth(token), "content-type": "application/json" }, body: JSON.stringify(body) });

async function tokenFor(actor: Actor, scopes: ApiScope[], extra: { projectId?: string; expiresInDays?: number } = {}) {
  return createToken(actor, { name: `token ${scopes.join("+")}`, scopes, ...extra });
}

beforeAll(async () => {
  project = await makeProject();
  otherProject = await makeProject();
  const editorUser = await makeUser({ projectId: project.id, role: "EDITOR" });
  await db().membership.create({ data: { userId: editorUser.id, projectId: otherProject.id, role: "EDITOR" } });
  editor = await actorFor(editorUser.id);
  investigator = await actorFor((await makeUser({ projectId: project.id, role: "INVESTIGATOR" })).id);
  const item = await submitEvidence(editor, { projectId: project.id, title: "Seed item", sourceUrls: ["https://example.org/seed"] });
  itemRef = item.reference;
});

describe("creating, listing and revoking tokens", () => {
  it("shows the token once and stores only its SHA-256", async () => {
    const created = await tokenFor(editor, ["read"]);
    expect(created.token).toMatch(/^gt_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.token.slice(0, 10));

    const row = await db().apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(sha256(created.token));
    expect(row.scopes).toEqual(["read"]);
    // Nowhere in the database: not in the token table, not in the audit log.
    const [inTokens] = await db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "ApiToken" t WHERE row_to_json(t)::text LIKE ${`%${created.token}%`}`;
    const [inAudit] = await db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "AuditEvent" a WHERE row_to_json(a)::text LIKE ${`%${created.token.slice(10)}%`}`;
    expect(Number(inTokens!.n)).toBe(0);
    expect(Number(inAudit!.n)).toBe(0);

    const listed = await listTokens(editor);
    const mine = listed.find((t) => t.id === created.id)!;
    expect(mine.prefix).toBe(created.prefix);
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(JSON.stringify(listed)).not.toContain(row.tokenHash);

    const audit = await db().auditEvent.findFirstOrThrow({ where: { entityId: created.id, action: "token.create" } });
    expect(audit.actorId).toBe(editor.userId);
    expect(audit.after).toMatchObject({ prefix: created.prefix, scopes: ["read"] });
  });

  it("refuses a project token for a project the actor is not in", async () => {
    const stranger = await actorFor((await makeUser()).id);
    await expect(tokenFor(stranger, ["read"], { projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db().apiToken.count({ where: { userId: stranger.userId } })).toBe(0);
  });

  it("a token cannot mint another token", async () => {
    const { token } = await tokenFor(editor, ["read", "submit", "comment", "edit"]);
    const viaToken = (await actorFromToken(token))!;
    await expect(tokenFor(viaToken, ["read"])).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("revokes: the next request is 401, the revocation is audited, strangers cannot revoke", async () => {
    const created = await tokenFor(editor, ["read"]);
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(200);

    const stranger = await actorFor((await makeUser()).id);
    await expect(revokeToken(stranger, { tokenId: created.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(200);

    await revokeToken(editor, { tokenId: created.id });
    const response = await projectsRoute(getJson(BASE, created.token));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "A valid API token is required.", code: "UNAUTHENTICATED" });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { entityId: created.id, action: "token.revoke" } });
    expect(audit.actorId).toBe(editor.userId);
  });

  it("an admin may revoke anyone's token", async () => {
    const created = await tokenFor(investigator, ["read"]);
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    await revokeToken(admin, { tokenId: created.id });
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(401);
  });
});

describe("authentication", () => {
  it.each<[string, string | null]>([
    ["no header", null],
    ["a malformed token", "not-a-token"],
    ["a well-formed unknown token", `gt_${"A".repeat(43)}`],
  ])("%s -> 401", async (_label, token) => {
    const response = await projectsRoute(getJson(BASE, token));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("a session cookie alone is not enough", async () => {
    const response = await projectsRoute(new Request(BASE, { headers: { cookie: "next-auth.session-token=whatever" } }));
    expect(response.status).toBe(401);
  });

  it("an expired token -> 401", async () => {
    const created = await tokenFor(editor, ["read"], { expiresInDays: 1 });
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(200);
    await db().apiToken.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(401);
  });

  it("a deactivated user's token -> 401", async () => {
    const user = await makeUser({ projectId: project.id, role: "EDITOR" });
    const created = await tokenFor(await actorFor(user.id), ["read"]);
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(200);
    await setUserActive(SYSTEM_ACTOR, { userId: user.id, active: false });
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(401);
  });

  it("records lastUsedAt, at most once a minute", async () => {
    const created = await tokenFor(editor, ["read"]);
    await projectsRoute(getJson(BASE, created.token));
    const first = (await db().apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await projectsRoute(getJson(BASE, created.token));
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toEqual(first);
  });
});

describe("incident response: an admin's reset or deactivation ends every token for good", () => {
  /** A fresh user with: two working tokens, one they revoked themselves, one expired. */
  async function userWithTokens() {
    const user = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
    const actor = await actorFor(user.id);
    const personal = await tokenFor(actor, ["read"]);
    const scoped = await tokenFor(actor, ["read", "comment"], { projectId: project.id });
    const ownRevoked = await tokenFor(actor, ["read"]);
    await revokeToken(actor, { tokenId: ownRevoked.id });
    const ownRevokedAt = (await db().apiToken.findUniqueOrThrow({ where: { id: ownRevoked.id } })).revokedAt;
    const expired = await tokenFor(actor, ["read"], { expiresInDays: 1 });
    await db().apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const t of [personal, scoped]) expect((await projectsRoute(getJson(BASE, t.token))).status).toBe(200);
    return { user, live: [personal, scoped], ownRevoked, ownRevokedAt, expired };
  }

  async function expectRevokedForGood(userId: string, live: Array<{ id: string; token: string }>, reason: string, adminId: string | null) {
    for (const t of live) {
      expect((await projectsRoute(getJson(BASE, t.token))).status).toBe(401);
      expect(await db().apiToken.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ revokedAt: expect.any(Date), revokedReason: reason });
      const audit = await db().auditEvent.findFirstOrThrow({ where: { entityId: t.id, action: "token.revoke" } });
      expect(audit.actorId).toBe(adminId);
      expect(audit.after).toMatchObject({ reason, ownerId: userId });
    }
    const notices = await db().notification.findMany({ where: { userId, kind: "TOKEN_REVOKED" } });
    expect(notices.some((n) => n.message.includes(reason === "deactivated" ? "deactivated" : "reset"))).toBe(true);
  }

  it("a password reset revokes the user's tokens (reason, audit, notification); earlier revocations keep theirs", async () => {
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const { user, live, ownRevoked, ownRevokedAt, expired } = await userWithTokens();
    await resetPassword(admin, { userId: user.id, password: "a brand new password 123", currentPassword: PASSWORD });
    await expectRevokedForGood(user.id, live, "password_reset", admin.userId);
    // The owner's own revocation is left as it was; the expired token is not touched.
    expect(await db().apiToken.findUniqueOrThrow({ where: { id: ownRevoked.id } })).toMatchObject({ revokedAt: ownRevokedAt, revokedReason: "owner" });
    expect(await db().apiToken.findUniqueOrThrow({ where: { id: expired.id } })).toMatchObject({ revokedAt: null });
  });

  it("a two-factor reset revokes the user's tokens", async () => {
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const { user, live } = await userWithTokens();
    await adminResetTwoFactor(admin, { userId: user.id, currentPassword: PASSWORD });
    await expectRevokedForGood(user.id, live, "two_factor_reset", admin.userId);
  });

  it("deactivation revokes the user's tokens, and reactivation does not bring them back", async () => {
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const { user, live } = await userWithTokens();
    await setUserActive(admin, { userId: user.id, active: false });
    await setUserActive(admin, { userId: user.id, active: true });
    await expectRevokedForGood(user.id, live, "deactivated", admin.userId);
    // The reactivated owner signs in and makes a new one, which works.
    const fresh = await tokenFor(await actorFor(user.id), ["read"]);
    expect((await projectsRoute(getJson(BASE, fresh.token))).status).toBe(200);
  });

  it("the owner's revocation and an admin's are told apart and the owner is told of both", async () => {
    const user = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
    const actor = await actorFor(user.id);
    const admin = await actorFor((await makeUser({ isAdmin: true })).id);
    const mine = await tokenFor(actor, ["read"]);
    const theirs = await tokenFor(actor, ["read"]);
    await revokeToken(actor, { tokenId: mine.id });
    await revokeToken(admin, { tokenId: theirs.id });
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: mine.id } })).revokedReason).toBe("owner");
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: theirs.id } })).revokedReason).toBe("admin");
    const messages = (await listNotifications(actor)).filter((n) => n.kind === "TOKEN_REVOKED").map((n) => n.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining("revoked by you"), expect.stringContaining("revoked by an administrator")]));
  });
});

describe("expiry, last use and notices to the owner", () => {
  const DAY = 86_400_000;
  const restore = { ...process.env };

  it("every token expires: the default lifetime, a chosen one up to the maximum, never longer", async () => {
    const user = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
    const actor = await actorFor(user.id);
    try {
      const plain = await tokenFor(actor, ["read"]);
      expect(Math.abs(plain.expiresAt.getTime() - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
      expect((await db().apiToken.findUniqueOrThrow({ where: { id: plain.id } })).expiresAt).toEqual(plain.expiresAt);

      process.env.GROUNDTRUTH_TOKEN_DEFAULT_DAYS = "14";
      process.env.GROUNDTRUTH_TOKEN_MAX_DAYS = "30";
      const short = await tokenFor(actor, ["read"]);
      expect(Math.abs(short.expiresAt.getTime() - (Date.now() + 14 * DAY))).toBeLessThan(60_000);
      const before = await db().apiToken.count({ where: { userId: user.id } });
      await expect(tokenFor(actor, ["read"], { expiresInDays: 90 })).rejects.toMatchObject({ code: "VALIDATION" });
      expect(await db().apiToken.count({ where: { userId: user.id } })).toBe(before);
    } finally {
      process.env.GROUNDTRUTH_TOKEN_DEFAULT_DAYS = restore.GROUNDTRUTH_TOKEN_DEFAULT_DAYS;
      process.env.GROUNDTRUTH_TOKEN_MAX_DAYS = restore.GROUNDTRUTH_TOKEN_MAX_DAYS;
      if (restore.GROUNDTRUTH_TOKEN_DEFAULT_DAYS === undefined) delete process.env.GROUNDTRUTH_TOKEN_DEFAULT_DAYS;
      if (restore.GROUNDTRUTH_TOKEN_MAX_DAYS === undefined) delete process.env.GROUNDTRUTH_TOKEN_MAX_DAYS;
    }
  });

  it("shows where a token was last used from: the address the web server vouches for, never X-Forwarded-For", async () => {
    const user = await makeUser({ projectId: project.id, role: "INVESTIGATOR" });
    const actor = await actorFor(user.id);
    const created = await tokenFor(actor, ["read"]);
    const marks = globalThis as unknown as Record<symbol, unknown>;
    marks[WEB_SERVER_MARK] = true;
    try {
      const request = new Request(BASE, { headers: { ...auth(created.token), [CLIENT_ADDRESS_HEADER]: "198.51.100.23", "x-forwarded-for": "203.0.113.66" } });
      expect((await projectsRoute(request)).status).toBe(200);
    } finally {
      delete marks[WEB_SERVER_MARK];
    }
    const listed = (await listTokens(actor)).find((t) => t.id === created.id)!;
    expect(listed).toMatchObject({ lastUsedAt: expect.any(Date), lastUsedIp: "198.51.100.23" });

    // Within the minute the row is not written again, whatever the address.
    await db().apiToken.update({ where: { id: created.id }, data: { lastUsedIp: "192.0.2.1" } });
    expect((await projectsRoute(getJson(BASE, created.token))).status).toBe(200);
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedIp).toBe("192.0.2.1");
  });

  it("tells the owner, in the app, when a token is created for their account", async () => {
    // No project at all: account notices do not depend on memberships.
    const user = await makeUser();
    const actor = await actorFor(user.id);
    expect(await unreadNotificationCount(actor)).toBe(0);
    const created = await tokenFor(actor, ["read"]);
    expect(await unreadNotificationCount(actor)).toBe(1);
    const [notice] = await listNotifications(actor);
    expect(notice).toMatchObject({ kind: "TOKEN_CREATED", projectId: null, href: "/account/tokens" });
    expect(notice!.message).toContain(created.prefix);
    expect(notice!.message).not.toContain(created.token);
    // Nobody else sees it.
    expect((await listNotifications(editor)).some((n) => n.id === notice!.id)).toBe(false);
  });
});

describe("scopes and projects narrow the owner's rights", () => {
  it("a read token lists projects and items but cannot submit (403)", async () => {
    const { token } = await tokenFor(editor, ["read"]);
    const projects = (await (await projectsRoute(getJson(BASE, token))).json()) as { projects: Array<{ slug: string }> };
    expect(projects.projects.map((p) => p.slug).sort()).toEqual([project.slug, otherProject.slug].sort());

    const list = await itemsRoute(getJson(`${BASE}/${project.slug}/items?sort=reference&dir=asc`, token), params({ slug: project.slug }));
    expect(list.status).toBe(200);
    const body = (await list.json()) as { total: number; items: Array<{ reference: string; apiUrl: string }> };
    expect(body.items.map((i) => i.reference)).toContain(itemRef);
    expect(body.items[0]!.apiUrl).toBe(`/api/v1/projects/${project.slug}/items/${body.items[0]!.reference}`);

    const before = await db().evidenceItem.count();
    const refused = await submitRoute(postJson(`${BASE}/${project.slug}/items`, token, { title: "Nope", sourceUrls: ["https://example.org/x"] }), params({ slug: project.slug }));
    expect(refused.status).toBe(403);
    expect(await db().evidenceItem.count()).toBe(before);
  });

  it("rejects invalid queue parameters with 400 rather than ignoring them", async () => {
    const { token } = await tokenFor(editor, ["read"]);
    const response = await itemsRoute(getJson(`${BASE}/${project.slug}/items?status=BOGUS`, token), params({ slug: project.slug }));
    expect(response.status).toBe(400);
  });

  it.each(["submittedFrom=0000-01-01", "uploadedTo=9999-12-31", "submittedTo=0000-12-31", "uploadedFrom=9999-12-31"])(
    "a day the database cannot hold (%s) -> 400 naming the parameter, not a 500",
    async (query) => {
      const { token } = await tokenFor(editor, ["read"]);
      const response = await itemsRoute(getJson(`${BASE}/${project.slug}/items?${query}`, token), params({ slug: project.slug }));
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: string; code: string; fieldErrors: { query: string[] } };
      expect(body.code).toBe("VALIDATION");
      expect(body.fieldErrors.query).toEqual([query]);
      expect(body.error).toContain(query.split("=")[0]!);
    },
  );

  it("a submit token submits JSON with source URLs (201) but cannot comment (403)", async () => {
    const { token } = await tokenFor(editor, ["submit"], { projectId: project.id });
    const listed = (await (await projectsRoute(getJson(BASE, token))).json()) as { projects: Array<{ id: string; canRead: boolean; canSubmit: boolean }> };
    expect(listed.projects).toEqual([expect.objectContaining({ id: project.id, canRead: false, canSubmit: true })]);
    const response = await submitRoute(
      postJson(`${BASE}/${project.slug}/items`, token, { title: "From a script", platform: "TELEGRAM", sourceUrls: ["https://t.me/channel/1", "https://t.me/channel/2"], sensitiveGraphic: true }),
      params({ slug: project.slug }),
    );
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; reference: string; url: string; apiUrl: string };
    expect(created.url).toBe(`/projects/${project.slug}/items/${created.reference}`);
    expect(response.headers.get("location")).toBe(created.apiUrl);
    const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: created.id }, include: { sources: true } });
    expect(item.submittedById).toBe(editor.userId);
    expect(item.sensitiveGraphic).toBe(true);
    expect(item.sources.map((s) => s.url).sort()).toEqual(["https://t.me/channel/1", "https://t.me/channel/2"]);

    const comment = await commentRoute(postJson(`${BASE}/${project.slug}/items/${itemRef}/comments`, token, { body: "hi" }), params({ slug: project.slug, ref: itemRef }));
    expect(comment.status).toBe(403);
    expect(await db().comment.count({ where: { authorId: editor.userId } })).toBe(0);
  });

  it("invalid submissions are 400 with field errors and store nothing", async () => {
    const { token } = await tokenFor(editor, ["submit"]);
    const response = await submitRoute(postJson(`${BASE}/${project.slug}/items`, token, { title: "x" }), params({ slug: project.slug }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; fieldErrors: Record<string, string[]> };
    expect(body.code).toBe("VALIDATION");
    expect(Object.keys(body.fieldErrors)).toContain("title");
    const malformed = await submitRoute(new Request(`${BASE}/${project.slug}/items`, { method: "POST", headers: { ...auth(token), "content-type": "application/json" }, body: "{" }), params({ slug: project.slug }));
    expect(malformed.status).toBe(400);
  });

  it("a read+comment token comments (201), and the comment is the owner's", async () => {
    const { token } = await tokenFor(investigator, ["read", "comment"]);
    const response = await commentRoute(postJson(`${BASE}/${project.slug}/items/${itemRef}/comments`, token, { body: "Looks like the market" }), params({ slug: project.slug, ref: itemRef }));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const comment = await db().comment.findUniqueOrThrow({ where: { id } });
    expect(comment.authorId).toBe(investigator.userId);
    expect(comment.body).toBe("Looks like the market");
  });

  it("an INVESTIGATOR's edit token may triage but still cannot publish or manage incidents", async () => {
    const { token } = await tokenFor(investigator, ["read", "submit", "comment", "edit"]);
    const viaToken = (await actorFromToken(token))!;
    const here = { kind: "project" as const, projectId: project.id };
    expect(can(viaToken, "item:triage", here)).toBe(true);
    expect(can(viaToken, "item:publish", here)).toBe(false);
    expect(can(viaToken, "incident:manage", here)).toBe(false);
    await expect(createIncident(viaToken, { projectId: project.id, title: "Not mine to make", incidentType: "IED" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("an admin EDITOR's full-scope token cannot export, import, archive or read audit, and carries no admin powers", async () => {
    const admin = await makeUser({ isAdmin: true, projectId: project.id, role: "EDITOR" });
    const { token } = await tokenFor(await actorFor(admin.id), ["read", "submit", "comment", "edit"]);
    const viaToken = (await actorFromToken(token))!;
    expect(viaToken.isAdmin).toBe(false);
    for (const action of ["export:internal", "import:run", "archive:export", "audit:read"] as const) expect(can(viaToken, action, { kind: "project", projectId: project.id })).toBe(false);
    expect(can(viaToken, "user:manage", { kind: "system" })).toBe(false);
  });

  it("a project token cannot see another project (404), even one its owner belongs to", async () => {
    const { token } = await tokenFor(editor, ["read", "submit"], { projectId: project.id });
    const projects = (await (await projectsRoute(getJson(BASE, token))).json()) as { projects: Array<{ slug: string }> };
    expect(projects.projects.map((p) => p.slug)).toEqual([project.slug]);
    expect((await itemsRoute(getJson(`${BASE}/${otherProject.slug}/items`, token), params({ slug: otherProject.slug }))).status).toBe(404);
    expect((await incidentsRoute(getJson(`${BASE}/${otherProject.slug}/incidents`, token), params({ slug: otherProject.slug }))).status).toBe(404);
    const submit = await submitRoute(postJson(`${BASE}/${otherProject.slug}/items`, token, { title: "Elsewhere", sourceUrls: ["https://example.org/y"] }), params({ slug: otherProject.slug }));
    expect(submit.status).toBe(404);
    expect((await itemsRoute(getJson(`${BASE}/${project.slug}/items`, token), params({ slug: project.slug }))).status).toBe(200);
  });
});

describe("reading items and incidents", () => {
  it("returns item detail without internals", async () => {
    const { token } = await tokenFor(investigator, ["read"]);
    const response = await itemRoute(getJson(`${BASE}/${project.slug}/items/${itemRef}`, token), params({ slug: project.slug, ref: itemRef }));
    expect(response.status).toBe(200);
    const { item } = (await response.json()) as { item: Record<string, unknown> };
    expect(item.reference).toBe(itemRef);
    expect(item.sources).toEqual([expect.objectContaining({ url: "https://example.org/seed" })]);
    for (const hidden of ["jobs", "submittedById", "canRetryJobs", "actorId", "projectId"]) expect(item).not.toHaveProperty(hidden);
    const missing = await itemRoute(getJson(`${BASE}/${project.slug}/items/NOPE-1`, token), params({ slug: project.slug, ref: "NOPE-1" }));
    expect(missing.status).toBe(404);
  });

  it("lists and reads incidents with a read token", async () => {
    const incident = await createIncident(editor, { projectId: project.id, title: "Market blast", incidentType: "IED" });
    const { token } = await tokenFor(investigator, ["read"]);
    const list = await incidentsRoute(getJson(`${BASE}/${project.slug}/incidents`, token), params({ slug: project.slug }));
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { incidents: Array<{ reference: string; title: string }> };
    expect(listed.incidents.map((i) => i.reference)).toContain(incident.reference);
    const one = await incidentRoute(getJson(`${BASE}/${project.slug}/incidents/${incident.reference}`, token), params({ slug: project.slug, ref: incident.reference }));
    expect(one.status).toBe(200);
    const detail = (await one.json()) as { incident: { title: string; reference: string } };
    expect(detail.incident).toMatchObject({ title: "Market blast", reference: incident.reference });

    const { token: submitOnly } = await tokenFor(investigator, ["submit"]);
    expect((await incidentsRoute(getJson(`${BASE}/${project.slug}/incidents`, submitOnly), params({ slug: project.slug }))).status).toBe(404);
  });
});

describe("submitting files", () => {
  it("multipart: stores the original with the SHA-256 of its bytes", async () => {
    const { token } = await tokenFor(editor, ["submit"]);
    const form = new FormData();
    form.append("metadata", JSON.stringify({ title: "Photo from a script", platform: "TELEGRAM", postUrl: "https://t.me/channel/9" }));
    form.append("file", new File([imageBytes], "photo.jpg", { type: "image/jpeg" }));
    const response = await submitRoute(new Request(`${BASE}/${project.slug}/items`, { method: "POST", headers: auth(token), body: form }), params({ slug: project.slug }));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const media = await db().mediaFile.findMany({ where: { itemId: id } });
    expect(media).toHaveLength(1);
    expect(media[0]!.sha256).toBe(sha256(imageBytes));
    expect(Number(media[0]!.sizeBytes)).toBe(imageBytes.length);
    expect(media[0]!.sniffedMime).toBe("image/jpeg");
    expect(media[0]!.originalFilename).toBe("photo.jpg");
    expect(await (await blobStore()).has(sha256(imageBytes))).toBe(true);
    const upload = await db().upload.findUniqueOrThrow({ where: { id: media[0]!.uploadId! } });
    expect(upload).toMatchObject({ userId: editor.userId, state: "ATTACHED" });
  });

  it("multipart: a file that is not an image or video is refused (400) and no item is made", async () => {
    const { token } = await tokenFor(editor, ["submit"]);
    const form = new FormData();
    form.append("metadata", JSON.stringify({ title: "A text file" }));
    form.append("file", new File([Buffer.from("just some text, not media\n")], "notes.jpg", { type: "image/jpeg" }));
    const before = await db().evidenceItem.count();
    const response = await submitRoute(new Request(`${BASE}/${project.slug}/items`, { method: "POST", headers: auth(token), body: form }), params({ slug: project.slug }));
    expect(response.status).toBe(400);
    expect(await db().evidenceItem.count()).toBe(before);
  });

  it("tus with a token, then JSON submit with uploadIds", async () => {
    const { token } = await tokenFor(editor, ["submit"]);
    const b64 = (value: string) => Buffer.from(value).toString("base64");
    const created = await tusServer().handleWeb(
      new Request("http://localhost/api/uploads", {
        method: "POST",
        headers: { ...auth(token), "Tus-Resumable": "1.0.0", "Upload-Length": String(imageBytes.length), "Upload-Metadata": `filename ${b64("tus.jpg")},filetype ${b64("image/jpeg")},projectId ${b64(project.id)}` },
      }),
    );
    expect(created.status).toBe(201);
    const uploadId = created.headers.get("location")!.split("/").pop()!;
    const patched = await tusServer().handleWeb(
      new Request(`http://localhost/api/uploads/${uploadId}`, {
        method: "PATCH",
        headers: { ...auth(token), "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
        body: imageBytes,
        duplex: "half",
      } as RequestInit),
    );
    expect(patched.status).toBe(204);

    // Someone else's token cannot see the upload, nor submit it.
    const { token: othersToken } = await tokenFor(investigator, ["submit"]);
    const head = await tusServer().handleWeb(new Request(`http://localhost/api/uploads/${uploadId}`, { method: "HEAD", headers: { ...auth(othersToken), "Tus-Resumable": "1.0.0" } }));
    expect(head.status).toBe(404);
    const stolen = await submitRoute(postJson(`${BASE}/${project.slug}/items`, othersToken, { title: "Not mine", uploadIds: [uploadId] }), params({ slug: project.slug }));
    expect(stolen.status).toBe(400);

    const response = await submitRoute(postJson(`${BASE}/${project.slug}/items`, token, { title: "Resumable", uploadIds: [uploadId] }), params({ slug: project.slug }));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const media = await db().mediaFile.findFirstOrThrow({ where: { itemId: id } });
    expect(media.sha256).toBe(sha256(imageBytes));
  });

  it("tus refuses a read-only token (403) and a bad token (401)", async () => {
    const { token } = await tokenFor(editor, ["read"]);
    const headers = (t: string) => ({ ...auth(t), "Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": `projectId ${Buffer.from(project.id).toString("base64")}` });
    expect((await tusServer().handleWeb(new Request("http://localhost/api/uploads", { method: "POST", headers: headers(token) }))).status).toBe(403);
    expect((await tusServer().handleWeb(new Request("http://localhost/api/uploads", { method: "POST", headers: headers(`gt_${"B".repeat(43)}`) }))).status).toBe(401);
  });
});
