"use client";
// The public map: published incidents, clustered, over the offline province outlines (served by
// this site) and, when configured, raster tiles. Leaflet and the cluster plugin load only here,
// on the client, after the page (and its list of incidents) has rendered.
import "leaflet/dist/leaflet.css";
import "leaflet.markercluster/dist/MarkerCluster.css";
import "leaflet.markercluster/dist/MarkerCluster.Default.css";
import type * as Leaflet from "leaflet";
import { useEffect, useRef, useState } from "react";
import { reportClientError } from "@/lib/client/report-client-error";

type LeafletModule = typeof Leaflet;
/** [id, latitude, longitude, precisionM, title, date, type] as sent by /api/public/v1/<project>/map. */
type MapPoint = [string, number, number, number, string, string | null, string];

export type PublicMapProps = {
  dataUrl: string;
  outlinesUrl: string;
  incidentBaseUrl: string;
  tileUrl?: string;
  tileAttribution?: string;
};

const DEFAULT_TILE_URL = process.env.NEXT_PUBLIC_GROUNDTRUTH_TILE_URL ?? "";
const OUTLINE_STYLE = { color: "#4a5568", weight: 1, opacity: 0.9, fillColor: "#f4f1e8", fillOpacity: 0.6 };
/** From this zoom on, each point's precision is drawn as a circle. */
const CIRCLE_ZOOM = 11;
/**
 * The map's own zoom limit. Leaflet.markercluster refuses to be added to a map without a finite
 * maxZoom ("Map has no maxZoom specified", thrown as a string), and with the offline base map
 * (outlines only, no tile layer) no layer sets one: so the map sets it.
 */
const MAX_ZOOM = 18;

async function loadLeaflet(): Promise<LeafletModule> {
  const mod = await import("leaflet");
  const L = (mod as LeafletModule & { default?: LeafletModule }).default ?? mod;
  // The cluster plugin is a UMD script that extends the global L: make sure that is this instance.
  (window as unknown as { L: LeafletModule }).L = L;
  await import("leaflet.markercluster");
  if (typeof L.markerClusterGroup !== "function") throw new Error("Leaflet.markercluster did not extend this Leaflet instance.");
  return L;
}

/** Incident markers are drawn by CSS (.public-map-marker), so they need no image from anywhere. */
function incidentIcon(L: LeafletModule): Leaflet.DivIcon {
  return L.divIcon({ className: "public-map-marker", html: "", iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -10] });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export default function PublicMap({ dataUrl, outlinesUrl, incidentBaseUrl, tileUrl = DEFAULT_TILE_URL, tileAttribution }: PublicMapProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<"loading" | "ready" | "failed">("loading");
  const [count, setCount] = useState<number | null>(null);

  useEffect(() => {
    let cancelled = false;
    let map: Leaflet.Map | null = null;
    const abort = new AbortController();
    (async () => {
      const [L, outlines, data] = await Promise.all([
        loadLeaflet(),
        // Without the outlines the markers still show (on a blank base): not a reason to fail.
        fetch(outlinesUrl, { signal: abort.signal })
          .then((r) => (r.ok ? (r.json() as Promise<GeoJSON.FeatureCollection>) : null))
          .catch((error: unknown) => {
            if (!cancelled) reportClientError("public-map", error);
            return null;
          }),
        fetch(dataUrl, { signal: abort.signal }).then((r) => {
          if (!r.ok) throw new Error("map data");
          return r.json() as Promise<{ count: number; points: MapPoint[] }>;
        }),
      ]);
      const container = containerRef.current;
      if (cancelled || !container) return;
      map = L.map(container, { keyboard: true, worldCopyJump: true, preferCanvas: true, maxZoom: MAX_ZOOM });
      map.attributionControl.setPrefix(false);
      map.attributionControl.addAttribution("Boundaries: Natural Earth");
      if (tileUrl) L.tileLayer(tileUrl, { attribution: tileAttribution ?? "", maxZoom: 19 }).addTo(map);
      if (outlines) {
        const layer = L.geoJSON(outlines, { style: () => OUTLINE_STYLE, interactive: false }).addTo(map);
        layer.bringToBack();
        if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      }
      if (!outlines) map.setView([34, 66], 5);

      const clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
      const circles = L.layerGroup();
      const icon = incidentIcon(L);
      const markers = data.points.map(([id, lat, lon, precisionM, title, date, type]) => {
        const marker = L.marker([lat, lon], { icon, title, keyboard: true, riseOnHover: true });
        marker.bindPopup(
          `<strong><a href="${incidentBaseUrl}/${encodeURIComponent(id)}">${escapeHtml(title)}</a></strong><br>${escapeHtml([date, type].filter(Boolean).join(" · "))}<br><span class="small">within ${precisionM} m</span>`,
        );
        L.circle([lat, lon], { radius: precisionM, color: "#c05621", weight: 1, fillOpacity: 0.1, interactive: false }).addTo(circles);
        return marker;
      });
      clusters.addLayers(markers);
      clusters.addTo(map);
      const showCircles = () => {
        if (!map) return;
        if (map.getZoom() >= CIRCLE_ZOOM) circles.addTo(map);
        else circles.remove();
      };
      map.on("zoomend", showCircles);
      showCircles();
      if (markers.length > 0 && !outlines) map.fitBounds(clusters.getBounds(), { padding: [24, 24] });
      setCount(data.count);
      setStatus("ready");
    })().catch((error: unknown) => {
      if (cancelled) return;
      reportClientError("public-map", error);
      setStatus("failed");
    });
    return () => {
      cancelled = true;
      abort.abort();
      map?.remove();
    };
  }, [dataUrl, outlinesUrl, incidentBaseUrl, tileUrl, tileAttribution]);

  return (
    <div className="public-map" data-testid="public-map">
      <div ref={containerRef} role="region" aria-label="Map of published incidents" tabIndex={0} data-ready={status === "ready" ? "true" : "false"} className="public-map-canvas" />
      <p className="small muted" aria-live="polite">
        {status === "failed"
          ? "The map could not be loaded; the list below has every incident."
          : status === "loading"
            ? "Loading the map…"
            : `${count} incident${count === 1 ? "" : "s"} with a public location on the map.${tileUrl ? "" : " Offline base map: province outlines only."}`}
      </p>
    </div>
  );
}
