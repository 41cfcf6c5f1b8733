import "server-only";
import { createReadStream } from "node:fs";
import { createSHA256, type IHasher } from "hash-wasm";

// SHA-256 that survives restarts: hash-wasm can serialise the hasher's internal state, which is
// stored with the upload after every received chunk. A resumed upload, on any instance, loads
// it and continues; only bytes the saved state does not yet cover are ever read back from disk.

export async function newHasher(): Promise<IHasher> {
  const hasher = await createSHA256();
  hasher.init();
  return hasher;
}

export async function hasherFromState(state: Uint8Array | null): Promise<IHasher> {
  const hasher = await newHasher();
  if (state) hasher.load(state);
  return hasher;
}

/** Feeds bytes [from, to) of a file into the hasher (catching up after an unsaved chunk). */
export async function hashFileRange(hasher: IHasher, filePath: string, from: number, to: number): Promise<void> {
  if (to <= from) return;
  for await (const chunk of createReadStream(filePath, { start: from, end: to - 1, highWaterMark: 1 << 20 })) {
    hasher.update(chunk as Buffer);
  }
}
