-- Contract v2: re-verification of ACTIVE clients, typed event details, the review queue.

-- An ACTIVE client that a change made miss a requirement of its level ("After verification").
ALTER TABLE "clients" ADD COLUMN "reverification_required" BOOLEAN NOT NULL DEFAULT false;

-- Event details become JSON the database can read (they were JSON text already).
-- ALTER ... TYPE rewrites the table without firing the append-only row triggers.
ALTER TABLE "client_events" ALTER COLUMN "detail" TYPE JSONB USING "detail"::jsonb;

-- The back office's review queue: documents awaiting review, oldest first (hand-written: partial).
CREATE INDEX "documents_awaiting_review" ON "documents"("created_at", "id") WHERE "status" = 'PENDING_REVIEW';
