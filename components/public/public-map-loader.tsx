"use client";
// Leaflet touches `window` on import: the map is loaded in the browser only, after the page.
import dynamic from "next/dynamic";
import type { PublicMapProps } from "./public-map";

const PublicMap = dynamic(() => import("./public-map"), {
  ssr: false,
  loading: () => <div className="public-map-canvas public-map-placeholder" aria-hidden="true" />,
});

export function PublicMapLoader(props: PublicMapProps) {
  return <PublicMap {...props} />;
}
