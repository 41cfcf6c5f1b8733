import "server-only";
import dns from "node:dns";
import { createWriteStream } from "node:fs";
import { CHROMIUM_BASE_ARGS, systemChromiumPath } from "@/lib/infra/chromium";
import { mkdir, rm, writeFile } from "node:fs/promises";
import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Browser, type Response, chromium, errors as playwrightErrors } from "playwright-core";
import { type CaptureFailureReason, formatSeconds, isPrivateAddress, parseCaptureUrl } from "@/lib/domain/capture-url";

// Preserves what a URL shows right now: a full-page screenshot and the rendered HTML of a web
// page, or the bytes of an image/video when the URL points straight at one.
//
// Flow: (1) validate the URL; (2) a guarded GET ("preflight") follows redirects hop by hop and
// reads the final response's Content-Type; (3a) image/* or video/* with a 2xx status: stream the
// body into workDir; (3b) anything else: drop the preflight body and load the URL in headless
// Chromium, whose every connection goes through an in-process forward proxy that applies the
// same address policy.
//
// Why a proxy rather than Playwright request interception: route handlers never see redirect
// hops (documented Playwright behaviour, verified), nor do they stop DNS rebinding. The proxy
// resolves each host itself, refuses forbidden addresses and connects to exactly the address it
// checked, for navigations, redirects, subresources, iframes, workers and WebSocket/HTTPS tunnels
// alike (Playwright sends loopback through the proxy too: it adds `<-loopback>`).

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 10;
/** After the load event, wait this long at most for the network to go quiet (late content). */
const SETTLE_MS = 3_000;
export const CAPTURE_VIEWPORT = { width: 1280, height: 800 } as const;
/** One user agent for the preflight and the browser, so the site answers both alike. */
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
const ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,video/*,*/*;q=0.8";
const CHROMIUM_ARGS = [
  ...CHROMIUM_BASE_ARGS,
  "--disable-dev-shm-usage",
  // WebRTC may otherwise send UDP around the proxy (and so around the address policy).
  "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
];
/** Header the guard proxy puts on responses it made up itself (refusals, upstream failures). */
const PROXY_MARKER = "x-groundtruth-capture-proxy";
const BLOCKED_CODE = "EGROUNDTRUTH_BLOCKED";

export interface CaptureOptions {
  /** Directory for the output files (created if missing). */
  workDir: string;
  /** Allow loopback/private/link-local targets. Only for tests and trusted local setups. */
  allowPrivateAddresses: boolean;
  /** How long the site may stay silent (connect, response, body, page load). Default 30 s. */
  timeoutMs?: number;
  /** Largest image/video download accepted, in bytes. */
  maxMediaBytes: number;
  /**
   * Which resolved addresses to refuse. Defaults to `isPrivateAddress`, or to nothing when
   * `allowPrivateAddresses` is set. A seam for tests (which only have loopback to play with).
   */
  isForbiddenAddress?: (address: string) => boolean;
}

export interface PageCapture {
  kind: "page";
  /** Where the browser ended up, after redirects. */
  finalUrl: string;
  /** Status of the final main-document response; error pages (404, 500…) are captured too. */
  httpStatus: number;
  title: string;
  /** When the page was snapshotted (just before the HTML and screenshot were taken). */
  capturedAt: Date;
  /** Full-page PNG. */
  screenshotPath: string;
  /** The DOM serialized after load (`page.content()`), UTF-8. */
  htmlPath: string;
}

export interface MediaCapture {
  kind: "media";
  finalUrl: string;
  httpStatus: number;
  /** Content-Type essence, e.g. "image/png". */
  mime: string;
  filePath: string;
  /** When the site answered with the media (response headers received). */
  capturedAt: Date;
}

export type CaptureResult = PageCapture | MediaCapture;

export class CaptureError extends Error {
  readonly reason: CaptureFailureReason;
  /** Written for the investigator: may be shown as is (lib/server/jobs/safe-error.ts). */
  readonly safeMessage = true;
  constructor(reason: CaptureFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CaptureError";
    this.reason = reason;
  }
}

interface Run {
  timeoutMs: number;
  maxMediaBytes: number;
  workDir: string;
  isForbidden: (address: string) => boolean;
  lookup: LookupFunction;
}

