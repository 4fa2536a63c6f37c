import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import type { Identifier } from '../../generated/prisma/client';
import type { IdentifierType } from '../../generated/prisma/enums';
import type { Tx } from '../../db/transaction';
import { IDENTIFIER_COLUMNS, calendarDay } from '../../db/rows';
import type { KeyedHash } from './identifier-values';

export interface NewIdentifier {
  clientId: string;
  type: IdentifierType;
  issuingCountry: string | null;
  valueEncrypted: Uint8Array;
  /** Under the current key: the hash the row is stored with. */
  hash: KeyedHash;
  /** The value's hashes under the ring's other keys, each of which must block it too. */
  otherHashes: readonly string[];
  last4: string;
  expiresOn: Date | null;
  createdAt: Date;
}

/**
 * Inserts an ACTIVE identifier unless an ACTIVE one holds the same value (under any key of the ring),
 * in one statement; null when one does. Under the current key the partial unique index decides (ON
 * CONFLICT waits for a concurrent insert of the value and then does nothing); under the others, the
 * caller's advisory locks on the hashes make concurrent adds take turns before this statement.
 */
export async function insertUnlessHeld(tx: Tx, identifier: NewIdentifier): Promise<Identifier | null> {
  const heldUnderOtherKeys =
    identifier.otherHashes.length === 0
      ? Prisma.empty
      : Prisma.sql`WHERE NOT EXISTS (SELECT 1 FROM identifiers WHERE status = 'ACTIVE' AND value_hash IN (${Prisma.join(identifier.otherHashes)}))`;
  const [inserted] = await tx.$queryRaw<Identifier[]>`
    INSERT INTO identifiers (id, client_id, type, issuing_country, value_encrypted, value_hash, value_hash_key_id, last4, expires_on, status, created_at)
    SELECT ${randomUUID()}::uuid, ${identifier.clientId}::uuid, ${identifier.type}::"IdentifierType", ${identifier.issuingCountry}::text,
           ${identifier.valueEncrypted}::bytea, ${identifier.hash.hash}::text, ${identifier.hash.keyId}::text, ${identifier.last4}::text,
           ${calendarDay(identifier.expiresOn)}::date, 'ACTIVE', ${identifier.createdAt}::timestamptz
    ${heldUnderOtherKeys}
    ON CONFLICT (value_hash) WHERE status = 'ACTIVE' DO NOTHING
    RETURNING ${IDENTIFIER_COLUMNS}`;
  return inserted ?? null;
}
