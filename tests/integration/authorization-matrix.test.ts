// The authorization matrix: every route handler (app/**/route.ts, one endpoint per exported
// HTTP method) and every server action (app/**/actions.ts, one endpoint per exported function),
// discovered from the file system at test time, is called as each principal, and the outcome
// must match the hand-written EXPECTATIONS table. An endpoint found on disk without a row, or a
// row naming an endpoint that no longer exists, fails the test: a new endpoint cannot be forgotten.
//
// The rule for reading an outcome:
// - deny  = a route answering 401, 403 or 404; an action answering ok:false with UNAUTHENTICATED,
//           FORBIDDEN or NOT_FOUND; a thrown notFound(); a redirect to the login page.
// - allow = anything else that is not a crash: success, and also VALIDATION (400) or CONFLICT
//           (409), because those are only reached once the caller was let through. Where a
//           service parses its input before checking permission, the probe sends well-formed
//           input that would succeed (on fresh throwaway rows), so an unauthorised caller gets a
//           real denial rather than a VALIDATION error; a wrong guess shows up as a failed cell,
//           never as a silent pass.
// - anything else (500, an unknown error code, an unexpected throw) fails the cell outright.
//
// What is real and what is not: next-auth decodes the session cookie into a user id; that step
// is next-auth's own and is covered by the end-to-end tests (e2e/roles.spec.ts,
// e2e/deactivation.spec.ts). Here the session module is replaced by one that returns the
// principal's actor loaded from the database with the real loadActor (a deactivated user loads
// as null, i.e. anonymous, exactly as in production). Everything after that (runAction,
// handleRoute, withApiActor with real bearer tokens, the tus hooks, the services, the
// database) is the production code. next/cache's revalidatePath is a no-op here: it only
// refreshes rendered pages and needs a running Next server. proxy.ts only adds headers (CSP)
// and serves no endpoint of its own, so it is not in the matrix; pages are reads through the
// same services and are covered by the e2e role tests.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { API_SCOPES, SYSTEM_ACTOR, type Actor } from "../../lib/domain/permissions";
import type { ProjectRole } from "../../lib/domain/roles";
import { loadActor, type SessionActor } from "../../lib/server/actor";
import { db } from "../../lib/server/db";
import { setUserActive } from "../../lib/server/services/accounts/set-user-active";
import { startTwoFactorEnrolment } from "../../lib/server/services/accounts/start-two-factor-enrolment";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { saveImportMapping } from "../../lib/server/services/imports/saved-mappings";
import { publishIncident, publishItem } from "../../lib/server/services/publishing/publish";
import { saveView } from "../../lib/server/services/queue/saved-views";
import { createToken } from "../../lib/server/services/tokens/create-token";
import { revokeToken } from "../../lib/server/services/tokens/revoke-token";
import { blobStore } from "../../lib/server/storage";
import { tusServer } from "../../lib/server/uploads/web-tus-server";
import { PASSWORD, makeProject, makeUser, unique } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-authz-media-"));
process.env.GROUNDTRUTH_UPLOAD_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-authz-uploads-"));

const session = vi.hoisted(() => ({ actor: null as unknown }));
vi.mock("../../lib/server/session", async () => {
  const { DomainError } = await import("../../lib/domain/errors");
  const { redirect } = await import("next/navigation");
  return {
    currentActor: async () => session.actor,
    actorOrRedirect: async () => {
      if (!session.actor) redirect("/login");
      return session.actor;
    },
    requireActor: async () => {
      if (!session.actor) throw new DomainError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
      return session.actor;
    },
  };
});
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
// Outside a Next server there is no request scope; next-auth's route handler and the request-id
// helper read an empty set of incoming headers and cookies instead.
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ getAll: () => [], get: () => undefined, has: () => false }),
}));

// next-auth loads next/headers with require() at call time, past vi.mock: swap the functions on
// the CommonJS module it gets (restored afterwards).
const nextHeadersForRequire = createRequire(import.meta.url)("next/headers") as Record<"cookies" | "headers", unknown>;
const realNextHeaders = { ...nextHeadersForRequire };
nextHeadersForRequire.headers = async () => new Headers();
nextHeadersForRequire.cookies = async () => ({ getAll: () => [], get: () => undefined, has: () => false });

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const ORIGIN = "http://localhost";

// --- Principals ---------------------------------------------------------------------------

const SESSION_PRINCIPALS = ["anonymous", "contributor", "investigator", "reviewer", "editor", "admin", "outsider", "deactivated"] as const;
/** Bearer tokens: each role's own token with every scope, plus the broken and narrowed ones. */
const TOKEN_PRINCIPALS = [
  "token:contributor",
  "token:investigator",
  "token:reviewer",
  "token:editor",
  "token:admin",
  "token:outsider",
  "token:deactivated",
  "token:revoked",
  "token:expired",
  "token:read-only",
] as const;
type SessionPrincipal = (typeof SESSION_PRINCIPALS)[number];
type TokenPrincipal = (typeof TOKEN_PRINCIPALS)[number];
type Principal = SessionPrincipal | TokenPrincipal;
type Outcome = "allow" | "deny";

/**
 * session: cookie endpoints, checked with every session principal.
 * token: app/api/v1/**, bearer only; session principals are sent too (with no token) to show a
 *   cookie alone never gets in.
 * upload: tus, which takes either.
 * public: anonymous by design; must still never serve unpublished data (checked separately).
 */
type Kind = "session" | "token" | "upload" | "public";
const PRINCIPALS_OF: Record<Kind, readonly Principal[]> = {
  session: SESSION_PRINCIPALS,
  token: [...SESSION_PRINCIPALS, ...TOKEN_PRINCIPALS],
  upload: [...SESSION_PRINCIPALS, ...TOKEN_PRINCIPALS],
  public: SESSION_PRINCIPALS,
};

const P_MEMBERS = ["contributor", "investigator", "reviewer", "editor"] as const satisfies readonly Principal[];
const P_WORKERS = ["investigator", "reviewer", "editor"] as const satisfies readonly Principal[];
const SIGNED_IN = ["contributor", "investigator", "reviewer", "editor", "admin", "outsider"] as const satisfies readonly Principal[];
const TOKEN_MEMBERS = ["token:contributor", "token:investigator", "token:reviewer", "token:editor"] as const satisfies readonly Principal[];
const TOKEN_WORKERS = ["token:investigator", "token:reviewer", "token:editor"] as const satisfies readonly Principal[];