/** Captures `url` into `options.workDir`. Throws CaptureError for every expected failure. */
export async function captureUrl(url: string, options: CaptureOptions): Promise<CaptureResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError("timeoutMs must be positive");
  if (!(options.maxMediaBytes > 0)) throw new RangeError("maxMediaBytes must be positive");
  const parsed = parseCaptureUrl(url);
  if (!parsed.ok) throw new CaptureError("invalid_url", parsed.message);

  const isForbidden = options.isForbiddenAddress ?? (options.allowPrivateAddresses ? () => false : isPrivateAddress);
  const run: Run = {
    timeoutMs,
    maxMediaBytes: options.maxMediaBytes,
    workDir: options.workDir,
    isForbidden,
    lookup: guardedLookup(isForbidden),
  };
  await mkdir(run.workDir, { recursive: true });

  const opened = await openFollowingRedirects(parsed.url, run);
  const mime = mimeEssence(opened.response.headers["content-type"]);
  const status = opened.response.statusCode ?? 0;
  if (status >= 200 && status < 300 && /^(image|video)\/[a-z0-9.+-]+$/.test(mime)) {
    return downloadMedia(opened.response, opened.url, mime, run);
  }
  opened.response.destroy();
  return capturePage(parsed.url, run);
}

// ---------------------------------------------------------------------------------------------
// Address policy

