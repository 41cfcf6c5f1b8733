-- CreateEnum
CREATE TYPE "PublicationKind" AS ENUM ('PUBLISH', 'UPDATE', 'RETRACT');

-- CreateEnum
CREATE TYPE "PublicMediaKind" AS ENUM ('IMAGE', 'VIDEO', 'POSTER');

-- AlterTable
ALTER TABLE "EvidenceItem" ADD COLUMN     "redactions" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "PublishedIncident" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "publicId" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "startAt" TIMESTAMPTZ(3),
    "province" TEXT,
    "incidentType" TEXT NOT NULL,
    "targets" TEXT[],
    "publishedById" TEXT NOT NULL,
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PublishedIncident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PublishedItem" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "publicId" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "incidentIds" TEXT[],
    "publishedById" TEXT NOT NULL,
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PublishedItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PublicMedia" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "mediaFileId" TEXT NOT NULL,
    "kind" "PublicMediaKind" NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "originalSha256" CHAR(64) NOT NULL,
    "mime" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "blurred" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PublicMedia_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PublicationEvent" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "kind" "PublicationKind" NOT NULL,
    "entityType" TEXT NOT NULL,
    "publicId" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PublicationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PublicDataset" (
    "projectId" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "builtAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PublicDataset_pkey" PRIMARY KEY ("projectId","format")
);

-- CreateIndex
CREATE UNIQUE INDEX "PublishedIncident_incidentId_key" ON "PublishedIncident"("incidentId");

-- CreateIndex
CREATE INDEX "PublishedIncident_projectId_startAt_idx" ON "PublishedIncident"("projectId", "startAt");

-- CreateIndex
CREATE UNIQUE INDEX "PublishedIncident_projectId_publicId_key" ON "PublishedIncident"("projectId", "publicId");

-- CreateIndex
CREATE UNIQUE INDEX "PublishedItem_itemId_key" ON "PublishedItem"("itemId");

-- CreateIndex
CREATE UNIQUE INDEX "PublishedItem_projectId_publicId_key" ON "PublishedItem"("projectId", "publicId");

-- CreateIndex
CREATE INDEX "PublicMedia_itemId_idx" ON "PublicMedia"("itemId");

-- CreateIndex
CREATE INDEX "PublicMedia_sha256_idx" ON "PublicMedia"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "PublicMedia_mediaFileId_kind_blurred_key" ON "PublicMedia"("mediaFileId", "kind", "blurred");

-- CreateIndex
CREATE INDEX "PublicationEvent_projectId_at_idx" ON "PublicationEvent"("projectId", "at");

