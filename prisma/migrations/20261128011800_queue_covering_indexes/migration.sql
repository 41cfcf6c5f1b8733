-- The queue's sort indexes also carry the columns its common filters read, so a page deep in a
-- filtered view is an index-only scan instead of one heap visit per skipped row. Prisma cannot
-- declare INCLUDE columns; the index names stay those of the schema's @@index entries.
DROP INDEX "EvidenceItem_projectId_createdAt_id_idx";
CREATE INDEX "EvidenceItem_projectId_createdAt_id_idx" ON "EvidenceItem" ("projectId", "createdAt", "id") INCLUDE ("status", "platform", "province", "assigneeId", "submittedById", "platformUploadedAt");

DROP INDEX "EvidenceItem_projectId_updatedAt_id_idx";
CREATE INDEX "EvidenceItem_projectId_updatedAt_id_idx" ON "EvidenceItem" ("projectId", "updatedAt", "id") INCLUDE ("status", "platform", "province", "assigneeId", "submittedById", "createdAt");

DROP INDEX "EvidenceItem_projectId_platformUploadedAt_id_idx";
CREATE INDEX "EvidenceItem_projectId_platformUploadedAt_id_idx" ON "EvidenceItem" ("projectId", "platformUploadedAt", "id") INCLUDE ("status", "platform", "province", "assigneeId", "submittedById", "createdAt");

DROP INDEX "EvidenceItem_projectId_lower_title_id_idx";
CREATE INDEX "EvidenceItem_projectId_lower_title_id_idx" ON "EvidenceItem" ("projectId", lower("title"), "id") INCLUDE ("status", "platform", "province", "assigneeId", "submittedById", "createdAt");