// --- Seeded world -------------------------------------------------------------------------

interface World {
  p: { id: string; slug: string };
  q: { id: string; slug: string };
  settingsProject: { id: string };
  userIds: Record<"contributor" | "investigator" | "reviewer" | "editor" | "admin" | "outsider" | "deactivated", string>;
  actors: Record<SessionPrincipal, SessionActor | null>;
  tokens: Record<TokenPrincipal, string>;
  contributorItem: { id: string; reference: string };
  investigatorItem: { id: string; reference: string; version: number };
  workItem: { id: string };
  reviewItem: { id: string; noteId: string };
  investigatorOriginalId: string;
  investigatorOriginalSha: string;
  contributorDerivativeId: string;
  incident: { id: string; reference: string };
  unpublishedIncident: { reference: string };
  published: { incidentPublicId: string; itemPublicId: string; mediaSha: string };
  qItem: { id: string };
  deactivatedAt: Date;
}
let world: World;

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const params = <T extends Record<string, string | string[]>>(value: T) => ({ params: Promise.resolve(value) });

async function storeBytes(bytes: Buffer): Promise<string> {
  return (await (await blobStore()).put(Readable.from([bytes]))).sha256;
}

async function itemWithMedia(actor: Actor, projectId: string, title: string) {
  const item = await submitEvidence(actor, { projectId, title, sourceUrls: [`https://example.org/${unique("post")}`] });
  const bytes = Buffer.from(`original of ${title} ${unique("b")}`);
  const media = await db().mediaFile.create({
    data: { itemId: item.id, sha256: await storeBytes(bytes), sizeBytes: BigInt(bytes.length), sniffedMime: "image/jpeg", originalFilename: "photo.jpg", captureMethod: "UPLOAD", collectedById: actor.userId },
  });
  const thumb = Buffer.from(`thumbnail of ${title} ${unique("t")}`);
  const derivative = await db().derivative.create({ data: { mediaFileId: media.id, kind: "THUMBNAIL", sha256: await storeBytes(thumb), sizeBytes: BigInt(thumb.length), mime: "image/jpeg" } });
  return { ...item, mediaId: media.id, mediaSha: media.sha256, derivativeId: derivative.id };
}

/** A fresh item of P in the given state, submitted by the contributor (so "own" applies to them). */
async function freshItem(status: "SUBMITTED" | "IN_PROGRESS" | "VERIFIED" | "PUBLISHED" = "SUBMITTED") {
  const item = await submitEvidence(world.actors.contributor!, { projectId: world.p.id, title: `Probe ${unique("i")}`, sourceUrls: [`https://example.org/${unique("u")}`] });
  if (status !== "SUBMITTED") await db().evidenceItem.update({ where: { id: item.id }, data: { status } });
  return db().evidenceItem.findUniqueOrThrow({ where: { id: item.id }, select: { id: true, reference: true, version: true } });
}

async function freshIncident() {
  return db().incident.create({
    data: {
      projectId: world.p.id,
      reference: unique("INC").toUpperCase(),
      title: "Probe incident",
      incidentType: "IED",
      startAt: new Date("2022-09-30T02:45:00Z"),
      latitude: 34.52,
      longitude: 69.18,
      precisionM: 500,
      province: "Kabul",
      targets: ["CIVILIANS"],
      createdById: world.userIds.editor,
    },
    select: { id: true, reference: true, version: true },
  });
}

async function editorsUpload(): Promise<string> {
  const created = await tusServer().handleWeb(
    new Request(`${ORIGIN}/api/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.tokens["token:editor"]}`, "Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": `filename ${b64("a.jpg")},projectId ${b64(world.p.id)}` },
    }),
  );
  expect(created.status).toBe(201);
  return created.headers.get("location")!.split("/").pop()!;
}
const b64 = (value: string) => Buffer.from(value).toString("base64");

