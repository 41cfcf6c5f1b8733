-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "phash" CHAR(16);

-- AddForeignKey
ALTER TABLE "UrlCapture" ADD CONSTRAINT "UrlCapture_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "EvidenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UrlCapture" ADD CONSTRAINT "UrlCapture_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MediaAccess" ADD CONSTRAINT "MediaAccess_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

