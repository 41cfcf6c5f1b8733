// What the public map shows, read from the page as a person sees it.
import type { Page } from "@playwright/test";

/**
 * The incidents the public map's markers stand for: a single marker is one incident, a cluster
 * stands for the number it shows. Markers and clusters are Leaflet marker icons (DOM elements).
 */
export async function incidentsOnMap(page: Page): Promise<{ markers: number; clusters: number; incidents: number }> {
  return page
    .getByTestId("public-map")
    .locator(".leaflet-marker-icon")
    .evaluateAll((icons) => {
      let markers = 0;
      let clusters = 0;
      let incidents = 0;
      for (const icon of icons) {
        if (icon.classList.contains("marker-cluster")) {
          clusters += 1;
          incidents += Number(icon.textContent?.trim() || "NaN");
        } else {
          markers += 1;
          incidents += 1;
        }
      }
      return { markers, clusters, incidents };
    });
}