beforeAll(async () => {
  const p = await makeProject();
  const q = await makeProject();
  const settingsProject = await makeProject();
  const member = async (role: ProjectRole, projectId = p.id) => (await makeUser({ projectId, role })).id;
  const userIds = {
    contributor: await member("CONTRIBUTOR"),
    investigator: await member("INVESTIGATOR"),
    reviewer: await member("REVIEWER"),
    editor: await member("EDITOR"),
    admin: (await makeUser({ isAdmin: true })).id,
    outsider: await member("EDITOR", q.id),
    deactivated: await member("EDITOR"),
  };
  const load = async (id: string) => {
    const { sessionVersion } = await db().user.findUniqueOrThrow({ where: { id }, select: { sessionVersion: true } });
    return loadActor(id, sessionVersion);
  };
  const before = Object.fromEntries(await Promise.all(Object.entries(userIds).map(async ([k, id]) => [k, (await load(id))!]))) as Record<keyof typeof userIds, SessionActor>;

  const allScopes = [...API_SCOPES];
  const tokenOf = async (actor: Actor, scopes: string[] = allScopes) => (await createToken(actor, { name: unique("token"), scopes })).token;
  const revoked = await createToken(before.editor, { name: "revoked", scopes: allScopes });
  await revokeToken(before.editor, { tokenId: revoked.id });
  const expired = await createToken(before.editor, { name: "expired", scopes: allScopes, expiresInDays: 1 });
  await db().apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
  const tokens: Record<TokenPrincipal, string> = {
    "token:contributor": await tokenOf(before.contributor),
    "token:investigator": await tokenOf(before.investigator),
    "token:reviewer": await tokenOf(before.reviewer),
    "token:editor": await tokenOf(before.editor),
    "token:admin": await tokenOf(before.admin),
    "token:outsider": await tokenOf(before.outsider),
    "token:deactivated": await tokenOf(before.deactivated),
    "token:revoked": revoked.token,
    "token:expired": expired.token,
    "token:read-only": await tokenOf(before.editor, ["read"]),
  };

  const contributorItem = await itemWithMedia(before.contributor, p.id, "Contributor video");
  const investigatorItem = await itemWithMedia(before.investigator, p.id, "Investigator photo");
  const qItem = await submitEvidence(before.outsider, { projectId: q.id, title: "Q item", sourceUrls: ["https://example.org/q"] });

  // In progress, for proposing notes; in review with the investigator's note, for reviewing.
  const workItem = await submitEvidence(before.investigator, { projectId: p.id, title: "Being worked on", sourceUrls: ["https://example.org/w"] });
  await db().evidenceItem.update({ where: { id: workItem.id }, data: { status: "IN_PROGRESS" } });
  const reviewItem = await submitEvidence(before.investigator, { projectId: p.id, title: "In review", sourceUrls: ["https://example.org/r"] });
  await db().evidenceItem.update({ where: { id: reviewItem.id }, data: { status: "IN_REVIEW" } });
  const note = await db().geolocation.create({ data: { itemId: reviewItem.id, authorId: userIds.investigator, latitude: 34.5, longitude: 69.2, precisionM: 100, status: "PROPOSED" } });

  const incident = await db().incident.create({
    data: { projectId: p.id, reference: "INC-0001", title: "Internal incident", incidentType: "IED", startAt: new Date("2022-09-30T02:45:00Z"), createdById: userIds.editor, targets: ["CIVILIANS"] },
  });
  await saveView(before.editor, { projectId: p.id, name: "Seeded view", search: "status=SUBMITTED" });

  // Published: a verified item with its public copy, under a published incident.
  const publishedItem = await itemWithMedia(before.editor, p.id, "Published video");
  await db().evidenceItem.update({ where: { id: publishedItem.id }, data: { status: "VERIFIED" } });
  await db().geolocation.create({ data: { itemId: publishedItem.id, authorId: userIds.editor, latitude: 34.53, longitude: 69.17, precisionM: 100, status: "CONFIRMED" } });
  await db().chronolocation.create({
    data: { itemId: publishedItem.id, authorId: userIds.editor, earliestAt: new Date("2022-09-30T02:30:00Z"), latestAt: new Date("2022-09-30T03:30:00Z"), confidence: "MEDIUM", methods: ["SUN"], status: "CONFIRMED" },
  });
  const publicBytes = Buffer.from(`public copy ${unique("c")}`);
  const publicSha = await storeBytes(publicBytes);
  expect(publicSha).toBe(sha256(publicBytes));
  await db().publicMedia.create({
    data: { projectId: p.id, itemId: publishedItem.id, mediaFileId: publishedItem.mediaId, kind: "IMAGE", sha256: publicSha, originalSha256: publishedItem.mediaSha, mime: "image/jpeg", sizeBytes: BigInt(publicBytes.length), blurred: false },
  });
  const publicIncident = await db().incident.create({
    data: {
      projectId: p.id, reference: "INC-0002", title: "Published incident", incidentType: "IED", startAt: new Date("2022-09-30T02:45:00Z"),
      latitude: 34.52, longitude: 69.18, precisionM: 500, province: "Kabul", targets: ["CIVILIANS"], createdById: userIds.editor,
    },
  });
  await db().incidentEvidence.create({ data: { incidentId: publicIncident.id, itemId: publishedItem.id, createdById: userIds.editor } });
  const publishedItemVersion = (await db().evidenceItem.findUniqueOrThrow({ where: { id: publishedItem.id }, select: { version: true } })).version;
  await publishItem(before.editor, { itemId: publishedItem.id, expectedVersion: publishedItemVersion, title: "Video of the blast" });
  await publishIncident(before.editor, { incidentId: publicIncident.id, expectedVersion: 0, items: [{ itemId: publishedItem.id }] });
  const publishedIncidentRow = await db().publishedIncident.findFirstOrThrow({ where: { incidentId: publicIncident.id }, select: { publicId: true } });
  const publishedItemRow = await db().publishedItem.findFirstOrThrow({ where: { itemId: publishedItem.id }, select: { publicId: true } });

  // Every signed-in principal has a pending two-factor key, so confirming a wrong code is a
  // validation error rather than "nothing to confirm".
  for (const actor of Object.values(before)) await startTwoFactorEnrolment(actor);

  await setUserActive(SYSTEM_ACTOR, { userId: userIds.deactivated, active: false });
  const deactivatedAt = new Date();
  const actors: Record<SessionPrincipal, SessionActor | null> = {
    anonymous: null,
    contributor: await load(userIds.contributor),
    investigator: await load(userIds.investigator),
    reviewer: await load(userIds.reviewer),
    editor: await load(userIds.editor),
    admin: await load(userIds.admin),
    outsider: await load(userIds.outsider),
    deactivated: await load(userIds.deactivated),
  };
  expect(actors.deactivated).toBeNull();

  const investigatorRow = await db().evidenceItem.findUniqueOrThrow({ where: { id: investigatorItem.id }, select: { version: true } });
  world = {
    p, q, settingsProject, userIds, actors, tokens,
    contributorItem: { id: contributorItem.id, reference: contributorItem.reference },
    investigatorItem: { id: investigatorItem.id, reference: investigatorItem.reference, version: investigatorRow.version },
    workItem: { id: workItem.id },
    reviewItem: { id: reviewItem.id, noteId: note.id },
    investigatorOriginalId: investigatorItem.mediaId,
    investigatorOriginalSha: investigatorItem.mediaSha,
    contributorDerivativeId: contributorItem.derivativeId,
    incident: { id: incident.id, reference: incident.reference },
    unpublishedIncident: { reference: incident.reference },
    published: { incidentPublicId: publishedIncidentRow.publicId, itemPublicId: publishedItemRow.publicId, mediaSha: publicSha },
    qItem: { id: qItem.id },
    deactivatedAt,
  };
});

afterAll(() => {
  session.actor = null;
  Object.assign(nextHeadersForRequire, realNextHeaders);
});

// --- Probes -------------------------------------------------------------------------------

type Handler = (...args: never[]) => unknown;
interface ProbeContext {
  principal: Principal;
  /** The discovered export itself. */
  handler: Handler;
  /** Authorization header for token principals; none for session principals. */
  auth: Record<string, string>;
}
type Probe = (ctx: ProbeContext) => Promise<unknown>;

