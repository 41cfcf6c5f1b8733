import { createHash } from "node:crypto";
import { describe, it, expect } from "vitest";
import {
  AuditChainVerifier,
  GENESIS_HASH,
  hashAuditEvent,
  toAuditJson,
  verifyAuditChain,
  type AuditContent,
  type ChainVerdict,
  type JsonValue,
  type StoredAuditEvent,
} from "./audit-chain";

// ---------------------------------------------------------------------------------------------
// Building chains
// ---------------------------------------------------------------------------------------------

const N = 6;

function contentFor(seq: number): AuditContent {
  const variants: Array<Omit<AuditContent, "seq" | "createdAt">> = [
    { actorId: null, projectId: null, action: "user.create", entityType: "User", entityId: "usr_1", before: null, after: { email: "a@example.org", isAdmin: true }, ip: null },
    { actorId: "usr_1", projectId: null, action: "project.create", entityType: "Project", entityId: "prj_1", before: null, after: { slug: "kyiv", name: "Kyiv" }, ip: "203.0.113.7" },
    { actorId: "usr_1", projectId: "prj_1", action: "membership.set", entityType: "Membership", entityId: "usr_2:prj_1", before: { role: null }, after: { role: "EDITOR" }, ip: "203.0.113.7" },
    { actorId: "usr_2", projectId: "prj_1", action: "item.update", entityType: "EvidenceItem", entityId: "itm_1", before: { status: "NEW", tags: ["a", "b"], geo: { lat: 50.45, lon: 30.52 } }, after: { status: "TRIAGED", tags: ["a", "b", "c"], geo: { lat: 50.45, lon: 30.5234 } }, ip: "2001:db8::1" },
    { actorId: "usr_2", projectId: "prj_1", action: "item.comment", entityType: "Note", entityId: "not_1", before: null, after: { body: "Ünïcödé ✓ \"quoted\" \\ slash\n", count: 0, ok: false }, ip: null },
    { actorId: null, projectId: null, action: "user.deactivate", entityType: "User", entityId: "usr_2", before: { active: true }, after: { active: false }, ip: "198.51.100.1" },
  ];
  const v = variants[(seq - 1) % variants.length]!;
  return { seq, ...v, createdAt: new Date(Date.UTC(2025, 0, 1, 12, 0, seq, seq)).toISOString() };
}

function buildChain(n: number): StoredAuditEvent[] {
  const events: StoredAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = contentFor(seq);
    const hash = hashAuditEvent(prev, content);
    events.push({ id: `evt_${seq}`, ...content, prevHash: prev, hash });
    prev = hash;
  }
  return events;
}

const clone = (events: StoredAuditEvent[]): StoredAuditEvent[] => structuredClone(events);

/** Recomputes prevHash/hash from index `from` onwards, as a forger with write access would. */
function rechain(events: StoredAuditEvent[], from: number): void {
  let prev = from === 0 ? GENESIS_HASH : events[from - 1]!.hash;
  for (let i = from; i < events.length; i++) {
    events[i]!.prevHash = prev;
    events[i]!.hash = hashAuditEvent(prev, events[i]!);
    prev = events[i]!.hash;
  }
}

/**
 * A reference RFC 8785 canonicaliser for JSON values, written here so the check does not depend on
 * the package the module uses: object keys sorted by UTF-16 code units, no whitespace, strings and
 * finite numbers serialised as ECMAScript JSON.stringify does.
 */
function referenceCanonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error("non-finite number");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceCanonicalJson(value[k]!)}`).join(",")}}`;
}

/** An independent implementation of the documented formula: sha256(prevHash + canonicalJSON(content)). */
function referenceHash(prevHash: string, content: AuditContent): string {
  const c: { [key: string]: JsonValue } = {
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
  };
  return createHash("sha256").update(prevHash + referenceCanonicalJson(c), "utf8").digest("hex");
}

