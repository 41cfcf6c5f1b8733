import "server-only";
import { spawn } from "node:child_process";

const MAX_STDERR_CHARS = 1024 ** 2;

export interface RunResult {
  exitCode: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** The signal that ended the process, if one did ("SIGKILL" after a time-out or overflow). */
  signal: NodeJS.Signals | null;
  /** It wrote more than maxStdoutBytes and was killed. */
  overflow: boolean;
}

/**
 * Runs a binary with an argument array (no shell). SIGKILLs it after `timeoutMs` or once it
 * writes more than `maxStdoutBytes` (then the result has a non-zero/null exit code).
 */
export function runBinary(file: string, args: string[], options: { timeoutMs: number; maxStdoutBytes: number; stdin?: Buffer }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let timedOut = false;
    let overflow = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdoutBytes) {
        if (!overflow) child.kill("SIGKILL");
        overflow = true;
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.slice(0, MAX_STDERR_CHARS - stderr.length);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: overflow ? null : code, stdout: Buffer.concat(chunks), stderr, timedOut, signal, overflow });
    });
    // The process may exit before reading all input (EPIPE); its exit code tells the story.
    child.stdin.on("error", () => {});
    child.stdin.end(options.stdin);
  });
}

