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

export class DatabaseDocumentStorage implements DocumentStorage {
  constructor(private readonly prisma: PrismaClient) {}

  async put(tx: Tx, key: string, content: Buffer): Promise<void> {
    await tx.documentBlob.create({ data: { key, content: new Uint8Array(content) } });
  }

  async get(key: string): Promise<Buffer | null> {
    const blob = await this.prisma.documentBlob.findUnique({ where: { key } });
    return blob ? Buffer.from(blob.content) : null;
  }
}
