import "server-only";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "./blob-store";
import { LocalBlobStore } from "./local-blob-store";

/**
 * Runs `work` with a readable local path to a blob: the stored file itself for the local store
 * (read-only), or a temporary download for remote stores, removed afterwards.
 */
export async function withLocalCopy<T>(store: BlobStore, sha256: string, work: (filePath: string) => Promise<T>): Promise<T> {
  if (store instanceof LocalBlobStore) return work(store.localPath(sha256));
  const dir = await mkdtemp(path.join(os.tmpdir(), "groundtruth-blob-"));
  try {
    const filePath = path.join(dir, sha256);
    await pipeline(await store.open(sha256), createWriteStream(filePath));
    return await work(filePath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A scratch folder for one job, always removed. */
export async function withWorkDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "groundtruth-work-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
