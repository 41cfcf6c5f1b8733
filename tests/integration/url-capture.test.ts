// URL capture against real local HTTP servers and a real headless Chromium. There is no network
// here beyond loopback, so "public" and "private" are played by two loopback addresses: site A on
// 127.0.0.1 and, in the blocking tests, a forbidden host B on 127.0.0.2 (see `onlyBForbidden`).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import http from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAPTURE_VIEWPORT, CaptureError, type CaptureOptions, captureUrl } from "../../lib/server/capture/capture-url";

const MARKER = "GT-CAPTURE-MARKER-7f3a";
const MB = 1024 * 1024;

let siteA: http.Server;
let siteB: http.Server;
let a = ""; // http://127.0.0.1:port
let b = ""; // http://127.0.0.2:port
let closedPort = 0;
let png: Buffer;
let workRoot: string;
let aConnections = 0;
let bConnections = 0;
let flipRequests = 0;
const openSockets = new Set<Socket>();

function html(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
}

function serveA(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? "/", a);
  const send = (status: number, type: string, body: string | Buffer, extra: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), ...extra });
    res.end(body);
  };
  switch (url.pathname) {
    case "/page":
      return send(
        200,
        "text/html; charset=utf-8",
        html("Groundtruth test page", `<h1>Post</h1><p id="m">${MARKER}</p><img src="/image.png"><div style="height:3000px;background:linear-gradient(#fff,#39c)"></div><p>end</p>`),
      );
    case "/dynamic":
      // Content added by script must be in the saved HTML (DOM after load, not the raw response).
      return send(200, "text/html", html("Dynamic", `<div id="out"></div><script>document.getElementById("out").textContent = "added-" + "by-script";</script>`));
    case "/redirect":
      res.writeHead(302, { location: "/page" });
      return res.end();
    case "/redirect-chain":
      res.writeHead(301, { location: `${a}/redirect` });
      return res.end();
    case "/image.png":
      return send(200, "image/png", png);
    case "/big.png":
      return send(200, "image/png", Buffer.alloc(2 * MB, 7));
    case "/big-streamed.mp4": {
      // No Content-Length: the limit must be enforced while streaming.
      res.writeHead(200, { "content-type": "video/mp4" });
      let sent = 0;
      const pump = () => {
        while (sent < 3 * MB) {
          sent += 64 * 1024;
          if (!res.write(Buffer.alloc(64 * 1024, 1))) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      return pump();
    }
    case "/missing":
      return send(404, "text/html", html("Not Found", `<p>${MARKER} gone</p>`));
    case "/hang":
      return; // never answers
    case "/slow-subresource":
      return send(200, "text/html", html("Slow subresource", `<p>${MARKER}</p><img src="/hang">`));
    case "/redirect-to-b":
      res.writeHead(302, { location: `${b}/secret` });
      return res.end();
    case "/embeds-b":
      return send(
        200,
        "text/html",
        html(
          "Embeds B",
          `<p>${MARKER}</p><img src="${b}/leak.png"><iframe src="${b}/frame"></iframe><iframe src="${b.replace("http:", "https:")}/tls"></iframe>` +
            `<script>fetch("${b}/fetch").catch(() => {}); new Image().src = "${b}/beacon";</script>`,
        ),
      );
    case "/script-to-b":
      return send(200, "text/html", html("Leaving", `<script>location.href = "${b}/secret";</script>`));
    case "/script-to-b-tls":
      return send(200, "text/html", html("Leaving securely", `<script>location.href = "${b.replace("http:", "https:")}/secret";</script>`));
    case "/download":
      return send(200, "application/octet-stream", Buffer.from("not a page"));
    case "/flip":
      // Cloaking: an ordinary page for the first request (the preflight), a redirect to B for the browser.
      flipRequests += 1;
      if (flipRequests % 2 === 1) return send(200, "text/html", html("Harmless", "<p>nothing to see</p>"));
      res.writeHead(302, { location: `${b}/secret` });
      return res.end();
    default:
      return send(404, "text/plain", "no such route");
  }
}

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

beforeAll(async () => {
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 20, b: 20 } } }).png().toBuffer();
  workRoot = await mkdtemp(path.join(os.tmpdir(), "gt-url-capture-"));

  siteA = http.createServer(serveA);
  siteA.on("connection", (socket) => {
    aConnections += 1;
    openSockets.add(socket);
    socket.on("close", () => openSockets.delete(socket));
  });
  a = `http://127.0.0.1:${await listen(siteA, "127.0.0.1")}`;

  siteB = http.createServer((req, res) => {
    if (req.url !== "/embeds-localhost") return res.end("secret");
    // For the one test where B is the site and A (as "localhost") is forbidden.
    const local = a.replace("127.0.0.1", "localhost");
    res.writeHead(200, { "content-type": "text/html" });
    res.end(html("Embeds localhost", `<img src="${local}/image.png"><iframe src="${local.replace("http:", "https:")}/tls"></iframe>`));
  });
  siteB.on("connection", (socket) => {
    bConnections += 1;
    openSockets.add(socket);
    socket.on("close", () => openSockets.delete(socket));
  });
  b = `http://127.0.0.2:${await listen(siteB, "127.0.0.2")}`;

  const closed = http.createServer();
  closedPort = await listen(closed, "127.0.0.1");
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  for (const socket of openSockets) socket.destroy();
  await Promise.all([siteA, siteB].map((server) => new Promise((resolve) => server?.close(resolve))));
  if (workRoot) await rm(workRoot, { recursive: true, force: true });
});

