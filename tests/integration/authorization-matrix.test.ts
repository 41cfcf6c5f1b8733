// The authorization matrix: every route handler (app/**/route.ts, one endpoint per exported
// HTTP method) and every server action (app/**/actions.ts, one endpoint per exported function),
// discovered from the file system at test time, is called as each principal, and the outcome
// must match the hand-written EXPECTATIONS table. An endpoint found on disk without a row, or a
// row naming an endpoint that no longer exists, fails the test: a new endpoint cannot be forgotten.
//
// The rule for reading an outcome:
// - deny  = a route answering 401, 403 or 404; an action answering ok:false with UNAUTHENTICATED,
//           FORBIDDEN or NOT_FOUND; a thrown notFound(); a redirect to the login page. A denied
//           call must also have written nothing: no audit event (other than the security log of a
//           failed sign-in) and no change in the row counts of the tables endpoints create.
// - allow = the call succeeded AND took effect. Getting past the permission check and stopping
//           at VALIDATION (400) or CONFLICT (409) is not enough: each row says how its endpoint
//           shows the effect (`effect`): the audit event its write transaction appends with the
//           change, in the caller's name, during the call (plus a check of the row itself where
//           that is simple), or for reads a successful answer. The probes therefore send input
//           that succeeds, on fresh throwaway rows (or on the caller's own account, put back
//           afterwards); a wrong guess shows up as a failed cell, never as a silent pass.
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
import { Secret, TOTP } from "otpauth";
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
    // Setting the new session's cookie needs a Next request; the session row itself is real.
    setSessionCookie: async () => undefined,
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

/** The editor's HEAD on one of their uploads: 404 once it is gone. */
async function ownerHead(uploadId: string): Promise<number> {
  const response = await tusServer().handleWeb(
    new Request(`${ORIGIN}/api/uploads/${uploadId}`, { method: "HEAD", headers: { authorization: `Bearer ${world.tokens["token:editor"]}`, "Tus-Resumable": "1.0.0" } }),
  );
  return response.status;
}

/** The code an authenticator app shows now for a secret. */
const appCode = (secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });

/** Runs set-up on the principal's own account (null for principals with none). */
async function ownAccount<T>(ctx: ProbeContext, run: (actor: SessionActor) => Promise<T>): Promise<T | null> {
  const actor = ctx.principal.startsWith("token:") ? null : world.actors[ctx.principal as SessionPrincipal];
  return actor ? run(actor) : null;
}

/** Turns two-factor login on for the principal's own account, with a fresh secret; returns it. */
async function twoFactorOn(ctx: ProbeContext): Promise<string | null> {
  const userId = userIdOf(ctx.principal);
  if (!userId) return null;
  const secret = Secret.fromBase32(new Secret({ size: 20 }).base32).base32;
  await db().user.update({ where: { id: userId }, data: { totpSecret: secret, totpEnabledAt: new Date(), totpLastStep: null, totpPending: null } });
  return secret;
}

/** Puts the principal's account back to no two-factor login (as the later probes expect). */
async function twoFactorOff(ctx: ProbeContext): Promise<void> {
  const userId = userIdOf(ctx.principal);
  if (userId) await db().user.update({ where: { id: userId }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null, totpPending: null } });
}

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
  /** What the database looked like just before and just after the endpoint itself ran. */
  window?: { before: Snapshot; after: Snapshot };
  /** The row a probe acted on, for its effect check. */
  target?: string;
}

/**
 * Enough of the database to tell whether a call wrote anything: the audit log's head (every write
 * transaction appends an event with its change) and the row counts of the tables endpoints create.
 */
interface Snapshot {
  seq: number;
  counts: Record<string, number>;
}
async function snapshot(): Promise<Snapshot> {
  const client = db();
  const [head, ...counts] = await Promise.all([
    client.auditEvent.aggregate({ _max: { seq: true } }),
    client.user.count(),
    client.project.count(),
    client.membership.count(),
    client.evidenceItem.count(),
    client.geolocation.count(),
    client.chronolocation.count(),
    client.review.count(),
    client.comment.count(),
    client.incident.count(),
    client.incidentEvidence.count(),
    client.publishedItem.count(),
    client.publishedIncident.count(),
    client.savedView.count(),
    client.apiToken.count({ where: { revokedAt: null } }),
    client.session.count({ where: { revokedAt: null } }),
    client.upload.count(),
    client.job.count(),
  ]);
  const names = ["users", "projects", "memberships", "items", "geolocations", "chronolocations", "reviews", "comments", "incidents", "links", "publishedItems", "publishedIncidents", "views", "liveTokens", "liveSessions", "uploads", "jobs"];
  return { seq: head._max.seq ?? 0, counts: Object.fromEntries(names.map((name, i) => [name, counts[i]!])) };
}
/** The audit events appended while the endpoint ran. */
const eventsIn = (window: { before: Snapshot; after: Snapshot }) =>
  db().auditEvent.findMany({ where: { seq: { gt: window.before.seq, lte: window.after.seq } }, orderBy: { seq: "asc" }, select: { action: true, actorId: true } });
