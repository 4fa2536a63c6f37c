import { createHash, randomUUID } from 'node:crypto';
import type { Client, Document, PrismaClient } from '../../generated/prisma/client';
import type { DocumentType } from '../../generated/prisma/enums';
import { Actor, actsOn } from '../../shared/actor';
import { Page, afterPosition, checkPageSize, decodeCursor, pageOf } from '../../shared/paging';
import { ClientNotFound, NotFound, Result, ValidationFailure, childFailure, fail, isUuid, notFound, ok, validationFailure } from '../../shared/result';
import * as rules from '../../shared/validation';
import { FieldErrors } from '../../shared/validation';
import { ClientChanges } from '../clients/client-changes';
import { DocumentStorage } from './document.storage';
import { acceptedContentType, decodeDocumentContent, recogniseContentType } from './document-content';

export interface AddDocumentData {
  clientId: string;
  type: DocumentType;
  fileName: string;
  contentType: string;
  contentBase64: string;
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
    private readonly storage: DocumentStorage,
    private readonly clock: () => Date,
  ) {}

  async add(actor: Actor, input: AddDocumentData): Promise<Result<{ client: Client; document: Document }, ValidationFailure | ClientNotFound>> {
    const errors = new FieldErrors();
    const at = (field: string) => ['input', field];
    const fileName = rules.fileName(errors, at('fileName'), input.fileName);
    const contentType = acceptedContentType(errors, at('contentType'), input.contentType);
    const content = decodeDocumentContent(errors, at('contentBase64'), input.contentBase64);
    if (content && contentType) {
      const actual = recogniseContentType(content);
      if (actual !== contentType) {
        errors.add(
          at('contentBase64'),
          'CONTENT_TYPE_MISMATCH',
          actual
            ? `The file is ${actual}, not the declared ${contentType}.`
            : `The file is not ${contentType} (nor any accepted type: PDF, JPEG or PNG).`,
        );
      }
    }
    const expiresOn = input.expiresOn == null ? null : rules.futureOrTodayDate(errors, at('expiresOn'), input.expiresOn, this.clock());
    if (!errors.isEmpty || !content || !contentType || !fileName || expiresOn === undefined) {
      return fail(validationFailure(errors.list));
    }

    const sha256 = createHash('sha256').update(content).digest('hex');
    const result = await this.changes.apply(actor, input.clientId, async ({ tx, client, now }) => {
      const id = randomUUID();
      const storageKey = `documents/${client.id}/${id}`;
      await this.storage.put(tx, storageKey, content);
      const document = await tx.document.create({
        data: { id, clientId: client.id, type: input.type, fileName, contentType, sizeBytes: content.length, sha256, storageKey, expiresOn, createdAt: now },
      });
      return { ok: true, value: document, events: [{ type: 'DOCUMENT_ADDED', detail: { documentId: id, type: input.type, sha256 } }] };
    });
    return result.ok ? ok({ client: result.value.client, document: result.value.value }) : result;
  }

  async review(actor: Actor, input: ReviewDocumentData): Promise<Result<{ client: Client; document: Document }, ValidationFailure | NotFound>> {
    const errors = new FieldErrors();
    const reason = rules.optionalText(errors, ['input', 'reason'], input.reason, REASON);
    if (input.decision === 'REJECT' && reason === null) {
      errors.add(['input', 'reason'], 'REQUIRED', 'A reason is required to reject a document.');
    }
    if (!errors.isEmpty) return fail(validationFailure(errors.list));

    const id = input.documentId;
    const owner = isUuid(id) ? await this.prisma.document.findUnique({ where: { id }, select: { clientId: true } }) : null;
    if (!owner || !actsOn(actor, owner.clientId)) return fail(notFound('document', id));
    const result = await this.changes.apply<Document, NotFound | ValidationFailure>(actor, owner.clientId, async ({ tx, now }) => {
      const current = await tx.document.findUnique({ where: { id } });
      if (!current) return fail(notFound('document', id));
      if (current.status !== 'PENDING_REVIEW') {
        return fail(
          validationFailure([{ path: ['input', 'documentId'], code: 'NOT_PENDING_REVIEW', message: `The document was already reviewed (${current.status}).` }]),
        );
      }
      const accepted = input.decision === 'ACCEPT';
      const document = await tx.document.update({
        where: { id },
        data: { status: accepted ? 'ACCEPTED' : 'REJECTED', rejectionReason: accepted ? null : reason, reviewedAt: now },
      });
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

  /** The stored bytes of a document, for the signed download route. */
  async content(documentId: string): Promise<{ document: Document; content: Buffer } | null> {
    if (!isUuid(documentId)) return null;
    const document = await this.prisma.document.findUnique({ where: { id: documentId } });
    const content = document ? await this.storage.get(document.storageKey) : null;
    return document && content ? { document, content } : null;
  }
}