function form(fields: Record<string, string | string[] | File>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) data.append(name, one);
  }
  return data;
}
const call = (ctx: ProbeContext, ...args: unknown[]) => (ctx.handler as (...a: unknown[]) => Promise<unknown>)(...args);
const get = (ctx: ProbeContext, url: string, routeParams: Record<string, string | string[]> = {}, headers: Record<string, string> = {}) =>
  call(ctx, new NextRequest(`${ORIGIN}${url}`, { headers: { ...ctx.auth, ...headers } }), params(routeParams));
const postJson = (ctx: ProbeContext, url: string, routeParams: Record<string, string>, body: unknown) =>
  call(ctx, new Request(`${ORIGIN}${url}`, { method: "POST", headers: { ...ctx.auth, "content-type": "application/json" }, body: JSON.stringify(body) }), params(routeParams));
/** tus requests; same-origin headers so the CSRF guard lets cookie requests through to the hooks. */
const tus = (ctx: ProbeContext, method: string, url: string, headers: Record<string, string>, body?: Buffer) =>
  call(
    ctx,
    new Request(`${ORIGIN}${url}`, { method, headers: { ...ctx.auth, origin: ORIGIN, "sec-fetch-site": "same-origin", "Tus-Resumable": "1.0.0", ...headers }, body, duplex: "half" } as RequestInit),
  );

interface Expectation {
  kind: Kind;
  /** Principals that must get through; every other applicable principal must be denied. */
  allow: readonly Principal[] | "all";
  probe: Probe;
  /** Public endpoints: a request for unpublished data (or a private project), which must be 404. */
  unpublishedProbe?: Probe;
  why?: string;
}

const v1 = (ctxSlug?: string) => `/api/v1/projects/${ctxSlug ?? world.p.slug}`;