let dirCounter = 0;
function options(overrides: Partial<CaptureOptions> = {}): CaptureOptions {
  dirCounter += 1;
  return {
    workDir: path.join(workRoot, `capture-${dirCounter}`),
    allowPrivateAddresses: true,
    timeoutMs: 15_000,
    maxMediaBytes: 1 * MB,
    ...overrides,
  };
}

/** A is "public", B is "private". */
const onlyBForbidden = (address: string) => address === "127.0.0.2";

async function captureFailure(url: string, overrides: Partial<CaptureOptions> = {}): Promise<CaptureError> {
  const error = await captureUrl(url, options(overrides)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CaptureError);
  return error as CaptureError;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Chromium processes this test process started and did not reap. */
function childBrowsers(): string[] {
  if (!existsSync("/proc/self/stat")) return [];
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const statLine = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = statLine.slice(statLine.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(fields[1]);
      const name = statLine.slice(statLine.indexOf("(") + 1, statLine.lastIndexOf(")"));
      if (ppid === process.pid && /chrom/i.test(name)) found.push(`${entry} ${name}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

describe("captureUrl: pages", () => {
  it("captures a page: full-page screenshot, DOM, title, final URL, status, time", async () => {
    const before = Date.now();
    const result = await captureUrl(`${a}/page`, options());
    expect(result.kind).toBe("page");
    if (result.kind !== "page") return;
    expect(result).toMatchObject({ finalUrl: `${a}/page`, httpStatus: 200, title: "Groundtruth test page" });
    expect(result.capturedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(result.capturedAt.getTime()).toBeLessThanOrEqual(Date.now());

    const shot = await sharp(result.screenshotPath).metadata();
    expect(shot.format).toBe("png");
    expect(shot.width).toBe(CAPTURE_VIEWPORT.width);
    expect(shot.height).toBeGreaterThan(CAPTURE_VIEWPORT.height);
    expect(shot.height).toBeGreaterThanOrEqual(3000);

    const saved = await readFile(result.htmlPath, "utf8");
    expect(saved).toContain(MARKER);
    expect(saved).toContain("<title>Groundtruth test page</title>");
    expect(path.dirname(result.htmlPath)).toBe(path.dirname(result.screenshotPath));
  });

  it("saves the DOM as rendered, including what scripts added", async () => {
    const result = await captureUrl(`${a}/dynamic`, options());
    if (result.kind !== "page") throw new Error("expected a page");
    expect(await readFile(result.htmlPath, "utf8")).toContain("added-by-script");
  });

  it("follows redirects and reports where they ended", async () => {
    for (const start of ["/redirect", "/redirect-chain"]) {
      const result = await captureUrl(`${a}${start}`, options());
      expect(result).toMatchObject({ kind: "page", finalUrl: `${a}/page`, httpStatus: 200, title: "Groundtruth test page" });
    }
  });

  it("captures error pages too, reporting their status (a 404 can be evidence)", async () => {
    const result = await captureUrl(`${a}/missing`, options());
    expect(result).toMatchObject({ kind: "page", httpStatus: 404, title: "Not Found", finalUrl: `${a}/missing` });
    if (result.kind === "page") expect(await readFile(result.htmlPath, "utf8")).toContain(MARKER);
  });

  it("still captures a page whose images never finish loading", async () => {
    const started = Date.now();
    const result = await captureUrl(`${a}/slow-subresource`, options({ timeoutMs: 3_000 }));
    expect(result).toMatchObject({ kind: "page", httpStatus: 200, title: "Slow subresource" });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("leaves no browser process behind", async () => {
    await captureUrl(`${a}/page`, options());
    await captureFailure(`${a}/script-to-b`, { isForbiddenAddress: onlyBForbidden });
    expect(childBrowsers()).toEqual([]);
  });
});

describe("captureUrl: media", () => {
  it("downloads an image URL byte for byte", async () => {
    const result = await captureUrl(`${a}/image.png`, options());
    expect(result).toMatchObject({ kind: "media", finalUrl: `${a}/image.png`, httpStatus: 200, mime: "image/png" });
    if (result.kind !== "media") return;
    expect(result.filePath.endsWith(".png")).toBe(true);
    expect(sha256(await readFile(result.filePath))).toBe(sha256(png));
    expect(result.capturedAt).toBeInstanceOf(Date);
  });

  it("refuses media over the size limit, declared or streamed, and keeps no partial file", async () => {
    const declared = await captureFailure(`${a}/big.png`, { maxMediaBytes: 1 * MB });
    expect(declared.reason).toBe("too_large");
    expect(declared.message).toBe("The file is larger than the 1 MB limit for downloads.");

    const opts = options({ maxMediaBytes: 1 * MB });
    const streamed = await captureUrl(`${a}/big-streamed.mp4`, opts).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(CaptureError);
    expect((streamed as CaptureError).reason).toBe("too_large");
    await expect(stat(path.join(opts.workDir, "media.mp4"))).rejects.toThrow();
  });

  it("accepts media right at the limit", async () => {
    const result = await captureUrl(`${a}/image.png`, options({ maxMediaBytes: png.length }));
    expect(result.kind).toBe("media");
  });
});

describe("captureUrl: failures", () => {
  it.each([
    ["javascript:alert(1)"],
    ["file:///etc/passwd"],
    ["data:text/html,<h1>hi</h1>"],
    ["ftp://127.0.0.1/file"],
    ["http://user:pass@127.0.0.1/"],
    ["not a url"],
    [""],
    [`https://example.com/${"a".repeat(2100)}`],
  ])("rejects %j as invalid_url", async (url) => {
    const error = await captureFailure(url);
    expect(error.reason).toBe("invalid_url");
    expect(error.message).toMatch(/^[A-Z]/);
  });

  it("times out on a site that never answers", async () => {
    const started = Date.now();
    const error = await captureFailure(`${a}/hang`, { timeoutMs: 3_000 });
    expect(error.reason).toBe("timeout");
    expect(error.message).toBe("The site did not answer within 3 s.");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("explains that a file download is not a page", async () => {
    const error = await captureFailure(`${a}/download`);
    expect(error.reason).toBe("browser_failed");
    expect(error.message).toBe("The address serves a file to download, not a web page, image or video.");
  });

  it("reports a closed port as unreachable", async () => {
    const error = await captureFailure(`http://127.0.0.1:${closedPort}/`);
    expect(error.reason).toBe("unreachable");
    expect(error.message).toBe("127.0.0.1 refused the connection.");
  });
});

describe("captureUrl: private addresses", () => {
  it.each([
    () => `${a}/page`,
    () => `${a}/image.png`,
    () => a.replace("127.0.0.1", "localhost") + "/page",
    () => a.replace("127.0.0.1", "0x7f.1") + "/page",
    () => a.replace("127.0.0.1", "[::ffff:127.0.0.1]") + "/page",
    () => `http://[::1]:${closedPort}/`,
    () => `http://0.0.0.0:${closedPort}/`,
    () => "http://169.254.169.254/latest/meta-data/",
    () => "http://10.0.0.1/",
  ])("refuses %s when private addresses are not allowed", async (makeUrl) => {
    const error = await captureFailure(makeUrl(), { allowPrivateAddresses: false });
    expect(error.reason).toBe("blocked");
    expect(error.message).toMatch(/^Refusing to contact .+: it points to a private or local network address\.$/);
  });

  it("refuses a redirect to a forbidden address (checked before the browser starts)", async () => {
    const seen = bConnections;
    const error = await captureFailure(`${a}/redirect-to-b`, { isForbiddenAddress: onlyBForbidden });
    expect(error.reason).toBe("blocked");
    expect(bConnections).toBe(seen);
  });

  it("refuses a redirect the site only shows the browser", async () => {
    const seen = bConnections;
    const error = await captureFailure(`${a}/flip`, { isForbiddenAddress: onlyBForbidden });
    expect(error.reason).toBe("blocked");
    expect(error.message).toBe("Refusing to contact 127.0.0.2: it points to a private or local network address.");
    expect(bConnections).toBe(seen);
  });

  it("refuses a script navigation to a forbidden address", async () => {
    const seen = bConnections;
    const error = await captureFailure(`${a}/script-to-b`, { isForbiddenAddress: onlyBForbidden });
    expect(error.reason).toBe("blocked");
    expect(bConnections).toBe(seen);
  });

  it("refuses a script navigation to a forbidden https address (the proxy refuses the tunnel)", async () => {
    const seen = bConnections;
    const error = await captureFailure(`${a}/script-to-b-tls`, { isForbiddenAddress: onlyBForbidden });
    expect(error.reason).toBe("blocked");
    expect(error.message).toBe("Refusing to contact 127.0.0.2: it points to a private or local network address.");
    expect(bConnections).toBe(seen);
  });

  it("captures a page but lets none of its images, frames, fetches or tunnels reach a forbidden address", async () => {
    const seen = bConnections;
    const result = await captureUrl(`${a}/embeds-b`, options({ isForbiddenAddress: onlyBForbidden }));
    expect(result).toMatchObject({ kind: "page", httpStatus: 200, title: "Embeds B" });
    expect(bConnections).toBe(seen);
  });

  it("checks the addresses a host name resolves to, for subresources and tunnels too", async () => {
    const seen = aConnections;
    const forbidLoopbackOne = (address: string) => address === "127.0.0.1" || address === "::1";
    const result = await captureUrl(`${b}/embeds-localhost`, options({ isForbiddenAddress: forbidLoopbackOne }));
    expect(result).toMatchObject({ kind: "page", httpStatus: 200, title: "Embeds localhost" });
    expect(aConnections).toBe(seen);
  });

  it("does reach B when nothing is forbidden (so the tests above prove the guard works)", async () => {
    const seen = bConnections;
    await captureUrl(`${a}/embeds-b`, options({ allowPrivateAddresses: true }));
    expect(bConnections).toBeGreaterThan(seen);
  });
});
