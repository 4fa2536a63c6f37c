-- Attempt limits: attempts counted against the limits that stop guessing (contact codes,
-- identifier duplicate checks), kept in the database so every server instance shares them.

-- One row per counted attempt. `subject` says whose attempts they are: a client id (and channel),
-- or an HMAC of an email address or phone number, never the address or number itself. A row
-- counts until `expires_at` (the attempt time plus the rule's window at the time) and may be
-- deleted after that.
CREATE TABLE "counted_attempts" (
    "id" BIGSERIAL NOT NULL,
    "rule" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "counted_attempts_pkey" PRIMARY KEY ("id")
);

-- Counting: the attempts of one rule and subject still in their window, newest first.
CREATE INDEX "counted_attempts_rule_subject_expires_at_idx" ON "counted_attempts"("rule", "subject", "expires_at");

-- Purging: the rows whose window has passed.
CREATE INDEX "counted_attempts_expires_at_idx" ON "counted_attempts"("expires_at");
