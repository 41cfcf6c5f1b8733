"use client";
// An offline-capable Leaflet map for picking and showing a geolocation.
//
// The always-available base layer is the province outlines passed in as GeoJSON (shipped with the
// app, no network). A raster tile layer is added only when NEXT_PUBLIC_GROUNDTRUTH_TILE_URL (or the
// `tileUrl` prop) is set. Leaflet touches `window` when imported, so it is loaded in an effect and
// the server renders only the empty container.
import "leaflet/dist/leaflet.css";
import { type FeatureCollection } from "geojson";
import type * as Leaflet from "leaflet";
import { type Circle, type CircleMarker, type GeoJSON as GeoJSONLayer, type LayerGroup, type Map as LeafletMap } from "leaflet";
import { useEffect, useId, useRef, useState } from "react";
import { reportClientError } from "@/lib/client/report-client-error";

type LeafletModule = typeof Leaflet;

export type LatLon = { lat: number; lon: number };

/** A read-only point drawn besides the main one, e.g. an incident's evidence; leads are drawn dashed and grey. */
export type MapMarker = { lat: number; lon: number; label: string; variant?: "evidence" | "lead"; precisionM?: number | null };

/**
 * Province outlines: the GeoJSON itself, or the URL it is served from (PROVINCE_OUTLINES_URL).
 * The URL is better for pages rendered per request: 220 KB the browser caches by ETag instead of
 * 220 KB serialised into every page.
 */
export type MapOutlines = FeatureCollection | string;

/** Same-origin, public, cacheable: the outlines are shipped with the app (Natural Earth). */
export const PROVINCE_OUTLINES_URL = "/api/public/outlines";

export type LocationMapProps = {
  /** Province outlines (GeoJSON) or the URL to fetch them from. */
  outlines: MapOutlines;
  /** The current point, or null when none is set. */
  point: LatLon | null;
  /** Precision radius in metres drawn around the point; ignored unless a positive number. */
  precisionM?: number | null;
  /** Called with the clicked position (or the map centre when Enter is pressed on the focused map). */
  onPick?: (lat: number, lon: number) => void;
  /** Raster tile URL template ({z}/{x}/{y}); defaults to NEXT_PUBLIC_GROUNDTRUTH_TILE_URL. No tiles when empty. */
  tileUrl?: string;
  /** Attribution shown for the tile layer (required by most tile providers). */
  tileAttribution?: string;
  /** Accessible name of the map. */
  label?: string;
  /** CSS height of the map; defaults to 320px. */
  height?: number | string;
  className?: string;
  /** Extra read-only points; when given, the view fits the point and all of them. */
  markers?: ReadonlyArray<MapMarker>;
};

const DEFAULT_TILE_URL = process.env.NEXT_PUBLIC_GROUNDTRUTH_TILE_URL ?? "";
const OUTLINE_STYLE = { color: "#4a5568", weight: 1, opacity: 0.9, fillColor: "#f4f1e8", fillOpacity: 0.6 };
const POINT_ZOOM = 11;

function loadLeaflet(): Promise<LeafletModule> {
  // The UMD build arrives as a CommonJS namespace (a `default`) under some bundlers, ESM-like under others.
  return import("leaflet").then((mod) => (mod as LeafletModule & { default?: LeafletModule }).default ?? mod);
}

function validPoint(point: LatLon | null): point is LatLon {
  return point !== null && Number.isFinite(point.lat) && Number.isFinite(point.lon) && Math.abs(point.lat) <= 90 && Math.abs(point.lon) <= 180;
}

