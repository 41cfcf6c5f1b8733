import { describe, expect, it } from "vitest";
import { db } from "../../lib/server/db";
import { adminAreaAt, provinceOutlines } from "../../lib/server/geo/admin-areas";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { transitionItem } from "../../lib/server/services/items/transition-item";
import { proposeGeolocation } from "../../lib/server/services/notes/propose-notes";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

describe("province lookup (Natural Earth admin-1)", () => {
  it.each([
    ["Kabul", 34.5553, 69.2075, "Kabul"],
    ["Herat", 34.3529, 62.204, "Hirat"],
    ["Mazar-i-Sharif", 36.709, 67.1109, "Balkh"],
    ["Kunduz", 36.728, 68.868, "Kunduz"],
    ["Jalalabad", 34.4342, 70.4479, "Nangarhar"],
    ["Kandahar", 31.6133, 65.7101, "Kandahar"],
    // Natural Earth labels these two "Parwan" and "Uruzgan"; the build script corrects them.
    ["Bazarak (Panjshir)", 35.3129, 69.5152, "Panjshir"],
    ["Nili (Daykundi)", 33.7218, 66.1302, "Daykundi"],
  ])("%s is in %s province", (_city, latitude, longitude, province) => {
    expect(adminAreaAt(latitude, longitude)).toEqual({ country: "Afghanistan", province });
  });

  it("returns null outside the covered countries and for non-finite input", () => {
    expect(adminAreaAt(35.6892, 51.389)).toBeNull(); // Tehran, Iran
    expect(adminAreaAt(33.6844, 73.0479)).toBeNull(); // Islamabad, Pakistan
    expect(adminAreaAt(20, 65)).toBeNull(); // Arabian Sea
    expect(adminAreaAt(Number.NaN, 69)).toBeNull();
  });

  it("serves the outlines as one small FeatureCollection, one feature per province", () => {
    const outlines = provinceOutlines();
    expect(outlines.type).toBe("FeatureCollection");
    const names = outlines.features.map((f) => f.properties.province);
    expect(names).toHaveLength(34);
    expect(new Set(names).size).toBe(34);
    expect(names).toEqual(expect.arrayContaining(["Kabul", "Hirat", "Balkh", "Kunduz", "Nangarhar", "Panjshir", "Daykundi"]));
    for (const f of outlines.features) expect(["Polygon", "MultiPolygon"]).toContain(f.geometry.type);
    // Sent to the browser as the map's offline base layer: keep it under ~300 KB.
    expect(JSON.stringify(outlines).length).toBeLessThan(300_000);
    expect(provinceOutlines()).toBe(outlines);
  });

  it("a proposed geolocation records the province of its point", async () => {
    const project = await makeProject();
    const contributor = await actorFor((await makeUser({ projectId: project.id, role: "CONTRIBUTOR" })).id);
    const investigator = await actorFor((await makeUser({ projectId: project.id, role: "INVESTIGATOR" })).id);
    const { id: itemId } = await submitEvidence(contributor, { projectId: project.id, title: "Market fire", sourceUrls: ["https://example.org/p/42"] });
    await transitionItem(investigator, { itemId, action: "triage", expectedVersion: 0 });
    await transitionItem(investigator, { itemId, action: "claim", expectedVersion: 1 });

    const { id } = await proposeGeolocation(investigator, { itemId, point: "34.4342, 70.4479", precisionM: 50, method: "Skyline" });
    expect(await db().geolocation.findUniqueOrThrow({ where: { id }, select: { province: true } })).toEqual({ province: "Nangarhar" });

    const outside = await proposeGeolocation(investigator, { itemId, point: "35.6892, 51.389", precisionM: 50, method: "Skyline" });
    expect(await db().geolocation.findUniqueOrThrow({ where: { id: outside.id }, select: { province: true } })).toEqual({ province: null });
  });
});