function expectBroken(verdict: ChainVerdict): Extract<ChainVerdict, { ok: false }> {
  expect(verdict.ok).toBe(false);
  if (verdict.ok) throw new Error("unreachable");
  return verdict;
}

const CONTENT_MISMATCH = /content does not match its hash/;
const PREV_MISMATCH = /prevHash does not match the previous event's hash/;

// ---------------------------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------------------------

describe("hashAuditEvent", () => {
  it("GENESIS_HASH is 64 zeros", () => {
    expect(GENESIS_HASH).toBe("0000000000000000000000000000000000000000000000000000000000000000");
  });

  it("produces lowercase hex sha256 digests", () => {
    for (const e of buildChain(N)) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(Array.from({ length: N }, (_, i) => i + 1))(
    "event #%i matches sha256(prevHash + canonicalJSON(content)) computed independently",
    (seq) => {
      const chain = buildChain(N);
      const e = chain[seq - 1]!;
      expect(e.hash).toBe(referenceHash(e.prevHash, e));
    },
  );

  it("matches a hash over a hand-written RFC 8785 canonical string", () => {
    const content: AuditContent = {
      seq: 1,
      actorId: null,
      projectId: "prj_1",
      action: "x.y",
      entityType: "T",
      entityId: "e1",
      before: { z: 1, a: [true, null, "s"] },
      after: null,
      ip: null,
      createdAt: "2025-01-01T00:00:00.000Z",
    };
    const canonical =
      '{"action":"x.y","actorId":null,"after":null,"before":{"a":[true,null,"s"],"z":1},' +
      '"createdAt":"2025-01-01T00:00:00.000Z","entityId":"e1","entityType":"T","ip":null,"projectId":"prj_1","seq":1}';
    expect(referenceCanonicalJson(content as unknown as JsonValue)).toBe(canonical);
    const expected = createHash("sha256").update(GENESIS_HASH).update(canonical, "utf8").digest("hex");
    expect(hashAuditEvent(GENESIS_HASH, content)).toBe(expected);
  });

  it.each<[string, JsonValue]>([
    ["key order by UTF-16 code unit (uppercase, accented, emoji keys)", { b: 1, B: 2, "é": 3, a: 4, "😀": 5, "_": 6, "10": 7, "9": 8 }],
    ["awkward numbers", { big: 1e21, small: 1e-7, negZero: -0, frac: 0.1, neg: -42, int: 9007199254740991 }],
    ["escapes and unicode in strings", { s: "line\nbreak\ttab \"q\" \\ \u0001 ünï 😀 \u2028" }],
    ["deep nesting", { a: [{ b: [{ c: [null, true, false, "x", { d: {} }] }] }] }],
  ])("agrees with the reference canonicaliser for %s", (_label, after) => {
    const content: AuditContent = { ...contentFor(2), after, before: after };
    expect(hashAuditEvent(GENESIS_HASH, content)).toBe(referenceHash(GENESIS_HASH, content));
  });

  it("ignores the stored-only fields id, prevHash and hash", () => {
    const [first] = buildChain(1);
    const stored = { ...first!, id: "something-else", hash: "f".repeat(64), prevHash: "e".repeat(64) };
    expect(hashAuditEvent(GENESIS_HASH, stored)).toBe(first!.hash);
  });

  it("ignores extra, unknown properties", () => {
    const content = contentFor(3);
    const withExtra = { ...content, extra: "ignored" } as AuditContent;
    expect(hashAuditEvent(GENESIS_HASH, withExtra)).toBe(hashAuditEvent(GENESIS_HASH, content));
  });

  it("depends on prevHash", () => {
    const content = contentFor(2);
    expect(hashAuditEvent(GENESIS_HASH, content)).not.toBe(hashAuditEvent("1".repeat(64), content));
  });

  it.each<[string, (c: AuditContent) => AuditContent]>([
    ["seq", (c) => ({ ...c, seq: c.seq + 1 })],
    ["actorId", (c) => ({ ...c, actorId: "usr_x" })],
    ["projectId", (c) => ({ ...c, projectId: "prj_x" })],
    ["action", (c) => ({ ...c, action: c.action + "!" })],
    ["entityType", (c) => ({ ...c, entityType: "Other" })],
    ["entityId", (c) => ({ ...c, entityId: "itm_2" })],
    ["before", (c) => ({ ...c, before: { role: "REVIEWER" } })],
    ["after", (c) => ({ ...c, after: null })],
    ["ip", (c) => ({ ...c, ip: "10.0.0.1" })],
    ["createdAt", (c) => ({ ...c, createdAt: "2025-01-01T12:00:03.004Z" })],
    ["null vs string 'null'", (c) => ({ ...c, actorId: "null" })],
    ["number vs string in after", (c) => ({ ...c, after: { role: "EDITOR", n: "1" } })],
  ])("changes when %s changes", (_field, mutate) => {
    const content = contentFor(3);
    expect(hashAuditEvent(GENESIS_HASH, mutate(content))).not.toBe(hashAuditEvent(GENESIS_HASH, content));
  });

  it("is independent of key order in before/after (canonical JSON)", () => {
    const a: AuditContent = { ...contentFor(4), before: { a: 1, b: { c: 2, d: [1, { x: 1, y: 2 }] } }, after: { p: 1, q: 2 } };
    const b: AuditContent = { ...contentFor(4), before: { b: { d: [1, { y: 2, x: 1 }], c: 2 }, a: 1 }, after: { q: 2, p: 1 } };
    expect(JSON.stringify(a.before)).not.toBe(JSON.stringify(b.before));
    expect(hashAuditEvent(GENESIS_HASH, a)).toBe(hashAuditEvent(GENESIS_HASH, b));
  });

  it("is sensitive to array order", () => {
    const a: AuditContent = { ...contentFor(4), after: { tags: ["a", "b"] } };
    const b: AuditContent = { ...contentFor(4), after: { tags: ["b", "a"] } };
    expect(hashAuditEvent(GENESIS_HASH, a)).not.toBe(hashAuditEvent(GENESIS_HASH, b));
  });

  it.each<[string, JsonValue]>([
    ["NaN", { n: Number.NaN }],
    ["Infinity", { n: Number.POSITIVE_INFINITY }],
  ])("throws for non-JSON numbers (%s) rather than hashing something ambiguous", (_label, after) => {
    expect(() => hashAuditEvent(GENESIS_HASH, { ...contentFor(1), after })).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Verifying whole chains
// ---------------------------------------------------------------------------------------------

describe("verifyAuditChain: intact chains", () => {
  it("an empty chain is ok with count 0, GENESIS head and headSeq 0", () => {
    expect(verifyAuditChain([])).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH, headSeq: 0 });
  });

  it.each([1, 2, 6, 25])("a chain of %i events verifies with the right count/head", (n) => {
    const chain = buildChain(n);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < n; i++) expect(chain[i]!.prevHash).toBe(chain[i - 1]!.hash);
    expect(verifyAuditChain(chain)).toEqual({ ok: true, count: n, headHash: chain[n - 1]!.hash, headSeq: n });
  });

  it("accepts any iterable, e.g. a generator", () => {
    const chain = buildChain(N);
    function* gen() {
      yield* chain;
    }
    expect(verifyAuditChain(gen())).toEqual({ ok: true, count: N, headHash: chain[N - 1]!.hash, headSeq: N });
  });

  it("re-ordering keys inside before/after JSON (as a JSONB round-trip might) does not break verification", () => {
    const chain = buildChain(N);
    const reverseKeys = (v: JsonValue | null): JsonValue | null => {
      if (Array.isArray(v)) return v.map(reverseKeys) as JsonValue[];
      if (v && typeof v === "object") {
        return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys(v[k]!)])) as JsonValue;
      }
      return v;
    };
    const shuffled = chain.map((e) => ({ ...e, before: reverseKeys(e.before), after: reverseKeys(e.after) }));
    // Prove the fixture actually reorders something.
    expect(JSON.stringify(shuffled[3]!.before)).not.toBe(JSON.stringify(chain[3]!.before));
    // And reorder the event's own top-level keys too.
    const topReordered = shuffled.map((e) => Object.fromEntries(Object.entries(e).reverse()) as unknown as StoredAuditEvent);
    expect(verifyAuditChain(topReordered)).toEqual({ ok: true, count: N, headHash: chain[N - 1]!.hash, headSeq: N });
  });

  it("a chain built from toAuditJson values verifies", () => {
    let prev = GENESIS_HASH;
    const events: StoredAuditEvent[] = [];
    for (let seq = 1; seq <= 3; seq++) {
      const content: AuditContent = {
        ...contentFor(seq),
        before: toAuditJson({ at: new Date(Date.UTC(2024, 5, seq)), big: BigInt(seq) * 10n ** 20n, gone: undefined }),
        after: toAuditJson(undefined),
      };
      const hash = hashAuditEvent(prev, content);
      events.push({ id: `e${seq}`, ...content, prevHash: prev, hash });
      prev = hash;
    }
    expect(verifyAuditChain(events)).toMatchObject({ ok: true, count: 3, headSeq: 3, headHash: prev });
  });
});

