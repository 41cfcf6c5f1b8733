// `npm run bench:ingest`: uploads a 1 GiB file through the real resumable upload server on
// loopback and compares its throughput with a plain local copy of the same file; reports the
// upload server's peak RSS growth. Size can be changed with BENCH_BYTES. BENCH_STORAGE=s3 keeps
// the partial upload and the original in an S3-compatible bucket (s3rver, run by this script
// outside the measured process) instead of local folders, as a multi-instance install does.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import http from "node:http";
import { copyFile, mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import * as tus from "tus-js-client";
import { startS3rver } from "@/lib/infra/s3rver";

const SIZE = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const STORAGE = process.env.BENCH_STORAGE === "s3" ? "s3" : "local";
const S3_BUCKET = "bench";

/** The settings that point the upload server at a bucket on a fresh s3rver. */
async function startBucket(root: string): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const s3 = await startS3rver({ directory: path.join(root, "s3"), buckets: [S3_BUCKET] });
  return {
    env: {
      GROUNDTRUTH_STORAGE: "s3",
      GROUNDTRUTH_S3_ENDPOINT: s3.endpoint,
      GROUNDTRUTH_S3_BUCKET: S3_BUCKET,
      GROUNDTRUTH_S3_ACCESS_KEY_ID: "S3RVER",
      GROUNDTRUTH_S3_SECRET_ACCESS_KEY: "S3RVER",
    },
    close: () => s3.close(),
  };
}
const mb = (bytes: number) => bytes / (1024 * 1024);

async function makeFile(filePath: string): Promise<void> {
  // An MP4 'ftyp' box first, so the upload passes type checking; then incompressible filler.
  const header = Buffer.from("00000014667479706973736f6d0000020069736f6d", "hex");
  const block = randomBytes(4 * 1024 * 1024);
  const out = createWriteStream(filePath);
  out.write(header);
  let written = header.length;
  while (written < SIZE) {
    const chunk = block.subarray(0, Math.min(block.length, SIZE - written));
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    written += chunk.length;
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Uploads with tus-js-client, as the browser form does, in 64 MiB PATCH requests. */
function tusUpload(port: number, filePath: string, projectId: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(filePath, { highWaterMark: 1 << 20 }), {
      endpoint: `http://127.0.0.1:${port}/api/uploads`,
      uploadSize: SIZE,
      chunkSize: 64 * 1024 * 1024,
      metadata: { filename: "bench.mp4", filetype: "video/mp4", projectId },
      retryDelays: [],
      onSuccess: () => resolve(),
      onError: reject,
    });
    upload.start();
  });
}

// A bare node:http server in its own process: no framework, no tus, no database. "discard"
// only receives; "hash+write" also computes SHA-256 with OpenSSL and writes to disk. This is
// the ceiling any Node upload endpoint on this machine can reach, printed for reference.
const BARE_SERVER = `
const http = require("node:http"), fs = require("node:fs"), crypto = require("node:crypto");
const mode = process.argv[1], target = process.argv[2];
const server = http.createServer(async (req, res) => {
  const hash = crypto.createHash("sha256");
  const fd = mode === "hash+write" ? fs.openSync(target, "w") : null;
  for await (const chunk of req) if (fd !== null) { hash.update(chunk); fs.writeSync(fd, chunk); }
  if (fd !== null) fs.closeSync(fd);
  res.end(hash.digest("hex"));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

async function bareHttpMbS(filePath: string, mode: "discard" | "hash+write", scratch: string): Promise<number> {
  const server = spawn(process.execPath, ["-e", BARE_SERVER, mode, path.join(scratch, "bare.bin")], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.once("data", (data: Buffer) => resolve(Number(String(data).trim())));
      server.once("exit", (code) => reject(new Error(`reference server exited (${code})`)));
    });
    const started = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const request = http.request({ host: "127.0.0.1", port, method: "PUT", headers: { "Content-Length": SIZE } }, (response) => {
        response.resume();
        response.on("end", () => resolve());
      });
      request.on("error", reject);
      createReadStream(filePath, { highWaterMark: 1 << 20 }).pipe(request);
    });
    return mb(SIZE) / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    server.kill();
    await rm(path.join(scratch, "bare.bin"), { force: true });
  }
}

async function main() {
  const root = await mkdtemp(path.join(os.tmpdir(), "groundtruth-bench-"));
  let bucket: Awaited<ReturnType<typeof startBucket>> | null = null;
  const source = path.join(root, "source.mp4");
  try {
    console.log(`Creating a ${mb(SIZE).toFixed(0)} MiB test file...`);
    await makeFile(source);

    // The plain copy is what `cp` does (copyFile: kernel-side copy, no user-space pass).
    const copyStarted = process.hrtime.bigint();
    await copyFile(source, path.join(root, "copy.mp4"));
    const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
    await rm(path.join(root, "copy.mp4"));
    const copyMbS = mb(SIZE) / copySeconds;
    console.log(`Plain local copy: ${copySeconds.toFixed(2)} s (${copyMbS.toFixed(0)} MiB/s)`);
    for (const mode of ["discard", "hash+write"] as const) {
      const bare = await bareHttpMbS(source, mode, root);
      console.log(`Reference, bare node:http server (${mode}): ${bare.toFixed(0)} MiB/s, ratio ${(bare / copyMbS).toFixed(3)}`);
    }

    bucket = STORAGE === "s3" ? await startBucket(root) : null;
    console.log(`Storage: ${STORAGE === "s3" ? "S3-compatible bucket (s3rver on loopback)" : "local folders"}`);
    const server = spawn(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-ingest-server.ts"], {
      env: { ...process.env, BENCH_ROOT: root, DATABASE_URL: "", ...(bucket?.env ?? { GROUNDTRUTH_STORAGE: "local" }) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = readline.createInterface({ input: server.stdout! });
    const messages: Array<Record<string, unknown>> = [];
    const next = () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const onLine = (line: string) => {
          if (!line.startsWith("{")) return;
          lines.off("line", onLine);
          resolve(JSON.parse(line));
        };
        lines.on("line", onLine);
        server.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
      });
    const ready = await next();
    messages.push(ready);

    const started = process.hrtime.bigint();
    await tusUpload(Number(ready.port), source, String(ready.projectId));
    const ingestSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ingestMbS = mb(SIZE) / ingestSeconds;

    const memory = next();
    server.kill("SIGTERM");
    const { baselineRss, peakRss } = (await memory) as { baselineRss: number; peakRss: number };
    const growthMb = mb(peakRss - baselineRss);
    const stored = await stat(path.join(root, STORAGE === "s3" ? path.join("s3", S3_BUCKET, "blobs") : "media")).then(() => true, () => false);

    console.log(`Upload through the resumable endpoint: ${ingestSeconds.toFixed(2)} s (${ingestMbS.toFixed(0)} MiB/s), stored: ${stored}`);
    console.log(`Upload server RSS: baseline ${mb(baselineRss).toFixed(0)} MiB, peak ${mb(peakRss).toFixed(0)} MiB, growth ${growthMb.toFixed(1)} MiB`);
    console.log(`RESULT ingest_ratio=${(ingestMbS / copyMbS).toFixed(3)} rss_growth_mb=${growthMb.toFixed(1)} ingest_mb_s=${ingestMbS.toFixed(1)}`);
  } finally {
    await bucket?.close();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:ingest failed: ${(error as Error).message}`);
  process.exit(1);
});
