import "server-only";
import pg from "pg";
import { ERRORS, MemoryLocker, type Lock, type Locker, type RequestRelease } from "@tus/server";
import { logger } from "../logger";

// tus's default MemoryLocker only serialises requests inside one process. With several web
// instances, two PATCHes for one upload could reach different instances and interleave their
// bytes and hash state. This locker takes a PostgreSQL advisory lock per upload id as well, held
// on its own connection for as long as the request runs, so whichever instance gets a request
// waits for the other to finish.

const POLL_MS = 100;
/** Shown in pg_stat_activity, so operators (and tests) can tell these sessions apart. */
export const LOCK_POOL_APPLICATION_NAME = "groundtruth-upload-locks";
let pool: pg.Pool | null = null;

function lockPool(): pg.Pool {
  // Separate from Prisma's pool: an advisory lock belongs to one session for its whole life.
  if (!pool) {
    pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.GROUNDTRUTH_UPLOAD_LOCK_POOL_SIZE ?? 20), application_name: LOCK_POOL_APPLICATION_NAME });
    // An idle connection dropped by the server (restart, failover, idle timeout) is reported
    // here; without a listener Node would treat it as unhandled and stop the web process. The
    // pool has already discarded the connection and opens a new one when next asked.
    pool.on("error", (error) => logger.warn("upload lock connection lost", { error }));
    // A connection checked out to hold a lock is not watched by the pool: when the server ends
    // it (shutdown, failover, an administrator), the client itself reports the error, and an
    // unwatched report would stop the process. Its lock is gone with the session either way.
    pool.on("connect", (client) => client.on("error", (error) => logger.warn("upload lock connection lost while held", { error })));
  }
  return pool;
}

export class PostgresLocker implements Locker {
  private readonly local = new MemoryLocker();

  newLock(id: string): Lock {
    return new PostgresLock(id, this.local.newLock(id));
  }
}

class PostgresLock implements Lock {
  private client: pg.PoolClient | null = null;

  constructor(
    private readonly id: string,
    private readonly local: Lock,
  ) {}

  async lock(signal: AbortSignal, cancelReq: RequestRelease): Promise<void> {
    // In-process first (it also asks a local holder to let go); then across instances.
    await this.local.lock(signal, cancelReq);
    try {
      const client = await lockPool().connect();
      try {
        while (!(await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked", [lockKey(this.id)])).rows[0]?.locked) {
          if (signal.aborted) throw ERRORS.ERR_LOCK_TIMEOUT;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } catch (error) {
        client.release();
        throw error;
      }
      this.client = client;
    } catch (error) {
      await this.local.unlock();
      throw error;
    }
  }

  async unlock(): Promise<void> {
    const client = this.client;
    this.client = null;
    try {
      if (client) {
        try {
          await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lockKey(this.id)]);
          client.release();
        } catch (error) {
          // Dropping the connection ends the session, which frees its advisory locks.
          client.release(error instanceof Error ? error : true);
        }
      }
    } finally {
      await this.local.unlock();
    }
  }
}

function lockKey(id: string): string {
  return `groundtruth:upload:${id}`;
}

/** Closes the lock connections (scripts and tests that end their process cleanly). */
export async function closeUploadLockPool(): Promise<void> {
  const closing = pool;
  pool = null;
  await closing?.end();
}