describe("verifyAuditChain: tampering with the content of event k", () => {
  type Mutation = [field: string, mutate: (e: StoredAuditEvent) => void];
  const mutations: Mutation[] = [
    ["action", (e) => void (e.action = "user.delete")],
    ["entityId", (e) => void (e.entityId = e.entityId + "x")],
    ["entityType", (e) => void (e.entityType = "Forged")],
    ["projectId", (e) => void (e.projectId = e.projectId === null ? "prj_9" : null)],
    ["before (replaced)", (e) => void (e.before = { forged: true })],
    ["before (set to null)", (e) => void (e.before = e.before === null ? {} : null)],
    ["after (replaced)", (e) => void (e.after = { forged: true })],
    ["after (nested value)", (e) => void (e.after = { ...(e.after as Record<string, JsonValue>), extra: 1 })],
    ["actorId (changed)", (e) => void (e.actorId = "usr_attacker")],
    ["actorId (nulled / set)", (e) => void (e.actorId = e.actorId === null ? "usr_1" : null)],
    ["createdAt (one millisecond)", (e) => void (e.createdAt = new Date(Date.parse(e.createdAt) + 1).toISOString())],
    ["createdAt (same instant, other format)", (e) => void (e.createdAt = e.createdAt.replace(".", ",").replace("Z", "+00:00"))],
    ["ip", (e) => void (e.ip = "192.0.2.66")],
    ["ip (nulled / set)", (e) => void (e.ip = e.ip === null ? "192.0.2.1" : null)],
  ];

  const rows = mutations.flatMap(([field, mutate]) => [1, 3, N].map((k) => ({ field, mutate, k })));

  it.each(rows)("$field of event #$k -> broken at #$k (content)", ({ mutate, k }) => {
    const chain = clone(buildChain(N));
    mutate(chain[k - 1]!);
    const v = expectBroken(verifyAuditChain(chain));
    expect(v).toEqual({ ok: false, count: k - 1, brokenAtSeq: k, eventId: `evt_${k}`, reason: expect.stringMatching(CONTENT_MISMATCH) });
  });

  it.each(rows)("$field of event #$k with its hash recomputed -> broken at the next event (prevHash)", ({ mutate, k }) => {
    const chain = clone(buildChain(N));
    const e = chain[k - 1]!;
    mutate(e);
    e.hash = hashAuditEvent(e.prevHash, e);
    const verdict = verifyAuditChain(chain);
    if (k === N) {
      // Rewriting the head is only detectable against an externally anchored head hash.
      expect(verdict).toEqual({ ok: true, count: N, headHash: e.hash, headSeq: N });
      expect(e.hash).not.toBe(buildChain(N)[N - 1]!.hash);
    } else {
      expect(expectBroken(verdict)).toEqual({
        ok: false,
        count: k,
        brokenAtSeq: k + 1,
        eventId: `evt_${k + 1}`,
        reason: expect.stringMatching(PREV_MISMATCH),
      });
    }
  });
});

