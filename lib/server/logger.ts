import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";

type Fields = Record<string, unknown>;

interface RequestContext {
  requestId: string;
}

// Every line logged while a request is handled carries its id, however deep the call.
const requestContext = new AsyncLocalStorage<RequestContext>();

/** Runs `work` with `requestId` attached to every log line written inside it. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return requestContext.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

function serialise(fields: Fields | undefined): Fields {
  if (!fields) return {};
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

function write(level: "info" | "warn" | "error", message: string, fields?: Fields) {
  const requestId = currentRequestId();
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...(requestId ? { requestId } : {}), ...serialise(fields) });
  (level === "error" ? process.stderr : process.stdout).write(line + "\n");
}

/** Structured JSON lines on stdout/stderr; the process supervisor collects them. */
export const logger = {
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
};
