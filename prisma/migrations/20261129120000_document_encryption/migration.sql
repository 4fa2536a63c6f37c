-- Document bytes encrypted at rest (envelope encryption, src/modules/documents/document-encryption.ts).

-- Each row gets its document's data key, wrapped under a key of the ring, and that key's id.
-- Rows written by earlier releases keep both NULL: their content is in clear until the server's
-- start-up pass (or npm run keys:rotate) encrypts it; reads accept both until then.
ALTER TABLE "document_blobs" ADD COLUMN "wrapped_key" BYTEA;
ALTER TABLE "document_blobs" ADD COLUMN "wrap_key_id" TEXT;
ALTER TABLE "document_blobs" ADD CONSTRAINT "document_blobs_key_wrapped_or_clear"
    CHECK (("wrapped_key" IS NULL) = ("wrap_key_id" IS NULL));

-- The start-up pass finds the rows still in clear, keys:rotate those under an old key, and the
-- key check whether any remain under a key that is not configured.
CREATE INDEX "document_blobs_wrap_key_id_idx" ON "document_blobs"("wrap_key_id");