export function LocationMap({ outlines: outlinesSource, point, precisionM, onPick, tileUrl = DEFAULT_TILE_URL, tileAttribution, label = "Map", height = 320, className, markers }: LocationMapProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [fetchedOutlines, setFetchedOutlines] = useState<FeatureCollection | null>(null);
  const outlines = typeof outlinesSource === "string" ? fetchedOutlines : outlinesSource;
  useEffect(() => {
    if (typeof outlinesSource !== "string") return;
    let cancelled = false;
    fetch(outlinesSource)
      .then((response) => (response.ok ? (response.json() as Promise<FeatureCollection>) : null))
      .then((collection) => {
        if (!cancelled) setFetchedOutlines(collection);
      })
      .catch((error: unknown) => {
        // Without outlines the map still works with tiles or a blank base; the point still shows.
        if (!cancelled) reportClientError("location-map", error);
      });
    return () => {
      cancelled = true;
    };
  }, [outlinesSource]);
  const leafletRef = useRef<{ L: LeafletModule; map: LeafletMap } | null>(null);
  const outlinesLayerRef = useRef<GeoJSONLayer | null>(null);
  const markerRef = useRef<{ dot: CircleMarker; radius: Circle | null } | null>(null);
  const onPickRef = useRef(onPick);
  const initialPointRef = useRef(point);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  const hintId = useId();
  // A string key, so a new array with the same points does not redraw them.
  const markersKey = JSON.stringify(markers ?? []);

  useEffect(() => {
    onPickRef.current = onPick;
  }, [onPick]);

  // Create the map once; tiles are fixed for its lifetime.
  useEffect(() => {
    let cancelled = false;
    let map: LeafletMap | null = null;
    loadLeaflet()
      .then((L) => {
        const container = containerRef.current;
        if (cancelled || !container) return;
        map = L.map(container, { keyboard: true, zoomControl: true, worldCopyJump: true, attributionControl: true });
        map.attributionControl.setPrefix(false);
        map.attributionControl.addAttribution("Boundaries: Natural Earth");
        if (tileUrl) L.tileLayer(tileUrl, { attribution: tileAttribution ?? "", maxZoom: 19 }).addTo(map);
        map.on("click", (event) => onPickRef.current?.(event.latlng.lat, event.latlng.lng));
        const initial = initialPointRef.current;
        if (validPoint(initial)) map.setView([initial.lat, initial.lon], POINT_ZOOM);
        else map.setView([34, 66], 5);
        leafletRef.current = { L, map };
        setReady(true);
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        reportClientError("location-map", error);
        setFailed(true);
      });
    return () => {
      cancelled = true;
      map?.remove();
      leafletRef.current = null;
      outlinesLayerRef.current = null;
      markerRef.current = null;
    };
  }, [tileUrl, tileAttribution]);

  // The offline base layer: province outlines, with the province name on hover.
  useEffect(() => {
    const leaflet = leafletRef.current;
    if (!ready || !leaflet || !outlines) return;
    const { L, map } = leaflet;
    const layer = L.geoJSON(outlines, {
      style: () => OUTLINE_STYLE,
      onEachFeature: (feature, featureLayer) => {
        const props: unknown = feature.properties;
        const name = props && typeof props === "object" && "province" in props && typeof props.province === "string" ? props.province : null;
        if (name) featureLayer.bindTooltip(name, { sticky: true, direction: "top" });
      },
    });
    layer.addTo(map);
    layer.bringToBack();
    // Chromium makes SVG paths with focus listeners (added by tooltips) tab stops: keep the
    // 30-odd provinces out of the tab order so Tab leaves the map.
    layer.eachLayer((featureLayer) => {
      if (featureLayer instanceof L.Path) featureLayer.getElement()?.setAttribute("tabindex", "-1");
    });
    outlinesLayerRef.current = layer;
    const bounds = layer.getBounds();
    if (!validPoint(initialPointRef.current) && bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    return () => {
      layer.remove();
      if (outlinesLayerRef.current === layer) outlinesLayerRef.current = null;
    };
  }, [ready, outlines]);

  // The point and its precision circle.
  const lat = point?.lat ?? Number.NaN;
  const lon = point?.lon ?? Number.NaN;
  useEffect(() => {
    const leaflet = leafletRef.current;
    if (!ready || !leaflet) return;
    const { L, map } = leaflet;
    markerRef.current?.dot.remove();
    markerRef.current?.radius?.remove();
    markerRef.current = null;
    if (!validPoint({ lat, lon })) return;
    const latlng = L.latLng(lat, lon);
    const radius =
      typeof precisionM === "number" && Number.isFinite(precisionM) && precisionM > 0
        ? L.circle(latlng, { radius: precisionM, color: "#c05621", weight: 1, fillOpacity: 0.15, interactive: false }).addTo(map)
        : null;
    const dot = L.circleMarker(latlng, { radius: 6, color: "#ffffff", weight: 2, fillColor: "#c05621", fillOpacity: 1, interactive: false }).addTo(map);
    markerRef.current = { dot, radius };
    if (!map.getBounds().contains(latlng)) map.panTo(latlng);
  }, [ready, lat, lon, precisionM]);

  // Read-only extra points, fitted into view together with the main point.
  useEffect(() => {
    const leaflet = leafletRef.current;
    if (!ready || !leaflet) return;
    const { L, map } = leaflet;
    const list = (JSON.parse(markersKey) as MapMarker[]).filter(validPoint);
    if (list.length === 0) return;
    const group: LayerGroup = L.layerGroup();
    for (const m of list) {
      const lead = m.variant === "lead";
      const colour = lead ? "#718096" : "#2b6cb0";
      if (typeof m.precisionM === "number" && m.precisionM > 0) {
        L.circle([m.lat, m.lon], { radius: m.precisionM, color: colour, weight: 1, dashArray: lead ? "4 4" : undefined, fillOpacity: 0.08, interactive: false }).addTo(group);
      }
      L.circleMarker([m.lat, m.lon], { radius: 6, color: colour, weight: 2, dashArray: lead ? "3 3" : undefined, fillColor: lead ? "#ffffff" : colour, fillOpacity: 1 })
        .bindTooltip(m.label, { direction: "top" })
        .addTo(group);
    }
    group.addTo(map);
    const bounds = L.latLngBounds(list.map((m) => L.latLng(m.lat, m.lon)));
    if (validPoint({ lat, lon })) bounds.extend(L.latLng(lat, lon));
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    return () => {
      group.remove();
    };
  }, [ready, markersKey, lat, lon]);

  function onKeyDown(event: React.KeyboardEvent<HTMLDivElement>) {
    // Arrow keys pan and +/- zoom (Leaflet's keyboard handler); Enter picks the centre. Tab is left alone.
    const leaflet = leafletRef.current;
    if (event.key !== "Enter" || !leaflet || event.target !== containerRef.current) return;
    event.preventDefault();
    const centre = leaflet.map.getCenter();
    onPickRef.current?.(centre.lat, centre.lng);
  }

  return (
    <div className={className} data-testid="location-map">
      <div
        ref={containerRef}
        role="application"
        aria-label={label}
        aria-describedby={hintId}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-ready={ready ? "true" : "false"}
        style={{ height, width: "100%" }}
      />
      <p id={hintId} className="small">
        {failed
          ? "The map could not be loaded; type the coordinates instead."
          : `${onPick ? "Click the map to set the point, or focus it, pan with the arrow keys and press Enter to use the centre." : "Focus the map to pan with the arrow keys and zoom with + and -."}${tileUrl ? "" : " Offline base map: province outlines only."}`}
      </p>
    </div>
  );
}

export type GeolocationMapPickerProps = {
  outlines: MapOutlines;
  value: LatLon | null;
  precisionM: number | null;
  onPick: (lat: number, lon: number) => void;
  tileAttribution?: string;
};

/** The map as used by the geolocation form: shows the parsed point and radius, click to pick. */
export function GeolocationMapPicker({ outlines, value, precisionM, onPick, tileAttribution }: GeolocationMapPickerProps) {
  return <LocationMap outlines={outlines} point={value} precisionM={precisionM} onPick={onPick} tileAttribution={tileAttribution} label="Map: click to set the geolocation point" />;
}
