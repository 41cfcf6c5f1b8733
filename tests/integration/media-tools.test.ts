// Untrusted video and the tools that decode it (issue 14, finding 7): the system's
// security-patched ffmpeg/ffprobe are preferred to the npm packages' 2018 build; every run has a
// protocol allow-list, a time limit and a memory limit; a playlist pointing at a URL is refused
// without any connection being made; the HEIF parser survives truncated and corrupted files.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import ffmpegInstaller from "@ffmpeg-installer/ffmpeg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { extractKeyframes, makeImageThumbnail, perceptualHash } from "../../lib/server/media/derivatives";
import { extractMetadata } from "../../lib/server/media/extract-metadata";
import { assertProtocolAllowList, mediaTools, mediaToolsWarning, resolveMediaTools, runMediaTool } from "../../lib/server/media/media-tools";
import { runBinary } from "../../lib/server/media/run-binary";

const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const IPAD_MOV = path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV");
const IPHONE_HEIC = path.join(fixtures, "images", "exifr_heic-iphone7.heic");

let tmp: string;
let listener: net.Server;
let port = 0;
let connections = 0;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "groundtruth-media-tools-"));
  listener = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.end("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nContent-Length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as net.AddressInfo).port;
});

afterAll(async () => {
  // A half-open socket must not keep close() waiting.
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => listener.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

async function validationError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => new Error("expected a VALIDATION error, but the call succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe("VALIDATION");
  return error as DomainError;
}

describe("which ffmpeg", () => {
  it("is the system's (Debian's) when present, not the npm packages' 4.1.0", () => {
    const tools = mediaTools();
    if (existsSync("/usr/bin/ffmpeg") && existsSync("/usr/bin/ffprobe")) {
      expect(tools).toEqual({ ffmpeg: "/usr/bin/ffmpeg", ffprobe: "/usr/bin/ffprobe", source: "system" });
      expect(mediaToolsWarning(tools)).toBeNull();
      const version = execFileSync(tools.ffmpeg, ["-version"], { encoding: "utf8" }).split("\n")[0]!;
      expect(version).not.toMatch(/version 4\.1\.0/);
    } else {
      expect(tools.source).toBe("bundled");
    }
  });

  it("falls back to the npm build with a clear warning when the system has none", async () => {
    const empty = await mkdtemp(path.join(tmp, "no-ffmpeg-"));
    const tools = resolveMediaTools({ env: {}, systemDir: empty });
    expect(tools).toEqual({ ffmpeg: ffmpegInstaller.path, ffprobe: expect.stringContaining("ffprobe"), source: "bundled" });
    expect(mediaToolsWarning(tools)).toMatch(/bundled ffmpeg.*4\.1\.0.*apt-get install ffmpeg/);
  });

  it("GROUNDTRUTH_FFMPEG_PATH and GROUNDTRUTH_FFPROBE_PATH name others", () => {
    const tools = resolveMediaTools({ env: { GROUNDTRUTH_FFMPEG_PATH: "/opt/ff/ffmpeg", GROUNDTRUTH_FFPROBE_PATH: "/opt/ff/ffprobe" } });
    expect(tools).toEqual({ ffmpeg: "/opt/ff/ffmpeg", ffprobe: "/opt/ff/ffprobe", source: "configured" });
  });
});

describe("protocol allow-list", () => {
  it.each<[string, string[], boolean]>([
    ["file input with file", ["-protocol_whitelist", "file", "-i", "file:/x"], true],
    ["pipe input with file,pipe", ["-protocol_whitelist", "file,pipe", "-i", "pipe:0"], true],
    ["ffprobe style, input last", ["-v", "error", "-protocol_whitelist", "file", "file:/x"], true],
    ["no allow-list", ["-i", "file:/x"], false],
    ["ffprobe without one", ["-v", "error", "file:/x"], false],
    ["http allowed", ["-protocol_whitelist", "file,http", "-i", "file:/x"], false],
    ["second input without one", ["-protocol_whitelist", "file", "-i", "file:/x", "-i", "file:/y"], false],
  ])("%s", (_label, args, ok) => {
    if (ok) expect(() => assertProtocolAllowList(args)).not.toThrow();
    else expect(() => assertProtocolAllowList(args)).toThrow(/protocol allow-list/);
  });

  it("a run without one is refused before anything starts", async () => {
    await expect(runMediaTool("ffmpeg", ["-i", `file:${IPAD_MOV}`, "-f", "null", "-"], { timeoutMs: 10_000, maxStdoutBytes: 1024 })).rejects.toThrow(/protocol allow-list/);
  });
});

describe("an HLS playlist pointing at a URL", () => {
  let playlist: string;
  beforeAll(async () => {
    playlist = path.join(tmp, "clip.m3u8");
    await writeFile(playlist, `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nhttp://127.0.0.1:${port}/segment0.ts\n#EXT-X-ENDLIST\n`);
  });

  it("does reach the listener when network protocols are allowed (so the test can see a connection)", async () => {
    connections = 0;
    await runBinary(mediaTools().ffprobe, ["-v", "error", "-protocol_whitelist", "file,http,tcp", "-show_format", playlist], { timeoutMs: 20_000, maxStdoutBytes: 1024 ** 2 });
    expect(connections).toBeGreaterThan(0);
  });

  it("is refused by metadata extraction, keyframes and a raw ffmpeg run, with no connection made", async () => {
    connections = 0;
    await validationError(extractMetadata(playlist, "video/mp4"));
    await validationError(extractKeyframes(playlist, path.join(tmp, "frames")));
    const run = await runMediaTool("ffmpeg", ["-nostdin", "-v", "error", "-protocol_whitelist", "file,pipe", "-i", `file:${playlist}`, "-f", "null", "-"], { timeoutMs: 20_000, maxStdoutBytes: 1024 });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/not on whitelist|Invalid data/i);
    // Give any stray connection time to arrive.
    await new Promise((r) => setTimeout(r, 300));
    expect(connections).toBe(0);
  });
});

describe("a playlist pointing at another local file", () => {
  it("is not followed: metadata extraction reads no other file on the server", async () => {
    const playlist = path.join(tmp, "local.m3u8");
    await writeFile(playlist, `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\nfile:${IPAD_MOV}\n#EXT-X-ENDLIST\n`);
    const error = await validationError(extractMetadata(playlist, "video/quicktime"));
    expect(error.message).not.toContain(IPAD_MOV);
    await validationError(extractKeyframes(playlist, path.join(tmp, "frames-local")));
  });
});

describe("resource limits", () => {
  it("a run over the memory limit is stopped with a clear error", async () => {
    const error = await validationError(
      runMediaTool("ffmpeg", ["-nostdin", "-v", "error", "-protocol_whitelist", "file", "-i", `file:${IPAD_MOV}`, "-f", "null", "-"], { timeoutMs: 30_000, maxStdoutBytes: 1024, memoryBytes: 64 * 1024 * 1024 }),
    );
    expect(error.message).toMatch(/needs more memory to decode than the 64 MB allowed to ffmpeg/);
  });

  it("the same run under the default limit succeeds", async () => {
    const run = await runMediaTool("ffmpeg", ["-nostdin", "-v", "error", "-protocol_whitelist", "file", "-i", `file:${IPAD_MOV}`, "-f", "null", "-"], { timeoutMs: 60_000, maxStdoutBytes: 1024 });
    expect(run).toMatchObject({ exitCode: 0, timedOut: false, memoryExceeded: false });
  });

  it("a run over its time limit is killed and reported", async () => {
    // A FIFO nobody writes to: ffprobe waits for ever.
    const fifo = path.join(tmp, "hang.mp4");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const run = await runMediaTool("ffprobe", ["-v", "error", "-protocol_whitelist", "file", `file:${fifo}`], { timeoutMs: 1_000, maxStdoutBytes: 1024 });
    expect(run.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("the HEIF parser under truncated and corrupted files", () => {
  // mulberry32: the same corpus every run.
  function prng(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("every variant ends in a thumbnail, null or a VALIDATION error, never anything else", { timeout: 600_000 }, async () => {
    const original = await readFile(IPHONE_HEIC);
    const random = prng(0x4e1f);
    const variants: [string, Buffer][] = [];
    for (const cut of [12, 40, 200, 1_000, 3_000, 4_100, 20_000, 400_000]) variants.push([`truncated at ${cut}`, original.subarray(0, cut)]);
    // The container's boxes (ftyp, meta, iinf, iloc, iprp...) sit in the first few kB: corrupt those.
    for (let i = 0; i < 14; i++) {
      const copy = Buffer.from(original);
      const flips = 1 + Math.floor(random() * 8);
      for (let f = 0; f < flips; f++) copy[12 + Math.floor(random() * 4000)] = Math.floor(random() * 256);
      variants.push([`corrupted header #${i} (${flips} bytes)`, copy]);
    }
    // Lengths and counts at their extremes.
    const huge = Buffer.from(original);
    huge.writeUInt32BE(0xffffffff, 24);
    variants.push(["a box length of 4 GiB", huge]);

    const outcomes: string[] = [];
    for (const [label, bytes] of variants) {
      const file = path.join(tmp, "fuzz.heic");
      await writeFile(file, bytes);
      for (const [name, run] of [
        ["thumbnail", () => makeImageThumbnail(file)],
        ["phash", () => perceptualHash(file)],
      ] as const) {
        const result = await (run() as Promise<unknown>).then(
          (value) => (value === null ? "null" : "ok"),
          (error: unknown) => (error instanceof DomainError && error.code === "VALIDATION" ? "validation" : `UNEXPECTED ${String(error)}`),
        );
        outcomes.push(`${label} ${name}: ${result}`);
      }
    }
    expect(outcomes.filter((o) => o.includes("UNEXPECTED"))).toEqual([]);
  });
});
