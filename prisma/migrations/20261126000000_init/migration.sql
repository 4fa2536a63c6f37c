-- CreateEnum
CREATE TYPE "ClientStatus" AS ENUM ('PENDING', 'VERIFIED', 'ACTIVE');

-- CreateEnum
CREATE TYPE "KycVerificationType" AS ENUM ('PARTIAL', 'FULL');

-- CreateEnum
CREATE TYPE "AddressType" AS ENUM ('RESIDENTIAL', 'MAILING', 'BUSINESS');

-- CreateEnum
CREATE TYPE "IdentifierType" AS ENUM ('SSN', 'ITIN', 'PASSPORT', 'NATIONAL_ID', 'DRIVERS_LICENSE');

-- CreateEnum
CREATE TYPE "IdentifierStatus" AS ENUM ('ACTIVE', 'INACTIVE');

-- CreateEnum
CREATE TYPE "DocumentType" AS ENUM ('PASSPORT', 'DRIVERS_LICENSE', 'NATIONAL_ID_CARD', 'PROOF_OF_ADDRESS', 'SSN_CARD', 'OTHER');

-- CreateEnum
CREATE TYPE "DocumentStatus" AS ENUM ('PENDING_REVIEW', 'ACCEPTED', 'REJECTED');

-- CreateEnum
CREATE TYPE "ContactChannel" AS ENUM ('EMAIL', 'MOBILE_PHONE');

-- CreateTable
CREATE TABLE "clients" (
    "id" UUID NOT NULL,
    "external_id" TEXT,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "date_of_birth" DATE,
    "email" TEXT,
    "email_verified" BOOLEAN NOT NULL DEFAULT false,
    "mobile_phone" TEXT,
    "mobile_phone_verified" BOOLEAN NOT NULL DEFAULT false,
    "status" "ClientStatus" NOT NULL DEFAULT 'PENDING',
    "kyc_verification_type" "KycVerificationType",
    "verified_at" TIMESTAMPTZ(3),
    "activated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "addresses" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "type" "AddressType" NOT NULL,
    "is_primary" BOOLEAN NOT NULL,
    "line1" TEXT NOT NULL,
    "line2" TEXT,
    "city" TEXT NOT NULL,
    "region" TEXT,
    "postal_code" TEXT NOT NULL,
    "country_code" CHAR(2) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "addresses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identifiers" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "type" "IdentifierType" NOT NULL,
    "issuing_country" CHAR(2),
    "value_encrypted" BYTEA NOT NULL,
    "value_hash" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "expires_on" DATE,
    "status" "IdentifierStatus" NOT NULL DEFAULT 'ACTIVE',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deactivated_at" TIMESTAMPTZ(3),

    CONSTRAINT "identifiers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "documents" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "type" "DocumentType" NOT NULL,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "storage_key" TEXT NOT NULL,
    "status" "DocumentStatus" NOT NULL DEFAULT 'PENDING_REVIEW',
    "expires_on" DATE,
    "rejection_reason" TEXT,
    "reviewed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_blobs" (
    "key" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_blobs_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "client_events" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "from_status" "ClientStatus",
    "to_status" "ClientStatus",
    "detail" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "contact_challenges" (
    "client_id" UUID NOT NULL,
    "channel" "ContactChannel" NOT NULL,
    "destination" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "failed_tries" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_challenges_pkey" PRIMARY KEY ("client_id","channel")
);

-- CreateIndex
CREATE UNIQUE INDEX "clients_external_id_key" ON "clients"("external_id");

-- CreateIndex
CREATE INDEX "clients_created_at_id_idx" ON "clients"("created_at", "id");

-- CreateIndex
CREATE INDEX "clients_status_created_at_id_idx" ON "clients"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "addresses_client_id_created_at_idx" ON "addresses"("client_id", "created_at");

-- CreateIndex
CREATE INDEX "identifiers_client_id_created_at_idx" ON "identifiers"("client_id", "created_at");

-- CreateIndex
CREATE INDEX "documents_client_id_created_at_idx" ON "documents"("client_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "client_events_id_key" ON "client_events"("id");

-- CreateIndex
CREATE INDEX "client_events_client_id_seq_idx" ON "client_events"("client_id", "seq");

-- AddForeignKey
ALTER TABLE "addresses" ADD CONSTRAINT "addresses_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identifiers" ADD CONSTRAINT "identifiers_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "documents" ADD CONSTRAINT "documents_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_events" ADD CONSTRAINT "client_events_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_challenges" ADD CONSTRAINT "contact_challenges_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules Prisma's schema language cannot express (hand-written).

-- One primary address per client.
CREATE UNIQUE INDEX "addresses_one_primary_per_client" ON "addresses"("client_id") WHERE "is_primary";

-- One ACTIVE identifier per (type, issuing country, normalised value) across all clients.
-- value_hash is an HMAC over exactly those three, so it alone is the key.
CREATE UNIQUE INDEX "identifiers_one_active_per_value" ON "identifiers"("value_hash") WHERE "status" = 'ACTIVE';

-- History is append-only.
CREATE FUNCTION "client_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'client_events is append-only (% refused)', TG_OP USING ERRCODE = 'P0001';
END;
$$;

CREATE TRIGGER "client_events_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "client_events"
  FOR EACH ROW EXECUTE FUNCTION "client_events_append_only"();

CREATE TRIGGER "client_events_no_truncate"
  BEFORE TRUNCATE ON "client_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "client_events_append_only"();
