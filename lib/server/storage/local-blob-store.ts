import "server-only";
import { randomUUID } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, chmod, copyFile, link, mkdir, open, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { assertAdoptedBytesMatch, type BlobStore, type StoredBlob } from "./blob-store";
import { writeFileHashed } from "./write-file-hashed";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Blobs under <root>/ab/cd/<sha256>, read-only once written. */
export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  /** Throws unless the store's folder exists and this process may write to it (readiness checks). */
  async assertWritable(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, fsConstants.W_OK);
  }

  private pathFor(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error("not a SHA-256 key");
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable): Promise<StoredBlob> {
    const incoming = path.join(this.root, "incoming");
    await mkdir(incoming, { recursive: true });
    const tempPath = path.join(incoming, randomUUID());
    try {
      const { sha256, sizeBytes } = await writeFileHashed(source, tempPath);
      return { sha256, sizeBytes, created: await this.linkIntoPlace(tempPath, sha256) };
    } finally {
      await rm(tempPath, { force: true });
    }
  }

  async adoptStream(source: Readable, sha256: string, sizeBytes: number): Promise<StoredBlob> {
    try {
      this.pathFor(sha256); // refuses a malformed key before reading anything
      if (await this.has(sha256)) return { sha256, sizeBytes, created: false };
      const tempPath = path.join(this.root, "incoming", randomUUID());
      await mkdir(path.dirname(tempPath), { recursive: true });
      try {
        const received = await writeFileHashed(source, tempPath);
        assertAdoptedBytesMatch(sha256, sizeBytes, received.sha256, received.sizeBytes);
        return { sha256, sizeBytes, created: await this.linkIntoPlace(tempPath, sha256) };
      } finally {
        await rm(tempPath, { force: true });
      }
    } finally {
      // Unread when the blob already existed or the key was refused; a no-op once consumed.
      source.destroy();
    }
  }

  /** Links a complete temporary file to its content path; false when that blob already existed. */
  private async linkIntoPlace(tempPath: string, sha256: string): Promise<boolean> {
    const finalPath = this.pathFor(sha256);
    await mkdir(path.dirname(finalPath), { recursive: true });
    try {
      // link() fails if the target exists, so an existing original is never replaced.
      await link(tempPath, finalPath);
      await chmod(finalPath, 0o444);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  }

  async adoptFile(filePath: string, sha256: string, sizeBytes: number): Promise<StoredBlob> {
    const finalPath = this.pathFor(sha256);
    await mkdir(path.dirname(finalPath), { recursive: true });
    try {
      // Same filesystem: a hard link is instant and, like put(), never replaces an existing blob.
      await link(filePath, finalPath);
      await chmod(finalPath, 0o444);
      return { sha256, sizeBytes, created: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return { sha256, sizeBytes, created: false };
      if (code !== "EXDEV") throw error;
      // Different filesystems: copy into the incoming folder, then link into place.
      const tempPath = path.join(this.root, "incoming", randomUUID());
      await mkdir(path.dirname(tempPath), { recursive: true });
      await copyFile(filePath, tempPath);
      try {
        await link(tempPath, finalPath);
        await chmod(finalPath, 0o444);
        return { sha256, sizeBytes, created: true };
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code === "EEXIST") return { sha256, sizeBytes, created: false };
        throw inner;
      } finally {
        await rm(tempPath, { force: true });
      }
    } finally {
      await rm(filePath, { force: true });
    }
  }

  /** Where a blob lives on disk, for tools (ffmpeg, sharp) that need a path. */
  localPath(sha256: string): string {
    return this.pathFor(sha256);
  }

  async open(sha256: string): Promise<Readable> {
    // Open first so a missing blob rejects here, before a caller has sent any response headers.
    const handle = await open(this.pathFor(sha256), "r");
    return handle.createReadStream();
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await access(this.pathFor(sha256));
      return true;
    } catch {
      return false;
    }
  }
}
