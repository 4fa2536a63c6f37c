/**
 * Documents on S3-compatible object storage (DOCUMENT_STORAGE=s3), through the API against an
 * s3rver the test starts: the base64 path puts sealed bytes in the bucket (never the file, never
 * in the database), a change that fails leaves no object behind, and presigned direct uploads
 * (S3_DIRECT_UPLOADS=true) land in clear, are checked and sealed on addDocument, and their clear
 * copy is deleted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AddDocumentShowingClientDocument } from '../generated/graphql';
import { createS3Client } from '../../src/modules/documents/s3-storage';
import { addDocument, createdUpload, download, pdfOfSize, pngWithText, sha256Hex } from '../support/documents-helpers';
import { PNG_BYTES, createClient } from '../support/fixtures';
import { objectStorage } from '../support/storage-adapters';
import { TestApp, startTestApp } from '../support/test-app';

/** Every object in the bucket under `prefix`, with its bytes. */
async function objectsUnder(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, Buffer>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const objects = new Map<string, Buffer>();
  for (const object of listed.Contents ?? []) {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
    objects.set(object.Key!, Buffer.from(await response.Body!.transformToByteArray()));
  }
  return objects;
}

describe.each([false, true])('documents on object storage (direct uploads: %s)', (directUploads) => {
  const storage = objectStorage(directUploads);
  let t: TestApp;
  let s3: S3Client;
  let bucket: string;
  beforeAll(async () => {
    await storage.start();
    t = await startTestApp({ config: { documentStorage: storage.config() } });
    const config = storage.config();
    if (config.kind !== 's3') throw new Error('not s3');
    s3 = createS3Client(config);
    bucket = config.bucket;
  });
  afterAll(async () => {
    s3?.destroy();
    await t?.stop();
    await storage.stop();
  });

  it('stores a base64 document sealed in the bucket, nothing of it in the database, and serves the exact file', async () => {
    const marker = `S3-MARKER-${randomBytes(8).toString('hex')}`;
    const bytes = pngWithText(PNG_BYTES, 'Comment', marker);
    const client = await createClient(t);

    const added = await addDocument(t, client.id, { contentBase64: bytes.toString('base64') });

    if (added.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(added));
    const objects = await objectsUnder(s3, bucket, `documents/${client.id}/`);
    expect(objects.size).toBe(1);
    const [sealed] = [...objects.values()];
    expect(sealed.length).toBe(bytes.length + 16);
    expect(sealed.includes(Buffer.from(marker))).toBe(false);
    const [{ chunks }] = await t.app.database.prisma.$queryRawUnsafe<Array<{ chunks: number }>>('SELECT count(*)::int AS chunks FROM document_chunks');
    expect(chunks).toBe(0);
    expect((await download(added.document.downloadUrl)).body.equals(bytes)).toBe(true);
  });

  it('leaves no object behind when the change fails after the bytes went out', async () => {
    // a client id that is well formed but names no client: the bytes are written, then the change fails
    const missing = randomUUID();
    const answer = await addDocument(t, missing);
    expect(answer).toMatchObject({ __typename: 'ClientNotFoundError', clientId: missing });
    expect((await objectsUnder(s3, bucket, `documents/${missing}/`)).size).toBe(0);
  });

  (directUploads ? describe : describe.skip)('presigned direct uploads', () => {
    async function addFromUpload(clientId: string, uploadId: string) {
      const result = await t.run(AddDocumentShowingClientDocument, { input: { clientId, type: 'PASSPORT', fileName: 'scan.pdf', contentType: 'application/pdf', uploadId } });
      return result.addDocument;
    }
    const putToBucket = (url: string, body: Buffer) => fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } });

    it('go straight to the bucket, are sealed to the document on addDocument, and their clear copy is deleted', async () => {
      const client = await createClient(t);
      const bytes = pdfOfSize(300_000);
      const upload = await createdUpload(t, client.id, bytes, { sha256: sha256Hex(bytes) });
      const config = storage.config();
      expect(upload.uploadUrl.startsWith(`${config.kind === 's3' ? config.endpoint : ''}/${bucket}/uploads/${client.id}/${upload.uploadId}?`)).toBe(true);
      expect(new URL(upload.uploadUrl).searchParams.get('X-Amz-Expires')).toBe('900');

      expect((await putToBucket(upload.uploadUrl, bytes)).status).toBe(200);
      const added = await addFromUpload(client.id, upload.uploadId);

      if (added.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(added));
      expect(added.document).toMatchObject({ sizeBytes: bytes.length, sha256: sha256Hex(bytes) });
      expect((await objectsUnder(s3, bucket, `uploads/${client.id}/`)).size).toBe(0);
      const sealed = await objectsUnder(s3, bucket, `documents/${client.id}/${added.document.id}`);
      expect([...sealed.values()][0].includes(bytes.subarray(0, 64))).toBe(false);
      expect((await download(added.document.downloadUrl)).body.equals(bytes)).toBe(true);
      expect(await addFromUpload(client.id, upload.uploadId)).toMatchObject({ fieldErrors: [{ code: 'UPLOAD_ALREADY_USED' }] });
    });

    it('are checked on addDocument: nothing there, a wrong size, a wrong hash, the wrong type; nothing sealed is left behind', async () => {
      const client = await createClient(t);
      const bytes = pdfOfSize(2000);
      const nothing = await createdUpload(t, client.id, bytes);
      expect(await addFromUpload(client.id, nothing.uploadId)).toMatchObject({ fieldErrors: [{ path: ['input', 'uploadId'], code: 'UPLOAD_INCOMPLETE' }] });

      const short = await createdUpload(t, client.id, bytes);
      expect((await putToBucket(short.uploadUrl, bytes.subarray(0, 1000))).status).toBe(200); // s3rver checks no signed length
      expect(await addFromUpload(client.id, short.uploadId)).toMatchObject({ fieldErrors: [{ code: 'SIZE_MISMATCH' }] });

      const hashed = await createdUpload(t, client.id, bytes, { sha256: sha256Hex(Buffer.from('other')) });
      expect((await putToBucket(hashed.uploadUrl, bytes)).status).toBe(200);
      expect(await addFromUpload(client.id, hashed.uploadId)).toMatchObject({ fieldErrors: [{ code: 'SHA256_MISMATCH' }] });

      const html = Buffer.from('<html>%PDF-1.4</html>');
      const typed = await createdUpload(t, client.id, html);
      expect((await putToBucket(typed.uploadUrl, html)).status).toBe(200);
      expect(await addFromUpload(client.id, typed.uploadId)).toMatchObject({ fieldErrors: [{ code: 'CONTENT_TYPE_MISMATCH' }] });

      expect((await objectsUnder(s3, bucket, `documents/${client.id}/`)).size).toBe(0);
      // and the sweep deletes the clear copies once the uploads have expired
      t.clock.advance(21 * 60_000);
      await t.app.services.documentUploads.sweepExpired();
      expect((await objectsUnder(s3, bucket, `uploads/${client.id}/`)).size).toBe(0);
    });
  });
});
