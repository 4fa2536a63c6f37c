import type { PrismaClient } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import { DocumentVault } from './document-encryption';

/**
 * Where document bytes live. The default keeps them in the database, written in the same
 * transaction as the document row; an object-storage implementation can replace it. Either way
 * the bytes are stored encrypted (DocumentVault): callers put and get plaintext.
 */
export interface DocumentStorage {
  put(tx: Tx, key: string, content: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
}

/** A document_blobs row as read back: content in base64; no wrapped key means it is in clear. */
export interface StoredBlobRow {
  content: string;
  wrapped_key: string | null;
  wrap_key_id: string | null;
}

/**
 * The bytes travel as base64 text, encoded and decoded by the database: the embedded (PGlite)
 * driver converts bytea parameters and results byte by byte, which takes many seconds for a
 * 10 MiB file (long enough to reach the transaction timeout), against milliseconds this way.
 *
 * Rows written before document encryption (wrap_key_id NULL) are read as they are, until the
 * start-up pass or `keys:rotate` encrypts them (encryptClearDocuments in document-rekeying.ts).
 */
export class DatabaseDocumentStorage implements DocumentStorage {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly vault: DocumentVault,
  ) {}

  async put(tx: Tx, key: string, content: Buffer): Promise<void> {
    const sealed = this.vault.seal(key, content);
    await tx.$executeRaw`
      INSERT INTO document_blobs (key, content, wrapped_key, wrap_key_id)
      VALUES (${key}, decode(${sealed.content.toString('base64')}, 'base64'), decode(${sealed.wrappedKey.toString('base64')}, 'base64'), ${sealed.keyId})`;
  }

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
