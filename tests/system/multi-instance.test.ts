// Two production web instances and one worker sharing nothing but PostgreSQL and an
// S3-compatible bucket (s3rver), started with the documented commands (db:migrate, start:prod,
// worker). Each instance has its own upload folder, which stays empty: a resumable upload begun
// on A lives as part objects in the bucket, with its progress and hash state in PostgreSQL, and
// is finished on B with the file's SHA-256. The worker processes it and a reviewer on B opens
// what was submitted on A. An editor then publishes an incident on A through the app's own
// server action, and both instances serve it in the public dataset, with the public copy of its
// media that the worker made.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import * as tus from "tus-js-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../lib/infra/embedded-postgres";
import { fingerprintFile, needsBuild, nextBin, sourceFingerprint } from "../../lib/infra/next-build";
import { startS3rver, type LocalS3Server } from "../../lib/infra/s3rver";


const root = path.resolve(import.meta.dirname, "..", "..");
const fixtures = path.resolve(root, "..", "shared", "fixtures");
const PORTS = [3401, 3402] as const;
const PG_PORT = 54700;
const S3_PORT = 4571;
const PASSWORD = "multi-instance-password-123";
const SECRET = randomBytes(32).toString("base64url");
const BUCKET = "groundtruth-multi";
const scratch = mkdtempSync(path.join(os.tmpdir(), "groundtruth-multi-"));
const origins = PORTS.map((port) => `http://127.0.0.1:${port}`) as [string, string];
/** Each instance's own upload folder: nothing of a resumable upload may land in either. */
const uploadFolders = PORTS.map((_port, index) => path.join(scratch, `uploads-${"AB"[index]}`)) as [string, string];
const children: { name: string; child: ChildProcess; log: string }[] = [];
let postgres: EmbeddedPostgresHandle | null = null;
let s3rver: LocalS3Server | null = null;
type Env = NodeJS.ProcessEnv;
let env: Env = { ...process.env };
let bucket: S3Client | null = null;

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function launch(name: string, script: string, extra: Record<string, string> = {}): void {
  const log = path.join(scratch, `${name}.log`);
  const fd = openSync(log, "w");
  // Its own process group: npm, tsx and next-server all stop with one signal to the group.
  const child = spawn("npm", ["run", "--silent", script], { cwd: root, detached: true, stdio: ["ignore", fd, fd], env: { ...env, ...extra } });
  children.push({ name, child, log });
}

function tail(): string {
  return children.map(({ name, log }) => `--- ${name} ---\n${readFileSync(log, "utf8").split("\n").slice(-20).join("\n")}`).join("\n");
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}\n${tail()}`);
}

async function signIn(origin: string, email: string): Promise<string> {
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");
  const response = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, json: "true" }),
  });
  const session = response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in of ${email} on ${origin} failed (${response.status})`);
  return session;
}

/** The part objects of a partial upload in the bucket (object-upload-store.ts). */
async function partObjects(uploadId: string): Promise<{ key: string; size: number }[]> {
  const page = await bucket!.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `uploads/${uploadId}/` }));
  return (page.Contents ?? []).map((object) => ({ key: object.Key!, size: object.Size ?? 0 }));
}

/** Files in a folder, if it exists at all (with the bucket, instances never create theirs). */
function filesIn(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder) : [];
}

