/**
 * Upkeep of stored document keys, safe while servers run (SKIP LOCKED: several servers, or a
 * server and `keys:rotate`, share the work instead of waiting on each other):
 * - rows written in clear by releases before document encryption are encrypted, one per
 *   transaction (a row may hold 10 MiB), by every server after it starts and by keys:rotate;
 * - key rotation re-wraps each document's data key under the ring's current key, reading and
 *   writing only the wrapped key, never the bytes.
 */
import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import type { Sql, SqlDatabase } from '../../db/sql';
import { inTransaction } from '../../db/transaction';
import { DocumentVault } from './document-encryption';

export interface ClearDocumentsOptions {
  /** After every document encrypted: how many so far. */
  onProgress?: (done: number) => void;
  /** Checked before each document: true ends the pass early (the server is stopping). */
  stopRequested?: () => boolean;
}

/** Encrypts the rows still in clear; returns how many it encrypted. */
export async function encryptClearDocuments(database: SqlDatabase, vault: DocumentVault, options: ClearDocumentsOptions = {}): Promise<number> {
  const { onProgress = () => undefined, stopRequested = () => false } = options;
  let done = 0;
  while (!stopRequested()) {
    const encrypted = await inTransaction(database, async (tx) => {
      const [row] = await tx.$queryRaw<Array<{ key: string; content: string }>>`
        SELECT key, encode(content, 'base64') AS content FROM document_blobs
         WHERE wrap_key_id IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED`;
      if (!row) return false;
      const sealed = vault.seal(row.key, Buffer.from(row.content, 'base64'));
      await tx.$executeRaw`
        UPDATE document_blobs
           SET content = decode(${sealed.content.toString('base64')}, 'base64'),
               wrapped_key = decode(${sealed.wrappedKey.toString('base64')}, 'base64'),
               wrap_key_id = ${sealed.keyId}
         WHERE key = ${row.key}`;
      return true;
    });
    // None left, or the rest is being encrypted by another server right now.
    if (!encrypted) break;
    onProgress(++done);
  }
  return done;
}

export interface RewrapOptions {
  batchSize?: number;
  /** After every committed batch: document keys re-wrapped so far. */
  onProgress?: (done: number) => void;
}

/** Where wrapped document keys are stored: format-1 rows (bytes beside the key) and format-2 file rows. */
const WRAPPED_KEY_TABLES = [Prisma.raw('document_blobs'), Prisma.raw('document_objects')];

/** Re-wraps, under the current key, every document key wrapped under one of `oldKeyIds`. */
export async function rewrapDocumentKeys(database: SqlDatabase, vault: DocumentVault, oldKeyIds: string[], options: RewrapOptions = {}): Promise<number> {
  const { batchSize = 500, onProgress = () => undefined } = options;
  if (oldKeyIds.length === 0) return 0;
  let done = 0;
  for (const table of WRAPPED_KEY_TABLES) {
    for (;;) {
      const moved = await inTransaction(database, async (tx) => {
        const rows = await tx.$queryRaw<Array<{ key: string; wrapped_key: string; wrap_key_id: string }>>`
          SELECT key, encode(wrapped_key, 'base64') AS wrapped_key, wrap_key_id FROM ${table}
           WHERE wrap_key_id = ANY(${oldKeyIds}) LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
        for (const row of rows) {
          const rewrapped = vault.rewrap(row.key, { wrappedKey: Buffer.from(row.wrapped_key, 'base64'), keyId: row.wrap_key_id });
          await tx.$executeRaw`
            UPDATE ${table}
               SET wrapped_key = decode(${rewrapped.wrappedKey.toString('base64')}, 'base64'), wrap_key_id = ${rewrapped.keyId}
             WHERE key = ${row.key}`;
        }
        return rows.length;
      });
      // None left, or the rest is being re-wrapped by another keys:rotate right now.
      if (moved === 0) break;
      done += moved;
      onProgress(done);
    }
  }
  return done;
}

/** How many documents have their key wrapped under each of `keyIds` (ids with none are left out). */
export async function documentKeysUnder(db: Sql, keyIds: string[]): Promise<Array<{ keyId: string; count: number }>> {
  if (keyIds.length === 0) return [];
  const rows = await db.$queryRaw<Array<{ keyId: string; count: number }>>`
    SELECT wrap_key_id AS "keyId", count(*)::int AS count
      FROM (SELECT wrap_key_id FROM document_blobs UNION ALL SELECT wrap_key_id FROM document_objects) AS wrapped
     WHERE wrap_key_id = ANY(${keyIds}) GROUP BY wrap_key_id ORDER BY wrap_key_id`;
  return rows;
}

/** How many documents are still stored in clear (written before document encryption). */
export function clearDocumentCount(prisma: PrismaClient): Promise<number> {
  return prisma.documentBlob.count({ where: { wrapKeyId: null } });
}