type Probe = (ctx: ProbeContext) => Promise<unknown>;

function form(fields: Record<string, string | string[] | File>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) data.append(name, one);
  }
  return data;
}
/** Calls the endpoint, recording the database just before and after (the probe's own set-up is outside the window). */
const call = async (ctx: ProbeContext, ...args: unknown[]) => {
  const before = await snapshot();
  try {
    const result = await (ctx.handler as (...a: unknown[]) => Promise<unknown>)(...args);
    // A streamed body may still be writing (downloads log their access): read it to the end first.
    if (result instanceof Response) {
      const copy = result.clone();
      await copy.arrayBuffer().catch(() => undefined);
    }
    return result;
  } finally {
    ctx.window = { before, after: await snapshot() };
  }
};
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
  /**
   * How an allowed call shows it took effect, so that getting past the permission check and then
   * stopping at a validation error or a conflict does not count as "allowed":
   * - audit: the audit event (action name) that the endpoint's write transaction appends with its
   *   change, in the caller's name, appended during the call; `row` checks the row itself too;
   * - read: the endpoint changes nothing; an allowed call must succeed (2xx, or ok) with no write.
   * GET, HEAD and OPTIONS routes, and public endpoints, are reads unless they say otherwise.
   */
  effect?: { audit: string; row?: (ctx: ProbeContext) => Promise<boolean> } | { row: (ctx: ProbeContext) => Promise<boolean>; what: string } | { read: true };
}

const v1 = (ctxSlug?: string) => `/api/v1/projects/${ctxSlug ?? world.p.slug}`;

