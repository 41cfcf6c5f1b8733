import { PROVINCE_OUTLINES_URL } from "@/components/map/location-map";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RetryJobButton } from "@/components/items/retry-job-button";
import { ItemIncidentsPanel } from "@/components/incidents/item-incidents-panel";
import { PublishItemPanel } from "@/components/publishing/publish-panels";
import { itemPublicationState } from "@/lib/server/services/publishing/publication-state";
import { isVerifiedStatus } from "@/lib/domain/incidents";
import { getItemIncidents } from "@/lib/server/services/incidents/list-incidents";
import { ChronolocationForm, CommentForm, GeolocationForm, ReviewNoteForm, WorkflowActions, WorkspaceShortcuts } from "@/components/items/workspace";
import { CHRONO_METHOD_LABELS } from "@/lib/domain/notes";
import { StatusBadge } from "@/components/status-badge";
import { DomainError } from "@/lib/domain/errors";
import { lookupSegment } from "@/lib/server/http";
import { PLATFORM_LABELS, SENSITIVITY_FLAGS, type Platform } from "@/lib/domain/evidence";
import { describeRotation, findContradictions, formatAltitude, type MediaMetadata } from "@/lib/domain/media-metadata";
import { actorOrRedirect } from "@/lib/server/session";
import { getItemDetail } from "@/lib/server/services/items/get-item-detail";

export const metadata: Metadata = { title: "Item" };

const utc = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const fmt = (d: Date | null | undefined) => (d ? `${utc.format(d)} UTC` : "—");
// Times are shown in UTC and in the investigation's own zone (project setting `timeZone`).
const localFormat = (timeZone: string) => new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone });

function bytes(n: bigint | number): string {
  const value = Number(n);
  return value >= 1024 ** 2 ? `${(value / 1024 ** 2).toFixed(1)} MB` : value >= 1024 ? `${(value / 1024).toFixed(1)} KB` : `${value} B`;
}

function captureTimeText(meta: MediaMetadata | null): string {
  const t = meta?.captureTime;
  if (!t) return "none in the file";
  return t.utc ? `${t.local}${t.offset ?? ""} (${t.utc.replace(".000Z", "Z")})` : `${t.local} (camera clock, zone unknown)`;
}

/** The viewer's own decision on a note (one per person), for the review form. */
function ownReview(reviews: ReadonlyArray<{ reviewerId: string; decision: "APPROVE" | "REQUEST_CHANGES"; comment: string }>, actorId: string) {
  const mine = reviews.findLast((r) => r.reviewerId === actorId);
  return mine ? { decision: mine.decision, comment: mine.comment } : null;
}