describe("verifyAuditChain: structural tampering", () => {
  type Case = {
    name: string;
    tamper: (chain: StoredAuditEvent[]) => StoredAuditEvent[];
    brokenAtSeq: number;
    count: number;
    eventId: string;
    reason: RegExp;
  };

  const cases: Case[] = [
    {
      name: "hash of event #3 changed",
      tamper: (c) => (c[2]!.hash = "a".repeat(64), c),
      brokenAtSeq: 3, count: 2, eventId: "evt_3", reason: CONTENT_MISMATCH,
    },
    {
      name: "hash of event #1 changed",
      tamper: (c) => (c[0]!.hash = c[1]!.hash, c),
      brokenAtSeq: 1, count: 0, eventId: "evt_1", reason: CONTENT_MISMATCH,
    },
    {
      name: "hash of the head event changed",
      tamper: (c) => (c[N - 1]!.hash = GENESIS_HASH, c),
      brokenAtSeq: N, count: N - 1, eventId: `evt_${N}`, reason: CONTENT_MISMATCH,
    },
    {
      name: "prevHash of event #3 changed",
      tamper: (c) => (c[2]!.prevHash = "b".repeat(64), c),
      brokenAtSeq: 3, count: 2, eventId: "evt_3", reason: PREV_MISMATCH,
    },
    {
      name: "prevHash of event #1 is not GENESIS",
      tamper: (c) => (c[0]!.prevHash = "1".repeat(64), c),
      brokenAtSeq: 1, count: 0, eventId: "evt_1", reason: PREV_MISMATCH,
    },
    {
      name: "prevHash of event #4 changed and #4 re-hashed over it",
      tamper: (c) => {
        const e = c[3]!;
        e.prevHash = "c".repeat(64);
        e.hash = hashAuditEvent(e.prevHash, e);
        return c;
      },
      brokenAtSeq: 4, count: 3, eventId: "evt_4", reason: PREV_MISMATCH,
    },
    {
      name: "event #3 deleted (gap)",
      tamper: (c) => c.filter((e) => e.seq !== 3),
      brokenAtSeq: 4, count: 2, eventId: "evt_4", reason: /expected event #3 but found #4: events are missing or out of order/,
    },
    {
      name: "event #1 deleted",
      tamper: (c) => c.slice(1),
      brokenAtSeq: 2, count: 0, eventId: "evt_2", reason: /expected event #1 but found #2/,
    },
    {
      name: "events #2..#4 deleted",
      tamper: (c) => c.filter((e) => e.seq < 2 || e.seq > 4),
      brokenAtSeq: 5, count: 1, eventId: "evt_5", reason: /expected event #2 but found #5/,
    },
    {
      name: "events #3 and #4 swapped",
      tamper: (c) => [c[0]!, c[1]!, c[3]!, c[2]!, c[4]!, c[5]!],
      brokenAtSeq: 4, count: 2, eventId: "evt_4", reason: /expected event #3 but found #4/,
    },
    {
      name: "events #1 and #2 swapped",
      tamper: (c) => [c[1]!, c[0]!, ...c.slice(2)],
      brokenAtSeq: 2, count: 0, eventId: "evt_2", reason: /expected event #1 but found #2/,
    },
    {
      name: "events #3 and #4 swapped and renumbered to hide it",
      tamper: (c) => {
        const [e3, e4] = [c[2]!, c[3]!];
        [e3.seq, e4.seq] = [4, 3];
        return [c[0]!, c[1]!, e4, e3, c[4]!, c[5]!];
      },
      brokenAtSeq: 3, count: 2, eventId: "evt_4", reason: PREV_MISMATCH,
    },
    {
      name: "event #3 replayed (duplicated)",
      tamper: (c) => [c[0]!, c[1]!, c[2]!, structuredClone(c[2]!), ...c.slice(3)],
      brokenAtSeq: 3, count: 3, eventId: "evt_3", reason: /expected event #4 but found #3/,
    },
    {
      name: "seq of event #3 renumbered",
      tamper: (c) => (c[2]!.seq = 30, c),
      brokenAtSeq: 30, count: 2, eventId: "evt_3", reason: /expected event #3 but found #30/,
    },
    {
      name: "chain starts at seq 0",
      tamper: (c) => {
        const e = c[0]!;
        e.seq = 0;
        e.hash = hashAuditEvent(e.prevHash, e);
        return c;
      },
      brokenAtSeq: 0, count: 0, eventId: "evt_1", reason: /expected event #1 but found #0/,
    },
    {
      name: "event #3 of another, internally valid chain spliced in",
      tamper: (c) => {
        const other = clone(buildChain(N));
        other[0]!.action = "other.chain";
        rechain(other, 0);
        expect(verifyAuditChain(other).ok).toBe(true);
        return [c[0]!, c[1]!, { ...other[2]!, id: "evt_foreign" }, ...c.slice(3)];
      },
      brokenAtSeq: 3, count: 2, eventId: "evt_foreign", reason: PREV_MISMATCH,
    },
  ];

  it.each(cases)("$name -> broken at #$brokenAtSeq", ({ tamper, brokenAtSeq, count, eventId, reason }) => {
    const v = expectBroken(verifyAuditChain(tamper(clone(buildChain(N)))));
    expect(v.brokenAtSeq).toBe(brokenAtSeq);
    expect(v.count).toBe(count);
    expect(v.eventId).toBe(eventId);
    expect(v.reason).toMatch(reason);
    expect(Object.keys(v).sort()).toEqual(["brokenAtSeq", "count", "eventId", "ok", "reason"]);
  });

  it("deleting the head event is not detectable by the chain alone: headSeq/headHash move back", () => {
    const chain = buildChain(N);
    const truncated = chain.slice(0, N - 1);
    const v = verifyAuditChain(truncated);
    expect(v).toEqual({ ok: true, count: N - 1, headSeq: N - 1, headHash: chain[N - 2]!.hash });
    // ... so a caller comparing against the anchored head sees the difference.
    expect(v.ok && v.headHash).not.toBe(chain[N - 1]!.hash);
  });

  it("a fully re-hashed forgery verifies but ends in a different head hash", () => {
    const original = buildChain(N);
    const forged = clone(original);
    forged[1]!.after = { slug: "forged", name: "Forged" };
    rechain(forged, 1);
    const v = verifyAuditChain(forged);
    expect(v).toMatchObject({ ok: true, count: N, headSeq: N });
    expect(v.ok && v.headHash).not.toBe(original[N - 1]!.hash);
  });

  it("stops consuming the iterable at the first broken event", () => {
    const chain = clone(buildChain(N));
    chain[1]!.action = "tampered";
    let pulled = 0;
    function* gen() {
      for (const e of chain) {
        pulled += 1;
        yield e;
      }
    }
    expect(expectBroken(verifyAuditChain(gen())).brokenAtSeq).toBe(2);
    expect(pulled).toBe(2);
  });
});

