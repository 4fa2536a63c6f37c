import type { Document } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import { DOCUMENT_COLUMNS, calendarDay } from '../../db/rows';

/** A document about to be recorded: it starts PENDING_REVIEW, never reviewed. */
export type NewDocument = Omit<Document, 'status' | 'rejectionReason' | 'reviewedAt'>;

/** Records a document, PENDING_REVIEW; returns the row as stored. */
export async function insertDocument(tx: Tx, document: NewDocument): Promise<Document> {
  const [row] = await tx.$queryRaw<Document[]>`
    INSERT INTO documents (id, client_id, type, file_name, content_type, size_bytes, sha256, storage_key, status, expires_on, created_at)
    VALUES (${document.id}::uuid, ${document.clientId}::uuid, ${document.type}::"DocumentType", ${document.fileName}::text,
            ${document.contentType}::text, ${document.sizeBytes}::integer, ${document.sha256}::text, ${document.storageKey}::text,
            'PENDING_REVIEW', ${calendarDay(document.expiresOn)}::date, ${document.createdAt}::timestamptz)
    RETURNING ${DOCUMENT_COLUMNS}`;
  return row;
}

/** Records a review decision on a document; returns the row as stored. */
export async function reviewDocument(tx: Tx, id: string, review: Pick<Document, 'status' | 'rejectionReason' | 'reviewedAt'>): Promise<Document> {
  const [row] = await tx.$queryRaw<Document[]>`
    UPDATE documents
       SET status = ${review.status}::"DocumentStatus", rejection_reason = ${review.rejectionReason}::text,
           reviewed_at = ${review.reviewedAt}::timestamptz
     WHERE id = ${id}::uuid
    RETURNING ${DOCUMENT_COLUMNS}`;
  return row;
}
