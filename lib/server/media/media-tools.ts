import "server-only";
import { constants, accessSync } from "node:fs";
import ffmpegInstaller from "@ffmpeg-installer/ffmpeg";
import ffprobeInstaller from "@ffprobe-installer/ffprobe";
import { DomainError } from "@/lib/domain/errors";
import { logger } from "../logger";
import { runBinary, type RunResult } from "./run-binary";

// ffmpeg and ffprobe decode untrusted uploads. Which binaries, and the limits every run gets:
//
// - Debian's own ffmpeg/ffprobe (/usr/bin, security-patched with the distribution) are preferred
//   when present; GROUNDTRUTH_FFMPEG_PATH / GROUNDTRUTH_FFPROBE_PATH name others. The npm packages'
//   static binaries (ffmpeg 4.1.0 from 2018, no security fixes since) are only a fallback, and a
//   worker says so loudly when it starts (`npm test` installs Debian's when it runs as root).
// - Every run must carry a protocol allow-list of `file` and/or `pipe` before its input, so a
//   playlist or reference inside a "video" cannot make ffmpeg open URLs (checked here: a call
//   without one is a bug and refused before anything runs).
// - Every run is under a wall-clock limit (SIGKILL, see runBinary) and, through util-linux
//   `prlimit` (or the shell's `ulimit` where it is missing), a memory limit on its writable data
//   (GROUNDTRUTH_MEDIA_TOOL_MEMORY_MB, default 2048) and a CPU-time limit. A run that hits the
//   memory limit fails with a clear VALIDATION error naming it.

export type MediaTool = "ffmpeg" | "ffprobe";

export interface MediaToolPaths {
  ffmpeg: string;
  ffprobe: string;
  /** Where they come from: the environment, the system (Debian's), or the npm fallback. */
  source: "configured" | "system" | "bundled";
}

const SYSTEM_DIR = "/usr/bin";
const DEFAULT_MEMORY_MB = 2048;
const ALLOWED_PROTOCOLS = new Set(["file", "pipe"]);

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Which ffmpeg/ffprobe to run. `systemDir` and `env` are seams for tests. */
export function resolveMediaTools(options: { env?: Record<string, string | undefined>; systemDir?: string } = {}): MediaToolPaths {
  const env = options.env ?? process.env;
  const configuredFfmpeg = env.GROUNDTRUTH_FFMPEG_PATH?.trim();
  const configuredFfprobe = env.GROUNDTRUTH_FFPROBE_PATH?.trim();
  if (configuredFfmpeg && configuredFfprobe) return { ffmpeg: configuredFfmpeg, ffprobe: configuredFfprobe, source: "configured" };
  const systemDir = options.systemDir ?? SYSTEM_DIR;
  const system = { ffmpeg: `${systemDir}/ffmpeg`, ffprobe: `${systemDir}/ffprobe` };
  if (executable(system.ffmpeg) && executable(system.ffprobe)) return { ...system, source: "system" };
  return { ffmpeg: ffmpegInstaller.path, ffprobe: ffprobeInstaller.path, source: "bundled" };
}

let resolved: MediaToolPaths | undefined;

export function mediaTools(): MediaToolPaths {
  resolved ??= resolveMediaTools();
  return resolved;
}

/** The start-up warning when only the npm fallback (2018's ffmpeg 4.1) is available, else null. */
export function mediaToolsWarning(tools: MediaToolPaths = mediaTools()): string | null {
  if (tools.source !== "bundled") return null;
  return (
    "Only the bundled ffmpeg/ffprobe from npm (4.1.0, 2018, without security fixes) was found: untrusted videos are decoded by it. " +
    "Install the system's (Debian: apt-get install ffmpeg, giving /usr/bin/ffmpeg and /usr/bin/ffprobe) or set GROUNDTRUTH_FFMPEG_PATH and GROUNDTRUTH_FFPROBE_PATH."
  );
}

export function mediaToolMemoryBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.GROUNDTRUTH_MEDIA_TOOL_MEMORY_MB);
  return (Number.isSafeInteger(mb) && mb >= 16 ? mb : DEFAULT_MEMORY_MB) * 1024 * 1024;
}