describe("AuditChainVerifier (incremental)", () => {
  it("page-by-page verification equals whole-chain verification", () => {
    const chain = buildChain(25);
    const verifier = new AuditChainVerifier();
    for (let i = 0; i < chain.length; i += 7) {
      for (const e of chain.slice(i, i + 7)) expect(verifier.push(e)).toBe(true);
      const last = chain[Math.min(i + 7, chain.length) - 1]!;
      expect(verifier.verdict()).toEqual({ ok: true, count: last.seq, headHash: last.hash, headSeq: last.seq });
    }
    expect(verifier.verdict()).toEqual(verifyAuditChain(chain));
  });

  it("a fresh verifier reports an empty, ok chain", () => {
    expect(new AuditChainVerifier().verdict()).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH, headSeq: 0 });
  });

  it("stops at the first failure and ignores everything pushed afterwards", () => {
    const good = buildChain(N);
    const bad = clone(good);
    bad[2]!.ip = "10.9.9.9";
    const verifier = new AuditChainVerifier();
    expect(verifier.push(bad[0]!)).toBe(true);
    expect(verifier.push(bad[1]!)).toBe(true);
    expect(verifier.push(bad[2]!)).toBe(false);
    const first = verifier.verdict();
    expect(first).toEqual({ ok: false, count: 2, brokenAtSeq: 3, eventId: "evt_3", reason: expect.stringMatching(CONTENT_MISMATCH) });

    // Even the genuine event #3 and the rest of the genuine chain cannot "repair" it,
    // and a different later failure does not overwrite the first one.
    expect(verifier.push(good[2]!)).toBe(false);
    for (const e of good.slice(3)) expect(verifier.push(e)).toBe(false);
    expect(verifier.push({ ...good[5]!, seq: 99 })).toBe(false);
    expect(verifier.verdict()).toEqual(first);
  });

  it("verdict() is idempotent and does not consume state", () => {
    const chain = buildChain(3);
    const verifier = new AuditChainVerifier();
    verifier.push(chain[0]!);
    const a = verifier.verdict();
    const b = verifier.verdict();
    expect(a).toEqual(b);
    expect(verifier.push(chain[1]!)).toBe(true);
    expect(verifier.verdict()).toEqual({ ok: true, count: 2, headHash: chain[1]!.hash, headSeq: 2 });
  });
});

