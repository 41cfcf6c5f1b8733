-- Publishing decisions an incident publish must not undo (issue 13): which files of an item get
-- public copies, and which files are page captures (internal unless an editor chooses them).
ALTER TABLE "EvidenceItem" ADD COLUMN "publicMediaFileIds" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "MediaFile" ADD COLUMN "isPageCapture" BOOLEAN NOT NULL DEFAULT false;

-- Screenshots and HTML already made by URL capture.
UPDATE "MediaFile" m SET "isPageCapture" = true
FROM "UrlCapture" c
WHERE m."id" = c."screenshotId" OR m."id" = c."htmlId";

-- Items already public keep their photos and videos, minus page captures.
UPDATE "EvidenceItem" i SET "publicMediaFileIds" = COALESCE((
  SELECT array_agg(m."id" ORDER BY m."id") FROM "MediaFile" m
  WHERE m."itemId" = i."id" AND NOT m."isPageCapture"
    AND (m."sniffedMime" LIKE 'image/%' OR m."sniffedMime" LIKE 'video/%')
), ARRAY[]::TEXT[])
WHERE EXISTS (SELECT 1 FROM "PublishedItem" p WHERE p."itemId" = i."id");

-- Public copies of page captures already made are withdrawn.
DELETE FROM "PublicMedia" pm USING "MediaFile" m
WHERE pm."mediaFileId" = m."id" AND m."isPageCapture";

-- ... and their hashes leave the public item records (the datasets follow at the next publish).
UPDATE "PublishedItem" p SET "data" = jsonb_set(p."data", '{originalSha256}', COALESCE((
  SELECT jsonb_agg(h ORDER BY h) FROM jsonb_array_elements_text(p."data"->'originalSha256') h
  WHERE h NOT IN (SELECT m."sha256" FROM "MediaFile" m WHERE m."itemId" = p."itemId" AND m."isPageCapture")
), '[]'::jsonb))
WHERE jsonb_typeof(p."data"->'originalSha256') = 'array';
