-- Key ring: the data keys this database has seen, and which key each identifier is under.

-- One row per key id: a fingerprint (keyed hash of a constant), never the key. Servers record
-- their keys at start-up and refuse to start when a key differs from the recorded one.
CREATE TABLE "data_keys" (
    "key_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_keys_pkey" PRIMARY KEY ("key_id")
);

-- Every identifier written so far is under DATA_ENCRYPTION_KEY, whose id is k1. The application
-- names the key on every write; the default keeps servers of the previous release (one key, k1)
-- working during a rolling upgrade.
ALTER TABLE "identifiers" ADD COLUMN "value_hash_key_id" TEXT NOT NULL DEFAULT 'k1';

-- keys:rotate finds the identifiers still under an old key, and the key check whether any remain.
CREATE INDEX "identifiers_value_hash_key_id_idx" ON "identifiers"("value_hash_key_id");
