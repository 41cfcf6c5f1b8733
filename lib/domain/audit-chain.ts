// Tamper-evident audit chain. Each event's hash covers the previous event's hash and the
// event's own canonical (RFC 8785) JSON, so changing, removing or reordering any stored event
// breaks every link after it.
import { createHash } from "node:crypto";
import { canonicalize } from "json-canonicalize";

export const GENESIS_HASH = "0".repeat(64);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface AuditContent {
  seq: number;
  actorId: string | null;
  projectId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: JsonValue | null;
  after: JsonValue | null;
  ip: string | null;
  /** ISO 8601 UTC with milliseconds, as stored. */
  createdAt: string;
}

export interface StoredAuditEvent extends AuditContent {
  id: string;
  prevHash: string;
  hash: string;
}

export function hashAuditEvent(prevHash: string, content: AuditContent): string {
  const canonical = canonicalize({
    seq: content.seq,
    actorId: content.actorId,
    projectId: content.projectId,
    action: content.action,
    entityType: content.entityType,
    entityId: content.entityId,
    before: content.before,
    after: content.after,
    ip: content.ip,
    createdAt: content.createdAt,
  });
  if (canonical === undefined) throw new Error("audit content is not serialisable");
  return createHash("sha256").update(prevHash).update(canonical).digest("hex");
}

/** Converts values (Dates, bigints, undefined) into the JSON that is stored and hashed. */
export function toAuditJson(value: unknown): JsonValue | null {
  if (value === undefined || value === null) return null;
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  ) as JsonValue;
}

export type ChainVerdict =
  | { ok: true; count: number; headHash: string; headSeq: number }
  | { ok: false; count: number; brokenAtSeq: number; eventId: string; reason: string };

/** Incremental verifier so a long chain can be checked page by page in constant memory. */
export class AuditChainVerifier {
  private expectedPrevHash = GENESIS_HASH;
  private expectedSeq = 1;
  private checked = 0;
  private failure: Extract<ChainVerdict, { ok: false }> | null = null;

  /** Feeds the next event in seq order; returns false once the chain is broken. */
  push(event: StoredAuditEvent): boolean {
    if (this.failure) return false;
    const fail = (reason: string) => {
      this.failure = { ok: false, count: this.checked, brokenAtSeq: event.seq, eventId: event.id, reason };
      return false;
    };
    if (event.seq !== this.expectedSeq) {
      return fail(`expected event #${this.expectedSeq} but found #${event.seq}: events are missing or out of order`);
    }
    if (event.prevHash !== this.expectedPrevHash) {
      return fail("its prevHash does not match the previous event's hash");
    }
    if (hashAuditEvent(event.prevHash, event) !== event.hash) {
      return fail("its content does not match its hash: the event was altered after it was written");
    }
    this.expectedPrevHash = event.hash;
    this.expectedSeq += 1;
    this.checked += 1;
    return true;
  }

  verdict(): ChainVerdict {
    if (this.failure) return this.failure;
    return { ok: true, count: this.checked, headHash: this.expectedPrevHash, headSeq: this.expectedSeq - 1 };
  }
}

export function verifyAuditChain(events: Iterable<StoredAuditEvent>): ChainVerdict {
  const verifier = new AuditChainVerifier();
  for (const event of events) if (!verifier.push(event)) break;
  return verifier.verdict();
}