/** The id under which this build serves a server action, from Next's own manifest. */
function serverActionId(filename: string, exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.join(root, ".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  const found = Object.entries(manifest.node).find(([, action]) => action.filename === filename && action.exportedName === exportedName);
  if (!found) throw new Error(`the build has no server action ${exportedName} from ${filename}`);
  return found[0];
}

beforeAll(async () => {
  postgres = await startEmbeddedPostgres({ clusterDir: path.join(scratch, "postgres"), port: PG_PORT });
  await ensureDatabase(postgres.serverUrl, "groundtruth");
  s3rver = await startS3rver({ directory: path.join(scratch, "s3"), port: S3_PORT });
  const endpoint = s3rver.endpoint;
  bucket = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  await bucket.send(new CreateBucketCommand({ Bucket: BUCKET }));

  env = {
    ...process.env,
    DATABASE_URL: postgres.databaseUrl("groundtruth"),
    NEXTAUTH_SECRET: SECRET,
    GROUNDTRUTH_STORAGE: "s3",
    GROUNDTRUTH_S3_ENDPOINT: endpoint,
    GROUNDTRUTH_S3_BUCKET: BUCKET,
    GROUNDTRUTH_S3_ACCESS_KEY_ID: "S3RVER",
    GROUNDTRUTH_S3_SECRET_ACCESS_KEY: "S3RVER",
    GROUNDTRUTH_DATA_DIR: scratch,
    GROUNDTRUTH_DEMO_PASSWORD: PASSWORD,
    GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE: "0",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const migrate = spawnSync("npm", ["run", "--silent", "db:migrate"], { cwd: root, env, encoding: "utf8" });
  expect(migrate.status, migrate.stderr).toBe(0);

  // The demo seed, written straight into this database and bucket.
  Object.assign(process.env, env);
  const { db } = await import("../../lib/server/db");
  const { seedDemo } = await import("../../lib/server/seed/demo");
  const { S3BlobStore } = await import("../../lib/server/storage/s3-blob-store");
  await seedDemo(db(), S3BlobStore.fromEnv(env));

  if (needsBuild()) {
    const build = spawnSync(process.execPath, [nextBin(), "build"], { cwd: root, env: { ...env, NEXTAUTH_URL: origins[0] }, encoding: "utf8", stdio: "inherit" });
    expect(build.status).toBe(0);
    writeFileSync(fingerprintFile(), sourceFingerprint());
  }

  PORTS.forEach((port, index) =>
    launch(`web-${"AB"[index]}`, "start:prod", { PORT: String(port), NEXTAUTH_URL: origins[index]!, GROUNDTRUTH_UPLOAD_DIR: uploadFolders[index]! }),
  );
  launch("worker", "worker");
  for (const origin of origins) {
    await until(async () => (await fetch(`${origin}/api/ready`)).status === 200, 90_000, `${origin}/api/ready`);
  }
}, 600_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          const signalGroup = (signal: NodeJS.Signals) => {
            try {
              process.kill(-child.pid!, signal);
            } catch {
              // already gone
            }
          };
          if (child.exitCode !== null || child.signalCode !== null) {
            signalGroup("SIGKILL");
            return resolve();
          }
          const timer = setTimeout(() => signalGroup("SIGKILL"), 20_000);
          child.once("exit", () => {
            clearTimeout(timer);
            // npm may exit before its grandchildren: make sure none is left listening.
            setTimeout(() => {
              signalGroup("SIGKILL");
              resolve();
            }, 2_000);
          });
          signalGroup("SIGTERM");
        }),
    ),
  );
  const { db } = await import("../../lib/server/db");
  await db().$disconnect().catch(() => {});
  bucket?.destroy();
  await s3rver?.close().catch(() => {});
  await postgres?.stop().catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
});

