-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "NotificationKind" ADD VALUE 'TOKEN_CREATED';
ALTER TYPE "NotificationKind" ADD VALUE 'TOKEN_REVOKED';

-- AlterTable
ALTER TABLE "Notification" ALTER COLUMN "projectId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "lastUsedIp" TEXT,
ADD COLUMN     "revokedReason" TEXT;


-- Every token now expires (GROUNDTRUTH_TOKEN_DEFAULT_DAYS, default 90): tokens made before this
-- release without an expiry get the default lifetime from the upgrade.
UPDATE "ApiToken" SET "expiresAt" = now() + interval '90 days' WHERE "expiresAt" IS NULL AND "revokedAt" IS NULL;
