-- Documents at scale (issue 11): bytes stored as sealed chunks behind the storage port, direct
-- uploads, and the metadata both storage adapters share.

-- One row per stored file, whichever adapter holds its bytes: the file's data key wrapped under a
-- key of the ring, and its plaintext size. The bytes are sealed in chunks (CHUNK_BYTES each, the
-- last one shorter), each chunk AES-256-GCM under the data key with its index in the nonce
-- (src/modules/documents/sealed-chunks.ts), so a range can be read and checked without the rest.
CREATE TABLE "document_objects" (
    "key" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "chunk_bytes" INTEGER NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "wrap_key_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "document_objects_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "document_objects_wrap_key_id_idx" ON "document_objects"("wrap_key_id");

-- The database adapter's bytes: one row per sealed chunk.
CREATE TABLE "document_chunks" (
    "key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "document_chunks_pkey" PRIMARY KEY ("key", "seq")
);

CREATE TYPE "DocumentUploadStatus" AS ENUM ('CREATED', 'RECEIVING', 'RECEIVED', 'CONSUMED');

-- createDocumentUpload's slots: single use, 15 minutes; swept with their bytes once expired.
CREATE TABLE "document_uploads" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "sha256" CHAR(64),
    "storage_key" TEXT NOT NULL,
    -- A presigned object-storage URL: the bytes land in the bucket as sent, and are sealed on addDocument.
    "direct" BOOLEAN NOT NULL DEFAULT false,
    "status" "DocumentUploadStatus" NOT NULL DEFAULT 'CREATED',
    "received_bytes" INTEGER,
    "received_sha256" CHAR(64),
    -- The accepted type the received bytes have by structure (null: none).
    "detected_type" TEXT,
    "document_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "document_uploads_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "document_uploads_storage_key_key" ON "document_uploads"("storage_key");
CREATE INDEX "document_uploads_client_id_idx" ON "document_uploads"("client_id");
CREATE INDEX "document_uploads_expires_at_idx" ON "document_uploads"("expires_at");

ALTER TABLE "document_uploads" ADD CONSTRAINT "document_uploads_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;