describe("two web instances and a worker", () => {
  it("answers readiness with the database and the bucket checked, and returns request ids", async () => {
    for (const origin of origins) {
      const response = await fetch(`${origin}/api/ready`, { headers: { "x-request-id": "proxy-req-000123" } });
      expect(await response.json()).toEqual({ status: "ready", checks: { database: "ok", storage: "ok" } });
      expect(response.headers.get("x-request-id")).toBe("proxy-req-000123");
    }
  });

  it("takes an upload started on A to B, processes it, and shows it to a reviewer on B", async () => {
    const { db } = await import("../../lib/server/db");
    const { actorFor } = await import("../support/fixtures");
    const { submitEvidence } = await import("../../lib/server/services/items/submit-evidence");
    const project = await db().project.findUniqueOrThrow({ where: { slug: "demo-witness" }, select: { id: true, slug: true } });
    const contributorCookie = await signIn(origins[0], "contributor@demo.groundtruth.test");
    const bytes = readFileSync(path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV"));
    const chunkSize = Math.ceil(bytes.length / 3);

    const uploadPath = await new Promise<string>((resolve, reject) => {
      const upload: tus.Upload = new tus.Upload(bytes, {
        endpoint: `${origins[0]}/api/uploads`,
        chunkSize,
        retryDelays: [],
        headers: { Cookie: contributorCookie, Origin: origins[0] },
        metadata: { filename: "IMG_0034.MOV", filetype: "video/quicktime", projectId: project.id },
        onChunkComplete: () => void upload.abort().then(() => resolve(new URL(upload.url!).pathname)),
        onError: reject,
      });
      upload.start();
    });
    const uploadId = uploadPath.split("/").pop()!;
    expect(Number((await db().upload.findUniqueOrThrow({ where: { id: uploadId } })).receivedBytes)).toBe(chunkSize);
    // What A received is in the bucket, not in A's folder: B has no way to see A's disk.
    const parts = await partObjects(uploadId);
    expect(parts.reduce((sum, part) => sum + part.size, 0)).toBe(chunkSize);
    expect(filesIn(uploadFolders[0])).toEqual([]);

    // The same session cookie is valid on B: sessions are signed with the shared secret.
    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        uploadUrl: `${origins[1]}${uploadPath}`,
        chunkSize,
        retryDelays: [],
        headers: { Cookie: contributorCookie, Origin: origins[1] },
        onSuccess: () => resolve(),
        onError: reject,
      });
      upload.start();
    });
    const stored = await db().upload.findUniqueOrThrow({ where: { id: uploadId } });
    expect(stored).toMatchObject({ state: "COMPLETE", sha256: sha256(bytes) });
    expect(await partObjects(uploadId)).toEqual([]);
    for (const folder of uploadFolders) expect(filesIn(folder)).toEqual([]);

    const contributor = await db().user.findUniqueOrThrow({ where: { email: "contributor@demo.groundtruth.test" } });
    const item = await submitEvidence(await actorFor(contributor.id), { projectId: project.id, title: "Two-instance upload", uploadIds: [uploadId] });

    await until(
      async () => {
        const jobs = await db().job.findMany({ where: { itemId: item.id, queue: "media.process" }, select: { state: true } });
        return jobs.length > 0 && jobs.every((job) => job.state === "DONE");
      },
      120_000,
      "the worker to process the uploaded video",
    );
    const media = await db().mediaFile.findFirstOrThrow({ where: { itemId: item.id }, select: { sha256: true } });
    expect(media.sha256).toBe(sha256(bytes));

    const reviewerCookie = await signIn(origins[1], "reviewer@demo.groundtruth.test");
    const page = await fetch(`${origins[1]}/projects/${project.slug}/items/${item.reference}`, { headers: { Cookie: reviewerCookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Two-instance upload");
    expect(html).toContain(item.reference);
  });

  it("publishes an incident on A through the app's server action, and both instances serve it with its public media", async () => {
    const { db } = await import("../../lib/server/db");
    const project = await db().project.findUniqueOrThrow({ where: { slug: "demo-witness" }, select: { id: true, slug: true } });
    const incident = await db().incident.findFirstOrThrow({
      where: { projectId: project.id, reference: "DW-INC-002" },
      select: { id: true, reference: true, version: true, evidence: { where: { isLead: false }, select: { item: { select: { id: true, reference: true, version: true } } } } },
    });
    expect(incident.evidence).toHaveLength(1);
    const item = incident.evidence[0]!.item;
    const dataset = (origin: string) => fetch(`${origin}/api/public/v1/${project.slug}/dataset/geojson`);
    const featureIds = async (response: Response) => ((await response.json()) as { features: { id: string }[] }).features.map((feature) => feature.id);
    expect(await featureIds(await dataset(origins[1]))).not.toContain(incident.reference);

    // Exactly what the item's and then the incident's Publish buttons send: POSTs of the server actions.
    const editorCookie = await signIn(origins[0], "editor@demo.groundtruth.test");
    const postAction = (pagePath: string, action: string, input: unknown) =>
      fetch(`${origins[0]}${pagePath}`, {
        method: "POST",
        headers: {
          "Next-Action": serverActionId("app/projects/[slug]/publish/actions.ts", action),
          Accept: "text/x-component",
          "Content-Type": "text/plain;charset=UTF-8",
          Origin: origins[0],
          Cookie: editorCookie,
        },
        body: JSON.stringify([input, pagePath]),
      });
    const itemPublished = await postAction(`/projects/${project.slug}/items/${item.reference}`, "publishItemAction", {
      itemId: item.id,
      expectedVersion: item.version,
      title: "Published from instance A",
      withholdLocation: false,
    });
    expect(itemPublished.status).toBe(200);
    expect(await itemPublished.text()).toContain('"ok":true');
    const pagePath = `/projects/${project.slug}/incidents/${incident.reference}`;
    const input = { incidentId: incident.id, expectedVersion: incident.version, withholdLocation: false, items: [{ itemId: item.id }], note: "Published by the multi-instance test." };
    const published = await postAction(pagePath, "publishIncidentAction", input);
    expect(published.status).toBe(200);
    const reply = await published.text();
    expect(reply).toContain('"ok":true');
    expect(reply).toContain(`"reference":"${incident.reference}"`);

    // Both instances read the dataset rebuilt on A from the shared database.
    const [a, b] = await Promise.all([dataset(origins[0]), dataset(origins[1])]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.headers.get("etag")).toBeTruthy();
    expect(b.headers.get("etag")).toBe(a.headers.get("etag"));
    const [bodyA, bodyB] = [await a.text(), await b.text()];
    expect(bodyB).toBe(bodyA);
    const features = (JSON.parse(bodyA) as { features: { id: string; properties: { sources: { id: string }[] } }[] }).features;
    expect(features.find((feature) => feature.id === incident.reference)?.properties.sources.map((source) => source.id)).toEqual([item.reference]);

    // The worker makes the public copy of the item's photo; each instance serves it from the bucket.
    let media: { sha256: string; url: string }[] = [];
    await until(
      async () => {
        const response = await fetch(`${origins[1]}/api/public/v1/${project.slug}/items/${item.reference}`);
        media = ((await response.json()) as { media?: { sha256: string; url: string }[] }).media ?? [];
        return response.status === 200 && media.length > 0;
      },
      120_000,
      "the worker to publish the item's media",
    );
    for (const { sha256: expected, url } of media) {
      for (const origin of origins) {
        const response = await fetch(`${origin}${url}`);
        expect(response.status).toBe(200);
        expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(expected);
      }
    }
  });
});