function blockedError(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${hostname} resolves to a forbidden address`);
  error.code = BLOCKED_CODE;
  return error;
}

const blockedMessage = (hostname: string) =>
  `Refusing to contact ${hostname}: it points to a private or local network address.`;

/**
 * A `lookup` for net/http/tls connections: resolves every address of the host and fails when any
 * is forbidden, so the connection goes to an address that was checked (no DNS rebinding window).
 * Connections to IP literals skip `lookup`; see `isForbiddenLiteral`.
 */
function guardedLookup(isForbidden: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, "");
      const first = addresses[0];
      if (!first) {
        const error: NodeJS.ErrnoException = new Error(`no addresses for ${hostname}`);
        error.code = "ENOTFOUND";
        return callback(error, "");
      }
      if (addresses.some((a) => isForbidden(a.address))) return callback(blockedError(hostname), "");
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

function isForbiddenLiteral(hostname: string, run: Run): boolean {
  return net.isIP(hostname) !== 0 && run.isForbidden(hostname);
}

const stripBrackets = (host: string) => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host);

// ---------------------------------------------------------------------------------------------
// Error classification

const timeoutError = (run: Run) => new CaptureError("timeout", `The site did not answer within ${formatSeconds(run.timeoutMs)}.`);

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)/;

/** Maps a Node network error (or a code) to a CaptureError. */
function networkFailure(code: string | undefined, hostname: string, run: Run, cause?: unknown): CaptureError {
  switch (code) {
    case BLOCKED_CODE:
      return new CaptureError("blocked", blockedMessage(hostname), { cause });
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NODATA":
    case "EAI_NONAME":
      return new CaptureError("unreachable", `The address ${hostname} could not be found (DNS).`, { cause });
    case "ECONNREFUSED":
      return new CaptureError("unreachable", `${hostname} refused the connection.`, { cause });
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
    case "ERR_STREAM_PREMATURE_CLOSE":
      return new CaptureError("unreachable", `The connection to ${hostname} was cut off.`, { cause });
    case "ETIMEDOUT":
      return timeoutError(run);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return new CaptureError("unreachable", `${hostname} cannot be reached from this server.`, { cause });
    case "HPE_INVALID_CONSTANT":
    case "HPE_INVALID_HEADER_TOKEN":
    case "HPE_HEADER_OVERFLOW":
      return new CaptureError("unreachable", `${hostname} did not answer with valid HTTP.`, { cause });
  }
  if (code && TLS_CODES.test(code)) {
    return new CaptureError("unreachable", `The secure connection to ${hostname} could not be verified (${code}).`, { cause });
  }
  return new CaptureError("unreachable", `${hostname} could not be reached${code ? ` (${code})` : ""}.`, { cause });
}

function toCaptureError(err: unknown, hostname: string, run: Run): CaptureError {
  if (err instanceof CaptureError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof Error && !code && err.message === "socket hang up") return networkFailure("ECONNRESET", hostname, run, err);
  return networkFailure(code, hostname, run, err);
}

// ---------------------------------------------------------------------------------------------
// Preflight and media download (plain HTTP client)

interface Opened {
  response: IncomingMessage;
  url: string;
}

/** GETs `url`, following redirects itself so that every hop passes the URL and address checks. */
async function openFollowingRedirects(url: string, run: Run): Promise<Opened> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const parsed = parseCaptureUrl(current);
    if (!parsed.ok) {
      throw new CaptureError("http_error", `The site redirected to an address that cannot be captured (${parsed.message})`);
    }
    if (isForbiddenLiteral(parsed.hostname, run)) throw new CaptureError("blocked", blockedMessage(parsed.hostname));
    const response = await getOnce(parsed.url, parsed.hostname, run);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (hop >= MAX_REDIRECTS) throw new CaptureError("http_error", `The site redirected more than ${MAX_REDIRECTS} times.`);
      try {
        current = new URL(location, parsed.url).href;
      } catch {
        throw new CaptureError("http_error", "The site redirected to an invalid address.");
      }
      continue;
    }
    return { response, url: parsed.url };
  }
}

function getOnce(url: string, hostname: string, run: Run): Promise<IncomingMessage> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: "GET",
        agent: false,
        lookup: run.lookup,
        headers: {
          "user-agent": USER_AGENT,
          accept: ACCEPT,
          "accept-language": "en-US,en;q=0.9",
          // Media must be stored exactly as served, not content-encoded.
          "accept-encoding": "identity",
        },
      },
      (response) => {
        request.setTimeout(0); // the body has its own idle timer (see downloadMedia)
        resolve(response);
      },
    );
    request.setTimeout(run.timeoutMs, () => request.destroy(timeoutError(run)));
    request.on("error", (err) => reject(toCaptureError(err, hostname, run)));
    request.end();
  });
}

function mimeEssence(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/avif": "avif",
  "image/svg+xml": "svg",
  "image/bmp": "bmp",
  "image/tiff": "tiff",
  "image/heic": "heic",
  "image/x-icon": "ico",
  "image/vnd.microsoft.icon": "ico",
  "video/mp4": "mp4",
  "video/webm": "webm",
  "video/quicktime": "mov",
  "video/ogg": "ogv",
  "video/x-matroska": "mkv",
  "video/mp2t": "ts",
  "video/3gpp": "3gp",
};

function tooLarge(run: Run): CaptureError {
  return new CaptureError("too_large", `The file is larger than the ${formatBytes(run.maxMediaBytes)} limit for downloads.`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

async function downloadMedia(response: IncomingMessage, finalUrl: string, mime: string, run: Run): Promise<MediaCapture> {
  const capturedAt = new Date();
  const hostname = stripBrackets(new URL(finalUrl).hostname);
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > run.maxMediaBytes) {
    response.destroy();
    throw tooLarge(run);
  }

  const filePath = path.join(run.workDir, `media.${EXTENSIONS[mime] ?? "bin"}`);
  let received = 0;
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => response.destroy(timeoutError(run)), run.timeoutMs);
  };
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > run.maxMediaBytes) return callback(tooLarge(run));
      armIdle();
      callback(null, chunk);
    },
  });
  armIdle();
  try {
    await pipeline(response, meter, createWriteStream(filePath));
  } catch (err) {
    await rm(filePath, { force: true });
    throw toCaptureError(err, hostname, run);
  } finally {
    clearTimeout(idle);
  }
  return { kind: "media", finalUrl, httpStatus: response.statusCode ?? 0, mime, filePath, capturedAt };
}

// ---------------------------------------------------------------------------------------------
// Guard proxy for the browser

type ProxyFailure = { kind: "blocked" } | { kind: "unreachable"; code: string };

interface GuardProxy {
  server: string;
  /** Most recent failure per host name, to explain a failed navigation. */
  failures: Map<string, ProxyFailure>;
  close(): void;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  PROXY_MARKER,
]);

/** Raw header list ([name, value, name, value…]) without hop-by-hop headers or our marker. */
function endToEndHeaders(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}

function describeFailure(failure: ProxyFailure): string {
  return failure.kind === "blocked" ? "blocked" : `unreachable:${failure.code}`;
}

function parseFailure(tag: string): ProxyFailure {
  if (tag === "blocked") return { kind: "blocked" };
  return { kind: "unreachable", code: tag.replace(/^unreachable:/, "") };
}

function failureCode(err: unknown): ProxyFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === BLOCKED_CODE) return { kind: "blocked" };
  return { kind: "unreachable", code: code ?? "ECONNRESET" };
}

async function startGuardProxy(run: Run): Promise<GuardProxy> {
  const sockets = new Set<net.Socket>();
  const failures = new Map<string, ProxyFailure>();
  const agent = new http.Agent({ keepAlive: true });
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server = http.createServer();
  server.on("connection", track);

  // Plain http:// requests arrive in absolute form: GET http://host/path HTTP/1.1
  server.on("request", (req: IncomingMessage, res: http.ServerResponse) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
      if (target.protocol !== "http:") throw new Error("not http");
    } catch {
      res.writeHead(400).end();
      return;
    }
    const hostname = stripBrackets(target.hostname);
    const fail = (failure: ProxyFailure) => {
      failures.set(hostname, failure);
      if (res.headersSent) return res.destroy();
      const status = failure.kind === "blocked" ? 403 : 502;
      res.writeHead(status, { [PROXY_MARKER]: describeFailure(failure), "content-type": "text/plain", "cache-control": "no-store" });
      res.end(failure.kind === "blocked" ? "Blocked by Groundtruth capture policy" : "Upstream unreachable");
    };
    if (isForbiddenLiteral(hostname, run)) return fail({ kind: "blocked" });

    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of endToEndHeaders(req.rawHeaders)) {
      const key = name.toLowerCase();
      const prior = headers[key];
      headers[key] = prior === undefined ? value : `${String(prior)}${key === "cookie" ? "; " : ", "}${value}`;
    }
    const upstream = http.request({
      host: hostname,
      port: target.port || 80,
      method: req.method,
      path: target.pathname + target.search,
      headers,
      agent,
      lookup: run.lookup,
    });
    upstream.on("socket", track);
    upstream.on("response", (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEndHeaders(up.rawHeaders).flat());
      up.pipe(res);
      up.on("error", () => res.destroy());
    });
    upstream.on("error", (err) => fail(failureCode(err)));
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });

  // https:// (and WebSocket) traffic asks for a tunnel: CONNECT host:port HTTP/1.1
  server.on("connect", (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    client.on("error", () => client.destroy());
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(req.url ?? "");
    const hostname = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    const refuse = (failure: ProxyFailure) => {
      if (hostname) failures.set(hostname, failure);
      const status = failure.kind === "blocked" ? "403 Forbidden" : "502 Bad Gateway";
      client.end(`HTTP/1.1 ${status}\r\n${PROXY_MARKER}: ${describeFailure(failure)}\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostname || !(port > 0 && port < 65536)) return void client.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    if (isForbiddenLiteral(hostname, run)) return refuse({ kind: "blocked" });

    const upstream = net.connect({ host: hostname, port, lookup: run.lookup });
    track(upstream);
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", (err) => (connected ? client.destroy() : refuse(failureCode(err))));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => connected && client.destroy()); // a refusal must flush first
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    server: `http://127.0.0.1:${port}`,
    failures,
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Page capture (headless Chromium)


