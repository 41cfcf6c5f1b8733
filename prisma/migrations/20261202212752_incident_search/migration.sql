-- Full-text search over incidents, for the incident list and type-ahead pickers. A generated
-- column stays right on every write path (forms, imports, archive restores) without triggers.
-- Both 'simple' (exact words, names in any language, references) and 'english' (stemmed) are
-- indexed, as for items, so a query matches either way.
ALTER TABLE "Incident" ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple', coalesce("reference", '') || ' ' || coalesce("title", '') || ' ' || coalesce("externalId", '')), 'A') ||
  setweight(to_tsvector('english', coalesce("title", '')), 'A') ||
  setweight(to_tsvector('simple',
    coalesce("locationName", '') || ' ' || coalesce("province", '') || ' ' || coalesce("district", '') || ' ' ||
    coalesce("claimGroup", '') || ' ' || coalesce("attributionGroup", '') || ' ' || coalesce("incidentType", '')), 'B') ||
  setweight(to_tsvector('simple', coalesce("description", '')), 'C') ||
  setweight(to_tsvector('english', coalesce("description", '')), 'C')
) STORED;

CREATE INDEX "Incident_searchVector_idx" ON "Incident" USING GIN ("searchVector");
CREATE INDEX "Incident_projectId_updatedAt_idx" ON "Incident"("projectId", "updatedAt");
