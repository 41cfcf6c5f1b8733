-- Column mappings saved per project for later imports.
CREATE TABLE "SavedImportMapping" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "mapping" JSONB NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SavedImportMapping_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "SavedImportMapping_projectId_name_key" ON "SavedImportMapping"("projectId", "name");
