// One published evidence item as the public sees it: its public copies (graphic ones behind a
// warning), where and when, and each original's SHA-256 so a copy can be checked.
import Link from "next/link";
import type { PublicItem, PublicMediaRef } from "@/lib/domain/publication";
import { PublicMediaViewer } from "./public-media";

export type PublicEvidenceProps = {
  projectSlug: string;
  item: PublicItem;
  mediaSets: Array<{ originalSha256: string; media: PublicMediaRef[] }>;
  headingLevel?: 2 | 3;
  linkTitle?: boolean;
};

export function mediaUrlOf(projectSlug: string, sha256: string): string {
  return `/api/public/v1/${projectSlug}/media/${sha256}`;
}

export function placeOf(location: PublicItem["location"], withheld: boolean): string {
  if (withheld || !location) return "Location withheld";
  return `${location.latitude}, ${location.longitude} (approximate, within ${location.precisionM} m)`;
}

export function PublicEvidence({ projectSlug, item, mediaSets, headingLevel = 3, linkTitle = true }: PublicEvidenceProps) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const href = `/public/${projectSlug}/items/${encodeURIComponent(item.id)}`;
  return (
    <article className="panel public-evidence" data-testid="public-evidence">
      <Heading>
        <span className="mono">{item.id}</span> {linkTitle ? <Link href={href}>{item.title}</Link> : item.title}
        {item.graphic ? <span className="badge danger">graphic</span> : null}
      </Heading>
      {item.description ? <p className="prewrap">{item.description}</p> : null}
      <div className="public-media-grid">
        {mediaSets.map((set) => (
          <PublicMediaViewer
            key={set.originalSha256}
            graphic={item.graphic}
            label={item.title}
            copies={set.media.map((m) => ({ kind: m.kind, url: mediaUrlOf(projectSlug, m.sha256), mime: m.mime, width: m.width, height: m.height, blurred: m.blurred }))}
          />
        ))}
        {mediaSets.length === 0 ? <p className="small muted">No public copy of this item&apos;s media yet.</p> : null}
      </div>
      <dl className="kv">
        <dt>Filmed</dt><dd>{item.date ? `${item.date}${item.time ? ` ${item.time} UTC` : ""} (${item.timePrecision})` : "Unknown"}</dd>
        <dt>Place</dt><dd>{placeOf(item.location, item.locationWithheld)}</dd>
        {item.platform ? <><dt>Platform</dt><dd>{item.platform}</dd></> : null}
        <dt>Original SHA-256</dt>
        <dd>
          {item.originalSha256.length === 0 ? "—" : item.originalSha256.map((h) => <code key={h} className="sha" data-testid="original-sha256">{h}</code>)}
        </dd>
      </dl>
      {item.originalSha256.length > 0 ? (
        <p className="small muted">
          Hold a copy? Check it is the same file: run <code>sha256sum file</code> (Windows: <code>certutil -hashfile file SHA256</code>) and compare with the hash above.
          The pictures shown here are re-encoded copies without metadata, so their own hashes differ.
        </p>
      ) : null}
    </article>
  );
}