export default async function ItemPage({ params }: { params: Promise<{ slug: string; ref: string }> }) {
  const actor = await actorOrRedirect();
  const { slug, ref } = await params;
  const detail = await getItemDetail(actor, slug, lookupSegment(ref)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { item, project } = detail;
  const [incidents, publication] = await Promise.all([getItemIncidents(actor, { itemId: item.id }), itemPublicationState(actor, item.id)]);
  const local = localFormat(detail.timeZone);
  const flags = (Object.keys(SENSITIVITY_FLAGS) as Array<keyof typeof SENSITIVITY_FLAGS>).filter((k) => item[k]);
  const pagePath = `/projects/${project.slug}/items/${item.reference}`;

  return (
    <>
      <p className="small"><Link href={`/projects/${project.slug}`}>{project.name}</Link></p>
      <h1>
        <span className="mono">{item.reference}</span> {item.title}
      </h1>
      <p className="lede">
        <StatusBadge status={item.status} /> Submitted by {item.submittedBy.name} on {fmt(item.createdAt)} ·{" "}
        <Link href={`${pagePath}/custody`}>Chain of custody report</Link> · <a href={`${pagePath}/custody/json`}>JSON</a>
      </p>
      {flags.length ? (
        <p className="sensitive" data-testid="sensitivity">Sensitive: {flags.map((f) => SENSITIVITY_FLAGS[f]).join(", ")}</p>
      ) : null}

      <h2>Verification</h2>
      <p data-testid="item-status">
        Status <StatusBadge status={item.status} />
        {item.assignee ? <> · assigned to {item.assignee.name}</> : null}
        {item.statusReason ? <> · <span className="muted">{item.statusReason}</span></> : null}
      </p>
      <WorkflowActions itemId={item.id} version={item.version} path={pagePath} actions={detail.availableActions} />
      {detail.canWork ? <WorkspaceShortcuts /> : null}

      <h3>Geolocation</h3>
      {detail.geolocations.length === 0 ? <p className="muted">No geolocation proposed yet.</p> : null}
      {detail.geolocations.map((g) => (
        <div key={g.id} className={`note ${g.status}`} data-testid="geolocation-note">
          <strong>{g.latitude.toFixed(6)}, {g.longitude.toFixed(6)}</strong> ± {g.precisionM} m{g.province ? ` · ${g.province} province` : ""} <span className="badge">{g.status}</span>
          <div className="small muted">by {g.author.name}, {fmt(g.createdAt)}</div>
          <div>{g.method}</div>
          {g.bearingDeg !== null ? <div className="small">Camera bearing {g.bearingDeg}°{g.cameraLatitude !== null ? ` from ${g.cameraLatitude.toFixed(6)}, ${g.cameraLongitude?.toFixed(6)}` : ""}</div> : null}
          {(g.referenceImagery as Array<{ provider: string; captureDate: string; url: string }>).map((r, i) => (
            <div key={i} className="small">Imagery: {r.provider}{r.captureDate ? `, ${r.captureDate}` : ""}{r.url ? <> · <a href={r.url} rel="noreferrer noopener" target="_blank">link</a></> : null}</div>
          ))}
          {(g.landmarks as Array<{ name: string; description: string }>).map((l, i) => (
            <div key={i} className="small">Landmark: {l.name}{l.description ? ` (${l.description})` : ""}</div>
          ))}
          {g.reviews.map((r) => (
            <div key={r.id} className="small">{r.decision === "APPROVE" ? "✔ Confirmed" : "✖ Disputed"} by {r.reviewer.name}{r.reviewerId === detail.actorId ? " (you)" : ""}{r.comment ? `: ${r.comment}` : ""}</div>
          ))}
          {detail.canReview && item.status === "IN_REVIEW" && g.status === "PROPOSED" && g.authorId !== detail.actorId ? (
            <ReviewNoteForm itemId={item.id} path={pagePath} target="GEOLOCATION" noteId={g.id} current={ownReview(g.reviews, detail.actorId)} />
          ) : null}
        </div>
      ))}

      <h3>Chronolocation</h3>
      {detail.chronolocations.length === 0 ? <p className="muted">No time window proposed yet.</p> : null}
      {detail.chronolocations.map((c) => (
        <div key={c.id} className={`note ${c.status}`} data-testid="chronolocation-note">
          <strong>{fmt(c.earliestAt)} – {fmt(c.latestAt)}</strong> <span className="badge">{c.status}</span>
          <div className="small">{detail.timeZone}: {local.format(c.earliestAt)} – {local.format(c.latestAt)} · confidence {c.confidence.toLowerCase()} · {c.methods.map((m) => CHRONO_METHOD_LABELS[m as keyof typeof CHRONO_METHOD_LABELS] ?? m).join(", ")}</div>
          <div className="small muted">by {c.author.name}, {fmt(c.createdAt)}</div>
          {c.notes ? <div>{c.notes}</div> : null}
          {c.reviews.map((r) => (
            <div key={r.id} className="small">{r.decision === "APPROVE" ? "✔ Confirmed" : "✖ Disputed"} by {r.reviewer.name}{r.reviewerId === detail.actorId ? " (you)" : ""}{r.comment ? `: ${r.comment}` : ""}</div>
          ))}
          {detail.canReview && item.status === "IN_REVIEW" && c.status === "PROPOSED" && c.authorId !== detail.actorId ? (
            <ReviewNoteForm itemId={item.id} path={pagePath} target="CHRONOLOCATION" noteId={c.id} current={ownReview(c.reviews, detail.actorId)} />
          ) : null}
        </div>
      ))}

      {detail.canWork && item.status === "IN_PROGRESS" ? (
        <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(420px, 1fr))" }}>
          <section className="panel" aria-labelledby="propose-geo">
            <h3 id="propose-geo" style={{ marginTop: 0 }}>Propose a geolocation</h3>
            <GeolocationForm itemId={item.id} path={pagePath} outlines={PROVINCE_OUTLINES_URL} />
          </section>
          <section className="panel" aria-labelledby="propose-chrono">
            <h3 id="propose-chrono" style={{ marginTop: 0 }}>Propose a time window</h3>
            <ChronolocationForm
              itemId={item.id}
              path={pagePath}
              point={(() => {
                const current = detail.geolocations.find((g) => g.status !== "SUPERSEDED");
                return current ? { latitude: current.latitude, longitude: current.longitude } : null;
              })()}
              defaultDay={(item.platformUploadedAt ?? item.createdAt).toISOString().slice(0, 10)}
              timeZone={detail.timeZone}
            />
          </section>
        </div>
      ) : null}

      {incidents ? (
        <ItemIncidentsPanel
          projectSlug={project.slug}
          itemId={item.id}
          itemVerified={isVerifiedStatus(item.status)}
          path={pagePath}
          links={incidents.links}
          canManage={incidents.canManage}
        />
      ) : null}

      {publication ? (
        <PublishItemPanel
          path={pagePath}
          publicUrl={`/public/${project.slug}/items/${item.reference}`}
          state={{
            ...publication,
            published: publication.published
              ? { ...publication.published, publishedAt: publication.published.publishedAt.toISOString(), updatedAt: publication.published.updatedAt.toISOString() }
              : null,
          }}
        />
      ) : null}

      <h2>The post</h2>
      <dl className="kv panel">
        <dt>Platform</dt><dd>{item.platform ? PLATFORM_LABELS[item.platform as Platform] : "—"}</dd>
        <dt>Post URL</dt><dd>{item.postUrl ? <a href={item.postUrl} rel="noreferrer noopener" target="_blank">{item.postUrl}</a> : "—"}</dd>
        <dt>Poster</dt><dd>{item.posterHandle ?? "—"}</dd>
        <dt>Claimed place</dt><dd>{item.claimedPlace ?? "—"}</dd>
        <dt>Language</dt><dd>{item.language ?? "—"}</dd>
        <dt>Description</dt><dd>{item.description || "—"}</dd>
      </dl>

      <h2>When: what each source says</h2>
      <div className="side-by-side" data-testid="time-comparison">
        <div><strong>Claimed</strong><br />{item.claimedDate ?? "—"}</div>
        <div><strong>Platform upload (upper bound)</strong><br />{fmt(item.platformUploadedAt)}</div>
        {item.media.filter((m) => m.sniffedMime.startsWith("image/") || m.sniffedMime.startsWith("video/")).map((m) => {
          const meta = (Object.keys(m.metadata as object).length ? m.metadata : null) as MediaMetadata | null;
          return (
            <div key={m.id}>
              <strong>File metadata: {m.originalFilename}</strong><br />
              {meta ? captureTimeText(meta) : "not read yet"}
              {meta?.gps?.gpsTimeUtc ? <><br />GPS clock: {meta.gps.gpsTimeUtc}</> : null}
              {meta?.containerCreationTimeUtc ? <><br />Container created: {meta.containerCreationTimeUtc}</> : null}
            </div>
          );
        })}
      </div>

      <h2>Files</h2>
      {item.media.length === 0 ? <p className="panel">No files yet.</p> : null}
      {item.media.map((m) => {
        const meta = (Object.keys(m.metadata as object).length ? m.metadata : null) as MediaMetadata | null;
        const findings = meta ? findContradictions(meta, { platformUploadedAt: item.platformUploadedAt, claimedDate: item.claimedDate }) : [];
        const thumbnail = m.derivatives.find((d) => d.kind === "THUMBNAIL");
        const keyframes = m.derivatives.filter((d) => d.kind === "KEYFRAME");
        return (
          <section key={m.id} className="panel" style={{ marginBottom: 14 }} data-testid="media-file">
            <h3 style={{ marginTop: 0 }}>{m.originalFilename}</h3>
            <div className={item.sensitiveGraphic ? "thumbs graphic" : "thumbs"}>
              {thumbnail ? (
                item.sensitiveGraphic ? (
                  <details>
                    <summary>Graphic content: show preview</summary>
                    <img src={`/api/derivatives/${thumbnail.id}`} alt={`Preview of ${m.originalFilename}`} />
                  </details>
                ) : (
                  <img src={`/api/derivatives/${thumbnail.id}`} alt={`Preview of ${m.originalFilename}`} data-testid="thumbnail" />
                )
              ) : null}
            </div>
            {m.sniffedMime.startsWith("video/") ? (
              item.sensitiveGraphic ? (
                <details>
                  <summary>Graphic content: play video (muted)</summary>
                  <video className="viewer" src={`/api/media/${m.id}?view=1`} controls muted preload="none" />
                </details>
              ) : (
                <video className="viewer" src={`/api/media/${m.id}?view=1`} controls muted preload="none" data-testid="video-player" />
              )
            ) : null}
            <dl className="kv" style={{ marginTop: 10 }}>
              <dt>SHA-256</dt><dd className="mono" data-testid="sha256">{m.sha256}</dd>
              <dt>Size</dt><dd>{bytes(m.sizeBytes)} ({String(m.sizeBytes)} bytes)</dd>
              <dt>Type</dt><dd>{m.sniffedMime}{m.declaredMime && m.declaredMime !== m.sniffedMime ? ` (declared ${m.declaredMime})` : ""}</dd>
              <dt>Collected</dt><dd>{m.captureMethod.replace("_", " ").toLowerCase()} by {m.collectedBy.name}, {fmt(m.collectedAt)}</dd>
              {m.sourceUrl ? <><dt>Source</dt><dd>{m.sourceUrl}</dd></> : null}
              <dt>Downloads</dt><dd>{m._count.accesses} logged</dd>
              {meta?.make || meta?.model ? <><dt>Camera</dt><dd>{[meta.make, meta.model].filter(Boolean).join(" ")}</dd></> : null}
              {meta?.software ? <><dt>Software</dt><dd>{meta.software}</dd></> : null}
              {meta?.gps ? (
                <>
                  <dt>GPS in file</dt>
                  <dd data-testid="gps">{meta.gps.latitude.toFixed(6)}, {meta.gps.longitude.toFixed(6)}{meta.gps.altitudeM !== undefined ? `, ${formatAltitude(meta.gps.altitudeM)}` : ""}</dd>
                </>
              ) : null}
              {meta?.locationIso6709 ? <><dt>Location as written</dt><dd className="mono" data-testid="iso6709">{meta.locationIso6709}</dd></> : null}
              {meta && describeRotation(meta) ? <><dt>Rotation</dt><dd data-testid="rotation">{describeRotation(meta)}</dd></> : null}
              {meta?.durationMs ? <><dt>Duration</dt><dd>{(meta.durationMs / 1000).toFixed(3)} s</dd></> : null}
              {meta?.width ? <><dt>Dimensions</dt><dd>{meta.width} × {meta.height}</dd></> : null}
              {meta?.videoCodec ? <><dt>Codecs</dt><dd>{[meta.videoCodec, meta.audioCodec].filter(Boolean).join(" + ")}</dd></> : null}
            </dl>
            {findings.length ? (
              <ul data-testid="findings">
                {findings.map((f) => (
                  <li key={f.code} className={f.severity === "warning" ? "contradiction" : "muted"}>{f.message}</li>
                ))}
              </ul>
            ) : null}
            <p><a href={`/api/media/${m.id}`} download data-testid="download-original">Download original</a> <span className="muted small">(logged in the chain of custody)</span></p>
            {keyframes.length ? (
              <>
                <h4>Keyframes (for reverse image search)</h4>
                <div className={item.sensitiveGraphic ? "thumbs graphic" : "thumbs"} data-testid="keyframes">
                  {keyframes.map((k) => (
                    <figure key={k.id}>
                      <a href={`/api/derivatives/${k.id}`} target="_blank" rel="noreferrer">
                        <img src={`/api/derivatives/${k.id}`} alt={`Keyframe at ${((k.timestampMs ?? 0) / 1000).toFixed(2)} s`} loading="lazy" />
                      </a>
                      <figcaption>{((k.timestampMs ?? 0) / 1000).toFixed(2)} s · <a href={`/api/derivatives/${k.id}?download=1`}>download</a></figcaption>
                    </figure>
                  ))}
                </div>
              </>
            ) : null}
          </section>
        );
      })}

      <h2>Source URLs and captures</h2>
      {detail.captures.length === 0 && item.sources.length === 0 ? <p className="panel">No source URLs.</p> : null}
      {detail.captures.length ? (
        <table data-testid="captures">
          <thead><tr><th scope="col">URL</th><th scope="col">State</th><th scope="col">Result</th></tr></thead>
          <tbody>
            {detail.captures.map((c) => (
              <tr key={c.id}>
                <td className="mono">{c.url}</td>
                <td><span className={`badge ${c.state === "DONE" ? "ok" : c.state === "FAILED" ? "danger" : ""}`}>{c.state}</span></td>
                <td>
                  {c.state === "DONE" ? (
                    <>
                      {c.pageTitle ? <>“{c.pageTitle}” · </> : null}HTTP {c.httpStatus ?? "?"} · captured {fmt(c.capturedAt)}
                      {c.finalUrl && c.finalUrl !== c.url ? <><br />Final URL: <span className="mono">{c.finalUrl}</span></> : null}
                    </>
                  ) : c.error ? <span className="error">{c.error}</span> : "waiting"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>Possible duplicates</h2>
      {detail.duplicates.length === 0 ? (
        <p className="muted">None found (same file, visually similar image or keyframe, or same URL).</p>
      ) : (
        <ul data-testid="duplicates">
          {detail.duplicates.map((d, i) => (
            <li key={i}>
              {d.kind === "exact" ? "Identical file" : d.kind === "near" ? `Visually similar (distance ${d.distance})` : "Same source URL"}:{" "}
              {d.item ? <Link href={`/projects/${project.slug}/items/${d.item.reference}`}>{d.item.reference} {d.item.title}</Link> : "an item you cannot see"}
            </li>
          ))}
        </ul>
      )}

      <h2>Discussion</h2>
      <div data-testid="comments">
        {detail.comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
        {detail.comments.map((c) => (
          <article key={c.id} className="panel comment">
            <div className="small muted">{c.author} · {fmt(c.createdAt)}</div>
            {/* Rendered by markdown-it with raw HTML disabled (lib/server/markdown.ts). */}
            <div className="markdown" dangerouslySetInnerHTML={{ __html: c.html }} />
          </article>
        ))}
      </div>
      {detail.canComment ? <CommentForm itemId={item.id} path={pagePath} /> : null}

      <h2>History</h2>
      <ol className="small" data-testid="history">
        {detail.history.map((h) => (
          <li key={h.seq}>
            {fmt(h.at)} · {h.by} · <span className="mono">{h.action}</span>
            {h.reason ? <> · {h.reason}</> : null}
          </li>
        ))}
      </ol>

      <h2>Background jobs</h2>
      <table data-testid="jobs">
        <thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Details</th><th scope="col"></th></tr></thead>
        <tbody>
          {detail.jobs.map((j) => (
            <tr key={j.id} data-state={j.state}>
              <td>{j.queue === "media.process" ? "Metadata and previews" : "URL capture"}</td>
              <td><span className={`badge ${j.state === "DONE" ? "ok" : j.state === "FAILED" ? "danger" : ""}`}>{j.state === "QUEUED" && j.attempts > 0 ? "RETRY WAITING" : j.state}</span></td>
              <td>{j.attempts} / {j.maxAttempts}</td>
              <td className="small">{j.lastError ?? (j.finishedAt ? `finished ${fmt(j.finishedAt)}` : "")}</td>
              <td>{j.state === "FAILED" && detail.canRetryJobs ? <RetryJobButton jobId={j.id} path={pagePath} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
