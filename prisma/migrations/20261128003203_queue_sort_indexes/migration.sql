-- DropIndex
DROP INDEX "EvidenceItem_projectId_createdAt_idx";

-- DropIndex
DROP INDEX "EvidenceItem_projectId_province_idx";

-- CreateIndex
CREATE INDEX "EvidenceItem_projectId_createdAt_id_idx" ON "EvidenceItem"("projectId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "EvidenceItem_projectId_updatedAt_id_idx" ON "EvidenceItem"("projectId", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "EvidenceItem_projectId_province_id_idx" ON "EvidenceItem"("projectId", "province", "id");

-- CreateIndex
CREATE INDEX "EvidenceItem_projectId_platformUploadedAt_id_idx" ON "EvidenceItem"("projectId", "platformUploadedAt", "id");

-- CreateIndex
CREATE INDEX "EvidenceItem_projectId_status_createdAt_id_idx" ON "EvidenceItem"("projectId", "status", "createdAt", "id");


-- Sorting by title is case-insensitive (lower(title)); Prisma cannot declare expression indexes.
CREATE INDEX "EvidenceItem_projectId_lower_title_id_idx" ON "EvidenceItem" ("projectId", lower("title"), "id");
