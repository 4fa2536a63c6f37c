/**
 * Key rotation for stored identifiers: re-encrypt and re-hash, under the ring's current key,
 * every identifier still under an older one. Safe while servers run: each batch is one short
 * transaction over rows it locked with SKIP LOCKED, so it never waits on (or blocks for long) a
 * request that holds one of them, and servers keep finding duplicates under either key meanwhile.
 */
import type { IdentifierStatus, IdentifierType } from '../../generated/prisma/enums';
import type { Database } from '../../db/database';
import { inTransaction } from '../../db/transaction';
import type { KeyRing } from '../../shared/keys';
import { IdentifierVault } from './identifier-values';

export interface RekeyOptions {
  batchSize?: number;
  /** After every committed batch: identifiers re-keyed so far, of how many there were to do. */
  onProgress?: (done: number, total: number) => void;
  /** How long to wait before looking again when every remaining row is locked by a request. */
  retryDelayMs?: number;
}

export interface RekeyReport {
  rekeyed: number;
  /** Identifiers left under each old key of the ring; 0 means that key may be dropped. */
  remaining: Array<{ keyId: string; count: number }>;
  /** ACTIVE identifiers left under an old key because another ACTIVE identifier holds the same value. */
  duplicates: Array<{ id: string; duplicateOf: string }>;
}

const GIVE_UP_AFTER_EMPTY_BATCHES = 20;

export async function rekeyIdentifiers(database: Database, ring: KeyRing, options: RekeyOptions = {}): Promise<RekeyReport> {
  const { prisma } = database;
  const { batchSize = 500, onProgress = () => undefined, retryDelayMs = 250 } = options;
  const vault = new IdentifierVault(ring);
  const current = ring.current.id;
  const oldIds = ring.keys.slice(1).map((key) => key.id);
  const countRemaining = () => prisma.identifier.count({ where: { valueHashKeyId: { in: oldIds } } });

  const total = oldIds.length > 0 ? await countRemaining() : 0;
  let done = 0;
  let emptyBatches = 0;
  const duplicates: RekeyReport['duplicates'] = [];
  while (oldIds.length > 0) {
    const skip = duplicates.map((d) => d.id);
    const moved = await inTransaction(database, async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: string; type: IdentifierType; issuingCountry: string | null; valueEncrypted: Uint8Array; status: IdentifierStatus }>>`
        SELECT id, type, issuing_country AS "issuingCountry", value_encrypted AS "valueEncrypted", status FROM identifiers
         WHERE value_hash_key_id = ANY(${oldIds}::text[]) AND id <> ALL(${skip}::uuid[])
         LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
      const rekeyed = rows.map((row) => {
        const value = vault.decrypt(row.type, row.valueEncrypted);
        return { row, value, hash: vault.uniquenessHash(row.type, row.issuingCountry, value) };
      });
      // Two ACTIVE identifiers of one value under different keys (possible only if a server ran
      // without one of the keys) cannot share a hash: leave the later one for a person to resolve.
      const activeHolders = new Map(
        (await tx.$queryRaw<Array<{ id: string; valueHash: string }>>`
          SELECT id, value_hash AS "valueHash" FROM identifiers
           WHERE status = 'ACTIVE' AND value_hash = ANY(${rekeyed.filter((r) => r.row.status === 'ACTIVE').map((r) => r.hash)}::text[])`).map((holder) => [holder.valueHash, holder.id]),
      );
      let count = 0;
      for (const { row, value, hash } of rekeyed) {
        const holder = activeHolders.get(hash);
        if (row.status === 'ACTIVE' && holder !== undefined && holder !== row.id) {
          duplicates.push({ id: row.id, duplicateOf: holder });
          continue;
        }
        if (row.status === 'ACTIVE') activeHolders.set(hash, row.id);
        await tx.$executeRaw`
          UPDATE identifiers SET value_encrypted = ${new Uint8Array(vault.encrypt(row.type, value))}, value_hash = ${hash}, value_hash_key_id = ${current}
           WHERE id = ${row.id}::uuid`;
        count += 1;
      }
      return { count, seen: rows.length };
    });
    if (moved.count > 0) {
      done += moved.count;
      onProgress(done, Math.max(total, done));
    }
    if (moved.seen > 0) {
      emptyBatches = 0;
      continue;
    }
    // Nothing lockable: finished, or the rest is held by running requests for a moment.
    if ((await countRemaining()) <= duplicates.length || ++emptyBatches >= GIVE_UP_AFTER_EMPTY_BATCHES) break;
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
  }

  const counts = await prisma.identifier.groupBy({ by: ['valueHashKeyId'], where: { valueHashKeyId: { in: oldIds } }, _count: { _all: true } });
  const remaining = oldIds.map((keyId) => ({ keyId, count: counts.find((c) => c.valueHashKeyId === keyId)?._count._all ?? 0 }));
  return { rekeyed: done, remaining, duplicates };
}
