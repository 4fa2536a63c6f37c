/**
 * Direct uploads (issue 11): `createDocumentUpload` reserves a single-use slot and answers a signed
 * URL valid UPLOAD_TTL_SECONDS; the file is PUT there as raw bytes (streamed, sealed chunk by chunk,
 * never held whole), or, with object storage and S3_DIRECT_UPLOADS, straight to the bucket through
 * a presigned URL; `addDocument(uploadId)` then checks what arrived and consumes the slot. Slots not
 * consumed in time are swept with their bytes.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../../db/sql';
import { Tx, inTransaction } from '../../db/transaction';
import { Actor, actsOn } from '../../shared/actor';
import { ClientNotFound, RateLimited, Result, ValidationFailure, clientNotFound, fail, isUuid, ok, rateLimited, validationFailure } from '../../shared/result';
import { FieldErrorCode, FieldErrors } from '../../shared/validation';
import { AttemptLimits } from '../limits/attempt-limits';
import { MAX_DOCUMENT_BYTES, acceptedContentType } from './document-content';
import { DocumentFiles, SizeMismatchError } from './document-files';
import { SignedLinks } from './download-links';
import { TooManyBytesError } from './sealed-chunks';

/** How long an upload URL, and the slot behind it, stays valid. */
export const UPLOAD_TTL_SECONDS = 15 * 60;
/** Expired slots are swept this long after they expire: a PUT still streaming at expiry has finished by then. */
const SWEEP_GRACE_MS = 5 * 60 * 1000;
const SWEEP_BATCH = 100;

export interface CreateDocumentUploadData {
  clientId: string;
  contentType: string;
  sizeBytes: number;
  sha256?: string | null;
}

export interface DocumentUploadCreated {
  uploadId: string;
  uploadUrl: string;
  expiresAt: Date;
}

/** A document_uploads row as the services use it. */
export interface UploadRow {
  id: string;
  client_id: string;
  content_type: string;
  size_bytes: number;
  sha256: string | null;
  storage_key: string;
  direct: boolean;
  status: 'CREATED' | 'RECEIVING' | 'RECEIVED' | 'CONSUMED';
  received_bytes: number | null;
  received_sha256: string | null;
  detected_type: string | null;
  expires_at: Date;
}

/** What a PUT /uploads/:id is answered: an HTTP status and a small JSON body. */
export interface ReceiveOutcome {
  status: number;
  body: { uploadId?: string; sizeBytes?: number; sha256?: string; error?: { code: string; message: string } };
}

const refused = (status: number, code: string, message: string): ReceiveOutcome => ({ status, body: { error: { code, message } } });

export class DocumentUploadService {
  constructor(
    private readonly database: SqlDatabase,
    private readonly files: DocumentFiles,
    /** Upload links: /uploads/<id>?expires=<unix>&signature=<hmac> (purpose "document-upload"). */
    private readonly links: SignedLinks,
    private readonly limits: AttemptLimits,
    private readonly clock: () => Date,
  ) {}