const EXPECTATIONS: Record<string, Expectation> = {
  // Account self-service: any active signed-in user, on their own account only.
  "app/account/actions.ts#startTwoFactorEnrolmentAction": { effect: { audit: "user.2fa.enrol_start" }, kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx) },
  "app/account/actions.ts#confirmTwoFactorEnrolmentAction": { effect: { audit: "user.2fa.enable" }, kind: "session", allow: SIGNED_IN, probe: async (ctx) => {
      // A fresh key waiting for confirmation, confirmed with the code the app would show.
      const pending = await ownAccount(ctx, async (actor) => {
        await startTwoFactorEnrolment(actor);
        return (await db().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { totpPending: true } })).totpPending!;
      });
      try {
        return await call(ctx, null, form({ code: pending ? appCode(pending) : "000000", currentPassword: PASSWORD }));
      } finally {
        await twoFactorOff(ctx);
      }
    },
  },
  "app/account/actions.ts#regenerateRecoveryCodesAction": {
    effect: { audit: "user.2fa.recovery_codes" },
    kind: "session",
    allow: SIGNED_IN,
    why: "the caller's own account, with two-factor login on: the current password and app code",
    probe: async (ctx) => {
      const secret = await twoFactorOn(ctx);
      try {
        return await call(ctx, null, form({ code: secret ? appCode(secret) : "000000", currentPassword: PASSWORD }));
      } finally {
        await twoFactorOff(ctx);
      }
    },
  },
  "app/account/actions.ts#changePasswordAction": {
    effect: { audit: "user.password_change" },
    kind: "session",
    allow: SIGNED_IN,
    why: "the caller's own password, given correctly; put back afterwards so later probes can sign in the same way",
    probe: async (ctx) => {
      const userId = userIdOf(ctx.principal);
      const saved = userId ? await db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } }) : null;
      try {
        return await call(ctx, null, form({ currentPassword: PASSWORD, newPassword: "a brand new passphrase" }));
      } finally {
        if (userId && saved) await db().user.update({ where: { id: userId }, data: { passwordHash: saved.passwordHash } });
      }
    },
  },
  "app/account/actions.ts#endSessionAction": { effect: { audit: "auth.session_end" },
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
  "app/account/actions.ts#endOtherSessionsAction": { effect: { audit: "auth.sessions_end_others" }, kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx) },
  "app/account/actions.ts#disableTwoFactorAction": {
    effect: { audit: "user.2fa.disable" },
    kind: "session",
    allow: SIGNED_IN,
    why: "the caller's own account, with two-factor login on: the current password and app code",
    probe: async (ctx) => {
      const secret = await twoFactorOn(ctx);
      try {
        return await call(ctx, null, form({ code: secret ? appCode(secret) : "000000", currentPassword: PASSWORD }));
      } finally {
        await twoFactorOff(ctx);
      }
    },
  },
  "app/account/tokens/actions.ts#createTokenAction": { effect: { audit: "token.create" }, kind: "session", allow: SIGNED_IN, probe: (ctx) => call(ctx, null, form({ name: "probe", scopes: "read" })) },
  "app/account/tokens/actions.ts#revokeTokenAction": { effect: { audit: "token.revoke" },
    kind: "session",
    allow: ["editor", "admin"],
    why: "the target is a fresh token of P's editor: its owner and admins may revoke it",
    probe: async (ctx) => call(ctx, null, form({ tokenId: (await createToken(world.actors.editor!, { name: unique("victim"), scopes: ["read"] })).id })),
  },

  // Installation administration: global admins only.
  "app/admin/actions.ts#createUserAction": { effect: { audit: "user.create" },
    kind: "session",
    allow: ["admin"],
    probe: (ctx) => call(ctx, null, form({ email: `${unique("new")}@example.test`, name: "New person", password: PASSWORD })),
  },
  "app/admin/actions.ts#setUserActiveAction": { effect: { audit: "user.deactivate" }, kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, active: "false" })) },
  "app/admin/actions.ts#setMembershipAction": { effect: { audit: "membership.add" },
    kind: "session",
    allow: ["admin"],
    probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, projectId: world.settingsProject.id, role: "CONTRIBUTOR" })),
  },
  "app/admin/actions.ts#resetPasswordAction": { effect: { audit: "user.password_reset" }, kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, password: `${PASSWORD} 2`, currentPassword: PASSWORD })) },
  "app/admin/actions.ts#resetTwoFactorAction": { effect: { audit: "user.2fa.reset" }, kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, currentPassword: PASSWORD })) },
  "app/admin/actions.ts#issueEnrolmentCodeAction": { effect: { audit: "user.2fa.enrolment_code_issue" }, kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id, currentPassword: PASSWORD })) },
  "app/admin/actions.ts#endUserSessionsAction": { effect: { audit: "user.sessions_end" }, kind: "session", allow: ["admin"], probe: async (ctx) => call(ctx, null, form({ userId: (await makeUser()).id })) },
  "app/admin/actions.ts#endAllSessionsAction": { effect: { audit: "sessions.end_all" }, kind: "session", allow: ["admin"], probe: (ctx) => call(ctx) },
  "app/admin/actions.ts#createProjectAction": { effect: { audit: "project.create" }, kind: "session", allow: ["admin"], probe: (ctx) => call(ctx, null, form({ name: "Probe project", slug: unique("probe") })) },
  "app/admin/actions.ts#updateProjectSettingsAction": { effect: { audit: "project.settings" },
    kind: "session",
    allow: ["admin"],
    probe: (ctx) => call(ctx, null, form({ projectId: world.settingsProject.id, timeZone: "UTC", requiredConfirmations: "1" })),
  },
  "app/admin/actions.ts#acknowledgeAlertAction": { effect: { audit: "admin_alert.acknowledge" },
    kind: "session",
    allow: ["admin"],
    probe: async (ctx) => call(ctx, null, form({ alertId: (await db().adminAlert.create({ data: { kind: "probe", message: "Probe alert" } })).id })),
  },
  "app/admin/actions.ts#requestFixityCheckAction": { effect: { audit: "fixity.request" }, kind: "session", allow: ["admin"], probe: (ctx) => call(ctx) },

  // Intake and the verification workspace (project P).
  "app/projects/[slug]/actions.ts#previewDuplicatesAction": { effect: { read: true }, kind: "session", allow: P_MEMBERS, probe: (ctx) => call(ctx, { projectId: world.p.id, sourceUrls: ["https://example.org/dup"] }) },
  "app/projects/[slug]/actions.ts#submitEvidenceAction": { effect: { audit: "item.submit" },
    kind: "session",
    allow: P_MEMBERS,
    probe: (ctx) => call(ctx, { projectId: world.p.id, title: "Probe submission", sourceUrls: [`https://example.org/${unique("s")}`] }),
  },
  "app/projects/[slug]/actions.ts#retryJobAction": { effect: { audit: "job.retry" },
    kind: "session",
    allow: P_WORKERS,
    probe: async (ctx) => {
      const job = await db().job.create({ data: { queue: "media.metadata", projectId: world.p.id, itemId: world.investigatorItem.id, state: "FAILED", attempts: 3, lastError: "probe" } });
      return call(ctx, null, form({ jobId: job.id }));
    },
  },
  "app/projects/[slug]/actions.ts#transitionAction": { effect: { audit: "item.triage", row: async (ctx) => (await db().evidenceItem.findUniqueOrThrow({ where: { id: ctx.target! } })).status === "TRIAGED" },
    kind: "session",
    allow: P_WORKERS,
    why: "a fresh item of the contributor: they can read it but not triage it",
    probe: async (ctx) => {
      const item = await freshItem();
      ctx.target = item.id;
      return call(ctx, null, form({ itemId: item.id, action: "triage", expectedVersion: String(item.version) }));
    },
  },
  "app/projects/[slug]/actions.ts#proposeGeolocationAction": { effect: { audit: "geolocation.propose" },
    kind: "session",
    allow: P_WORKERS,
    probe: (ctx) => call(ctx, null, form({ itemId: world.workItem.id, point: "34.5553, 69.2075", precisionM: "100", method: "Matched the minaret" })),
  },
  "app/projects/[slug]/actions.ts#proposeChronolocationAction": { effect: { audit: "chronolocation.propose" },
    kind: "session",
    allow: P_WORKERS,
    probe: (ctx) => call(ctx, null, form({ itemId: world.workItem.id, earliest: "2022-09-30T02:30:00Z", latest: "2022-09-30T03:30:00Z", confidence: "MEDIUM", methods: "SUN_AND_SHADOWS", notes: "" })),
  },
  "app/projects/[slug]/actions.ts#reviewNoteAction": { effect: { audit: "geolocation.confirm" },
    kind: "session",
    allow: ["reviewer", "editor"],
    probe: (ctx) => call(ctx, null, form({ itemId: world.reviewItem.id, target: "GEOLOCATION", noteId: world.reviewItem.noteId, decision: "APPROVE", comment: "Checked" })),
  },
  "app/projects/[slug]/actions.ts#addCommentAction": { effect: { audit: "comment.add" },
    kind: "session",
    allow: P_MEMBERS,
    why: "the contributor's own item: they may comment on it",
    probe: (ctx) => call(ctx, null, form({ itemId: world.contributorItem.id, body: "Probe comment" })),
  },
  "app/projects/[slug]/import/actions.ts#importIncidentsAction": { effect: { audit: "import.run" },
    kind: "session",
    allow: ["editor", "admin"],
    why: "editors of P, and admins (project:import); a real run (a dry run writes nothing to show)",
    probe: (ctx) =>
      call(ctx, form({ projectId: world.p.id, format: "csv", file: new File([`id,title,date,type\n${unique("EV")},Probe import,2022-09-30,Suicide bombing\n`], "incidents.csv", { type: "text/csv" }), dryRun: "false" })),
  },
  "app/projects/[slug]/import/actions.ts#saveImportMappingAction": { effect: { audit: "import.mapping_save" },
    kind: "session",
    allow: ["editor", "admin"],
    why: "editors of P, and admins (project:import)",
    probe: (ctx) => call(ctx, { projectId: world.p.id, name: unique("mapping"), format: "csv", mapping: '{"columns":{"title":["headline"]}}' }),
  },
  "app/projects/[slug]/import/actions.ts#deleteImportMappingAction": { effect: { audit: "import.mapping_delete" },
    kind: "session",
    allow: ["editor", "admin"],
    why: "a fresh saved mapping of P",
    probe: async (ctx) => {
      const saved = await saveImportMapping(world.actors.editor!, { projectId: world.p.id, name: unique("mapping"), format: "csv", mapping: "{}" });
      return call(ctx, { mappingId: saved.id });
    },
  },
  "app/projects/[slug]/incidents/actions.ts#createIncidentAction": { effect: { audit: "incident.create" },
    kind: "session",
    allow: ["editor"],
    probe: (ctx) => call(ctx, null, form({ projectId: world.p.id, title: "Probe incident", incidentType: "IED", startAt: "2022-09-30T02:45:00Z" })),
  },
  "app/projects/[slug]/incidents/actions.ts#updateIncidentAction": { effect: { audit: "incident.update" },
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const incident = await freshIncident();
      return call(ctx, null, form({ incidentId: incident.id, expectedVersion: String(incident.version), title: "Renamed", incidentType: "IED", startAt: "2022-09-30T02:45:00Z" }));
    },
  },
  "app/projects/[slug]/incidents/actions.ts#linkEvidenceAction": { effect: { audit: "incident.evidence_link" },
    kind: "session",
    allow: ["editor"],
    why: "the investigator's item is not verified yet: it is linked as a lead",
    probe: (ctx) => call(ctx, null, form({ incidentId: world.incident.id, itemId: world.investigatorItem.id, relation: "Shows the scene", asLead: "on" })),
  },
  "app/projects/[slug]/incidents/actions.ts#unlinkEvidenceAction": { effect: { audit: "incident.evidence_unlink" },
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const incident = await freshIncident();
      await db().incidentEvidence.create({ data: { incidentId: incident.id, itemId: world.investigatorItem.id, createdById: world.userIds.editor } });
      return call(ctx, null, form({ incidentId: incident.id, itemId: world.investigatorItem.id }));
    },
  },
  "app/projects/[slug]/publish/actions.ts#publishIncidentAction": { effect: { audit: "incident.publish" },
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const incident = await freshIncident();
      return call(ctx, { incidentId: incident.id, expectedVersion: incident.version }, null);
    },
  },
  "app/projects/[slug]/publish/actions.ts#unpublishIncidentAction": { effect: { audit: "incident.unpublish" },
    kind: "session",
    allow: ["editor"],
    why: "a fresh incident, published by P's editor beforehand",
    probe: async (ctx) => {
      const incident = await freshIncident();
      await publishIncident(world.actors.editor!, { incidentId: incident.id, expectedVersion: incident.version });
      return call(ctx, { incidentId: incident.id, reason: "Probe retraction" }, null);
    },
  },
  "app/projects/[slug]/publish/actions.ts#publishItemAction": { effect: { audit: "item.publish", row: async (ctx) => (await db().evidenceItem.findUniqueOrThrow({ where: { id: ctx.target! } })).status === "PUBLISHED" },
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      const item = await freshItem("VERIFIED");
      ctx.target = item.id;
      return call(ctx, { itemId: item.id, expectedVersion: item.version, title: "Public title" }, null);
    },
  },
  "app/projects/[slug]/publish/actions.ts#unpublishItemAction": { effect: { audit: "item.unpublish", row: async (ctx) => (await db().evidenceItem.findUniqueOrThrow({ where: { id: ctx.target! } })).status === "VERIFIED" },
    kind: "session",
    allow: ["editor"],
    probe: async (ctx) => {
      // Published by P's editor beforehand, so there is something to take down.
      const verified = await freshItem("VERIFIED");
      await publishItem(world.actors.editor!, { itemId: verified.id, expectedVersion: verified.version, title: "Public title" });
      const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: verified.id }, select: { id: true, version: true } });
      ctx.target = item.id;
      return call(ctx, { itemId: item.id, expectedVersion: item.version, reason: "Probe retraction" }, null);
    },
  },
  "app/projects/[slug]/queue/actions.ts#saveViewAction": { effect: { audit: "view.save" },
    kind: "session",
    allow: P_MEMBERS,
    probe: (ctx) => call(ctx, { projectId: world.p.id, name: "Probe view", search: "status=SUBMITTED", path: null }),
  },
  "app/projects/[slug]/queue/actions.ts#deleteViewAction": { effect: { audit: "view.delete" },
    kind: "session",
    allow: ["editor"],
    why: "a fresh view of P's editor: only its owner may delete it",
    probe: async (ctx) => call(ctx, { viewId: (await saveView(world.actors.editor!, { projectId: world.p.id, name: unique("view"), search: "" })).id, path: null }),
  },
  "app/projects/[slug]/queue/actions.ts#bulkAction": { effect: { audit: "item.tag", row: async (ctx) => (await db().evidenceItem.findUniqueOrThrow({ where: { id: ctx.target! } })).tags.includes("probe") },
    kind: "session",
    allow: P_WORKERS,
    probe: async (ctx) => {
      const item = await freshItem();
      ctx.target = item.id;
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
  "app/api/v1/projects/[slug]/items/route.ts#POST": { effect: { audit: "item.submit" },
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
  "app/api/v1/projects/[slug]/items/[ref]/comments/route.ts#POST": { effect: { audit: "comment.add" },
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
  "app/api/uploads/[[...path]]/route.ts#POST": { effect: { what: "an upload row was created", row: async (ctx) => (ctx.window!.after.counts.uploads ?? 0) === (ctx.window!.before.counts.uploads ?? 0) + 1 },
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
  "app/api/uploads/[[...path]]/route.ts#PATCH": { effect: { what: "the bytes were received", row: async (ctx) => Number((await db().upload.findUniqueOrThrow({ where: { id: ctx.target! } })).receivedBytes) === 5 },
    kind: "upload",
    allow: ["editor", "token:editor"],
    why: "writing bytes is submitting evidence: a read-only token may not, even on its owner's upload",
    probe: async (ctx) => {
      ctx.target = await editorsUpload();
      return tus(ctx, "PATCH", `/api/uploads/${ctx.target}`, { "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" }, Buffer.from("abcde"));
    },
  },
  "app/api/uploads/[[...path]]/route.ts#DELETE": { effect: { what: "the upload is gone for its owner", row: async (ctx) => (await ownerHead(ctx.target!)) === 404 },
    kind: "upload",
    allow: ["editor", "token:editor"],
    why: "abandoning an upload changes it: not with a read-only token",
    probe: async (ctx) => {
      ctx.target = await editorsUpload();
      return tus(ctx, "DELETE", `/api/uploads/${ctx.target}`, {});
    },
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

/**
 * "allow", "deny", or a description of something that is neither (which fails the cell). An
 * answer past the permission check (VALIDATION/400, CONFLICT/409) is "allow" with succeeded:
 * false: whether that is enough is the effect check's decision, and for an allowed cell it never is.
 */
async function classify(run: () => Promise<unknown>): Promise<{ outcome: Outcome | "unexpected"; detail: string; succeeded: boolean }> {
  let result: unknown;
  const answer = (outcome: Outcome | "unexpected", detail: string, succeeded = false) => ({ outcome, detail, succeeded });
  try {
    result = await run();
  } catch (error) {
    const digest = typeof (error as { digest?: unknown })?.digest === "string" ? (error as { digest: string }).digest : "";
    if (digest.startsWith("NEXT_REDIRECT") && digest.includes("/login")) return answer("deny", "redirect to /login");
    if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;404")) return answer("deny", "notFound()");
    return answer("unexpected", `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  if (result instanceof Response) {
    await result.body?.cancel().catch(() => undefined);
    const { status } = result;
    const location = result.headers.get("location") ?? "";
    if (DENY_STATUSES.has(status)) return answer("deny", String(status));
    if (status >= 300 && status < 400 && /\/login|\/api\/auth\/(signin|error)/.test(location)) return answer("deny", `${status} → ${location}`);
    if (status < 400) return answer("allow", String(status), true);
    if (PAST_AUTH_STATUSES.has(status)) return answer("allow", String(status));
    return answer("unexpected", `status ${status}`);
  }
  if (result && typeof result === "object" && "ok" in result) {
    const settled = result as { ok: boolean; code?: string; error?: string };
    if (settled.ok) return answer("allow", "ok", true);
    if (DENY_CODES.has(settled.code ?? "")) return answer("deny", settled.code!);
    if (PAST_AUTH_CODES.has(settled.code ?? "")) return answer("allow", `${settled.code}: ${settled.error}`);
    return answer("unexpected", `${settled.code}: ${settled.error}`);
  }
  return answer("unexpected", `returned ${JSON.stringify(result)?.slice(0, 200)}`);
}

/** The user a principal acts as (a token acts as its owner). */
function userIdOf(principal: Principal): string | null {
  const key = principal.startsWith("token:") ? principal.slice("token:".length) : principal;
  if (key in world.userIds) return world.userIds[key as keyof World["userIds"]];
  return ["read-only", "revoked", "expired"].includes(key) ? world.userIds.editor : null;
}

function effectOf(key: string, expectation: Expectation): NonNullable<Expectation["effect"]> | null {
  if (expectation.effect) return expectation.effect;
  const method = key.split("#")[1]!;
  return expectation.kind === "public" || ["GET", "HEAD", "OPTIONS"].includes(method) ? { read: true } : null;
}

/** For an allowed cell: why it did not take effect, or null when it did. */
async function missingEffect(key: string, expectation: Expectation, ctx: ProbeContext, succeeded: boolean, detail: string): Promise<string | null> {
  const effect = effectOf(key, expectation);
  if (!effect) return "the table does not say how this endpoint shows it took effect (add `effect`)";
  if (!succeeded) return `let through but refused (${detail}): an allowed call must take effect`;
  if ("read" in effect) return null;
  if (!ctx.window) return "the endpoint was never called";
  if ("audit" in effect) {
    const actorId = userIdOf(ctx.principal);
    const events = await eventsIn(ctx.window);
    if (!events.some((e) => e.action === effect.audit && e.actorId === actorId)) {
      return `no ${effect.audit} event in the caller's name (appended: ${events.map((e) => e.action).join(", ") || "nothing"})`;
    }
  }
  if (effect.row && !(await effect.row(ctx))) return `the row does not show the change${"what" in effect ? ` (${effect.what})` : ""}`;
  return null;
}

/** For a denied cell: what was written anyway, or null when nothing was. Failed sign-in attempts are logged by design. */
async function writtenAnyway(ctx: ProbeContext): Promise<string | null> {
  if (!ctx.window) return null;
  const written = (await eventsIn(ctx.window)).filter((e) => e.actorId !== null || !e.action.startsWith("auth."));
  if (written.length > 0) return `audit events appended: ${written.map((e) => e.action).join(", ")}`;
  const { before, after } = ctx.window;
  const changed = Object.keys(before.counts).filter((name) => before.counts[name] !== after.counts[name]);
  return changed.length > 0 ? `row counts changed: ${changed.map((name) => `${name} ${before.counts[name]} → ${after.counts[name]}`).join(", ")}` : null;
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
    let effects = 0;
    for (const [key, handler] of endpoints) {
      const expectation = EXPECTATIONS[key];
      if (!expectation) continue; // reported by the coverage test
      const cells: string[] = [];
      for (const principal of PRINCIPALS_OF[expectation.kind]) {
        const expected: Outcome = expectation.allow === "all" || expectation.allow.includes(principal) ? "allow" : "deny";
        const ctx = contextFor(principal, handler);
        const actual = await classify(() => expectation.probe(ctx));
        combinations += 1;
        // Allowed means it took effect; denied means nothing was written.
        const problem =
          actual.outcome !== expected
            ? `expected ${expected}, got ${actual.outcome} (${actual.detail})`
            : expected === "allow"
              ? await missingEffect(key, expectation, ctx, actual.succeeded, actual.detail)
              : await writtenAnyway(ctx).then((written) => (written ? `denied, but ${written}` : null));
        if (expected === "allow" && !problem) effects += 1;
        cells.push(`${SHORT[principal]}:${actual.outcome === "allow" ? "A" : actual.outcome === "deny" ? "D" : "!"}${problem ? "✗" : ""}`);
        if (problem) failures.push(`${key} as ${principal}: ${problem}`);
        if (expectation.unpublishedProbe) {
          const hidden = await classify(() => expectation.unpublishedProbe!(contextFor(principal, handler)));
          combinations += 1;
          if (hidden.outcome !== "deny") failures.push(`${key} as ${principal} asking for unpublished data: expected deny, got ${hidden.outcome} (${hidden.detail})`);
        }
      }
      lines.push(`${key.padEnd(72)} ${cells.join(" ")}`);
    }
    session.actor = null;
    console.log(`${lines.join("\n")}\nauthorization matrix: ${endpoints.size} endpoints, ${combinations} combinations checked, ${effects} allowed calls shown to take effect`);
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("nothing was written in the deactivated user's name after the deactivation", async () => {
    expect(await db().auditEvent.count({ where: { actorId: world.userIds.deactivated, createdAt: { gt: world.deactivatedAt } } })).toBe(0);
  });
});