// ---------------------------------------------------------------------------------------------
// toAuditJson
// ---------------------------------------------------------------------------------------------

describe("toAuditJson", () => {
  const when = new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 7));

  it.each<[string, unknown, JsonValue | null]>([
    ["undefined", undefined, null],
    ["null", null, null],
    ["string", "text", "text"],
    ["empty string", "", ""],
    ["number", 42.5, 42.5],
    ["zero", 0, 0],
    ["false", false, false],
    ["true", true, true],
    ["NaN becomes null", Number.NaN, null],
    ["Date", when, "2024-02-29T23:59:58.007Z"],
    ["bigint", 12345678901234567890n, "12345678901234567890"],
    ["negative bigint", -5n, "-5"],
    ["empty object", {}, {}],
    ["empty array", [], []],
    ["array with undefined -> null", [1, undefined, 2], [1, null, 2]],
    ["object with undefined property -> property dropped", { a: 1, b: undefined }, { a: 1 }],
    ["object with null property kept", { a: null }, { a: null }],
    [
      "nested Dates, bigints and undefineds",
      { user: { createdAt: when, quota: 10n, tags: ["x", undefined, 3n], meta: { at: [when], gone: undefined } } },
      { user: { createdAt: "2024-02-29T23:59:58.007Z", quota: "10", tags: ["x", null, "3"], meta: { at: ["2024-02-29T23:59:58.007Z"] } } },
    ],
    ["object with toJSON", { toJSON: () => ({ shown: true }) }, { shown: true }],
    ["function property dropped", { a: 1, f: () => 1 }, { a: 1 }],
  ])("%s", (_label, input, expected) => {
    expect(toAuditJson(input)).toStrictEqual(expected);
  });

  it("returns a fresh copy, not the input object", () => {
    const input = { a: { b: 1 } };
    const out = toAuditJson(input) as { a: { b: number } };
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out.a).not.toBe(input.a);
  });

  it("output is always hashable", () => {
    const out = toAuditJson({ d: new Date(0), n: 1n, u: undefined, x: [undefined, Number.NaN] });
    expect(out).toEqual({ d: "1970-01-01T00:00:00.000Z", n: "1", x: [null, null] });
    expect(() => hashAuditEvent(GENESIS_HASH, { ...contentFor(1), after: out })).not.toThrow();
  });
});
