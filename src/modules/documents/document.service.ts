import { createHash, randomUUID } from 'node:crypto';
import type { Client, Document, PrismaClient } from '../../generated/prisma/client';
import type { DocumentType } from '../../generated/prisma/enums';
import { Actor, actsOn } from '../../shared/actor';
import { Page, afterPosition, checkPageSize, decodeCursor, pageOf } from '../../shared/paging';
import { ClientNotFound, NotFound, Result, ValidationFailure, childFailure, fail, isUuid, notFound, ok, validationFailure } from '../../shared/result';
import * as rules from '../../shared/validation';
import { FieldError, FieldErrorCode, FieldErrors } from '../../shared/validation';
import type { Tx } from '../../db/transaction';
import { ChangeOutcome, ClientChanges } from '../clients/client-changes';
import { NewDocument, insertDocument, reviewDocument } from './document-rows';
import { AcceptedContentType, acceptedContentType, decodeDocumentContent, recogniseContentType } from './document-content';
import { DocumentFiles, StoredFile } from './document-files';
import { DocumentUploadService } from './document-uploads';
import { fromBuffer } from './sealed-chunks';

export interface AddDocumentData {
  clientId: string;
  type: DocumentType;
  fileName: string;
  contentType: string;
  /** Exactly one of contentBase64 and uploadId. */
  contentBase64?: string | null;
  uploadId?: string | null;
  expiresOn?: string | null;
}

export interface ReviewDocumentData {
  documentId: string;
  decision: 'ACCEPT' | 'REJECT';
  reason?: string | null;
}

/** A reviewer's reason may run over several lines. */
const REASON: rules.TextRule = { kind: 'paragraph', max: 1000 };

