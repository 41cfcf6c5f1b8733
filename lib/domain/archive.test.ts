import { describe, expect, it } from "vitest";
import { compareChecksums, formatChecksums, parseChecksums, verifyAuditSegment, type ArchivedAuditEvent } from "./archive";
import { GENESIS_HASH, hashAuditEvent, type AuditContent } from "./audit-chain";

const H = (c: string) => c.repeat(64);

function chain(length: number, startSeq = 1, startPrev = GENESIS_HASH): Array<Extract<ArchivedAuditEvent, { redacted: false }>> {
  const out: Array<Extract<ArchivedAuditEvent, { redacted: false }>> = [];
  let prevHash = startPrev;
  for (let i = 0; i < length; i++) {
    const content: AuditContent = {
      seq: startSeq + i,
      actorId: "u1",
      projectId: i % 2 === 0 ? "p1" : "p2",
      action: "item.submit",
      entityType: "EvidenceItem",
      entityId: `item${i}`,
      before: null,
      after: { title: `Item ${i}` },
      ip: null,
      createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    };
    const hash = hashAuditEvent(prevHash, content);
    out.push({ redacted: false, id: `e${i}`, ...content, prevHash, hash });
    prevHash = hash;
  }
  return out;
}

const redact = (e: ArchivedAuditEvent): ArchivedAuditEvent => ({ redacted: true, seq: e.seq, prevHash: e.prevHash, hash: e.hash });

describe("checksums", () => {
  it("round-trips sha256sum format", () => {
    const text = formatChecksums([{ path: "data/items.json", sha256: H("a") }, { path: "originals/x y", sha256: H("b") }]);
    expect(text).toBe(`${H("a")}  data/items.json\n${H("b")}  originals/x y\n`);
    const parsed = parseChecksums(text);
    expect(parsed.ok && [...parsed.sums]).toEqual([["data/items.json", H("a")], ["originals/x y", H("b")]]);
  });

  it.each([
    ["not a line", /line 1/],
    [`${H("a")}  a\n${H("b")}  a\n`, /listed twice/],
    [`${"A".repeat(64)}  a\n`, /line 1/],
  ])("rejects malformed list %#", (text, reason) => {
    const parsed = parseChecksums(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it.each([
    ["intact", new Map([["a", H("1")]]), new Map([["a", H("1")], ["SHA256SUMS", H("9")]]), []],
    ["altered", new Map([["a", H("1")]]), new Map([["a", H("2")]]), ["a does not match"]],
    ["unlisted", new Map<string, string>(), new Map([["extra", H("2")]]), ["extra is not listed"]],
    ["missing", new Map([["gone", H("1")]]), new Map<string, string>(), ["gone is listed"]],
  ])("compare: %s", (_name, listed, actual, expected) => {
    const problems = compareChecksums(listed, actual);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((start, i) => expect(problems[i]).toContain(start));
  });
});

describe("verifyAuditSegment", () => {
  it("accepts a whole chain and a middle segment with redacted events", () => {
    const events = chain(6);
    expect(verifyAuditSegment(events)).toEqual({ ok: true, count: 6, firstSeq: 1, headSeq: 6, headHash: events[5]!.hash });
    const segment = events.slice(2).map((e, i) => (i % 2 === 1 ? redact(e) : e));
    expect(verifyAuditSegment(segment)).toMatchObject({ ok: true, count: 4, firstSeq: 3, headSeq: 6 });
  });

  it.each([
    ["changed content", (s: ArchivedAuditEvent[]) => { s[1] = { ...(s[1] as Extract<ArchivedAuditEvent, { redacted: false }>), after: { title: "forged" } }; }, 2, /content/],
    ["removed event", (s: ArchivedAuditEvent[]) => { s.splice(2, 1); }, 4, /missing/],
    ["swapped link in redacted event", (s: ArchivedAuditEvent[]) => { s[3] = { redacted: true, seq: 4, prevHash: H("c"), hash: s[3]!.hash }; }, 4, /prevHash/],
    ["forged redacted hash", (s: ArchivedAuditEvent[]) => { s[3] = { redacted: true, seq: 4, prevHash: s[3]!.prevHash, hash: H("d") }; }, 5, /prevHash/],
    ["wrong genesis", (s: ArchivedAuditEvent[]) => { s[0] = { ...(s[0] as Extract<ArchivedAuditEvent, { redacted: false }>), prevHash: H("e") }; }, 1, /genesis/],
  ])("detects %s", (_name, tamper, brokenAtSeq, reason) => {
    const segment: ArchivedAuditEvent[] = chain(6).map((e, i) => (i === 3 ? redact(e) : e));
    tamper(segment);
    const verdict = verifyAuditSegment(segment);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.brokenAtSeq).toBe(brokenAtSeq);
      expect(verdict.reason).toMatch(reason);
    }
  });
});
