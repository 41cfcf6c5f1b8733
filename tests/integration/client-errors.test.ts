// POST /api/client-errors: a browser error lands in the server log (JSON line, with the request
// id the response carries); the answer never has a body; cross-site posts, big bodies, junk and
// floods are refused before anything is logged.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CLIENT_ADDRESS_HEADER, WEB_SERVER_MARK } from "../../lib/domain/client-address";
import { CLIENT_ERROR_PER_CLIENT, CLIENT_ERROR_PER_INSTANCE } from "../../lib/domain/client-errors";
import { resetClientErrorLimits } from "../../lib/server/client-errors";
import { POST } from "../../app/api/client-errors/route";

// As behind the app's own web server, which writes the client address header from the socket.
const marks = globalThis as unknown as Record<symbol, unknown>;
beforeAll(() => {
  marks[WEB_SERVER_MARK] = true;
});
afterAll(() => {
  delete marks[WEB_SERVER_MARK];
});

const URL_ = "http://localhost:3000/api/client-errors";
const SAME_ORIGIN = { origin: "http://localhost:3000", "content-type": "application/json" };
const REPORT = { source: "public-map", name: "TypeError", message: "Map has no maxZoom specified", stack: "at onAdd (cluster.js:1:2)", page: "/public/demo-witness?province=Kabul" };

let lines: Array<Record<string, unknown>>;

beforeEach(() => {
  resetClientErrorLimits();
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.startsWith("{")) {
        try {
          lines.push(JSON.parse(text) as Record<string, unknown>);
          return true;
        } catch {
          // not a log line
        }
      }
      return original(chunk, ...rest);
    }) as typeof stream.write);
  }
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const post = (body: string, headers: Record<string, string> = SAME_ORIGIN) => POST(new Request(URL_, { method: "POST", headers, body }));
const clientLines = () => lines.filter((line) => line.message === "client error");

describe("POST /api/client-errors", () => {
  it("logs a report with the request id and answers 204 with no body", async () => {
    const response = await post(JSON.stringify(REPORT));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toBeTruthy();
    expect(clientLines()).toEqual([
      expect.objectContaining({
        level: "error",
        requestId,
        source: "public-map",
        errorName: "TypeError",
        errorMessage: "Map has no maxZoom specified",
        stack: "at onAdd (cluster.js:1:2)",
        page: "/public/demo-witness",
      }),
    ]);
  });

  it.each<[string, () => Promise<Response>, number]>([
    ["a cross-site post", () => post(JSON.stringify(REPORT), { origin: "https://evil.example", "content-type": "application/json" }), 403],
    ["a post without origin, fetch site or referer", () => post(JSON.stringify(REPORT), { "content-type": "application/json" }), 403],
    ["a body over 8 KiB", () => post(JSON.stringify({ ...REPORT, stack: "x".repeat(9 * 1024) })), 413],
    ["a body that is not JSON", () => post("not json"), 400],
    ["an unknown source", () => post(JSON.stringify({ ...REPORT, source: "other" })), 400],
    ["no message", () => post(JSON.stringify({ source: "public-map" })), 400],
  ])("refuses %s without logging or echoing it", async (_label, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(await response.text()).toBe("");
    expect(clientLines()).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain("evil");
  });

  it("a body with no Content-Length that grows past the cap is cut off (413)", async () => {
    const chunk = new TextEncoder().encode("x".repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await POST(new Request(URL_, { method: "POST", headers: SAME_ORIGIN, body, duplex: "half" } as RequestInit));
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(20);
    expect(clientLines()).toEqual([]);
  });

  it("rate-limits one address, not another", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });
    const from = (ip: string) => post(JSON.stringify(REPORT), { ...SAME_ORIGIN, [CLIENT_ADDRESS_HEADER]: ip });
    const statuses: number[] = [];
    for (let i = 0; i < CLIENT_ERROR_PER_CLIENT.burst + 3; i++) statuses.push((await from("203.0.113.7")).status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(CLIENT_ERROR_PER_CLIENT.burst);
    expect(statuses.slice(CLIENT_ERROR_PER_CLIENT.burst)).toEqual([429, 429, 429]);
    expect((await from("198.51.100.9")).status).toBe(204);
    expect(clientLines()).toHaveLength(CLIENT_ERROR_PER_CLIENT.burst + 1);
  });

  it("caps the whole instance whatever addresses the posts claim, until tokens come back", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });
    let accepted = 0;
    for (let i = 0; i < CLIENT_ERROR_PER_INSTANCE.burst + 20; i++) {
      const response = await post(JSON.stringify(REPORT), { ...SAME_ORIGIN, [CLIENT_ADDRESS_HEADER]: `10.0.${i >> 8}.${i & 255}` });
      if (response.status === 204) accepted += 1;
      else expect(response.status).toBe(429);
    }
    expect(accepted).toBe(CLIENT_ERROR_PER_INSTANCE.burst);
    vi.setSystemTime(Date.now() + CLIENT_ERROR_PER_INSTANCE.refillMs);
    expect((await post(JSON.stringify(REPORT), { ...SAME_ORIGIN, [CLIENT_ADDRESS_HEADER]: "192.0.2.1" })).status).toBe(204);
  });
});
