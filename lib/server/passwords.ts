import "server-only";
import { hash, verify } from "@node-rs/argon2";

// argon2id (the library default, algorithm 2) with OWASP's recommended minimum cost.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against a real hash when the account does not exist keeps response times the same,
// so timing does not reveal which emails have accounts.
let dummyHash: Promise<string> | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hash("groundtruth-timing-equaliser", OPTIONS);
  await verifyPassword(await dummyHash, password);
}
