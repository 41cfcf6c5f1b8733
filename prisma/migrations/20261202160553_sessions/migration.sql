-- CreateEnum
CREATE TYPE "SessionAuthLevel" AS ENUM ('PASSWORD', 'SECOND_FACTOR');

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "enrolmentCodeExpiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "enrolmentCodeHash" CHAR(64),
ADD COLUMN     "totpPendingSessionId" TEXT,
ADD COLUMN     "totpResetAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "tokenHash" CHAR(64) NOT NULL,
    "userId" TEXT NOT NULL,
    "authLevel" "SessionAuthLevel" NOT NULL,
    "secondFactorAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "revokedAt" TIMESTAMPTZ(3),
    "revokedReason" TEXT,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_revokedAt_idx" ON "Session"("userId", "revokedAt");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

