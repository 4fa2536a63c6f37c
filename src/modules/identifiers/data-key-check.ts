/**
 * The start-up key check: the database records a fingerprint of every data key it has been used
 * with, and a server whose keys do not fit those records refuses to start. Without it a second
 * server with another key would silently miss duplicates and fail to decrypt the first one's
 * identifiers.
 */
import type { IdentifierType } from '../../generated/prisma/enums';
import type { SqlDatabase } from '../../db/sql';
import { inTransaction } from '../../db/transaction';
import { KeyRing, SINGLE_KEY_ID } from '../../shared/keys';
import { documentKeysUnder } from '../documents/document-rekeying';
import { IdentifierVault } from './identifier-values';

export class DataKeyMismatchError extends Error {
  override name = 'DataKeyMismatchError';
}

/**
 * Checks the ring against the database's records and records the keys it does not know yet, in
 * one transaction that holds a lock on the records: servers starting at once on an empty database
 * take turns, so they can never record two different keys. Returns the ids recorded now.
 * Throws DataKeyMismatchError, every problem listed, when:
 * - a key's id is recorded with another key's fingerprint, or its key is recorded under another id;
 * - the database knows keys and the ring holds none of them;
 * - identifiers or document keys are still stored under a key id the ring lacks (dropped before
 *   keys:rotate finished);
 * - a key not yet recorded cannot decrypt the identifiers already stored under its id (a database
 *   written before keys were recorded, started with another key).
 */
export async function checkDataKeys(database: SqlDatabase, ring: KeyRing): Promise<string[]> {
  return inTransaction(database, async (tx) => {
    await tx.$executeRaw`LOCK TABLE data_keys IN SHARE ROW EXCLUSIVE MODE`;
    const rows = await tx.$queryRaw<Array<{ keyId: string; fingerprint: string }>>`SELECT key_id AS "keyId", fingerprint FROM data_keys`;
    const recorded = new Map(rows.map((row) => [row.keyId, row.fingerprint]));
    const problems: string[] = [];

    const known = ring.keys.filter((key) => recorded.get(key.id) === key.keys.fingerprint);
    if (recorded.size > 0 && known.length === 0) {
      problems.push(`none of the configured keys (${ring.keys.map((key) => key.id).join(', ')}) is a key this database was written with (${[...recorded.keys()].join(', ')})`);
    }
    for (const key of ring.keys) {
      const fingerprint = recorded.get(key.id);
      if (fingerprint !== undefined && fingerprint !== key.keys.fingerprint) {
        problems.push(`key ${key.id} is not the key this database recorded as ${key.id}`);
      }
      const recordedAs = [...recorded].find(([id, print]) => id !== key.id && print === key.keys.fingerprint)?.[0];
      if (recordedAs !== undefined) problems.push(`key ${key.id} is the key this database knows as ${recordedAs}: give it the id ${recordedAs}`);
    }

    const absent = [...new Set([...recorded.keys(), SINGLE_KEY_ID])].filter((id) => !ring.get(id));
    if (absent.length > 0) {
      const stillUsed = await tx.$queryRaw<Array<{ id: string; count: number }>>`
        SELECT value_hash_key_id AS id, count(*)::int AS count FROM identifiers
         WHERE value_hash_key_id = ANY(${absent}::text[]) GROUP BY value_hash_key_id ORDER BY value_hash_key_id`;
      for (const { id, count } of stillUsed) {
        problems.push(`${count} identifier(s) are still under key ${id}, which is not configured: keep it in the ring until npm run keys:rotate reports 0 for it`);
      }
      for (const { keyId, count } of await documentKeysUnder(tx, absent)) {
        problems.push(`${count} document(s) have their key still wrapped under key ${keyId}, which is not configured: keep it in the ring until npm run keys:rotate reports 0 for it`);
      }
    }

    const unrecorded = ring.keys.filter((key) => !recorded.has(key.id));
    const vault = new IdentifierVault(ring);
    for (const key of unrecorded) {
      const [sample] = await tx.$queryRaw<Array<{ type: IdentifierType; valueEncrypted: Uint8Array }>>`
        SELECT type, value_encrypted AS "valueEncrypted" FROM identifiers WHERE value_hash_key_id = ${key.id} LIMIT 1`;
      if (!sample || vault.keyIdOf(sample.valueEncrypted) !== key.id) continue;
      try {
        vault.decrypt(sample.type, sample.valueEncrypted);
      } catch {
        problems.push(`key ${key.id} cannot decrypt the identifiers this database already holds under ${key.id}`);
      }
    }

    if (problems.length > 0) {
      throw new DataKeyMismatchError(
        'The data encryption keys do not match this database. Set DATA_ENCRYPTION_KEY (or DATA_ENCRYPTION_KEYS) ' +
          `to the key(s) it was written with:\n  - ${problems.join('\n  - ')}`,
      );
    }
    if (unrecorded.length > 0) {
      await tx.$executeRaw`
        INSERT INTO data_keys (key_id, fingerprint)
        SELECT * FROM unnest(${unrecorded.map((key) => key.id)}::text[], ${unrecorded.map((key) => key.keys.fingerprint)}::text[])`;
    }
    return unrecorded.map((key) => key.id);
  });
}