export class DocumentService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: ClientChanges,
    private readonly files: DocumentFiles,
    private readonly uploads: DocumentUploadService,
    private readonly clock: () => Date,
  ) {}

  async add(actor: Actor, input: AddDocumentData): Promise<Result<{ client: Client; document: Document }, ValidationFailure | ClientNotFound>> {
    const errors = new FieldErrors();
    const at = (field: string) => ['input', field];
    const fileName = rules.fileName(errors, at('fileName'), input.fileName);
    const contentType = acceptedContentType(errors, at('contentType'), input.contentType);
    const expiresOn = input.expiresOn == null ? null : rules.futureOrTodayDate(errors, at('expiresOn'), input.expiresOn, this.clock());
    const hasContent = input.contentBase64 != null;
    const hasUpload = input.uploadId != null;
    if (hasContent && hasUpload) {
      errors.add(at('uploadId'), 'INVALID_VALUE', 'Give either contentBase64 or uploadId, not both.');
    } else if (!hasContent && !hasUpload) {
      errors.add(at('contentBase64'), 'REQUIRED', 'Give the file: contentBase64, or the uploadId of a finished upload (createDocumentUpload).');
    }
    const content = hasContent && !hasUpload ? decodeDocumentContent(errors, at('contentBase64'), input.contentBase64!) : undefined;
    if (content && contentType) checkStructure(errors, at('contentBase64'), recogniseContentType(content) ?? null, contentType);
    if (!errors.isEmpty || !fileName || !contentType || expiresOn === undefined || (hasContent && !content)) {
      return fail(validationFailure(errors.list));
    }
    const facts = { type: input.type, fileName, contentType, expiresOn };
    if (content) return this.addContent(actor, input.clientId, facts, content);
    return this.addUpload(actor, input.clientId, facts, input.uploadId!);
  }

  /** The base64 path: the bytes are in the request. */
  private async addContent(actor: Actor, clientId: string, facts: DocumentFacts, content: Buffer) {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const id = randomUUID();
    const storageKey = `documents/${clientId}/${id}`;
    const inTx = this.files.storage.transactional;
    // Object storage cannot join the transaction: the bytes go first, and are deleted if the change fails.
    if (!inTx && isUuid(clientId) && actsOn(actor, clientId)) await this.files.write(storageKey, fromBuffer(content), content.length);
    const result = await this.files.keptIfDone(inTx ? [] : [storageKey], () =>
      this.changes.apply(actor, clientId, async ({ tx, client, now }) => {
        if (inTx) await this.files.write(storageKey, fromBuffer(content), content.length, tx);
        return this.created(tx, { id, clientId: client.id, ...facts, sizeBytes: content.length, sha256, storageKey, createdAt: now });
      }),
    );
    return result.ok ? ok({ client: result.value.client, document: result.value.value }) : result;
  }

  /**
   * The upload path: the bytes arrived before (document-uploads.ts). Checked as the base64 path
   * checks them (type by structure, size, declared SHA-256), then the upload is consumed. A direct
   * upload (in clear in the bucket) is sealed to its final key first, and its clear copy deleted
   * after the commit.
   */
  private async addUpload(actor: Actor, clientId: string, facts: DocumentFacts, uploadId: string) {
    const id = randomUUID();
    const direct = await this.sealDirectUpload(actor, clientId, uploadId, id);
    if (direct && !direct.ok) return direct;
    const sealed = direct?.value ?? null;
    const result = await this.files.keptIfDone(sealed ? [sealed.storageKey] : [], () =>
      this.changes.apply<Document, ValidationFailure>(actor, clientId, async ({ tx, client, now }) => {
        const upload = await this.uploads.lockForDocument(tx, client.id, uploadId, now);
        if ('code' in upload) return fail(validationFailure([{ path: ['input', 'uploadId'], code: upload.code, message: upload.message }]));
        if (upload.direct && !sealed) {
          // Created for the bucket, but this server no longer uploads there directly (S3_DIRECT_UPLOADS off).
          return fail(validationFailure([{ path: ['input', 'uploadId'], code: 'UPLOAD_INCOMPLETE', message: 'This upload\'s bytes are not where this server reads them; create a new upload.' }]));
        }
        const errors = new FieldErrors();
        const received = sealed ?? { sizeBytes: upload.received_bytes, sha256: upload.received_sha256, detectedType: upload.detected_type, storageKey: upload.storage_key };
        if (facts.contentType !== upload.content_type) {
          errors.add(['input', 'contentType'], 'CONTENT_TYPE_MISMATCH', `The upload was created for ${upload.content_type}, not ${facts.contentType}.`);
        } else {
          checkStructure(errors, ['input', 'uploadId'], received.detectedType, facts.contentType);
        }
        if (received.sizeBytes !== upload.size_bytes) {
          errors.add(['input', 'uploadId'], 'SIZE_MISMATCH', `${received.sizeBytes} bytes arrived; the upload was created for ${upload.size_bytes}.`);
        }
        if (upload.sha256 !== null && received.sha256 !== upload.sha256) {
          errors.add(['input', 'uploadId'], 'SHA256_MISMATCH', `The bytes' SHA-256 is ${received.sha256}, not the declared ${upload.sha256}.`);
        }
        if (!errors.isEmpty) return fail(validationFailure(errors.list));
        await this.uploads.consume(tx, uploadId, id, now);
        return this.created(tx, { id, clientId: client.id, ...facts, sizeBytes: received.sizeBytes!, sha256: received.sha256!, storageKey: received.storageKey, createdAt: now });
      }),
    );
    // The clear copy in the bucket has done its work (the sweep deletes it otherwise).
    if (sealed && result.ok) await this.files.storage.delete([sealed.clearKey]).catch(() => undefined);
    return result.ok ? ok({ client: result.value.client, document: result.value.value }) : result;
  }

  /**
   * A direct upload's bytes, read from the bucket, sealed to the document's final key. Null when
   * the upload is not a direct one (or does not exist: the transaction says so).
   */
  private async sealDirectUpload(actor: Actor, clientId: string, uploadId: string, documentId: string) {
    const direct = this.files.storage.direct;
    if (!direct || !isUuid(uploadId) || !isUuid(clientId) || !actsOn(actor, clientId)) return null;
    const upload = await this.prisma.documentUpload.findFirst({ where: { id: uploadId, clientId, direct: true, status: 'CREATED' } });
    if (!upload || upload.expiresAt.getTime() <= this.clock().getTime()) return null;
    const uploadError = (code: FieldErrorCode, message: string) => fail(validationFailure([{ path: ['input', 'uploadId'], code, message }]));
    const size = await direct.sizeOf(upload.storageKey);
    if (size === null) return uploadError('UPLOAD_INCOMPLETE', 'No file has been uploaded to this upload\'s URL yet.');
    if (size !== upload.sizeBytes) return uploadError('SIZE_MISMATCH', `${size} bytes arrived; the upload was created for ${upload.sizeBytes}.`);
    const storageKey = `documents/${clientId}/${documentId}`;
    const summary = await this.files.write(storageKey, await direct.read(upload.storageKey), size);
    return ok({ ...summary, storageKey, clearKey: upload.storageKey });
  }

  private async created(tx: Tx, data: NewDocument): Promise<ChangeOutcome<Document, ValidationFailure>> {
    const document = await insertDocument(tx, data);
    return { ok: true, value: document, events: [{ type: 'DOCUMENT_ADDED', detail: { documentId: document.id, type: document.type } }] };
  }

  async review(actor: Actor, input: ReviewDocumentData): Promise<Result<{ client: Client; document: Document }, ValidationFailure | NotFound>> {
    const errors = new FieldErrors();
    const reason = rules.optionalText(errors, ['input', 'reason'], input.reason, REASON);
    if (input.decision === 'REJECT' && reason === null) {
      errors.add(['input', 'reason'], 'REQUIRED', 'A reason is required to reject a document.');
    }
    const id = input.documentId;
    const owner = isUuid(id) ? await this.prisma.document.findUnique({ where: { id }, select: { clientId: true, status: true } }) : null;
    const visible = owner !== null && actsOn(actor, owner.clientId);
    if (!errors.isEmpty) {
      // One FieldError per problem, in the input's order: an already reviewed document and a refused reason are both told.
      const reviewed = visible && owner.status !== 'PENDING_REVIEW' ? [notPendingReview(owner.status)] : [];
      return fail(validationFailure([...reviewed, ...errors.list]));
    }
    if (!visible) return fail(notFound('document', id));
    const result = await this.changes.apply<Document, NotFound | ValidationFailure>(actor, owner.clientId, async ({ tx, now }) => {
      const [current] = await tx.$queryRaw<Array<Pick<Document, 'status'>>>`SELECT status FROM documents WHERE id = ${id}::uuid AND client_id = ${owner.clientId}::uuid`;
      if (!current) return fail(notFound('document', id));
      if (current.status !== 'PENDING_REVIEW') return fail(validationFailure([notPendingReview(current.status)]));
      const accepted = input.decision === 'ACCEPT';
      const document = await reviewDocument(tx, id, { status: accepted ? 'ACCEPTED' : 'REJECTED', rejectionReason: accepted ? null : (reason ?? null), reviewedAt: now });
      return {
        ok: true,
        value: document,
        events: [{ type: accepted ? 'DOCUMENT_ACCEPTED' : 'DOCUMENT_REJECTED', detail: { documentId: id, type: document.type } }],
      };
    });
    if (!result.ok) return fail(childFailure(result.failure, 'document', id));
    return ok({ client: result.value.client, document: result.value.value });
  }

  /**
   * The back office's work queue: documents still PENDING_REVIEW across clients, oldest first.
   * The cursor is a position, not an offset, so reviewing documents of earlier pages skips nothing.
   */
  async awaitingReview(first: number, after: string | null): Promise<Page<Document>> {
    checkPageSize(first);
    const position = after === null ? null : decodeCursor(after);
    const awaiting = { status: 'PENDING_REVIEW' } as const;
    const rows = await this.prisma.document.findMany({ where: { ...awaiting, ...afterPosition(position) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: first + 1 });
    return pageOf(rows, first, () => this.prisma.document.count({ where: awaiting }));
  }

  /** A document and its stored file, opened for the signed download route. */
  async file(documentId: string): Promise<{ document: Document; file: StoredFile } | null> {
    if (!isUuid(documentId)) return null;
    const document = await this.prisma.document.findUnique({ where: { id: documentId } });
    const file = document ? await this.files.open(document.storageKey) : null;
    return document && file ? { document, file } : null;
  }
}

interface DocumentFacts {
  type: DocumentType;
  fileName: string;
  contentType: AcceptedContentType;
  expiresOn: Date | null;
}

/** The bytes must be the declared type by structure (document-content.ts). */
function checkStructure(errors: FieldErrors, path: string[], actual: string | null, declared: string): void {
  if (actual === declared) return;
  errors.add(
    path,
    'CONTENT_TYPE_MISMATCH',
    actual ? `The file is ${actual}, not the declared ${declared}.` : `The file is not ${declared} (nor any accepted type: PDF, JPEG or PNG).`,
  );
}

/** Only a document awaiting review can be reviewed. */
function notPendingReview(status: Document['status']): FieldError {
  return { path: ['input', 'documentId'], code: 'NOT_PENDING_REVIEW', message: `The document was already reviewed (${status}).` };
}
