"use client";
// The incident's location and its linked items' current geolocations on one map.
import { LocationMap, type MapMarker, type MapOutlines } from "@/components/map/location-map";

export function IncidentMap({ outlines, point, precisionM, markers }: { outlines: MapOutlines; point: { lat: number; lon: number } | null; precisionM: number | null; markers: MapMarker[] }) {
  return <LocationMap outlines={outlines} point={point} precisionM={precisionM} markers={markers} label="Map of the incident and its evidence" height={380} />;
}
