// URL capture and private addresses (issue 14, finding 8): with the embedded default a
// contributor could capture http://127.0.0.1:<port>/admin. Now loopback, private and link-local
// targets are refused unless GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE=1, on every install.
import { mkdtempSync, readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { capturePrivateAddressesAllowed } from "../../lib/server/jobs/handlers/capture-url";
import { drainJobs } from "../../lib/server/jobs/worker";
import { getItemDetail } from "../../lib/server/services/items/get-item-detail";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

const mediaDir = mkdtempSync(path.join(os.tmpdir(), "groundtruth-media-"));
process.env.GROUNDTRUTH_MEDIA_DIR = mediaDir;
process.env.GROUNDTRUTH_CAPTURE_TIMEOUT_MS = "15000";

let project: { id: string; slug: string };
let contributor: Actor;
let server: http.Server;
let base = "";
const requests: string[] = [];

/** Every file under the media store (originals and derivatives). */
function storedFiles(): string[] {
  return readdirSync(mediaDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

beforeAll(async () => {
  project = await makeProject();
  contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": "text/html" });
    // A title with a NUL and a lone surrogate, as a hostile page may set it from script.
    res.end("<html><head><title>Admin</title><script>document.title = 'Admin \\u0000panel \\ud800';</script></head><body>secret-admin-page</body></html>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
});

describe("with the default configuration", () => {
  it("refuses private addresses even on the embedded default", () => {
    const saved = { allow: process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE, embedded: process.env.GROUNDTRUTH_EMBEDDED_DATABASE };
    try {
      delete process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE;
      process.env.GROUNDTRUTH_EMBEDDED_DATABASE = "1";
      expect(capturePrivateAddressesAllowed()).toBe(false);
      process.env.GROUNDTRUTH_EMBEDDED_DATABASE = "0";
      expect(capturePrivateAddressesAllowed()).toBe(false);
      process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE = "1";
      expect(capturePrivateAddressesAllowed()).toBe(true);
    } finally {
      for (const [key, value] of [["GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE", saved.allow], ["GROUNDTRUTH_EMBEDDED_DATABASE", saved.embedded]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("a capture of a loopback URL is refused with a clear recorded reason, nothing is fetched and no file is stored", async () => {
    delete process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE;
    // What `npm start` sets for the embedded database: it used to turn private capture on.
    process.env.GROUNDTRUTH_EMBEDDED_DATABASE = "1";
    try {
      const filesBefore = storedFiles().length;
      const item = await submitEvidence(contributor, { projectId: project.id, title: "Admin page", sourceUrls: [`${base}/admin`] });
      await drainJobs();

      const detail = await getItemDetail(contributor, project.slug, item.reference);
      expect(detail.captures).toHaveLength(1);
      expect(detail.captures[0]).toMatchObject({ state: "FAILED" });
      expect(detail.captures[0]!.error).toMatch(/Refusing to contact 127\.0\.0\.1: it points to a private or local network address/);
      const job = detail.jobs.find((j) => j.queue === "url.capture")!;
      expect(job.state).toBe("FAILED"); // permanent: not retried
      expect(job.lastError).toMatch(/private or local network address/);

      expect(requests).toEqual([]);
      expect(await db().mediaFile.count({ where: { itemId: item.id } })).toBe(0);
      expect(storedFiles().length).toBe(filesBefore);
    } finally {
      delete process.env.GROUNDTRUTH_EMBEDDED_DATABASE;
    }
  });
});

describe("with GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE=1 (tests, trusted single-user setups)", () => {
  it("captures the loopback page, and its hostile title is stored cleaned", async () => {
    process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE = "1";
    try {
      const item = await submitEvidence(contributor, { projectId: project.id, title: "Allowed", sourceUrls: [`${base}/admin`] });
      await drainJobs();
      const detail = await getItemDetail(contributor, project.slug, item.reference);
      expect(detail.captures[0]).toMatchObject({ state: "DONE", pageTitle: "Admin panel \uFFFD" });
      expect(requests).toContain("/admin");
    } finally {
      delete process.env.GROUNDTRUTH_CAPTURE_ALLOW_PRIVATE;
    }
  });
});
