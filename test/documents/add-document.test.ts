import { randomUUID } from 'node:crypto';
import { JPEG_BYTES, PDF_BYTES, PNG_BYTES, createClient, jpegBase64, pdfBase64, pngBase64 } from '../support/fixtures';
import { appDate } from '../support/clients-helpers';
import { addDocument, documentState, pngWithText, sha256Hex } from '../support/documents-helpers';
import { TestApp, startTestApp } from '../support/test-app';

const GIF_BYTES = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
/** Bytes of no accepted type: no PDF marker, no PNG or JPEG signature. */
const ARBITRARY_BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256));

describe('adding a document to a client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it.each([
    { kind: 'PNG', type: 'PASSPORT', fileName: 'passport.png', contentType: 'image/png', bytes: PNG_BYTES },
    { kind: 'JPEG', type: 'DRIVERS_LICENSE', fileName: 'licence.jpg', contentType: 'image/jpeg', bytes: JPEG_BYTES },
    { kind: 'PDF', type: 'PROOF_OF_ADDRESS', fileName: 'utility bill.pdf', contentType: 'application/pdf', bytes: PDF_BYTES },
  ] as const)('stores a $kind file awaiting review, with its size and the SHA-256 of the bytes sent', async ({ type, fileName, contentType, bytes }) => {
    // given a client
    const client = await createClient(t);
    const expiresOn = appDate(t, 365);

    // when a file is added
    const result = await addDocument(t, client.id, { type, fileName, contentType, contentBase64: bytes.toString('base64'), expiresOn });

    // then it is stored awaiting review, described by the server from the bytes themselves
    if (result.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(result));
    expect(result.document).toMatchObject({
      type,
      fileName,
      contentType,
      sizeBytes: bytes.length,
      sha256: sha256Hex(bytes),
      status: 'PENDING_REVIEW',
      expiresOn,
      rejectionReason: null,
      isValid: false,
    });
    // and the client shows it, one version later, with a DOCUMENT_ADDED event
    expect(result.client.version).toBe(client.version + 1);
    expect(result.client.documents.map((document) => document.id)).toEqual([result.document.id]);
    expect(result.client.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'DOCUMENT_ADDED']);
  });

  it('keeps every document of a client, each with its own digest', async () => {
    const client = await createClient(t);

    const png = await addDocument(t, client.id, { contentType: 'image/png', contentBase64: pngBase64 });
    const pdf = await addDocument(t, client.id, { type: 'OTHER', fileName: 'letter.pdf', contentType: 'application/pdf', contentBase64: pdfBase64 });

    if (png.__typename !== 'AddDocumentSuccess' || pdf.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify([png, pdf]));
    expect(pdf.client.version).toBe(client.version + 2);
    expect(pdf.client.documents.map((document) => [document.id, document.sha256])).toEqual([
      [png.document.id, sha256Hex(PNG_BYTES)],
      [pdf.document.id, sha256Hex(PDF_BYTES)],
    ]);
  });

  it('recognises a PNG by its signature even when its metadata mentions %PDF-', async () => {
    // given a real PNG whose text metadata happens to hold the PDF marker
    const client = await createClient(t);
    const bytes = pngWithText(PNG_BYTES, 'Comment', 'scanned from %PDF-1.7 original');

    // when it is added as a PNG
    const result = await addDocument(t, client.id, { contentType: 'image/png', contentBase64: bytes.toString('base64') });

    // then it is accepted as the PNG it is
    expect(result).toMatchObject({ __typename: 'AddDocumentSuccess', document: { contentType: 'image/png', sha256: sha256Hex(bytes) } });
  });

  describe('refuses an upload that breaks a rule, names the field, and writes nothing', () => {
    it.each([
      {
        rule: 'a content type outside PDF, JPEG and PNG',
        input: { fileName: 'photo.gif', contentType: 'image/gif', contentBase64: GIF_BYTES.toString('base64') },
        expected: [{ path: ['input', 'contentType'], code: 'UNSUPPORTED_CONTENT_TYPE' }],
      },
      {
        rule: 'a PDF declared as image/png',
        input: { contentType: 'image/png', contentBase64: pdfBase64 },
        expected: [{ path: ['input', 'contentBase64'], code: 'CONTENT_TYPE_MISMATCH' }],
      },
      {
        rule: 'a PNG declared as application/pdf',
        input: { fileName: 'passport.pdf', contentType: 'application/pdf', contentBase64: pngBase64 },
        expected: [{ path: ['input', 'contentBase64'], code: 'CONTENT_TYPE_MISMATCH' }],
      },
      {
        rule: 'a JPEG declared as image/png',
        input: { contentType: 'image/png', contentBase64: jpegBase64 },
        expected: [{ path: ['input', 'contentBase64'], code: 'CONTENT_TYPE_MISMATCH' }],
      },
      {
        rule: 'bytes that are no accepted file type at all',
        input: { contentType: 'image/png', contentBase64: ARBITRARY_BYTES.toString('base64') },
        expected: [{ path: ['input', 'contentBase64'], code: 'CONTENT_TYPE_MISMATCH' }],
      },
      {
        rule: 'empty base64',
        input: { contentBase64: '' },
        expected: [{ path: ['input', 'contentBase64'], code: 'REQUIRED' }],
      },
      {
        rule: 'text that is not base64',
        input: { contentBase64: '!!!not base64' },
        expected: [{ path: ['input', 'contentBase64'], code: 'INVALID_FORMAT' }],
      },
      {
        rule: 'an empty file name',
        input: { fileName: '' },
        expected: [{ path: ['input', 'fileName'], code: 'REQUIRED' }],
      },
      {
        rule: 'a blank file name',
        input: { fileName: '   ' },
        expected: [{ path: ['input', 'fileName'], code: 'REQUIRED' }],
      },
    ])('$rule', async ({ input, expected }) => {
      // given a client with one document already
      const client = await createClient(t);
      await addDocument(t, client.id);
      const before = await documentState(t, client.id);

      // when an upload breaking the rule is sent
      const result = await addDocument(t, client.id, input);

      // then it is a ValidationError on that field, and nothing was stored
      if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
      expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual(expected);
      expect(result.fieldErrors.every((fieldError) => fieldError.message.length > 0)).toBe(true);
      expect(await documentState(t, client.id)).toEqual(before);
    });

    it('an expiry date in the past', async () => {
      const client = await createClient(t);
      const before = await documentState(t, client.id);

      const result = await addDocument(t, client.id, { expiresOn: appDate(t, -1) });

      if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
      expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'expiresOn'], code: 'EXPIRED' }]);
      expect(await documentState(t, client.id)).toEqual(before);
    });

    it('every problem of one upload at once', async () => {
      const client = await createClient(t);
      const before = await documentState(t, client.id);

      const result = await addDocument(t, client.id, { fileName: '', contentType: 'text/plain', contentBase64: '', expiresOn: appDate(t, -30) });

      if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
      expect(result.fieldErrors.map(({ path, code }) => ({ path: path.join('.'), code })).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { path: 'input.contentBase64', code: 'REQUIRED' },
        { path: 'input.contentType', code: 'UNSUPPORTED_CONTENT_TYPE' },
        { path: 'input.expiresOn', code: 'EXPIRED' },
        { path: 'input.fileName', code: 'REQUIRED' },
      ]);
      expect(await documentState(t, client.id)).toEqual(before);
    });
  });

  it('accepts an expiry date of today', async () => {
    const client = await createClient(t);

    const result = await addDocument(t, client.id, { expiresOn: appDate(t, 0) });

    expect(result).toMatchObject({ __typename: 'AddDocumentSuccess', document: { expiresOn: appDate(t, 0), status: 'PENDING_REVIEW' } });
  });

  it.each([
    ['an id no client has', randomUUID()],
    ['an id that is not a UUID', 'client-42'],
  ])('answers ClientNotFoundError for %s, storing nothing', async (_what, clientId) => {
    const [before] = await t.app.database.prisma.$queryRawUnsafe<Array<{ documents: number }>>('SELECT count(*)::int AS documents FROM documents');

    const result = await addDocument(t, clientId);

    expect(result).toMatchObject({ __typename: 'ClientNotFoundError', clientId });
    const [after] = await t.app.database.prisma.$queryRawUnsafe<Array<{ documents: number }>>('SELECT count(*)::int AS documents FROM documents');
    expect(after).toEqual(before);
  });
});
