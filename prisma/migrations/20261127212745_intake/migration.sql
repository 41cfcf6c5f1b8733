-- CreateEnum
CREATE TYPE "UploadState" AS ENUM ('RECEIVING', 'COMPLETE', 'ATTACHED', 'REJECTED');

-- CreateEnum
CREATE TYPE "DerivativeKind" AS ENUM ('THUMBNAIL', 'KEYFRAME', 'SCREENSHOT', 'PAGE_HTML');

-- CreateEnum
CREATE TYPE "CaptureState" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- AlterTable
ALTER TABLE "MediaFile" ADD COLUMN     "phash" CHAR(16),
ADD COLUMN     "uploadId" TEXT;

-- CreateTable
CREATE TABLE "Upload" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "declaredFilename" TEXT NOT NULL,
    "declaredMime" TEXT,
    "sizeBytes" BIGINT NOT NULL,
    "receivedBytes" BIGINT NOT NULL DEFAULT 0,
    "hashState" BYTEA,
    "sha256" CHAR(64),
    "sniffedMime" TEXT,
    "state" "UploadState" NOT NULL DEFAULT 'RECEIVING',
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Upload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Derivative" (
    "id" TEXT NOT NULL,
    "mediaFileId" TEXT NOT NULL,
    "kind" "DerivativeKind" NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "mime" TEXT NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "timestampMs" INTEGER,
    "phash" CHAR(16),
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Derivative_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UrlCapture" (
    "id" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "state" "CaptureState" NOT NULL DEFAULT 'QUEUED',
    "finalUrl" TEXT,
    "pageTitle" TEXT,
    "httpStatus" INTEGER,
    "capturedAt" TIMESTAMPTZ(3),
    "screenshotId" TEXT,
    "htmlId" TEXT,
    "mediaId" TEXT,
    "error" TEXT,
    "requestedById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "UrlCapture_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediaAccess" (
    "id" TEXT NOT NULL,
    "mediaFileId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "ip" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MediaAccess_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "projectId" TEXT,
    "itemId" TEXT,
    "state" "JobState" NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "runAfter" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMPTZ(3),
    "workerId" TEXT,
    "lastError" TEXT,
    "result" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Upload_userId_state_idx" ON "Upload"("userId", "state");

-- CreateIndex
CREATE INDEX "Derivative_phash_idx" ON "Derivative"("phash");

-- CreateIndex
CREATE UNIQUE INDEX "Derivative_mediaFileId_kind_position_key" ON "Derivative"("mediaFileId", "kind", "position");

-- CreateIndex
CREATE INDEX "UrlCapture_itemId_idx" ON "UrlCapture"("itemId");

-- CreateIndex
CREATE INDEX "MediaAccess_mediaFileId_idx" ON "MediaAccess"("mediaFileId");

-- CreateIndex
CREATE INDEX "Job_state_runAfter_idx" ON "Job"("state", "runAfter");

-- CreateIndex
CREATE INDEX "Job_itemId_idx" ON "Job"("itemId");

-- CreateIndex
CREATE INDEX "MediaFile_phash_idx" ON "MediaFile"("phash");

-- AddForeignKey
ALTER TABLE "Derivative" ADD CONSTRAINT "Derivative_mediaFileId_fkey" FOREIGN KEY ("mediaFileId") REFERENCES "MediaFile"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MediaAccess" ADD CONSTRAINT "MediaAccess_mediaFileId_fkey" FOREIGN KEY ("mediaFileId") REFERENCES "MediaFile"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

