// Project archives: the checksum list that makes every file in an archive verifiable, and the
// audit segment an archive carries. A segment is a contiguous run of the installation's audit
// chain; this project's events travel in full, other projects' only as {seq, prevHash, hash}.
import { GENESIS_HASH, hashAuditEvent, type AuditContent } from "./audit-chain";

export const ARCHIVE_FORMAT = "groundtruth-project-archive";
export const ARCHIVE_VERSION = 1;
export const MANIFEST_PATH = "manifest.json";
export const CHECKSUMS_PATH = "SHA256SUMS";
export const AUDIT_PATH = "audit/events.jsonl";

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** `sha256sum` format: "<hex>  <path>" per line, so `sha256sum -c SHA256SUMS` checks an unpacked archive. */
export function formatChecksums(entries: ReadonlyArray<{ path: string; sha256: string }>): string {
  return entries.map((e) => `${e.sha256}  ${e.path}\n`).join("");
}

export type ChecksumParse = { ok: true; sums: Map<string, string> } | { ok: false; reason: string };

export function parseChecksums(text: string): ChecksumParse {
  const sums = new Map<string, string>();
  const lines = text.split("\n").filter((line) => line.length > 0);
  for (const [index, line] of lines.entries()) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) return { ok: false, reason: `line ${index + 1} of ${CHECKSUMS_PATH} is not "<sha256>  <path>"` };
    const [, sha256, path] = match as unknown as [string, string, string];
    if (sums.has(path)) return { ok: false, reason: `${path} is listed twice in ${CHECKSUMS_PATH}` };
    sums.set(path, sha256);
  }
  return { ok: true, sums };
}

/**
 * Compares the files actually present (path -> SHA-256 computed while reading) with the
 * checksum list. Every file must be listed and match, and every listed file must be present.
 * Returns the problems, each naming a file; empty means the archive is intact.
 */
export function compareChecksums(listed: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, sha256] of actual) {
    if (path === CHECKSUMS_PATH) continue;
    const expected = listed.get(path);
    if (expected === undefined) problems.push(`${path} is not listed in ${CHECKSUMS_PATH}`);
    else if (expected !== sha256) problems.push(`${path} does not match its SHA-256 in ${CHECKSUMS_PATH} (the file was altered or damaged)`);
  }
  for (const path of listed.keys()) if (!actual.has(path)) problems.push(`${path} is listed in ${CHECKSUMS_PATH} but missing from the archive`);
  return problems;
}

export type ArchivedAuditEvent =
  | ({ redacted: false; id: string; prevHash: string; hash: string } & AuditContent)
  | { redacted: true; seq: number; prevHash: string; hash: string };

export type SegmentVerdict =
  | { ok: true; count: number; firstSeq: number | null; headSeq: number | null; headHash: string | null }
  | { ok: false; count: number; brokenAtSeq: number; reason: string };

/**
 * Checks a segment in seq order: consecutive seqs, each prevHash equal to the previous hash
 * (the genesis hash for event #1), and for full events the hash recomputed from the content.
 * Redacted events can only be checked for their links, which is what proves nothing between
 * two of this project's events was removed or changed.
 */
export class AuditSegmentVerifier {
  private previous: { seq: number; hash: string } | null = null;
  private first: number | null = null;
  private checked = 0;
  private failure: Extract<SegmentVerdict, { ok: false }> | null = null;

  push(event: ArchivedAuditEvent): boolean {
    if (this.failure) return false;
    const fail = (reason: string) => {
      this.failure = { ok: false, count: this.checked, brokenAtSeq: event.seq, reason };
      return false;
    };
    if (!Number.isInteger(event.seq) || event.seq < 1) return fail("its seq is not a positive whole number");
    if (!isSha256(event.prevHash) || !isSha256(event.hash)) return fail("its hashes are not SHA-256 hex digests");
    if (this.previous) {
      if (event.seq !== this.previous.seq + 1) return fail(`expected event #${this.previous.seq + 1} but found #${event.seq}: events are missing or out of order`);
      if (event.prevHash !== this.previous.hash) return fail("its prevHash does not match the previous event's hash");
    } else if (event.seq === 1 && event.prevHash !== GENESIS_HASH) {
      return fail("the first event of the chain does not start from the genesis hash");
    }
    if (!event.redacted && hashAuditEvent(event.prevHash, event) !== event.hash) {
      return fail("its content does not match its hash: the event was altered after it was written");
    }
    this.first ??= event.seq;
    this.previous = { seq: event.seq, hash: event.hash };
    this.checked += 1;
    return true;
  }

  verdict(): SegmentVerdict {
    if (this.failure) return this.failure;
    return { ok: true, count: this.checked, firstSeq: this.first, headSeq: this.previous?.seq ?? null, headHash: this.previous?.hash ?? null };
  }
}

export function verifyAuditSegment(events: Iterable<ArchivedAuditEvent>): SegmentVerdict {
  const verifier = new AuditSegmentVerifier();
  for (const event of events) if (!verifier.push(event)) break;
  return verifier.verdict();
}
