// An editor publishes an incident with two verified items. In a private window (no login) the
// public map shows it at the published precision, the media carry no metadata and graphic items
// start blurred, and the GeoJSON/CSV/KML downloads parse with standard tools. Unpublishing
// removes it from every public surface.
import { DOMParser } from "@xmldom/xmldom";
import { kml as kmlToGeoJson } from "@tmcw/togeojson";
import { expect, test } from "@playwright/test";
import exifr from "exifr";
import Papa from "papaparse";
import { DEMO_PROJECT, demoEmail, signedInPage } from "./fixtures";
import { incidentsOnMap } from "./map-markers";

// Verified demo items: DW-0015 (Mazar-i-Sharif) and DW-0005 (Kabul); both are flagged graphic.
const ITEMS = ["DW-0015", "DW-0005"];
const TITLE = "E2E public: blast near the shrine (fictional)";
const ITEM_TITLE = "E2E public evidence";
const publicBase = `/public/${DEMO_PROJECT.slug}`;
const apiBase = `/api/public/v1/${DEMO_PROJECT.slug}`;

test("publish an incident with two verified items, check every public surface, then unpublish", async ({ browser }) => {
  test.setTimeout(240_000);
  const editor = await signedInPage(browser, demoEmail("editor"));
  const page = editor.page;
  await page.goto(`/projects/${DEMO_PROJECT.slug}/incidents/new`);
  const form = page.getByTestId("incident-form");
  await form.getByLabel("Title").fill(TITLE);
  await form.getByLabel("Type").selectOption("IED");
  await form.getByLabel("Start").fill("2024-06-10T09:00");
  await form.getByLabel("End").fill("2024-06-10T09:20");
  await form.getByLabel(/Coordinates/).fill("36.709123, 67.110987");
  await form.getByLabel(/Locality/).check();
  await form.getByRole("button", { name: "Create incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d{4}$/);
  const reference = page.url().split("/").pop()!;

  const linkForm = page.getByTestId("link-item-form");
  for (const item of ITEMS) {
    await linkForm.getByLabel("Item reference").fill(item);
    await linkForm.getByRole("button", { name: "Link item" }).click();
    await expect(page.getByTestId("incident-evidence")).toContainText(item);
  }

  // Unpublished evidence cannot go out with the incident: its public title, blur and files are
  // decided on its own page first.
  const panel = page.getByTestId("publish-incident-panel");
  await expect(panel.getByTestId("publication-status")).toContainText("Not public");
  for (const item of ITEMS) {
    await expect(panel.getByTestId(`include-${item}`)).toBeDisabled();
    await expect(panel.getByTestId(`candidate-${item}`)).toContainText("publish it from its page first".replace("it", item));
  }
  const incidentUrl = page.url();
  for (const item of ITEMS) {
    await page.goto(`/projects/${DEMO_PROJECT.slug}/items/${item}`);
    const itemPanel = page.getByTestId("publish-item-panel");
    // Public text starts empty: the internal title is never the default of a public field.
    await expect(itemPanel.getByLabel("Public title")).toHaveValue("");
    await itemPanel.getByLabel("Public title").fill(`${ITEM_TITLE} ${item}`);
    await itemPanel.getByLabel(/Public description/).fill(`Public description of ${item}`);
    await itemPanel.getByTestId("publish-item").click();
    await expect(itemPanel.getByTestId("item-publication-status")).toContainText("public since");
    if (item === ITEMS[0]) {
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await itemPanel.screenshot({ path: test.info().outputPath(`item-publish-panel-${width}.png`) });
      }
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  }
  await page.goto(incidentUrl);
  for (const item of ITEMS) await expect(panel.getByTestId(`include-${item}`)).toBeChecked();
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await panel.screenshot({ path: test.info().outputPath(`incident-publish-panel-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await panel.getByTestId("publish-incident").click();
  await expect(panel.getByTestId("publication-status")).toContainText("public since");
  // The incident publish left each item's own public text as its editor wrote it.
  for (const item of ITEMS) {
    const { item: publicItem } = (await (await page.request.get(`${apiBase}/items/${item}`)).json()) as { item: { title: string; description: string; incidentIds: string[] } };
    expect(publicItem.title).toBe(`${ITEM_TITLE} ${item}`);
    expect(publicItem.description).toBe(`Public description of ${item}`);
    expect(publicItem.incidentIds).toContain(reference);
  }

  // A private window: no cookies, no login.
  const visitor = await browser.newContext();
  const pub = await visitor.newPage();
  await pub.goto(publicBase);
  await expect(pub.getByText(TITLE).first()).toBeVisible();
  await expect(pub.getByTestId("public-map").locator(".leaflet-container")).toBeVisible();
  // The map shows it: markers (or cluster numbers) add up to every located published incident.
  const { points } = (await (await pub.request.get(`${apiBase}/map`)).json()) as { points: Array<[string, number, number, number, string]> };
  expect(points.map((point) => point[4])).toContain(TITLE);
  await expect(pub.getByTestId("public-map").locator(".leaflet-marker-icon").first()).toBeVisible();
  await expect.poll(async () => (await incidentsOnMap(pub)).incidents).toBe(points.length);
  await expect(pub.getByText("The map could not be loaded")).toHaveCount(0);

  // The published point is the 1 km grid cell's centre, never the precise one.
  const { incident } = (await (await pub.request.get(`${apiBase}/incidents/${reference}`)).json()) as { incident: { location: { latitude: number; longitude: number; precisionM: number } } };
  expect(incident.location.precisionM).toBe(1000);
  expect(String(incident.location.latitude)).not.toContain("36.7091");
  expect(Math.abs(incident.location.latitude - 36.709123)).toBeLessThan(0.02);

  // Evidence: graphic items start blurred behind a warning; the copies carry no metadata.
  await pub.goto(`${publicBase}/incidents/${reference}`);
  const evidence = pub.getByTestId("public-evidence");
  await expect(evidence).toHaveCount(2);
  await expect(pub.getByTestId("original-sha256").first()).toHaveText(/^[0-9a-f]{64}$/);
  await expect(async () => {
    await pub.reload();
    await expect(pub.locator("img.blurred-preview").first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 90_000 });
  await expect(pub.getByText("Warning: graphic content.").first()).toBeVisible();
  await pub.getByRole("button", { name: "Show graphic content" }).first().click();
  const clear = pub.locator(".public-media img:not(.blurred-preview)").first();
  await expect(clear).toBeVisible();
  const clearUrl = await clear.getAttribute("src");
  const bytes = Buffer.from(await (await pub.request.get(clearUrl!)).body());
  const tags = ((await exifr.parse(bytes, { tiff: true, exif: true, gps: true, xmp: true, iptc: true }).catch(() => null)) ?? {}) as Record<string, unknown>;
  expect(tags.latitude).toBeUndefined();
  expect(tags.Software).toBeUndefined();
  expect(tags.Make).toBeUndefined();

  // Downloads parse with standard tools and contain the incident at the published precision.
  const geojson = (await (await pub.request.get(`${apiBase}/dataset/geojson`)).json()) as { features: Array<{ id: string; geometry: { coordinates: number[] } | null }> };
  const feature = geojson.features.find((f) => f.id === reference)!;
  expect(feature.geometry!.coordinates).toEqual([incident.location.longitude, incident.location.latitude]);
  const csv = Papa.parse<Record<string, string>>(await (await pub.request.get(`${apiBase}/dataset/csv`)).text(), { header: true, skipEmptyLines: true });
  expect(csv.errors).toEqual([]);
  expect(csv.data.find((row) => row.id === reference)?.latitude).toBe(String(incident.location.latitude));
  const kmlText = await (await pub.request.get(`${apiBase}/dataset/kml`)).text();
  const fromKml = kmlToGeoJson(new DOMParser().parseFromString(kmlText, "text/xml") as unknown as Document);
  const placemark = fromKml.features.find((f) => String(f.properties?.name ?? "").startsWith(reference));
  expect((placemark?.geometry as { coordinates: number[] }).coordinates.slice(0, 2)).toEqual([incident.location.longitude, incident.location.latitude]);

  // Unpublish: gone from the page, the API, the map data and the downloads.
  await page.reload();
  await panel.getByTestId("unpublish-open").click();
  await panel.getByTestId("unpublish-form").getByLabel(/Reason/).fill("E2E: retracting to test removal");
  await panel.getByRole("button", { name: /Confirm: remove/ }).click();
  await expect(panel.getByTestId("publication-status")).toContainText("Not public");
  expect((await pub.request.get(`${publicBase}/incidents/${reference}`)).status()).toBe(404);
  expect((await pub.request.get(`${apiBase}/incidents/${reference}`)).status()).toBe(404);
  expect(await (await pub.request.get(`${apiBase}/dataset/csv`)).text()).not.toContain(TITLE);
  await pub.goto(publicBase);
  await expect(pub.getByText(TITLE)).toHaveCount(0);
  await visitor.close();
  await editor.context.close();
});
