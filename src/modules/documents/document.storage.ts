import type { PrismaClient } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import { DocumentVault } from './document-encryption';

/**
 * Where document bytes live: the port, with two adapters: the database (the default, also on
 * PGlite) and S3-compatible object storage (s3-storage.ts). Adapters store and return sealed
 * chunks (sealed-chunks.ts) as opaque bytes: nothing in clear ever reaches them, except the
 * object a presigned direct upload puts in the bucket (see `DirectUploads`).
 */
export interface DocumentStorage {
  readonly kind: 'database' | 's3';
  /**
   * True when writes can join a database transaction (`tx`): the bytes then commit or roll back
   * with the document row. Otherwise they are written first, and deleted if the change fails.
   */
  readonly transactional: boolean;
  /** Stores the sealed chunks of `key`, in order, replacing anything stored under it. */
  writeChunks(key: string, chunks: AsyncIterable<Buffer>, sealedBytes: number, tx?: Tx): Promise<void>;
  /**
   * The sealed chunks first..last (inclusive) of `key`, in order, each as written (a whole chunk is
   * SEALED_CHUNK_BYTES; the file's last one is shorter). `sealedBytes`: the object's whole size.
   */
  readChunks(key: string, first: number, last: number, sealedBytes: number): AsyncIterable<Buffer>;
  /** Deletes what is stored under `keys`; a key with nothing stored is fine. */
  delete(keys: string[]): Promise<void>;
  /** Present only where clients may upload straight to storage (presigned object-storage URLs). */
  readonly direct?: DirectUploads;
}

/** Presigned uploads straight to object storage: the bytes arrive as sent, in clear. */
export interface DirectUploads {
  /** A URL that accepts a PUT of the file under `key` for `expiresInSeconds` (storage's clock). */
  presignPut(key: string, contentType: string, sizeBytes: number, expiresInSeconds: number): Promise<string>;
  /** The size of what was put under `key`, or null when nothing was. */
  sizeOf(key: string): Promise<number | null>;
  /** The bytes put under `key`, as a stream. */
  read(key: string): Promise<AsyncIterable<Buffer>>;
}

/** Sealed chunks written to the database per statement: ~1 MiB, so a 10 MiB file never sits in one parameter. */
const CHUNKS_PER_STATEMENT = 16;

/**
 * The database adapter: one document_chunks row per sealed chunk. Chunks travel as base64 text,
 * encoded and decoded by the database: the embedded (PGlite) driver converts bytea parameters and
 * results byte by byte, which takes seconds for a 10 MiB file, against milliseconds this way.
 */
export class DatabaseDocumentStorage implements DocumentStorage {
  readonly kind = 'database';
  readonly transactional = true;

  constructor(private readonly prisma: PrismaClient) {}

  async writeChunks(key: string, chunks: AsyncIterable<Buffer>, _sealedBytes: number, tx?: Tx): Promise<void> {
    const db = tx ?? this.prisma;
    await db.$executeRaw`DELETE FROM document_chunks WHERE key = ${key}`;
    let seq = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await db.$executeRaw`
        INSERT INTO document_chunks (key, seq, content)
        SELECT ${key}, ${seq - batch.length}::int + ordinality::int - 1, decode(chunk, 'base64')
          FROM unnest(${batch}::text[]) WITH ORDINALITY AS chunk`;
      batch = [];
    };
    for await (const chunk of chunks) {
      batch.push(chunk.toString('base64'));
      seq++;
      if (batch.length === CHUNKS_PER_STATEMENT) await flush();
    }
    await flush();
  }

  async *readChunks(key: string, first: number, last: number): AsyncGenerator<Buffer> {
    for (let from = first; from <= last; from += CHUNKS_PER_STATEMENT) {
      const to = Math.min(last, from + CHUNKS_PER_STATEMENT - 1);
      const rows = await this.prisma.$queryRaw<Array<{ seq: number; content: string }>>`
        SELECT seq, encode(content, 'base64') AS content FROM document_chunks
         WHERE key = ${key} AND seq BETWEEN ${from}::int AND ${to}::int ORDER BY seq`;
      for (const [offset, row] of rows.entries()) {
        if (row.seq !== from + offset) throw new Error(`document chunk ${from + offset} of ${key} is missing`);
        yield Buffer.from(row.content, 'base64');
      }
      if (rows.length !== to - from + 1) throw new Error(`document chunks ${from}..${to} of ${key} are missing`);
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.prisma.$executeRaw`DELETE FROM document_chunks WHERE key = ANY(${keys}::text[])`;
  }
}

/** A document_blobs row as read back: content in base64; no wrapped key means it is in clear. */
export interface StoredBlobRow {
  content: string;
  wrapped_key: string | null;
  wrap_key_id: string | null;
}

/**
 * Documents stored before sealed chunks (format 1: one document_blobs row, the whole file sealed
 * at once), read whole. Rows written before document encryption (wrap_key_id NULL) are read as
 * they are, until the start-up pass or `keys:rotate` encrypts them (document-rekeying.ts).
 */
export class LegacyDocumentBlobs {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly vault: DocumentVault,
  ) {}

  async get(key: string): Promise<Buffer | null> {
    const rows = await this.prisma.$queryRaw<StoredBlobRow[]>`
      SELECT encode(content, 'base64') AS content, encode(wrapped_key, 'base64') AS wrapped_key, wrap_key_id
        FROM document_blobs WHERE key = ${key}`;
    return rows.length > 0 ? this.plaintextOf(key, rows[0]) : null;
  }

  private plaintextOf(key: string, row: StoredBlobRow): Buffer {
    const content = Buffer.from(row.content, 'base64');
    if (row.wrap_key_id === null || row.wrapped_key === null) return content;
    return this.vault.open(key, { content, wrappedKey: Buffer.from(row.wrapped_key, 'base64'), keyId: row.wrap_key_id });
  }
}
