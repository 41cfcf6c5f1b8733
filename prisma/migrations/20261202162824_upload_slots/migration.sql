-- CreateTable
CREATE TABLE "UploadSlot" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "leaseUntil" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "UploadSlot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UploadSlot_userId_startedAt_idx" ON "UploadSlot"("userId", "startedAt");

