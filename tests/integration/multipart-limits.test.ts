// The JSON API's multipart submit under abuse (issue 14, finding 5): bodies are streamed to disk
// with the resumable-upload size limit, each account has a concurrency and a rate limit, a
// project may have a storage quota, and every refusal is a clear 413/429 in JSON that leaves no
// temporary file, upload row, item row or stored blob behind.
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Actor, type ApiScope } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { createToken } from "../../lib/server/services/tokens/create-token";
import { POST as submitRoute } from "../../app/api/v1/projects/[slug]/items/route";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const mediaDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-multipart-media-"));
const uploadDirectory = mkdtempSync(path.join(os.tmpdir(), "groundtruth-multipart-uploads-"));
process.env.GROUNDTRUTH_MEDIA_DIR = mediaDir;
process.env.GROUNDTRUTH_UPLOAD_DIR = uploadDirectory;

const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const imageBytes = readFileSync(path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg"));
const BASE = "http://localhost/api/v1/projects";
const KiB = 1024;

let project: { id: string; slug: string };
let contributor: Actor;
let token: string;

const params = (slug: string) => ({ params: Promise.resolve({ slug }) });
const SETTINGS = ["GROUNDTRUTH_MAX_UPLOAD_BYTES", "GROUNDTRUTH_MULTIPART_MAX_CONCURRENT", "GROUNDTRUTH_MULTIPART_MAX_PER_MINUTE", "GROUNDTRUTH_PROJECT_QUOTA_BYTES"];

beforeAll(async () => {
  project = await makeProject();
  contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
  token = (await createToken(contributor, { name: "script", scopes: ["submit"] satisfies ApiScope[] })).token;
});

afterEach(async () => {
  for (const key of SETTINGS) delete process.env[key];
  await db().uploadSlot.deleteMany({});
});

/** Files anywhere under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function snapshot() {
  return {
    items: await db().evidenceItem.count(),
    uploads: await db().upload.count(),
    media: await db().mediaFile.count(),
    tempFiles: filesUnder(uploadDirectory),
    blobs: filesUnder(mediaDir).length,
  };
}

function multipartForm(fileBytes: Uint8Array<ArrayBuffer>, title = "Sent in one request"): FormData {
  const form = new FormData();
  form.append("metadata", JSON.stringify({ title }));
  form.append("file", new File([fileBytes], "photo.jpg", { type: "image/jpeg" }));
  return form;
}

/** A real JPEG padded to `size` bytes (the padding after the image is ignored by decoders). */
function jpegOfSize(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  out.set(imageBytes.subarray(0, Math.min(size, imageBytes.length)));
  return out;
}

function post(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const request = new Request(`${BASE}/${project.slug}/items`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  return submitRoute(request, params(project.slug));
}

/** The multipart bytes of a form, with the content type that names its boundary. */
async function encoded(form: FormData): Promise<{ bytes: Uint8Array; contentType: string }> {
  const response = new Response(form);
  return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get("content-type")! };
}

/** A request body that sends `head` now and the rest only when `release` is called. */
function heldBody(head: Uint8Array, tail: Uint8Array) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(head);
      await released;
      controller.enqueue(tail);
      controller.close();
    },
  });
  return { stream, release };
}

describe("size limits", () => {
  it("a file over GROUNDTRUTH_MAX_UPLOAD_BYTES, streamed without Content-Length, is refused with 413 and leaves nothing", async () => {
    process.env.GROUNDTRUTH_MAX_UPLOAD_BYTES = String(256 * KiB);
    const before = await snapshot();
    const response = await post(multipartForm(jpegOfSize(600 * KiB)));
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: string; code: string };
    expect(body.code).toBe("TOO_LARGE");
    expect(body.error).toMatch(/larger than the 256 KiB limit/);
    expect(await snapshot()).toEqual(before);
  });

  it("a declared Content-Length over the limit is refused before the body is read", async () => {
    process.env.GROUNDTRUTH_MAX_UPLOAD_BYTES = String(256 * KiB);
    const before = await snapshot();
    const { bytes, contentType } = await encoded(multipartForm(jpegOfSize(2 * 1024 * KiB)));
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += 1;
          controller.enqueue(bytes);
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const response = await post(stream, { "content-type": contentType, "content-length": String(bytes.length) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe("TOO_LARGE");
    expect(pulled).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it("a file under the limit is stored (larger than the old 100 MiB cap would allow is covered by the limit being the upload limit)", async () => {
    process.env.GROUNDTRUTH_MAX_UPLOAD_BYTES = String(256 * KiB);
    const response = await post(multipartForm(jpegOfSize(200 * KiB), "Fits"));
    expect(response.status).toBe(201);
    expect(filesUnder(uploadDirectory)).toEqual([]);
  });

  it("over the project's storage quota: 413, nothing kept", async () => {
    const used = Number((await db().mediaFile.aggregate({ where: { item: { projectId: project.id } }, _sum: { sizeBytes: true } }))._sum.sizeBytes ?? 0n);
    process.env.GROUNDTRUTH_PROJECT_QUOTA_BYTES = String(used + 50 * KiB);
    const before = await snapshot();
    const response = await post(multipartForm(jpegOfSize(100 * KiB)));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/storage quota/);
    expect(await snapshot()).toEqual(before);
  });
});

describe("per-account limits", () => {
  it("over the concurrency limit: 429 with a JSON message; the first upload still completes", async () => {
    process.env.GROUNDTRUTH_MULTIPART_MAX_CONCURRENT = "1";
    const { bytes, contentType } = await encoded(multipartForm(jpegOfSize(64 * KiB), "Slow one"));
    const held = heldBody(bytes.subarray(0, 1000), bytes.subarray(1000));
    const first = post(held.stream, { "content-type": contentType });
    // Let the first request take its slot and start streaming.
    for (let i = 0; i < 50 && (await db().uploadSlot.count({ where: { finishedAt: null } })) === 0; i++) await new Promise((r) => setTimeout(r, 50));

    const before = await snapshot();
    const second = await post(multipartForm(jpegOfSize(10 * KiB), "Too many at once"));
    expect(second.status).toBe(429);
    const body = (await second.json()) as { error: string; code: string };
    expect(body.code).toBe("THROTTLED");
    expect(body.error).toMatch(/in progress; at most 1 at a time/);
    const after = await snapshot();
    expect(after.items).toBe(before.items);
    expect(after.uploads).toBe(before.uploads);

    held.release();
    expect((await first).status).toBe(201);
    // The slot is free again.
    expect((await post(multipartForm(jpegOfSize(10 * KiB), "Next one"))).status).toBe(201);
    expect(filesUnder(uploadDirectory)).toEqual([]);
  });

  it("over the rate limit: 429 with how long to wait", async () => {
    process.env.GROUNDTRUTH_MULTIPART_MAX_PER_MINUTE = "2";
    expect((await post(multipartForm(jpegOfSize(8 * KiB), "Rate one"))).status).toBe(201);
    expect((await post(multipartForm(jpegOfSize(8 * KiB), "Rate two"))).status).toBe(201);
    const before = await snapshot();
    const third = await post(multipartForm(jpegOfSize(8 * KiB), "Rate three"));
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: string }).error).toMatch(/at most 2 per minute\. Try again in \d+ s/);
    expect(await snapshot()).toEqual(before);
  });
});
