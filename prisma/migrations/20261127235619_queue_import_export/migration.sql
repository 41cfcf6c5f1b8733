-- DropIndex
DROP INDEX "Incident_projectId_idx";

-- AlterTable
ALTER TABLE "EvidenceItem" ADD COLUMN     "district" TEXT,
ADD COLUMN     "province" TEXT,
ADD COLUMN     "searchVector" tsvector,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "externalId" TEXT;

-- CreateTable
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SavedView_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RestoredAuditEvent" (
    "id" TEXT NOT NULL,
    "restoreId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "redacted" BOOLEAN NOT NULL DEFAULT false,
    "actorId" TEXT,
    "projectId" TEXT,
    "action" TEXT,
    "entityType" TEXT,
    "entityId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,
    "createdAt" TIMESTAMPTZ(3),
    "prevHash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "RestoredAuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SavedView_userId_projectId_name_key" ON "SavedView"("userId", "projectId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "RestoredAuditEvent_restoreId_seq_key" ON "RestoredAuditEvent"("restoreId", "seq");

-- CreateIndex
CREATE INDEX "EvidenceItem_projectId_createdAt_idx" ON "EvidenceItem"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "EvidenceItem_projectId_province_idx" ON "EvidenceItem"("projectId", "province");

-- CreateIndex
CREATE INDEX "EvidenceItem_tags_idx" ON "EvidenceItem" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "Incident_projectId_startAt_idx" ON "Incident"("projectId", "startAt");

-- CreateIndex
CREATE UNIQUE INDEX "Incident_projectId_externalId_key" ON "Incident"("projectId", "externalId");

-- AddForeignKey
ALTER TABLE "SavedView" ADD CONSTRAINT "SavedView_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SavedView" ADD CONSTRAINT "SavedView_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Restored audit history is as append-only as the live chain.
CREATE TRIGGER "RestoredAuditEvent_append_only"
  BEFORE UPDATE OR DELETE ON "RestoredAuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_is_append_only"();

-- Existing items take the province/district of their latest geolocation that is not superseded.
UPDATE "EvidenceItem" i SET "province" = g."province", "district" = g."district"
FROM (
  SELECT DISTINCT ON ("itemId") "itemId", "province", "district"
  FROM "Geolocation" WHERE "status" <> 'SUPERSEDED'
  ORDER BY "itemId", "createdAt" DESC
) g
WHERE g."itemId" = i."id";

-- Full-text search over an item and its notes. Both the 'simple' configuration (exact words,
-- names in any language) and 'english' (stemmed) are indexed, so a query matches either way.
CREATE FUNCTION "item_search_notes"(p_item_id TEXT) RETURNS TEXT AS $$
  SELECT concat_ws(' ',
    (SELECT string_agg("method" || ' ' || coalesce("province", '') || ' ' || coalesce("district", ''), ' ') FROM "Geolocation" WHERE "itemId" = p_item_id),
    (SELECT string_agg("notes", ' ') FROM "Chronolocation" WHERE "itemId" = p_item_id),
    (SELECT string_agg("comment", ' ') FROM "Review" WHERE "itemId" = p_item_id),
    (SELECT string_agg("body", ' ') FROM "Comment" WHERE "itemId" = p_item_id)
  )
$$ LANGUAGE sql STABLE;

CREATE FUNCTION "item_search_vector"(p_reference TEXT, p_title TEXT, p_description TEXT, p_claimed_place TEXT, p_notes TEXT) RETURNS tsvector AS $$
  SELECT
    setweight(to_tsvector('simple', coalesce(p_reference, '') || ' ' || coalesce(p_title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(p_title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(p_description, '') || ' ' || coalesce(p_claimed_place, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(p_description, '') || ' ' || coalesce(p_claimed_place, '')), 'B') ||
    setweight(to_tsvector('simple', coalesce(p_notes, '')), 'C') ||
    setweight(to_tsvector('english', coalesce(p_notes, '')), 'C')
$$ LANGUAGE sql IMMUTABLE;

CREATE FUNCTION "evidence_item_search_refresh"() RETURNS trigger AS $$
BEGIN
  NEW."searchVector" := "item_search_vector"(NEW."reference", NEW."title", NEW."description", NEW."claimedPlace", "item_search_notes"(NEW."id"));
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "EvidenceItem_search"
  BEFORE INSERT OR UPDATE OF "reference", "title", "description", "claimedPlace" ON "EvidenceItem"
  FOR EACH ROW EXECUTE FUNCTION "evidence_item_search_refresh"();

CREATE FUNCTION "item_note_search_refresh"() RETURNS trigger AS $$
DECLARE
  target TEXT := CASE WHEN TG_OP = 'DELETE' THEN OLD."itemId" ELSE NEW."itemId" END;
BEGIN
  UPDATE "EvidenceItem" SET "searchVector" = "item_search_vector"("reference", "title", "description", "claimedPlace", "item_search_notes"("id"))
  WHERE "id" = target;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Geolocation_search" AFTER INSERT OR UPDATE OR DELETE ON "Geolocation" FOR EACH ROW EXECUTE FUNCTION "item_note_search_refresh"();
CREATE TRIGGER "Chronolocation_search" AFTER INSERT OR UPDATE OR DELETE ON "Chronolocation" FOR EACH ROW EXECUTE FUNCTION "item_note_search_refresh"();
CREATE TRIGGER "Review_search" AFTER INSERT OR UPDATE OR DELETE ON "Review" FOR EACH ROW EXECUTE FUNCTION "item_note_search_refresh"();
CREATE TRIGGER "Comment_search" AFTER INSERT OR UPDATE OR DELETE ON "Comment" FOR EACH ROW EXECUTE FUNCTION "item_note_search_refresh"();

UPDATE "EvidenceItem" SET "searchVector" = "item_search_vector"("reference", "title", "description", "claimedPlace", "item_search_notes"("id"));

CREATE INDEX "EvidenceItem_searchVector_idx" ON "EvidenceItem" USING GIN ("searchVector");
