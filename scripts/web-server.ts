// The web process that `npm start` and `npm run start:prod` run: Next.js (production build)
// behind a plain node:http server, which is the only code that sees the TCP socket. For every
// request it
// - deletes any client-sent x-groundtruth-client-address header and sets its own: the socket's
//   peer, or, when that peer is a trusted proxy (GROUNDTRUTH_TRUSTED_PROXIES), the address
//   X-Forwarded-For names past the trusted hops (lib/domain/client-address.ts);
// - answers 400 for a path with malformed percent-encoding, naming the segment, before Next.js
//   tries to decode it.
// SIGTERM/SIGINT: stop accepting connections, finish in-flight requests, then exit.
// Settings: PORT, GROUNDTRUTH_HOST (default 127.0.0.1), GROUNDTRUTH_TRUSTED_PROXIES.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER, parseTrustedProxies, resolveClientAddress, WEB_SERVER_MARK } from "@/lib/domain/client-address";
import { malformedPathSegment } from "@/lib/domain/request-path";
import { PROJECT_ROOT, webPort } from "@/lib/infra/config";

const say = (line: string) => console.log(`[groundtruth] ${line}`);

function badPath(req: IncomingMessage, res: ServerResponse, segment: string) {
  const message = `The path segment "${segment.slice(0, 80)}" is not valid percent-encoding.`;
  const api = (req.url ?? "").startsWith("/api/");
  res.writeHead(400, {
    "Content-Type": api ? "application/json" : "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  });
  res.end(api ? JSON.stringify({ error: message, code: "VALIDATION", fieldErrors: { path: [message] } }) : message);
}

async function main() {
  const port = webPort();
  const host = process.env.GROUNDTRUTH_HOST || "127.0.0.1";
  const { ranges: trusted, problems } = parseTrustedProxies(process.env.GROUNDTRUTH_TRUSTED_PROXIES);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`[groundtruth] ${problem}`);
    process.exit(1);
  }

  // As `next start` does; set before Next.js is loaded.
  (process.env as Record<string, string>).NODE_ENV = "production";
  (globalThis as Record<symbol, unknown>)[WEB_SERVER_MARK] = true;
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: PROJECT_ROOT, hostname: host, port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = createServer((req, res) => {
    const segment = malformedPathSegment(req.url ?? "/");
    if (segment !== null) return badPath(req, res, segment);
    delete req.headers[CLIENT_ADDRESS_HEADER];
    const address = resolveClientAddress({ socketAddress: req.socket.remoteAddress, forwardedFor: req.headers["x-forwarded-for"], trusted });
    if (address) req.headers[CLIENT_ADDRESS_HEADER] = address;
    handle(req, res).catch((error: unknown) => {
      console.error("[groundtruth] request failed", error);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Internal Server Error");
    });
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // close() stops accepting and drops idle keep-alive connections; in-flight requests finish.
    server.close(() => {
      void app.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    say(`${signal}: web server finishing in-flight requests`);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  server.on("error", (error) => {
    console.error(`[groundtruth] The web server could not listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    say(`Web server listening on http://${host}:${port}${trusted.length ? ` (trusted proxies: ${trusted.map((r) => r.text).join(", ")})` : ""}`);
  });
}

main().catch((error: unknown) => {
  console.error(`[groundtruth] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