/**
 * Refuses (as a bug, before anything runs) arguments in which an input is not preceded by a
 * protocol allow-list of only `file` and `pipe`.
 */
export function assertProtocolAllowList(args: readonly string[]): void {
  let allowed: string | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-protocol_whitelist") {
      allowed = args[i + 1] ?? "";
      const protocols = allowed.split(",");
      if (protocols.length === 0 || protocols.some((p) => !ALLOWED_PROTOCOLS.has(p))) {
        throw new Error(`media tool protocol allow-list may name only file and pipe, not "${allowed}"`);
      }
      i += 1;
    } else if (args[i] === "-i") {
      if (allowed === null) throw new Error("media tool input without a protocol allow-list (-protocol_whitelist file,pipe)");
      allowed = null;
      i += 1;
    }
  }
  // ffprobe takes its input as the last argument, without -i.
  if (!args.includes("-i") && !args.includes("-protocol_whitelist")) {
    throw new Error("media tool run without a protocol allow-list (-protocol_whitelist file,pipe)");
  }
}

export interface MediaToolRun extends RunResult {
  /** The run failed for want of memory under the limit. */
  memoryExceeded: boolean;
}

const OUT_OF_MEMORY = /cannot allocate memory|out of memory|\bENOMEM\b|failed to map segment|std::bad_alloc|memory exhausted/i;

/**
 * Runs ffmpeg or ffprobe on untrusted input under the limits above. Throws VALIDATION when the
 * memory limit stopped it; otherwise returns the run (callers judge exit code and time-out).
 */
export async function runMediaTool(
  tool: MediaTool,
  args: string[],
  options: { timeoutMs: number; maxStdoutBytes: number; stdin?: Buffer; memoryBytes?: number },
): Promise<MediaToolRun> {
  assertProtocolAllowList(args);
  const binary = mediaTools()[tool];
  const memoryBytes = options.memoryBytes ?? mediaToolMemoryBytes();
  const cpuSeconds = Math.ceil(options.timeoutMs / 1000) + 5;
  const [file, wrappedArgs] = limited(binary, args, memoryBytes, cpuSeconds);
  const result = await runBinary(file, wrappedArgs, { timeoutMs: options.timeoutMs, maxStdoutBytes: options.maxStdoutBytes, stdin: options.stdin });
  const cpuKilled = result.signal === "SIGXCPU" || result.signal === "SIGKILL";
  const memoryExceeded =
    !result.timedOut && !result.overflow && (OUT_OF_MEMORY.test(result.stderr) || result.signal === "SIGSEGV" || result.signal === "SIGABRT" || result.signal === "SIGBUS");
  if (memoryExceeded) {
    logger.warn("media tool stopped by its memory limit", { tool, memoryMb: memoryBytes / 1024 / 1024, signal: result.signal, stderr: result.stderr.slice(-1000) });
    const error = new DomainError(
      "VALIDATION",
      `The file needs more memory to decode than the ${Math.round(memoryBytes / 1024 / 1024)} MB allowed to ${tool}; it was stopped. The file may be built to exhaust the server.`,
    );
    error.cause = result.stderr;
    throw error;
  }
  return { ...result, timedOut: result.timedOut || (cpuKilled && !result.overflow), memoryExceeded };
}

let prlimitPath: string | null | undefined;

function limited(binary: string, args: string[], memoryBytes: number, cpuSeconds: number): [string, string[]] {
  prlimitPath ??= ["/usr/bin/prlimit", "/bin/prlimit"].find(executable) ?? null;
  if (prlimitPath) return [prlimitPath, [`--data=${memoryBytes}`, `--cpu=${cpuSeconds}`, "--", binary, ...args]];
  // No util-linux: the shell's ulimit (-d data segment in KiB, -t CPU seconds), then exec the tool.
  return ["/bin/sh", ["-c", `ulimit -d ${Math.floor(memoryBytes / 1024)} && ulimit -t ${cpuSeconds} && exec "$0" "$@"`, binary, ...args]];
}
