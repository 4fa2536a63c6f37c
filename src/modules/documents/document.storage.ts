import type { PrismaClient } from '../../generated/prisma/client';
import type { DatabaseDriver } from '../../db/database';
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
  /** For `/health/ready`, where the storage is a service of its own: resolves when it answers. */
  ready?(): Promise<void>;
  /** At shutdown, where the storage holds connections of its own. */
  close?(): void;
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

/** Sealed chunks written or read per statement: ~1 MiB, so a 10 MiB file never sits in one message. */
const CHUNKS_PER_STATEMENT = 16;

/**
 * The database adapter: one document_chunks row per sealed chunk. Outside a transaction the
 * statements go straight to the driver (Database.driver), not through Prisma, whose copies of each
 * parameter and row held several times a file's size in memory: on PostgreSQL chunks are written
 * as binary parameters; reads, and writes on PGlite, carry base64 text that the database encodes
 * and decodes (PGlite's driver converts bytea byte by byte: seconds and hundreds of MB for 10 MiB).
 * Inside a transaction (a base64 addDocument) they go through the transaction's statements, as base64 text.
 */
export class DatabaseDocumentStorage implements DocumentStorage {
  readonly kind = 'database';
  readonly transactional = true;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly driver: DatabaseDriver,
  ) {}

  async writeChunks(key: string, chunks: AsyncIterable<Buffer>, _sealedBytes: number, tx?: Tx): Promise<void> {
    const insert = tx ? (first: number, batch: Buffer[]) => insertInTransaction(tx, key, first, batch) : (first: number, batch: Buffer[]) => this.insert(key, first, batch);
    await this.deleteChunks([key], tx);
    let seq = 0;
    let batch: Buffer[] = [];
    for await (const chunk of chunks) {
      batch.push(chunk);
      if (batch.length === CHUNKS_PER_STATEMENT) {
        await insert(seq, batch);
        seq += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await insert(seq, batch);
  }

  async *readChunks(key: string, first: number, last: number): AsyncGenerator<Buffer> {
    for (let from = first; from <= last; from += CHUNKS_PER_STATEMENT) {
      const to = Math.min(last, from + CHUNKS_PER_STATEMENT - 1);
      const rows = await this.select(key, from, to);
      for (const [offset, row] of rows.entries()) {
        if (row.seq !== from + offset) throw new Error(`document chunk ${from + offset} of ${key} is missing`);
        yield row.content;
      }
      if (rows.length !== to - from + 1) throw new Error(`document chunks ${from}..${to} of ${key} are missing`);
    }
  }

  delete(keys: string[]): Promise<void> {
    return this.deleteChunks(keys);
  }

  private async deleteChunks(keys: string[], tx?: Tx): Promise<void> {
    if (keys.length === 0) return;
    if (tx) await tx.$executeRaw`DELETE FROM document_chunks WHERE key = ANY(${keys}::text[])`;
    else if (this.driver.kind === 'postgres') await this.driver.pool.query('DELETE FROM document_chunks WHERE key = ANY($1::text[])', [keys]);
    else await this.driver.pglite.query('DELETE FROM document_chunks WHERE key = ANY($1::text[])', [keys]);
  }

  private async insert(key: string, first: number, batch: Buffer[]): Promise<void> {
    const postgres = this.driver.kind === 'postgres';
    const rows = batch.map((_, i) => `($1, ${first + i}, ${postgres ? `$${i + 2}` : `decode($${i + 2}, 'base64')`})`).join(', ');
    const sql = `INSERT INTO document_chunks (key, seq, content) VALUES ${rows}`;
    if (this.driver.kind === 'postgres') await this.driver.pool.query(sql, [key, ...batch]);
    else await this.driver.pglite.query(sql, [key, ...batch.map((chunk) => chunk.toString('base64'))]);
  }

  private async select(key: string, from: number, to: number): Promise<Array<{ seq: number; content: Buffer }>> {
    // Base64 text, not bytea: pg's text form of bytea is hex (twice the size, and a large-object
    // string per chunk), and its per-query binary results decode fields as UTF-8 text.
    const sql = `SELECT seq, encode(content, 'base64') AS content FROM document_chunks WHERE key = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`;
    const rows =
      this.driver.kind === 'postgres'
        ? (await this.driver.pool.query<{ seq: number; content: string }>(sql, [key, from, to])).rows
        : (await this.driver.pglite.query<{ seq: number; content: string }>(sql, [key, from, to])).rows;
    return rows.map((row) => ({ seq: row.seq, content: Buffer.from(row.content, 'base64') }));
  }
}

/** Chunks written in a transaction (a base64 addDocument), as base64 text. */
async function insertInTransaction(tx: Tx, key: string, first: number, batch: Buffer[]): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO document_chunks (key, seq, content)
    SELECT ${key}, ${first}::int + ordinality::int - 1, decode(chunk, 'base64')
      FROM unnest(${batch.map((chunk) => chunk.toString('base64'))}::text[]) WITH ORDINALITY AS chunk`;
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