const EXPECTATIONS: Record<string, Expectation> = {
  // Account self-service: any active signed-in user, on their own account only.
  "app/account/actions.ts#startTwoFactorEnrolmentAction": { kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx) },
  "app/account/actions.ts#confirmTwoFactorEnrolmentAction": { kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx, null, form({ code: "000000" })) },
  "app/account/actions.ts#regenerateRecoveryCodesAction": { kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx, null, form({ code: "000000" })) },
  "app/account/actions.ts#changePasswordAction": {
    kind: "session",
    allow: SIGNED_IN,
    why: "a wrong current password: a validation error once let through (a right one would set a cookie, which needs a Next request)",
    probe: (ctx) => call(ctx, null, form({ currentPassword: "not the password", newPassword: "a brand new passphrase" })),
  },
  "app/account/actions.ts#endSessionAction": {
    kind: "session",
    allow: SIGNED_IN,
    why: "the target is another session of the caller's own (someone else's session is not found)",
    probe: async (ctx) => {
      const owner = ctx.principal in world.userIds ? world.userIds[ctx.principal as keyof World["userIds"]] : world.userIds.contributor;
      const other = await db().session.create({
        data: { tokenHash: sha256(Buffer.from(unique("session"))), userId: owner, authLevel: "PASSWORD", lastSeenAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000) },
      });
      return call(ctx, null, form({ sessionId: other.id }));
    },
  },
  "app/account/actions.ts#endOtherSessionsAction": { kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx) },
  "app/account/actions.ts#disableTwoFactorAction": { kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx, null, form({ code: "000000" })) },
  "app/account/tokens/actions.ts#createTokenAction": { kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx, null, form({ name: "probe", scopes: "read" })) },
  "app/account/tokens/actions.ts#revokeTokenAction": {
    kind: "session",
    allow: ["editor", "admin"],
    why: "the target is a fresh token of P's editor: its owner and admins may revoke it",
    probe: async (ctx) => call(ctx, null, form({ tokenId: (await createToken(world.actors.editor!, { name: unique("victim"), scopes: ["read"] })).id })),
  },

  // Installation administration: global admins only.
  "app/admin/actions.ts#createUserAction": {
    kind: "session",
    allow: ["admin"],
    probe: (ctx) => call(ctx, null, form({ email: `${unique("new")}@example.test`, name: "New person", password: PASSWORD })),
  },
  "app/admin/actions.ts#setUserActiveAction": { kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, active: "true" })) },
  "app/admin/actions.ts#setMembershipAction": {
    kind: "session",
    allow: ["admin"],
    probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, projectId: world.settingsProject.id, role: "CONTRIBUTOR" })),
  },
  "app/admin/actions.ts#resetPasswordAction": { kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, password: PASSWORD })) },
  "app/admin/actions.ts#resetTwoFactorAction": { kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id })) },
  "app/admin/actions.ts#issueEnrolmentCodeAction": { kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id })) },
  "app/admin/actions.ts#endUserSessionsAction": { kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id })) },
  "app/admin/actions.ts#endAllSessionsAction": { kind: "session", allow: ["admin"], probe: (ctx) => call(ctx) },
  "app/admin/actions.ts#createProjectAction": { kind: "session", allow: ["admin"], probe: (ctx) => call(ctx, null, form({ name: "Probe project", slug: unique("probe") })) },
  "app/admin/actions.ts#updateProjectSettingsAction": {
    kind: "session",
    allow: ["admin"],
    probe: (ctx) => call(ctx, null, form({ projectId: world.settingsProject.id, timeZone: "UTC", requiredConfirmations: "1" })),
  },
  "app/admin/actions.ts#acknowledgeAlertAction": {
    kind: "session",
    allow: ["admin"],
    probe: async (ctx) => call(ctx, null, form({ alertId: (await db().adminAlert.create({ data: { kind: "probe", message: "Probe alert" } })).id })),
  },
  "app/admin/actions.ts#requestFixityCheckAction": { kind: "session", allow: ["admin"], probe: (ctx) => call(ctx) },

  // Intake and the verification workspace (project P).
  "app/projects/[slug]/actions.ts#previewDuplicatesAction": { kind: "session", allow: P_MEMBERS, probe: (ctx) => call(ctx, { projectId: world.p.id, sourceUrls: ["https://example.org/dup"] }) },
  "app/projects/[slug]/actions.ts#submitEvidenceAction": {
    kind: "session",
    allow: P_MEMBERS,
    probe: (ctx) => call(ctx, { projectId: world.p.id, title: "Probe submission", sourceUrls: [`https://example.org/${unique("s")}`] }),
  },
  "app/projects/[slug]/actions.ts#retryJobAction": {
    kind: "session",
    allow: P_WORKERS,
    probe: async (ctx) => {
      const job = await db().job.create({ data: { queue: "media.metadata", projectId: world.p.id, itemId: world.investigatorItem.id, state: "FAILED", attempts: 3, lastError: "probe" } });
      return call(ctx, null, form({ jobId: job.id }));
    },
  },
  "app/projects/[slug]/actions.ts#transitionAction": {
    kind: "session",
    allow: P_WORKERS,
    why: "a fresh item of the contributor: they can read it but not triage it",
    probe: async (ctx) => {
      const item = await freshItem();
      return call(ctx, null, form({ itemId: item.id, action: "triage", expectedVersion: String(item.version) }));
    },
  },
  "app/projects/[slug]/actions.ts#proposeGeolocationAction": {
    kind: "session",
    allow: P_WORKERS,
    probe: (ctx) => call(ctx, null, form({ itemId: world.workItem.id, point: "34.5553, 69.2075", precisionM: "100", method: "Matched the minaret" })),
  },
  "app/projects/[slug]/actions.ts#proposeChronolocationAction": {
    kind: "session",
    allow: P_WORKERS,
    probe: (ctx) => call(ctx, null, form({ itemId: world.workItem.id, earliest: "2022-09-30T02:30:00Z", latest: "2022-09-30T03:30:00Z", confidence: "MEDIUM", methods: "SUN_AND_SHADOWS", notes: "" })),
  },
  "app/projects/[slug]/actions.ts#reviewNoteAction": {
    kind: "session",
    allow: ["reviewer", "editor"],
    probe: (ctx) => call(ctx, null, form({ itemId: world.reviewItem.id, target: "GEOLOCATION", noteId: world.reviewItem.noteId, decision: "APPROVE", comment: "Checked" })),
  },
  "app/projects/[slug]/actions.ts#addCommentAction": {
    kind: "session",
    allow: P_MEMBERS,
    why: "the contributor's own item: they may comment on it",
    probe: (ctx) => call(ctx, null, form({ itemId: world.contributorItem.id, body: "Probe comment" })),
  },
  "app/projects/[slug]/import/actions.ts#importIncidentsAction": {
    kind: "session",
    allow: ["editor", "admin"],
    why: "editors of P, and admins (project:import); a dry run",
    probe: (ctx) =>
      call(ctx, form({ projectId: world.p.id, format: "csv", file: new File(["title,date\nProbe,2022-09-30\n"], "incidents.csv", { type: "text/csv" }), dryRun: "true" })),
  },
  "app/projects/[slug]/import/actions.ts#saveImportMappingAction": {
    kind: "session",
    allow: ["editor", "admin"],
    why: "editors of P, and admins (project:import)",
    probe: (ctx) => call(ctx, { projectId: world.p.id, name: unique("mapping"), format: "csv", mapping: '{"columns":{"title":["headline"]}}' }),
  },
  "app/projects/[slug]/import/actions.ts#deleteImportMappingAction": {
    kind: "session",
    allow: ["editor", "admin"],
    why: "a fresh saved mapping of P",
    probe: async (ctx) => {
      const saved = await saveImportMapping(world.actors.editor!, { projectId: world.p.id, name: unique("mapping"), format: "csv", mapping: "{}" });
      return call(ctx, { mappingId: saved.id });
    },
  },
  "app/projects/[slug]/incidents/actions.ts#createIncidentAction": {
    kind: "session",
    allow: ["editor"],
    probe: (ctx) => call(ctx, null, form({ projectId: world.p.id, title: "Probe incident", incidentType: "IED", startAt: "2022-09-30T02:45:00Z" })),
  },
  "app/projects/[slug]/incidents/actions.ts#updateIncidentAction": {
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const incident = await freshIncident();
      return call(ctx, null, form({ incidentId: incident.id, expectedVersion: String(incident.version), title: "Renamed", incidentType: "IED", startAt: "2022-09-30T02:45:00Z" }));
    },
  },
  "app/projects/[slug]/incidents/actions.ts#linkEvidenceAction": {
    kind: "session",
    allow: ["editor"],
    probe: (ctx) => call(ctx, null, form({ incidentId: world.incident.id, itemId: world.investigatorItem.id, relation: "Shows the scene" })),
  },
  "app/projects/[slug]/incidents/actions.ts#unlinkEvidenceAction": {
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const incident = await freshIncident();
      await db().incidentEvidence.create({ data: { incidentId: incident.id, itemId: world.investigatorItem.id, createdById: world.userIds.editor } });
      return call(ctx, null, form({ incidentId: incident.id, itemId: world.investigatorItem.id }));
    },
  },
  "app/projects/[slug]/publish/actions.ts#publishIncidentAction": {
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const incident = await freshIncident();
      return call(ctx, { incidentId: incident.id, expectedVersion: incident.version }, null);
    },
  },
  "app/projects/[slug]/publish/actions.ts#unpublishIncidentAction": {
    kind: "session",
    allow: ["editor"],
    why: "a fresh, never published incident: the editor gets past the checks to 'not published'",
    probe: async (ctx) => call(ctx, { incidentId: (await freshIncident()).id, reason: "Probe retraction" }, null),
  },
  "app/projects/[slug]/publish/actions.ts#publishItemAction": {
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const item = await freshItem("VERIFIED");
      return call(ctx, { itemId: item.id, expectedVersion: item.version, title: "Public title" }, null);
    },
  },
  "app/projects/[slug]/publish/actions.ts#unpublishItemAction": {
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const item = await freshItem("VERIFIED");
      return call(ctx, { itemId: item.id, expectedVersion: item.version, reason: "Probe retraction" }, null);
    },
  },
  "app/projects/[slug]/queue/actions.ts#saveViewAction": {
    kind: "session",
    allow: P_MEMBERS,
    probe: (ctx) => call(ctx, { projectId: world.p.id, name: "Probe view", search: "status=SUBMITTED", path: null }),
  },
  "app/projects/[slug]/queue/actions.ts#deleteViewAction": {
    kind: "session",
    allow: ["editor"],
    why: "a fresh view of P's editor: only its owner may delete it",
    probe: async (ctx) => call(ctx, { viewId: (await saveView(world.actors.editor!, { projectId: world.p.id, name: unique("view"), search: "" })).id, path: null }),
  },
  "app/projects/[slug]/queue/actions.ts#bulkAction": {
    kind: "session",
    allow: P_WORKERS,
    probe: async (ctx) => {
      const item = await freshItem();
      return call(ctx, { action: "tag", projectId: world.p.id, items: [{ itemId: item.id, version: item.version }], tag: "probe" }, null);
    },
  },

  // Cookie route handlers.
  "app/api/media/[id]/route.ts#GET": {
    kind: "session",
    allow: P_WORKERS,
    why: "the investigator's original: the contributor may not read someone else's item",
    probe: (ctx) => get(ctx, `/api/media/${world.investigatorOriginalId}`, { id: world.investigatorOriginalId }),
  },
  "app/api/derivatives/[id]/route.ts#GET": {
    kind: "session",
    allow: P_MEMBERS,
    why: "the contributor's own item's thumbnail",
    probe: (ctx) => get(ctx, `/api/derivatives/${world.contributorDerivativeId}`, { id: world.contributorDerivativeId }),
  },
  "app/projects/[slug]/export/archive/route.ts#GET": {
    kind: "session",
    allow: ["editor", "admin"],
    probe: (ctx) => get(ctx, `/projects/${world.p.slug}/export/archive`, { slug: world.p.slug }),
  },
  "app/projects/[slug]/export/items/route.ts#GET": {
    kind: "session",
    allow: ["editor"],
    probe: (ctx) => get(ctx, `/projects/${world.p.slug}/export/items?format=csv`, { slug: world.p.slug }),
  },
  "app/projects/[slug]/export/incidents/route.ts#GET": {
    kind: "session",
    allow: ["editor"],
    probe: (ctx) => get(ctx, `/projects/${world.p.slug}/export/incidents?format=csv`, { slug: world.p.slug }),
  },
  "app/api/projects/[slug]/incident-choices/route.ts#GET": {
    kind: "session",
    allow: P_WORKERS,
    why: "incidents are read by investigators and above",
    probe: (ctx) => get(ctx, `/api/projects/${world.p.slug}/incident-choices?q=${world.incident.reference}`, { slug: world.p.slug }),
  },
  "app/api/projects/[slug]/item-choices/route.ts#GET": {
    kind: "session",
    allow: P_MEMBERS,
    why: "a contributor gets suggestions among their own items only",
    probe: (ctx) => get(ctx, `/api/projects/${world.p.slug}/item-choices?q=a`, { slug: world.p.slug }),
  },
  "app/projects/[slug]/items/[ref]/custody/json/route.ts#GET": {
    kind: "session",
    allow: P_MEMBERS,
    why: "the contributor's own item",
    probe: (ctx) => get(ctx, `/projects/${world.p.slug}/items/${world.contributorItem.reference}/custody/json`, { slug: world.p.slug, ref: world.contributorItem.reference }),
  },

  // next-auth: the way in, public by design. Reading the providers is open; a credentials
  // sign-in without next-auth's CSRF token is turned away whoever sends it.
  "app/api/auth/[...nextauth]/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, "/api/auth/providers", { nextauth: ["providers"] }),
  },
  "app/api/auth/[...nextauth]/route.ts#POST": {
    kind: "session",
    allow: [],
    probe: (ctx) =>
      call(
        ctx,
        new NextRequest(`${ORIGIN}/api/auth/callback/credentials`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ email: "nobody@example.test", password: "not the password" }).toString(),
        }),
        params({ nextauth: ["callback", "credentials"] }),
      ),
  },

  // Operations and the public site: anonymous by design.
  "app/api/health/route.ts#GET": { kind: "public", allow: "all", probe: (ctx) => get(ctx, "/api/health") },
  "app/api/ready/route.ts#GET": { kind: "public", allow: "all", probe: (ctx) => get(ctx, "/api/ready") },
  "app/api/public/outlines/route.ts#GET": { kind: "public", allow: "all", probe: (ctx) => get(ctx, "/api/public/outlines") },
  "app/api/client-errors/route.ts#POST": {
    kind: "public",
    allow: "all",
    why: "browser errors from public pages reach the server log; same-origin, rate-limited, nothing is returned",
    probe: (ctx) =>
      call(
        ctx,
        new Request(`${ORIGIN}/api/client-errors`, {
          method: "POST",
          headers: { ...ctx.auth, origin: ORIGIN, "content-type": "application/json", "x-forwarded-for": `matrix-${ctx.principal}` },
          body: JSON.stringify({ source: "public-map", message: "probe" }),
        }),
      ),
  },
  "app/api/public/v1/[project]/changelog/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/changelog`, { project: world.p.slug }),
    unpublishedProbe: (ctx) => get(ctx, `/api/public/v1/${world.q.slug}/changelog`, { project: world.q.slug }),
  },
  "app/api/public/v1/[project]/dataset/[format]/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/dataset/geojson`, { project: world.p.slug, format: "geojson" }),
    unpublishedProbe: (ctx) => get(ctx, `/api/public/v1/${world.q.slug}/dataset/geojson`, { project: world.q.slug, format: "geojson" }),
  },
  "app/api/public/v1/[project]/incidents/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/incidents`, { project: world.p.slug }),
    unpublishedProbe: (ctx) => get(ctx, `/api/public/v1/${world.q.slug}/incidents`, { project: world.q.slug }),
  },
  "app/api/public/v1/[project]/incidents/[id]/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/incidents/${world.published.incidentPublicId}`, { project: world.p.slug, id: world.published.incidentPublicId }),
    unpublishedProbe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/incidents/${world.unpublishedIncident.reference}`, { project: world.p.slug, id: world.unpublishedIncident.reference }),
  },
  "app/api/public/v1/[project]/items/[id]/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/items/${world.published.itemPublicId}`, { project: world.p.slug, id: world.published.itemPublicId }),
    unpublishedProbe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/items/${world.investigatorItem.reference}`, { project: world.p.slug, id: world.investigatorItem.reference }),
  },
  "app/api/public/v1/[project]/map/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/map`, { project: world.p.slug }),
    unpublishedProbe: (ctx) => get(ctx, `/api/public/v1/${world.q.slug}/map`, { project: world.q.slug }),
  },
  "app/api/public/v1/[project]/media/[sha256]/route.ts#GET": {
    kind: "public",
    allow: "all",
    probe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/media/${world.published.mediaSha}`, { project: world.p.slug, sha256: world.published.mediaSha }),
    why: "the unpublished probe asks for an unpublished original by its hash",
    unpublishedProbe: (ctx) => get(ctx, `/api/public/v1/${world.p.slug}/media/${world.investigatorOriginalSha}`, { project: world.p.slug, sha256: world.investigatorOriginalSha }),
  },

  // JSON API v1: bearer tokens only. Admin powers never travel with a token; a read-only token
  // reads but writes nothing.
  "app/api/v1/projects/route.ts#GET": {
    kind: "token",
    allow: [...TOKEN_MEMBERS, "token:admin", "token:outsider", "token:read-only"],
    why: "any valid token may list its own projects (an admin's or outsider's list simply lacks P)",
    probe: (ctx) => get(ctx, "/api/v1/projects"),
  },
  "app/api/v1/projects/[slug]/items/route.ts#GET": {
    kind: "token",
    allow: [...TOKEN_MEMBERS, "token:read-only"],
    probe: (ctx) => get(ctx, `${v1()}/items`, { slug: world.p.slug }),
  },
  "app/api/v1/projects/[slug]/items/route.ts#POST": {
    kind: "token",
    allow: TOKEN_MEMBERS,
    probe: (ctx) => postJson(ctx, `${v1()}/items`, { slug: world.p.slug }, { title: "Via the API", sourceUrls: [`https://example.org/${unique("api")}`] }),
  },
  "app/api/v1/projects/[slug]/items/[ref]/route.ts#GET": {
    kind: "token",
    allow: [...TOKEN_WORKERS, "token:read-only"],
    why: "the investigator's item: not the contributor's own",
    probe: (ctx) => get(ctx, `${v1()}/items/${world.investigatorItem.reference}`, { slug: world.p.slug, ref: world.investigatorItem.reference }),
  },
  "app/api/v1/projects/[slug]/items/[ref]/comments/route.ts#POST": {
    kind: "token",
    allow: TOKEN_WORKERS,
    probe: (ctx) => postJson(ctx, `${v1()}/items/${world.investigatorItem.reference}/comments`, { slug: world.p.slug, ref: world.investigatorItem.reference }, { body: "Via the API" }),
  },
  "app/api/v1/projects/[slug]/incidents/route.ts#GET": {
    kind: "token",
    allow: [...TOKEN_WORKERS, "token:read-only"],
    probe: (ctx) => get(ctx, `${v1()}/incidents`, { slug: world.p.slug }),
  },
  "app/api/v1/projects/[slug]/incidents/[ref]/route.ts#GET": {
    kind: "token",
    allow: [...TOKEN_WORKERS, "token:read-only"],
    probe: (ctx) => get(ctx, `${v1()}/incidents/${world.incident.reference}`, { slug: world.p.slug, ref: world.incident.reference }),
  },

  // tus uploads: creating one needs item:create in its project (session, or a token with
  // `submit`); every later request must be on one's own upload (the target is a fresh upload of
  // P's editor).
  "app/api/uploads/[[...path]]/route.ts#POST": {
    kind: "upload",
    allow: [...P_MEMBERS, ...TOKEN_MEMBERS],
    probe: (ctx) => tus(ctx, "POST", "/api/uploads", { "Upload-Length": "10", "Upload-Metadata": `filename ${b64("probe.jpg")},projectId ${b64(world.p.id)}` }),
  },
  "app/api/uploads/[[...path]]/route.ts#HEAD": {
    kind: "upload",
    allow: ["editor", "token:editor", "token:read-only"],
    why: "the read-only token belongs to the upload's owner; HEAD only reads the offset",
    probe: async (ctx) => tus(ctx, "HEAD", `/api/uploads/${await editorsUpload()}`, {}),
  },
  "app/api/uploads/[[...path]]/route.ts#GET": {
    kind: "upload",
    allow: [],
    why: "tus GET serves only completed uploads, and a completed upload moves into the media store at once: even the owner gets 404, so no bytes ever leave through it",
    probe: async (ctx) => tus(ctx, "GET", `/api/uploads/${await editorsUpload()}`, {}),
  },
  "app/api/uploads/[[...path]]/route.ts#PATCH": {
    kind: "upload",
    allow: ["editor", "token:editor"],
    why: "writing bytes is submitting evidence: a read-only token may not, even on its owner's upload",
    probe: async (ctx) =>
      tus(ctx, "PATCH", `/api/uploads/${await editorsUpload()}`, { "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" }, Buffer.from("abcde")),
  },
  "app/api/uploads/[[...path]]/route.ts#DELETE": {
    kind: "upload",
    allow: ["editor", "token:editor"],
    why: "abandoning an upload changes it: not with a read-only token",
    probe: async (ctx) => tus(ctx, "DELETE", `/api/uploads/${await editorsUpload()}`, {}),
  },
  "app/api/uploads/[[...path]]/route.ts#OPTIONS": {
    kind: "upload",
    allow: "all",
    why: "tus capability discovery (also the CORS preflight, which never carries credentials): versions, extensions and the size limit, no data",
    probe: (ctx) => tus(ctx, "OPTIONS", "/api/uploads", {}),
  },
};

