import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DomainError } from "@/lib/domain/errors";
import { lookupSegment } from "@/lib/server/http";
import { actorOrRedirect } from "@/lib/server/session";
import { getCustodyReport } from "@/lib/server/services/items/custody-report";

export const metadata: Metadata = { title: "Chain of custody" };

/** A printable chain-of-custody report (use the browser's Print / Save as PDF). */
export default async function CustodyPage({ params }: { params: Promise<{ slug: string; ref: string }> }) {
  const actor = await actorOrRedirect();
  const { slug, ref } = await params;
  const report = await getCustodyReport(actor, slug, lookupSegment(ref)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  return (
    <article data-testid="custody-report">
      <h1>Chain of custody: {report.item.reference}</h1>
      <p className="lede">
        {report.item.title} · {report.project.name} · status {report.item.status} · generated {report.generatedAt}
      </p>
      <p>Submitted {report.item.submittedAt} by {report.item.submittedBy}.{report.item.postUrl ? ` Post: ${report.item.postUrl}` : ""}</p>
      <h2>Files</h2>
      {report.files.map((f) => (
        <section key={f.sha256 + f.collectedAt} className="panel" style={{ marginBottom: 12 }}>
          <dl className="kv">
            <dt>Original filename</dt><dd>{f.originalFilename}</dd>
            <dt>SHA-256</dt><dd className="mono">{f.sha256}</dd>
            <dt>Size</dt><dd>{f.sizeBytes} bytes</dd>
            <dt>Type (sniffed / declared)</dt><dd>{f.sniffedMime} / {f.declaredMime ?? "none"}</dd>
            <dt>Collected</dt><dd>{f.collectedAt} (UTC) by {f.collectedBy} ({f.collectedByEmail}), method {f.method}</dd>
            <dt>Source URL</dt><dd>{f.sourceUrl ?? "—"}</dd>
          </dl>
          <h3>Access log</h3>
          {f.accesses.length === 0 ? <p className="muted">No downloads of the original.</p> : (
            <ul>{f.accesses.map((a, i) => <li key={i}>{a.at} {a.by}: {a.purpose}{a.ip ? ` from ${a.ip}` : ""}</li>)}</ul>
          )}
        </section>
      ))}
      <h2>Source URLs</h2>
      <ul>{report.sources.map((s, i) => <li key={i} className="mono">{s.url} (added {s.addedAt} by {s.addedBy})</li>)}</ul>
      <h2>Audit trail</h2>
      <table>
        <thead><tr><th scope="col">#</th><th scope="col">When (UTC)</th><th scope="col">Action</th><th scope="col">By</th><th scope="col">Event hash</th></tr></thead>
        <tbody>{report.auditTrail.map((e) => <tr key={e.seq}><td>{e.seq}</td><td>{e.at}</td><td className="mono">{e.action}</td><td>{e.by}</td><td className="mono small">{e.hash}</td></tr>)}</tbody>
      </table>
      <p className="small muted">Anyone holding a copy of a file can check it against the SHA-256 above (for example with <code>sha256sum</code>). The audit events are hash-chained; verify the chain with <code>npm run audit:verify</code>.</p>
    </article>
  );
}
