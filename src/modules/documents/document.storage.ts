import type { PrismaClient } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';

/**
 * Where document bytes live. The default keeps them in the database, written in the same
 * transaction as the document row; an object-storage implementation can replace it.
 */
export interface DocumentStorage {
  put(tx: Tx, key: string, content: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
}

/**
 * The bytes travel as base64 text, encoded and decoded by the database: the embedded (PGlite)
 * driver converts bytea parameters and results byte by byte, which takes many seconds for a
 * 10 MiB file (long enough to reach the transaction timeout), against milliseconds this way.
 */
export class DatabaseDocumentStorage implements DocumentStorage {
  constructor(private readonly prisma: PrismaClient) {}

  async put(tx: Tx, key: string, content: Buffer): Promise<void> {
    await tx.$executeRaw`INSERT INTO document_blobs (key, content) VALUES (${key}, decode(${content.toString('base64')}, 'base64'))`;
  }

  async get(key: string): Promise<Buffer | null> {
    const rows = await this.prisma.$queryRaw<Array<{ content: string }>>`
      SELECT encode(content, 'base64') AS content FROM document_blobs WHERE key = ${key}`;
    return rows.length > 0 ? Buffer.from(rows[0].content, 'base64') : null;
  }
}
