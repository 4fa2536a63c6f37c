-- Idempotency keys (src/db/idempotency-keys.ts): one row per caller and Idempotency-Key header,
-- claimed in the transaction of the mutation's effects and completed with its response.

-- `caller` scopes the key to who sent it ("staff:<token subject>" or "self:<client id>"), so one
-- caller's key never answers another's request. `request_hash` is the SHA-256 of the operation and
-- its variables (canonical JSON). `state` is RUNNING from the claim until the response is written,
-- then DONE. `response` is the GraphQL response body as sent: `json`, not `jsonb`, so a replay keeps
-- the key order of the first answer byte for byte. A row is answered until `expires_at` (24 hours
-- after `created_at`) and purged after it.
CREATE TABLE "idempotency_keys" (
    "caller" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "response" JSON,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller", "key"),
    CONSTRAINT "idempotency_keys_state_check" CHECK ("state" IN ('RUNNING', 'DONE'))
);

-- Purging: the rows whose 24 hours have passed.
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys"("expires_at");
