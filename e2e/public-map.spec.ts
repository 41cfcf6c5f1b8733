// The public map as a visitor (no login) sees it, on a desktop and on a phone: one marker per
// published incident with a public location (or clusters whose numbers add up to them), drawn
// inside the map, without the "could not be loaded" fallback and without any request failing
// (the marker icons are part of the page, not images fetched from elsewhere).
import { expect, test, type Browser } from "@playwright/test";
import { DEMO_PROJECT, E2E_BASE_URL } from "./fixtures";
import { incidentsOnMap } from "./map-markers";

const publicBase = `/public/${DEMO_PROJECT.slug}`;
const mapApi = `/api/public/v1/${DEMO_PROJECT.slug}/map`;
const FALLBACK = "The map could not be loaded; the list below has every incident.";

type MapPoint = [string, number, number, number, string, string | null, string];

async function visitorPage(browser: Browser, viewport: { width: number; height: number }, mobile: boolean) {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1 });
  const page = await context.newPage();
  const failed: string[] = [];
  page.on("requestfailed", (request) => {
    // Next cancels its link prefetches when the page moves on: not a failure of the map.
    if (request.failure()?.errorText === "net::ERR_ABORTED" && new URL(request.url()).searchParams.has("_rsc")) return;
    failed.push(`${request.url()} (${request.failure()?.errorText ?? "failed"})`);
  });
  page.on("request", (request) => {
    // Marker and cluster icons are drawn by CSS: no image from another site, none of Leaflet's marker PNGs.
    if (request.resourceType() === "image" && (new URL(request.url()).origin !== E2E_BASE_URL || /marker-(icon|shadow)/.test(request.url()))) {
      failed.push(`${request.url()} (image the map should not need)`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.url()} (${response.status()})`);
  });
  return { context, page, failed };
}

for (const { name, viewport, mobile } of [
  { name: "desktop 1440", viewport: { width: 1440, height: 900 }, mobile: false },
  { name: "phone 390", viewport: { width: 390, height: 844 }, mobile: true },
]) {
  test(`public map shows a marker for every published incident (${name})`, async ({ browser }, testInfo) => {
    const { context, page, failed } = await visitorPage(browser, viewport, mobile);
    const { points } = (await (await page.request.get(mapApi)).json()) as { count: number; points: MapPoint[] };
    // The demo seed publishes two located incidents; other specs may add more.
    expect(points.length).toBeGreaterThanOrEqual(2);

    await page.goto(publicBase);
    const map = page.getByTestId("public-map");
    const canvas = map.locator(".leaflet-container");
    await expect(canvas).toBeVisible();
    await expect(canvas).toHaveAttribute("data-ready", "true");
    await expect(map.locator(".leaflet-marker-icon").first()).toBeVisible();
    await expect(page.getByText(FALLBACK)).toHaveCount(0);
    await expect(map).toContainText(`${points.length} incidents with a public location on the map.`);

    // Markers plus cluster counts add up to the published incidents with a location.
    await expect.poll(async () => (await incidentsOnMap(page)).incidents).toBe(points.length);

    // Every marker is drawn inside the visible map, not off-screen or zero-sized.
    const box = (await canvas.boundingBox())!;
    for (const icon of await map.locator(".leaflet-marker-icon").all()) {
      await expect(icon).toBeVisible();
      const b = (await icon.boundingBox())!;
      expect(b.width).toBeGreaterThan(8);
      expect(b.height).toBeGreaterThan(8);
      expect(b.x).toBeGreaterThanOrEqual(box.x - 1);
      expect(b.y).toBeGreaterThanOrEqual(box.y - 1);
      expect(b.x + b.width).toBeLessThanOrEqual(box.x + box.width + 1);
      expect(b.y + b.height).toBeLessThanOrEqual(box.y + box.height + 1);
    }

    // What the person sees, for the record (/tmp/map-shots in the report came from these).
    await map.screenshot({ path: testInfo.outputPath(`public-map-${viewport.width}.png`) });
    await page.screenshot({ path: testInfo.outputPath(`public-page-${viewport.width}.png`) });

    // Zoomed out, nearby incidents merge into a cluster whose number counts them.
    const zoomOut = map.locator(".leaflet-control-zoom-out");
    for (let i = 0; i < 6 && (await map.locator(".marker-cluster").count()) === 0; i += 1) {
      await zoomOut.click();
      await page.waitForTimeout(400); // the zoom animation
    }
    await expect(map.locator(".marker-cluster").first()).toBeVisible();
    await expect.poll(async () => (await incidentsOnMap(page)).incidents).toBe(points.length);

    // Clicking a cluster zooms in until an incident has its own marker, whose popup links to it.
    const single = map.locator(".leaflet-marker-icon:not(.marker-cluster)").first();
    for (let i = 0; i < 10 && !(await single.isVisible()); i += 1) {
      await map.locator(".marker-cluster").first().click();
      await page.waitForTimeout(500);
    }
    await single.click();
    const popup = map.locator(".leaflet-popup-content");
    await expect(popup).toBeVisible();
    await expect(popup.locator("a")).toHaveAttribute("href", new RegExp(`^${publicBase}/incidents/`));
    expect(points.map((p) => p[4])).toContain(await popup.locator("a").innerText());

    expect(failed, "requests that failed while the map loaded").toEqual([]);
    await context.close();
  });
}

test("when the map cannot load, the visitor gets the list and the error reaches the server log", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.route(`**${mapApi}*`, (route) => route.fulfill({ status: 503, body: "" }));
  const report = page.waitForRequest((request) => request.url().endsWith("/api/client-errors") && request.method() === "POST", { timeout: 15_000 });
  await page.goto(publicBase);
  await expect(page.getByText(FALLBACK)).toBeVisible();
  await expect(page.locator(".public-list li").first()).toBeVisible();
  const request = await report;
  expect(request.postDataJSON()).toMatchObject({ source: "public-map", message: expect.any(String), page: publicBase });
  expect((await request.response())?.status()).toBe(204);
  await context.close();
});
