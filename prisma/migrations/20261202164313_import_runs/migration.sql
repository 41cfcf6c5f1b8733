-- CreateTable
CREATE TABLE "ImportRun" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "counts" JSONB NOT NULL,
    "options" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImportRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportRecord" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "values" JSONB NOT NULL,
    "importRunId" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ImportRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImportRun_projectId_createdAt_idx" ON "ImportRun"("projectId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ImportRecord_incidentId_key" ON "ImportRecord"("incidentId");

-- CreateIndex
CREATE UNIQUE INDEX "ImportRecord_projectId_externalId_key" ON "ImportRecord"("projectId", "externalId");

