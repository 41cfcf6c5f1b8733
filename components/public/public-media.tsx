"use client";
// One original's public copies. Graphic material shows its blurred copy (or nothing) behind a
// warning; the clear copy is requested only after "Show graphic content". Video starts muted.
import { useState } from "react";

export type PublicMediaCopy = { kind: "IMAGE" | "VIDEO" | "POSTER"; url: string; mime: string; width: number | null; height: number | null; blurred: boolean };

export function PublicMediaViewer({ copies, graphic, label }: { copies: PublicMediaCopy[]; graphic: boolean; label: string }) {
  const [revealed, setRevealed] = useState(!graphic);
  const pick = (kind: PublicMediaCopy["kind"], blurred: boolean) => copies.find((c) => c.kind === kind && c.blurred === blurred) ?? null;
  const video = pick("VIDEO", false);
  const image = pick("IMAGE", false);
  const poster = pick("POSTER", false);
  const blurredPreview = pick("IMAGE", true) ?? pick("POSTER", true);

  if (!revealed) {
    return (
      <div className="public-media graphic-warning">
        {blurredPreview ? <img src={blurredPreview.url} alt="" width={blurredPreview.width ?? undefined} height={blurredPreview.height ?? undefined} className="blurred-preview" /> : <div className="blurred-preview placeholder" />}
        <div className="graphic-overlay" role="group" aria-label="Graphic content warning">
          <p><strong>Warning: graphic content.</strong> This {video ? "video" : "image"} may show death or injury.</p>
          <button type="button" onClick={() => setRevealed(true)}>Show graphic content</button>
        </div>
      </div>
    );
  }
  if (video) {
    return (
      <div className="public-media">
        <video className="viewer" controls muted playsInline preload="metadata" poster={poster?.url} aria-label={label}>
          <source src={video.url} type={video.mime} />
        </video>
      </div>
    );
  }
  const shown = image ?? poster;
  if (!shown) return <p className="small muted">The public copy is being prepared.</p>;
  return (
    <div className="public-media">
      <a href={shown.url}>
        <img src={shown.url} alt={label} width={shown.width ?? undefined} height={shown.height ?? undefined} loading="lazy" />
      </a>
    </div>
  );
}