// --- Discovery and classification ---------------------------------------------------------

function filesNamed(dir: string, names: Set<string>): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && names.has(entry.name))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

async function discoverEndpoints(): Promise<Map<string, Handler>> {
  const endpoints = new Map<string, Handler>();
  for (const file of filesNamed("app", new Set(["route.ts", "actions.ts"]))) {
    const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value !== "function") continue;
      if (file.endsWith("route.ts") && !HTTP_METHODS.has(name)) continue;
      endpoints.set(`${file}#${name}`, value as Handler);
    }
  }
  return endpoints;
}

const DENY_STATUSES = new Set([401, 403, 404]);
const PAST_AUTH_STATUSES = new Set([400, 409]);
const DENY_CODES = new Set(["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"]);
const PAST_AUTH_CODES = new Set(["VALIDATION", "CONFLICT"]);

/** "allow", "deny", or a description of something that is neither (which fails the cell). */
async function classify(run: () => Promise<unknown>): Promise<{ outcome: Outcome | "unexpected"; detail: string }> {
  let result: unknown;
  try {
    result = await run();
  } catch (error) {
    const digest = typeof (error as { digest?: unknown })?.digest === "string" ? (error as { digest: string }).digest : "";
    if (digest.startsWith("NEXT_REDIRECT") && digest.includes("/login")) return { outcome: "deny", detail: "redirect to /login" };
    if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;404")) return { outcome: "deny", detail: "notFound()" };
    return { outcome: "unexpected", detail: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
  }
  if (result instanceof Response) {
    await result.body?.cancel().catch(() => undefined);
    const { status } = result;
    const location = result.headers.get("location") ?? "";
    if (DENY_STATUSES.has(status)) return { outcome: "deny", detail: String(status) };
    if (status >= 300 && status < 400 && /\/login|\/api\/auth\/(signin|error)/.test(location)) return { outcome: "deny", detail: `${status} → ${location}` };
    if (status < 400 || PAST_AUTH_STATUSES.has(status)) return { outcome: "allow", detail: String(status) };
    return { outcome: "unexpected", detail: `status ${status}` };
  }
  if (result && typeof result === "object" && "ok" in result) {
    const settled = result as { ok: boolean; code?: string; error?: string };
    if (settled.ok) return { outcome: "allow", detail: "ok" };
    if (DENY_CODES.has(settled.code ?? "")) return { outcome: "deny", detail: settled.code! };
    if (PAST_AUTH_CODES.has(settled.code ?? "")) return { outcome: "allow", detail: settled.code! };
    return { outcome: "unexpected", detail: `${settled.code}: ${settled.error}` };
  }
  return { outcome: "unexpected", detail: `returned ${JSON.stringify(result)?.slice(0, 200)}` };
}

function contextFor(principal: Principal, handler: Handler): ProbeContext {
  const isToken = principal.startsWith("token:");
  session.actor = isToken ? null : world.actors[principal as SessionPrincipal];
  return { principal, handler, auth: isToken ? { authorization: `Bearer ${world.tokens[principal as TokenPrincipal]}` } : {} };
}

const SHORT: Record<Principal, string> = {
  anonymous: "anon", contributor: "contr", investigator: "invst", reviewer: "revwr", editor: "editr", admin: "admin", outsider: "outsd", deactivated: "deact",
  "token:contributor": "t:con", "token:investigator": "t:inv", "token:reviewer": "t:rev", "token:editor": "t:edi", "token:admin": "t:adm",
  "token:outsider": "t:out", "token:deactivated": "t:dea", "token:revoked": "t:rvk", "token:expired": "t:exp", "token:read-only": "t:rdo",
};

// --- The matrix ---------------------------------------------------------------------------

describe("authorization matrix", () => {
  it("covers every discovered endpoint, and only those", async () => {
    const discovered = [...(await discoverEndpoints()).keys()];
    const missing = discovered.filter((key) => !(key in EXPECTATIONS));
    const stale = Object.keys(EXPECTATIONS).filter((key) => !discovered.includes(key));
    expect(missing, `endpoints with no row in EXPECTATIONS: ${missing.join(", ")}`).toEqual([]);
    expect(stale, `EXPECTATIONS rows naming endpoints that no longer exist: ${stale.join(", ")}`).toEqual([]);
    // Both kinds were found: a broken glob must not pass as "nothing to check".
    expect(discovered.some((key) => key.includes("actions.ts#"))).toBe(true);
    expect(discovered.some((key) => key.includes("route.ts#"))).toBe(true);
  });

  it("allows and denies exactly as the table says, for every endpoint and principal", { timeout: 240_000 }, async () => {
    const endpoints = await discoverEndpoints();
    const failures: string[] = [];
    const lines: string[] = [];
    let combinations = 0;
    for (const [key, handler] of endpoints) {
      const expectation = EXPECTATIONS[key];
      if (!expectation) continue; // reported by the coverage test
      const cells: string[] = [];
      for (const principal of PRINCIPALS_OF[expectation.kind]) {
        const expected: Outcome = expectation.allow === "all" || expectation.allow.includes(principal) ? "allow" : "deny";
        const actual = await classify(() => expectation.probe(contextFor(principal, handler)));
        combinations += 1;
        cells.push(`${SHORT[principal]}:${actual.outcome === "allow" ? "A" : actual.outcome === "deny" ? "D" : "!"}${actual.outcome === expected ? "" : "✗"}`);
        if (actual.outcome !== expected) failures.push(`${key} as ${principal}: expected ${expected}, got ${actual.outcome} (${actual.detail})`);
        if (expectation.unpublishedProbe) {
          const hidden = await classify(() => expectation.unpublishedProbe!(contextFor(principal, handler)));
          combinations += 1;
          if (hidden.outcome !== "deny") failures.push(`${key} as ${principal} asking for unpublished data: expected deny, got ${hidden.outcome} (${hidden.detail})`);
        }
      }
      lines.push(`${key.padEnd(72)} ${cells.join(" ")}`);
    }
    session.actor = null;
    console.log(`${lines.join("\n")}\nauthorization matrix: ${endpoints.size} endpoints, ${combinations} combinations checked`);
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("nothing was written in the deactivated user's name after the deactivation", async () => {
    expect(await db().auditEvent.count({ where: { actorId: world.userIds.deactivated, createdAt: { gt: world.deactivatedAt } } })).toBe(0);
  });
});
