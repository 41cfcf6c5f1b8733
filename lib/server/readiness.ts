import "server-only";
import { db } from "./db";
import { logger } from "./logger";
import { blobStore } from "./storage";
import { LocalBlobStore } from "./storage/local-blob-store";
import { S3BlobStore } from "./storage/s3-blob-store";

export type CheckName = "database" | "storage";
export interface Readiness {
  ready: boolean;
  checks: Record<CheckName, "ok" | "failed">;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Whether this instance can serve: the database answers and the blob store is reachable
 * (local folder writable, or the bucket answering). Failures are logged here with their cause;
 * the caller only learns which check failed.
 */
export async function checkReadiness(): Promise<Readiness> {
  const [database, storage] = await Promise.all([
    run("database", async () => {
      await db().$queryRaw`SELECT 1`;
    }),
    run("storage", async (signal) => {
      const store = await blobStore();
      if (store instanceof LocalBlobStore) await store.assertWritable();
      else if (store instanceof S3BlobStore) await store.assertReachable(signal);
    }),
  ]);
  return { ready: database && storage, checks: { database: database ? "ok" : "failed", storage: storage ? "ok" : "failed" } };
}

async function run(name: CheckName, check: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`));
    }, CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(controller.signal), timeout]);
    return true;
  } catch (error) {
    logger.warn("readiness check failed", { check: name, error });
    return false;
  } finally {
    clearTimeout(timer);
  }
}