  async create(actor: Actor, input: CreateDocumentUploadData, baseUrl: string): Promise<Result<DocumentUploadCreated, ValidationFailure | ClientNotFound | RateLimited>> {
    const errors = new FieldErrors();
    const contentType = acceptedContentType(errors, ['input', 'contentType'], input.contentType);
    if (!Number.isInteger(input.sizeBytes) || input.sizeBytes < 1) {
      errors.add(['input', 'sizeBytes'], 'OUT_OF_RANGE', 'sizeBytes must be the file\'s size in bytes, at least 1.');
    } else if (input.sizeBytes > MAX_DOCUMENT_BYTES) {
      errors.add(['input', 'sizeBytes'], 'TOO_LARGE', `The file is ${input.sizeBytes} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes (10 MiB).`);
    }
    const sha256 = input.sha256 == null ? null : /^[0-9a-fA-F]{64}$/.test(input.sha256) ? input.sha256.toLowerCase() : undefined;
    if (sha256 === undefined) errors.add(['input', 'sha256'], 'INVALID_FORMAT', 'sha256 must be the file\'s SHA-256 digest: 64 hexadecimal characters.');
    // A customer's own token reaches only their client; any other reads as one that does not exist.
    if (!isUuid(input.clientId) || !actsOn(actor, input.clientId)) return fail(clientNotFound(input.clientId));
    if (!errors.isEmpty || !contentType || sha256 === undefined) return fail(validationFailure(errors.list));

    const direct = this.files.storage.direct;
    const now = this.clock();
    const id = randomUUID();
    const storageKey = `uploads/${input.clientId}/${id}`;
    const expiresAt = new Date(now.getTime() + UPLOAD_TTL_SECONDS * 1000);
    const created = await inTransaction(this.database, async (tx): Promise<Result<true, ClientNotFound | RateLimited>> => {
      // The client's row lock: its attempt counter takes turns (attempt-limits.ts).
      const [client] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM clients WHERE id = ${input.clientId}::uuid FOR UPDATE`;
      if (!client) return fail(clientNotFound(input.clientId));
      const refusal = await this.limits.admit(tx, [this.limits.documentUploadsOf(input.clientId)], now);
      if (refusal) {
        const { retryAfterSeconds } = refusal;
        return fail(rateLimited(retryAfterSeconds, `Too many uploads were started for this client; try again in ${retryAfterSeconds} seconds.`));
      }
      await tx.$executeRaw`
        INSERT INTO document_uploads (id, client_id, content_type, size_bytes, sha256, storage_key, direct, created_at, expires_at, updated_at)
        VALUES (${id}::uuid, ${input.clientId}::uuid, ${contentType}, ${input.sizeBytes}, ${sha256}, ${storageKey}, ${Boolean(direct)}, ${now}, ${expiresAt}, ${now})`;
      return ok(true);
    });
    if (!created.ok) return created;
    const uploadUrl = direct
      ? await direct.presignPut(storageKey, contentType, input.sizeBytes, UPLOAD_TTL_SECONDS)
      : `${baseUrl}/uploads/${id}?${this.links.query(id, expiresAt)}`;
    return ok({ uploadId: id, uploadUrl, expiresAt });
  }

  /** Checks an upload link (PUT /uploads/:id). */
  verifyLink(uploadId: string, expires: unknown, signature: unknown): boolean {
    return isUuid(uploadId) && this.links.verify(uploadId, expires, signature, this.clock());
  }

  /**
   * Receives the bytes of upload `uploadId` (its link already verified): claims the slot, says
   * `readyToRead` (an HTTP 100 Continue), streams
   * `body` into storage, sealed, refusing more bytes than declared as soon as they arrive, and
   * checks size and declared SHA-256 at the end. Any failure deletes what was written and frees
   * the slot for another try until it expires.
   */
  async receive(uploadId: string, body: AsyncIterable<Buffer>, declaredLength: number | null, readyToRead: () => void = () => undefined): Promise<ReceiveOutcome> {
    const now = this.clock();
    const [claimed] = await this.database.sql.$queryRaw<UploadRow[]>`
      UPDATE document_uploads SET status = 'RECEIVING', updated_at = ${now}
       WHERE id = ${uploadId}::uuid AND status = 'CREATED' AND NOT direct AND expires_at > ${now}
       RETURNING id, client_id, content_type, size_bytes, sha256, storage_key, direct, status, expires_at`;
    if (!claimed) return this.whyNotClaimed(uploadId, now);
    const free = () => this.database.sql.$executeRaw`UPDATE document_uploads SET status = 'CREATED', updated_at = ${this.clock()} WHERE id = ${uploadId}::uuid AND status = 'RECEIVING'`;
    if (declaredLength !== null && declaredLength !== claimed.size_bytes) {
      await free();
      return refused(400, 'SIZE_MISMATCH', `Content-Length is ${declaredLength}, but the upload was created for ${claimed.size_bytes} bytes.`);
    }
    let summary;
    try {
      readyToRead();
      summary = await this.files.write(claimed.storage_key, body, claimed.size_bytes);
    } catch (error) {
      await free();
      if (error instanceof TooManyBytesError) return refused(413, 'SIZE_MISMATCH', `More bytes arrived than the ${claimed.size_bytes} the upload was created for.`);
      if (error instanceof SizeMismatchError) return refused(400, 'SIZE_MISMATCH', `${error.actual} bytes arrived; the upload was created for ${error.expected}.`);
      throw error;
    }
    if (claimed.sha256 !== null && claimed.sha256 !== summary.sha256) {
      await this.files.delete([claimed.storage_key]);
      await free();
      return refused(400, 'SHA256_MISMATCH', `The bytes' SHA-256 is ${summary.sha256}, not the declared ${claimed.sha256}.`);
    }
    const received = await this.database.sql.$executeRaw`
      UPDATE document_uploads
         SET status = 'RECEIVED', received_bytes = ${summary.sizeBytes}, received_sha256 = ${summary.sha256},
             detected_type = ${summary.detectedType}, updated_at = ${this.clock()}
       WHERE id = ${uploadId}::uuid AND status = 'RECEIVING'`;
    if (received === 0) {
      // Swept meanwhile (it expired while streaming): nothing of it stays.
      await this.files.delete([claimed.storage_key]);
      return refused(410, 'UPLOAD_EXPIRED', 'The upload expired while its bytes arrived; create a new one.');
    }
    return { status: 200, body: { uploadId, sizeBytes: summary.sizeBytes, sha256: summary.sha256 } };
  }

  private async whyNotClaimed(uploadId: string, now: Date): Promise<ReceiveOutcome> {
    const [row] = await this.database.sql.$queryRaw<Array<Pick<UploadRow, 'status' | 'direct' | 'expires_at'>>>`
      SELECT status, direct, expires_at FROM document_uploads WHERE id = ${uploadId}::uuid`;
    if (!row) return refused(404, 'UPLOAD_NOT_FOUND', 'No such upload.');
    if (row.direct) return refused(409, 'UPLOAD_IS_DIRECT', 'This upload goes straight to object storage, to the URL createDocumentUpload answered.');
    if (row.status === 'RECEIVING') return refused(409, 'UPLOAD_IN_PROGRESS', 'The bytes of this upload are arriving on another request.');
    if (row.status === 'RECEIVED' || row.status === 'CONSUMED') return refused(409, 'UPLOAD_ALREADY_USED', 'This upload already has its bytes; an upload URL is single-use.');
    if (row.expires_at.getTime() <= now.getTime()) return refused(410, 'UPLOAD_EXPIRED', 'The upload expired; create a new one.');
    return refused(409, 'UPLOAD_UNAVAILABLE', 'The upload cannot take bytes now.');
  }

  /**
   * The upload `uploadId` of `clientId`, locked for the rest of `tx`, when addDocument may consume it;
   * otherwise the field error that says why (an upload of another client reads as one that does not exist).
   */
  async lockForDocument(tx: Tx, clientId: string, uploadId: string, now: Date): Promise<UploadRow | { code: FieldErrorCode; message: string }> {
    const [row] = isUuid(uploadId)
      ? await tx.$queryRaw<UploadRow[]>`
          SELECT id, client_id, content_type, size_bytes, sha256, storage_key, direct, status, received_bytes, received_sha256, detected_type, expires_at
            FROM document_uploads WHERE id = ${uploadId}::uuid AND client_id = ${clientId}::uuid FOR UPDATE`
      : [];
    if (!row) return { code: 'UPLOAD_NOT_FOUND', message: 'No upload with this id exists for this client.' };
    if (row.status === 'CONSUMED') return { code: 'UPLOAD_ALREADY_USED', message: 'This upload was already used for a document; an upload is single-use.' };
    if (row.expires_at.getTime() <= now.getTime()) return { code: 'EXPIRED', message: 'The upload expired; create a new one and upload the file again.' };
    if (!row.direct && row.status !== 'RECEIVED') {
      return { code: 'UPLOAD_INCOMPLETE', message: row.status === 'RECEIVING' ? 'The file is still arriving; try again when its PUT has finished.' : 'No file has been uploaded to this upload\'s URL yet.' };
    }
    return row;
  }

  /** Marks a locked upload consumed by `documentId` (in addDocument's transaction). */
  async consume(tx: Tx, uploadId: string, documentId: string, now: Date): Promise<void> {
    await tx.$executeRaw`UPDATE document_uploads SET status = 'CONSUMED', document_id = ${documentId}::uuid, updated_at = ${now} WHERE id = ${uploadId}::uuid`;
  }

  /**
   * Deletes slots that expired more than SWEEP_GRACE_MS ago, with the bytes of those never used
   * (a consumed slot's bytes are its document's, except a direct upload's copy in clear).
   * Several servers may sweep at once: deletes of missing bytes are no-ops. Returns how many.
   */
  async sweepExpired(): Promise<number> {
    let swept = 0;
    for (;;) {
      const before = new Date(this.clock().getTime() - SWEEP_GRACE_MS);
      const rows = await this.database.sql.$queryRaw<Array<Pick<UploadRow, 'id' | 'storage_key' | 'status' | 'direct'>>>`
        SELECT id, storage_key, status, direct FROM document_uploads WHERE expires_at < ${before} ORDER BY expires_at LIMIT ${SWEEP_BATCH}`;
      if (rows.length === 0) return swept;
      const unused = rows.filter((row) => row.status !== 'CONSUMED').map((row) => row.storage_key);
      const clearCopies = rows.filter((row) => row.status === 'CONSUMED' && row.direct).map((row) => row.storage_key);
      await this.files.delete(unused);
      if (clearCopies.length > 0) await this.files.storage.delete(clearCopies);
      await this.database.sql.$executeRaw`DELETE FROM document_uploads WHERE id = ANY(${rows.map((row) => row.id)}::uuid[])`;
      swept += rows.length;
      if (rows.length < SWEEP_BATCH) return swept;
    }
  }
}
