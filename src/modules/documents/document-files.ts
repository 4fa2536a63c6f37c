import type { PrismaClient } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import { DocumentVault } from './document-encryption';
import { DocumentStorage, LegacyDocumentBlobs } from './document.storage';
import { CHUNK_BYTES, ChunkCipher, ChunkSealer, SealedSummary, chunksFor, openRange, sealedSize } from './sealed-chunks';

/** A stored file, opened for reading: its size, and any byte range of it as a stream. */
export interface StoredFile {
  sizeBytes: number;
  /** Plaintext bytes start..end (inclusive), each chunk checked before it is yielded. */
  read(start: number, end: number): AsyncIterable<Buffer>;
}

/** The file had a size other than the one declared; nothing of it is kept. */
export class SizeMismatchError extends Error {
  override name = 'SizeMismatchError';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`expected ${expected} bytes, got ${actual}`);
  }
}

interface ObjectRow {
  size_bytes: number;
  chunk_bytes: number;
  wrapped_key: string;
  wrap_key_id: string;
}

/**
 * Document files: sealed with a data key of their own (sealed-chunks.ts), bytes behind the storage
 * port, and one document_objects row (size, wrapped key) in the database whatever the adapter.
 * Callers read and write plaintext streams.
 */
export class DocumentFiles {
  private readonly legacy: LegacyDocumentBlobs;

  constructor(
    private readonly prisma: PrismaClient,
    readonly storage: DocumentStorage,
    private readonly vault: DocumentVault,
  ) {
    this.legacy = new LegacyDocumentBlobs(prisma, vault);
  }

  /**
   * Seals `source` (exactly `sizeBytes` bytes, else SizeMismatchError or TooManyBytesError) under
   * `key`. With `tx` and a transactional storage, bytes and row are written in that transaction;
   * otherwise the caller deletes the file (`delete`) when what it belongs to fails.
   */
  async write(key: string, source: AsyncIterable<Buffer | Uint8Array | string>, sizeBytes: number, tx?: Tx): Promise<SealedSummary> {
    const { dataKey, wrappedKey, keyId } = this.vault.newDataKey(key);
    const cipher = new ChunkCipher(dataKey, key);
    const sealer = new ChunkSealer(cipher, sizeBytes);
    const inTx = this.storage.transactional ? tx : undefined;
    // Outside a transaction (which rolls back on its own), nothing half-written may stay behind.
    const discard = async () => {
      if (!inTx) await this.storage.delete([key]).catch(() => undefined);
    };
    try {
      await this.storage.writeChunks(key, sealer.seal(source), sealedSize(sizeBytes), inTx);
    } catch (error) {
      await discard();
      // A storage that knows the sealed size up front refuses a short file itself: say what it was.
      const seen = sealer.finished;
      if (seen && seen.sizeBytes !== sizeBytes) throw new SizeMismatchError(sizeBytes, seen.sizeBytes);
      throw error;
    } finally {
      cipher.dispose();
    }
    const summary = sealer.summary;
    if (summary.sizeBytes !== sizeBytes) {
      await discard();
      throw new SizeMismatchError(sizeBytes, summary.sizeBytes);
    }
    await (tx ?? this.prisma).$executeRaw`
      INSERT INTO document_objects (key, size_bytes, chunk_bytes, wrapped_key, wrap_key_id)
      VALUES (${key}, ${sizeBytes}, ${CHUNK_BYTES}, decode(${wrappedKey.toString('base64')}, 'base64'), ${keyId})
      ON CONFLICT (key) DO UPDATE SET size_bytes = EXCLUDED.size_bytes, chunk_bytes = EXCLUDED.chunk_bytes,
        wrapped_key = EXCLUDED.wrapped_key, wrap_key_id = EXCLUDED.wrap_key_id`;
    return summary;
  }

  /** The file under `key` (format 2, or a format-1 document_blobs row), or null when there is none. */
  async open(key: string): Promise<StoredFile | null> {
    const [row] = await this.prisma.$queryRaw<ObjectRow[]>`
      SELECT size_bytes, chunk_bytes, encode(wrapped_key, 'base64') AS wrapped_key, wrap_key_id
        FROM document_objects WHERE key = ${key}`;
    if (row) return this.chunkedFile(key, row);
    const whole = await this.legacy.get(key);
    if (!whole) return null;
    return {
      sizeBytes: whole.length,
      read: (start, end) => (async function* () {
        yield whole.subarray(start, end + 1);
      })(),
    };
  }

  /**
   * Runs `change`, keeping the files under `keys` (written before it, outside its transaction) only
   * when it succeeds: when it throws or fails, they are deleted (best effort; the answer stands).
   */
  async keptIfDone<R extends { ok: boolean }>(keys: string[], change: () => Promise<R>): Promise<R> {
    let result: R;
    try {
      result = await change();
    } catch (error) {
      await this.delete(keys).catch(() => undefined);
      throw error;
    }
    if (!result.ok) await this.delete(keys).catch(() => undefined);
    return result;
  }

  /** Deletes the files under `keys`: bytes first, then their rows. */
  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.storage.delete(keys);
    await this.prisma.$executeRaw`DELETE FROM document_objects WHERE key = ANY(${keys}::text[])`;
  }

  private chunkedFile(key: string, row: ObjectRow): StoredFile {
    const { vault, storage } = this;
    const sizeBytes = row.size_bytes;
    const chunkBytes = row.chunk_bytes;
    return {
      sizeBytes,
      read: (start, end) => (async function* () {
        const cipher = new ChunkCipher(vault.openDataKey(key, { wrappedKey: Buffer.from(row.wrapped_key, 'base64'), keyId: row.wrap_key_id }), key);
        try {
          const { first, last } = chunksFor(start, end, chunkBytes);
          yield* openRange(cipher, storage.readChunks(key, first, last, sealedSize(sizeBytes, chunkBytes)), sizeBytes, start, end, chunkBytes);
        } finally {
          cipher.dispose();
        }
      })(),
    };
  }
}
