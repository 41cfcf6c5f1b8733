// Every field the app later shows as a link accepts http(s) URLs only: reference imagery on a
// geolocation, an item's source and post URLs, and an incident's claim URL.
import { describe, expect, it } from "vitest";
import { submitEvidenceSchema } from "./evidence";
import { incidentInputSchema } from "./incidents";
import { referenceImagerySchema } from "./notes";

const HOSTILE = [
  "javascript:alert(document.cookie)",
  " JavaScript:alert(1)",
  "javascript://example.org/%0aalert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "file:///etc/passwd",
  "ftp://example.org/x",
  "//example.org/no-scheme",
  "https://user:secret@example.org/",
];

const accepts = {
  "reference imagery url": (url: string) => referenceImagerySchema.safeParse({ provider: "Maxar", url }).success,
  "source url": (url: string) => submitEvidenceSchema.safeParse({ projectId: "cproject0001", title: "Evidence", sourceUrls: [url] }).success,
  "post url": (url: string) => submitEvidenceSchema.safeParse({ projectId: "cproject0001", title: "Evidence", sourceUrls: ["https://example.org/a"], postUrl: url }).success,
  "claim url": (url: string) => incidentInputSchema(["IED"]).safeParse({ projectId: "cproject0001", title: "Blast", incidentType: "IED", claimUrl: url }).success,
};

describe.each(Object.entries(accepts))("%s", (_field, accept) => {
  it("accepts an https URL", () => expect(accept("https://example.org/imagery?id=1")).toBe(true));
  it.each(HOSTILE)("refuses %j", (url) => expect(accept(url)).toBe(false));
});

it("reference imagery may still leave the link empty", () => {
  expect(referenceImagerySchema.parse({ provider: "Maxar" })).toEqual({ provider: "Maxar", captureDate: "", url: "" });
  expect(referenceImagerySchema.parse({ provider: "Maxar", url: "  " }).url).toBe("");
});
