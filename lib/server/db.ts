import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type { Prisma } from "@/lib/generated/prisma/client";

// One client per process (kept on globalThis so dev-mode reloads do not open new pools).
const globalForPrisma = globalThis as unknown as { groundtruthPrisma?: PrismaClient };

export function createPrismaClient(connectionString = process.env.DATABASE_URL): PrismaClient {
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) }),
    // Bursts (many writers queueing for the audit-chain lock) must wait for a connection, not fail
    // after Prisma's 2 s default; a transaction itself may run up to 20 s.
    transactionOptions: { maxWait: 15_000, timeout: 20_000 },
  });
}

export function db(): PrismaClient {
  globalForPrisma.groundtruthPrisma ??= createPrismaClient();
  return globalForPrisma.groundtruthPrisma;
}

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
