-- Transactional outbox: what must leave this server after a commit (events for integrators,
-- contact codes for the email/SMS provider), written in the same transaction as the change.
-- src/modules/events/outbox-dispatcher.ts delivers the rows after commit.

CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'DELIVERED', 'DEAD', 'DISCARDED');

CREATE TABLE "outbox_events" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    -- CLIENT_EVENT: a history event for EVENT_WEBHOOK_URL; CONTACT_CODE: a code for the contact delivery.
    "topic" TEXT NOT NULL,
    "client_id" UUID NOT NULL,
    -- CLIENT_EVENT: the webhook payload; CONTACT_CODE: a reference to the challenge (never the code).
    "payload" JSONB NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    -- A dispatcher delivering the row holds it until then; another takes it over only after.
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    -- Retries run for a while from here; npm run events:retry sets it again for a dead row.
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("seq")
);

CREATE UNIQUE INDEX "outbox_events_id_key" ON "outbox_events"("id");
-- The dispatcher's claim: the oldest pending row of each topic and client.
CREATE INDEX "outbox_events_status_topic_client_id_seq_idx" ON "outbox_events"("status", "topic", "client_id", "seq");
-- The purge of finished rows.
CREATE INDEX "outbox_events_status_finished_at_idx" ON "outbox_events"("status", "finished_at");

-- A contact code waits for delivery sealed (AES-256-GCM under a key of the ring), never in clear;
-- the dispatcher clears it once the code went out.
ALTER TABLE "contact_challenges" ADD COLUMN "code_sealed" BYTEA;
ALTER TABLE "contact_challenges" ADD COLUMN "code_key_id" TEXT;

-- Every history event fills the outbox by trigger, in the same statement as the history insert:
-- no extra round trip per mutation. The payload is the event's non-personal detail (history
-- holds no names, contacts, codes or identifier values) plus its status change.
-- A CONTACT_VERIFICATION_REQUESTED event also queues the code's delivery, referring to the
-- challenge by client, channel and the instant it was made (the event's occurred_at).
CREATE FUNCTION "outbox_events_from_client_events"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  occurred TEXT := to_char(NEW."occurred_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
  INSERT INTO "outbox_events" ("id", "topic", "client_id", "payload")
  VALUES (NEW."id", 'CLIENT_EVENT', NEW."client_id", jsonb_build_object(
    'id', NEW."id",
    'type', NEW."type",
    'clientId', NEW."client_id",
    'occurredAt', occurred,
    'data', COALESCE(NEW."detail", '{}'::jsonb)
            || jsonb_strip_nulls(jsonb_build_object('fromStatus', NEW."from_status", 'toStatus', NEW."to_status"))
  ));
  IF NEW."type" = 'CONTACT_VERIFICATION_REQUESTED' THEN
    INSERT INTO "outbox_events" ("id", "topic", "client_id", "payload")
    VALUES (gen_random_uuid(), 'CONTACT_CODE', NEW."client_id",
            jsonb_build_object('channel', NEW."detail"->>'channel', 'requestedAt', occurred));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "client_events_fill_outbox"
  AFTER INSERT ON "client_events"
  FOR EACH ROW EXECUTE FUNCTION "outbox_events_from_client_events"();
