-- A person's review of a note is one decision (issue 13, item 4). Earlier versions recorded a
-- new row for every submission, so a reviewer could confirm the same note twice. Keep each
-- reviewer's latest review of each note (newest createdAt, then highest id) and delete the
-- older ones, then let unique indexes refuse a second row. The audit log keeps every earlier
-- decision: only the duplicate review rows go.
DELETE FROM "Review" AS older
USING "Review" AS newer
WHERE older."geolocationId" IS NOT NULL
  AND newer."geolocationId" = older."geolocationId"
  AND newer."reviewerId" = older."reviewerId"
  AND (newer."createdAt", newer."id") > (older."createdAt", older."id");

DELETE FROM "Review" AS older
USING "Review" AS newer
WHERE older."chronolocationId" IS NOT NULL
  AND newer."chronolocationId" = older."chronolocationId"
  AND newer."reviewerId" = older."reviewerId"
  AND (newer."createdAt", newer."id") > (older."createdAt", older."id");

-- CreateIndex
CREATE UNIQUE INDEX "Review_geolocationId_reviewerId_key" ON "Review"("geolocationId", "reviewerId");

-- CreateIndex
CREATE UNIQUE INDEX "Review_chronolocationId_reviewerId_key" ON "Review"("chronolocationId", "reviewerId");