function browserFailure(err: unknown, navigationHosts: string[], proxy: GuardProxy, run: Run): CaptureError {
  if (err instanceof CaptureError) return err;
  if (err instanceof playwrightErrors.TimeoutError) return timeoutError(run);
  const message = err instanceof Error ? err.message : String(err);
  const host = navigationHosts.at(-1) ?? "the site";
  const code = /net::(ERR_[A-Z0-9_]+)/.exec(message)?.[1];
  if (!code) {
    if (/Download is starting/i.test(message)) {
      return new CaptureError("browser_failed", "The address serves a file to download, not a web page, image or video.", { cause: err });
    }
    return new CaptureError("browser_failed", "The browser failed while capturing the page.", { cause: err });
  }
  switch (code) {
    case "ERR_TUNNEL_CONNECTION_FAILED":
    case "ERR_PROXY_CONNECTION_FAILED":
      return proxyFailure(navigationHosts, proxy, run) ?? new CaptureError("unreachable", `${host} could not be reached.`, { cause: err });
    case "ERR_NAME_NOT_RESOLVED":
      return networkFailure("ENOTFOUND", host, run, err);
    case "ERR_CONNECTION_REFUSED":
      return networkFailure("ECONNREFUSED", host, run, err);
    case "ERR_CONNECTION_RESET":
    case "ERR_CONNECTION_CLOSED":
    case "ERR_CONNECTION_ABORTED":
    case "ERR_EMPTY_RESPONSE":
      return networkFailure("ECONNRESET", host, run, err);
    case "ERR_TIMED_OUT":
    case "ERR_CONNECTION_TIMED_OUT":
      return timeoutError(run);
    case "ERR_TOO_MANY_REDIRECTS":
      return new CaptureError("http_error", "The site redirected too many times.", { cause: err });
    case "ERR_ABORTED":
      return new CaptureError("browser_failed", "The browser stopped loading the page (it may be a file download).", { cause: err });
  }
  if (/^ERR_(CERT_|SSL_|BAD_SSL)/.test(code)) {
    return new CaptureError("unreachable", `The secure connection to ${host} could not be verified (${code}).`, { cause: err });
  }
  return new CaptureError("unreachable", `${host} could not be reached (${code}).`, { cause: err });
}

