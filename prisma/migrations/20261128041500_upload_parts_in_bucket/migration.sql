-- Partial resumable uploads can live in the bucket (GROUNDTRUTH_STORAGE=s3) instead of a shared
-- folder: the tus metadata and the list of stored parts move into PostgreSQL.
-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "tusMetadata" JSONB;

-- CreateTable
CREATE TABLE "UploadPart" (
    "uploadId" TEXT NOT NULL,
    "offset" BIGINT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UploadPart_pkey" PRIMARY KEY ("uploadId","offset")
);

-- AddForeignKey
ALTER TABLE "UploadPart" ADD CONSTRAINT "UploadPart_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;