/** Why the guard proxy refused (or failed) the tunnel for the latest main-frame navigation, if it did. */
function proxyFailure(navigationHosts: string[], proxy: GuardProxy, run: Run): CaptureError | undefined {
  for (const navigated of [...navigationHosts].reverse()) {
    const failure = proxy.failures.get(navigated);
    if (failure) return failure.kind === "blocked" ? new CaptureError("blocked", blockedMessage(navigated)) : networkFailure(failure.code, navigated, run);
  }
  return undefined;
}

/** A response the guard proxy made up (refusal, upstream failure) becomes the matching error. */
function assertGenuine(response: Response | null, run: Run): void {
  const tag = response?.headers()[PROXY_MARKER];
  if (!response || !tag) return;
  const hostname = stripBrackets(new URL(response.url()).hostname);
  const failure = parseFailure(tag);
  throw failure.kind === "blocked" ? new CaptureError("blocked", blockedMessage(hostname)) : networkFailure(failure.code, hostname, run);
}

async function capturePage(url: string, run: Run): Promise<PageCapture> {
  const proxy = await startGuardProxy(run);
  let browser: Browser | undefined;
  const navigationHosts: string[] = [];
  try {
    try {
      browser = await chromium.launch({
        executablePath: systemChromiumPath(),
        args: CHROMIUM_ARGS,
        headless: true,
        proxy: { server: proxy.server },
      });
    } catch (err) {
      throw new CaptureError("browser_failed", "The capture browser could not be started.", { cause: err });
    }
    const context = await browser.newContext({
      viewport: CAPTURE_VIEWPORT,
      userAgent: USER_AGENT,
      acceptDownloads: false,
      serviceWorkers: "block",
    });
    const page = await context.newPage();
    let lastMainResponse: Response | null = null;
    page.on("request", (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        navigationHosts.push(stripBrackets(new URL(request.url()).hostname));
      }
    });
    page.on("response", (response) => {
      const request = response.request();
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) lastMainResponse = response;
    });

    let response: Response | null;
    try {
      // Only the document itself must arrive in time; a slow image or tracker must not lose the capture.
      response = await page.goto(url, { waitUntil: "domcontentloaded", timeout: run.timeoutMs });
      assertGenuine(response, run);
      const loaded = await page.waitForLoadState("load", { timeout: run.timeoutMs }).then(
        () => true,
        () => false,
      );
      // A request that never ends (it kept "load" from firing) would keep the network busy too.
      if (loaded) await page.waitForLoadState("networkidle", { timeout: Math.min(SETTLE_MS, run.timeoutMs) }).catch(() => undefined);
      // Script may have navigated elsewhere after load.
      assertGenuine(lastMainResponse, run);
      const finalUrl = page.url();
      if (!/^https?:/.test(finalUrl)) {
        // chrome-error://…: the browser could not show what it navigated to.
        throw proxyFailure(navigationHosts, proxy, run) ?? new CaptureError("unreachable", `${navigationHosts.at(-1) ?? "The site"} could not be loaded.`);
      }

      const capturedAt = new Date();
      const title = await page.title();
      const html = await page.content();
      const htmlPath = path.join(run.workDir, "page.html");
      const screenshotPath = path.join(run.workDir, "screenshot.png");
      await writeFile(htmlPath, html, "utf8");
      await page.screenshot({ path: screenshotPath, fullPage: true, type: "png", timeout: run.timeoutMs });
      const finalResponse: Response | null = lastMainResponse ?? response;
      return {
        kind: "page",
        finalUrl,
        httpStatus: finalResponse?.status() ?? 0,
        title,
        capturedAt,
        screenshotPath,
        htmlPath,
      };
    } catch (err) {
      throw browserFailure(err, navigationHosts, proxy, run);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    proxy.close();
  }
}
