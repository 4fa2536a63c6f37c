/**
 * Document bytes are stored encrypted (a data key per document, wrapped under the data key ring):
 * what the database holds is not the file, downloads still give the exact file, rows an earlier
 * release stored in clear are read and then encrypted, and key rotation re-wraps the document
 * keys without rewriting the bytes.
 */
import { randomBytes } from 'node:crypto';
import { ClientDocument } from '../generated/graphql';
import { DocumentVault } from '../../src/modules/documents/document-encryption';
import { KeyRing } from '../../src/shared/keys';
import { ROTATION_STEP_TIMEOUT_MS, SHARED_DATABASE_KIND, rotationFromAToB } from '../support/data-keys';
import { addPendingDocument, download, pngWithText, sha256Hex } from '../support/documents-helpers';
import { PNG_BYTES, createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/** A PNG carrying a marker no ciphertext contains by chance. */
function markedPng() {
  const marker = `DOC-MARKER-${randomBytes(8).toString('hex')}`;
  return { marker, bytes: pngWithText(PNG_BYTES, 'Comment', marker) };
}

interface StoredBlob {
  /** Format 2: the sealed chunks one after another; format 1: the sealed (or clear) file. */
  content: Buffer;
  wrappedKey: Buffer | null;
  wrapKeyId: string | null;
  /** md5 of the stored content, computed by the database. */
  contentDigest: string;
  format: 1 | 2;
}

async function storedBlob(t: TestApp, documentId: string): Promise<StoredBlob> {
  const [row] = await t.app.database.prisma.$queryRawUnsafe<Array<{ content: string; wrapped_key: string | null; wrap_key_id: string | null; digest: string; format: number }>>(
    `SELECT encode(c.content, 'base64') AS content, encode(o.wrapped_key, 'base64') AS wrapped_key, o.wrap_key_id, md5(c.content) AS digest, 2 AS format
       FROM documents d JOIN document_objects o ON o.key = d.storage_key
       CROSS JOIN LATERAL (SELECT string_agg(content, ''::bytea ORDER BY seq) AS content FROM document_chunks WHERE key = d.storage_key) c
      WHERE d.id = $1::uuid
     UNION ALL
     SELECT encode(b.content, 'base64'), encode(b.wrapped_key, 'base64'), b.wrap_key_id, md5(b.content), 1
       FROM document_blobs b JOIN documents d ON d.storage_key = b.key WHERE d.id = $1::uuid`,
    documentId,
  );
  if (!row) throw new Error(`no stored bytes for document ${documentId}`);
  return {
    content: Buffer.from(row.content, 'base64'),
    wrappedKey: row.wrapped_key === null ? null : Buffer.from(row.wrapped_key, 'base64'),
    wrapKeyId: row.wrap_key_id,
    contentDigest: row.digest,
    format: row.format as 1 | 2,
  };
}

/**
 * The document as a release before document encryption stored it: the file itself in a
 * document_blobs row (that release's INSERT named only key and content), and nothing in the
 * tables of later formats.
 */
async function storeInClearAsAnEarlierRelease(t: TestApp, documentId: string, bytes: Buffer): Promise<void> {
  const prisma = t.app.database.prisma;
  const [{ key }] = await prisma.$queryRawUnsafe<Array<{ key: string }>>('SELECT storage_key AS key FROM documents WHERE id = $1::uuid', documentId);
  await prisma.$transaction([
    prisma.$executeRawUnsafe('DELETE FROM document_chunks WHERE key = $1', key),
    prisma.$executeRawUnsafe('DELETE FROM document_objects WHERE key = $1', key),
    prisma.$executeRawUnsafe(
      `INSERT INTO document_blobs (key, content) VALUES ($1, decode($2, 'base64'))
       ON CONFLICT (key) DO UPDATE SET content = EXCLUDED.content, wrapped_key = NULL, wrap_key_id = NULL`,
      key,
      bytes.toString('base64'),
    ),
  ]);
}

/** The document's bytes as a browser following its downloadUrl gets them. */
async function downloaded(t: TestApp, clientId: string, documentId: string) {
  const { client } = await t.run(ClientDocument, { id: clientId });
  const document = client!.documents.find((d) => d.id === documentId)!;
  return download(document.downloadUrl);
}

describe('a document added through the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('is stored encrypted under a key of its own, and downloads as the exact file with its content type', async () => {
    // given a PNG with a marker in it
    const { marker, bytes } = markedPng();
    const client = await createClient(t);

    // when it is added
    const document = await addPendingDocument(t, client.id, { contentBase64: bytes.toString('base64') });

    // then the database holds neither the file nor the marker, only a sealed copy and a wrapped key
    const stored = await storedBlob(t, document.id);
    expect(stored.content.equals(bytes)).toBe(false);
    expect(stored.content.includes(Buffer.from(marker))).toBe(false);
    expect(stored.content.includes(bytes.subarray(0, 16))).toBe(false);
    expect(stored.format).toBe(2);
    expect(stored.content.length).toBe(bytes.length + 16); // one chunk: its tag
    expect(stored.wrapKeyId).toBe('k1');
    expect(stored.wrappedKey).toHaveLength(61); // version, IV, tag, 32-byte key
    // and the digest is still the file's
    expect(document.sha256).toBe(sha256Hex(bytes));
    expect(document.sizeBytes).toBe(bytes.length);

    // and the download is the exact file, with the stored content type
    const response = await downloaded(t, client.id, document.id);
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('image/png');
    expect(response.body.equals(bytes)).toBe(true);
  });

  it('gets a data key of its own: the same file twice is stored as two different ciphertexts', async () => {
    const client = await createClient(t);
    const first = await addPendingDocument(t, client.id);
    const second = await addPendingDocument(t, client.id);

    const [a, b] = [await storedBlob(t, first.id), await storedBlob(t, second.id)];

    expect(a.content.equals(b.content)).toBe(false);
    expect(a.wrappedKey!.equals(b.wrappedKey!)).toBe(false);
  });

  it('is bound to its document: bytes and key moved to another document are refused, not served', async () => {
    // given two documents of one client
    const client = await createClient(t);
    const first = await addPendingDocument(t, client.id);
    const second = await addPendingDocument(t, client.id);

    // when the second's chunks and wrapped key are overwritten with the first's
    const prisma = t.app.database.prisma;
    await prisma.$executeRawUnsafe(
      `UPDATE document_chunks SET content = src.content
         FROM document_chunks src
        WHERE src.key = (SELECT storage_key FROM documents WHERE id = $1::uuid) AND src.seq = document_chunks.seq
          AND document_chunks.key = (SELECT storage_key FROM documents WHERE id = $2::uuid)`,
      first.id,
      second.id,
    );
    await prisma.$executeRawUnsafe(
      `UPDATE document_objects SET wrapped_key = src.wrapped_key, wrap_key_id = src.wrap_key_id
         FROM document_objects src
        WHERE src.key = (SELECT storage_key FROM documents WHERE id = $1::uuid)
          AND document_objects.key = (SELECT storage_key FROM documents WHERE id = $2::uuid)`,
      first.id,
      second.id,
    );

    // then the second no longer opens: a 500 with nothing in it, never the first's file
    const response = await downloaded(t, client.id, second.id);
    expect(response.status).toBe(500);
    expect(response.body.equals(PNG_BYTES)).toBe(false);
    expect((await downloaded(t, client.id, first.id)).body.equals(PNG_BYTES)).toBe(true);
  });
});

describe('the document vault', () => {
  const ring = KeyRing.fromSecrets([{ id: 'k1', secret: Buffer.alloc(32, 3) }]);
  const vault = new DocumentVault(ring);
  const key = 'documents/c1/d1';

  it('opens what it sealed, and refuses a changed byte, another storage key or another key id', () => {
    const bytes = randomBytes(1000);
    const sealed = vault.seal(key, bytes);
    expect(vault.open(key, sealed).equals(bytes)).toBe(true);

    const flipped = Buffer.from(sealed.content);
    flipped[40] ^= 1;
    expect(() => vault.open(key, { ...sealed, content: flipped })).toThrow();
    expect(() => vault.open('documents/c1/d2', sealed)).toThrow();
    const otherRing = new DocumentVault(KeyRing.fromSecrets([{ id: 'k2', secret: Buffer.alloc(32, 3) }, { id: 'k1', secret: Buffer.alloc(32, 3) }]));
    expect(() => otherRing.open(key, { ...sealed, keyId: 'k2' })).toThrow();
  });

  it('re-wraps a data key under the current key without changing the sealed bytes', () => {
    const bytes = randomBytes(100);
    const sealed = vault.seal(key, bytes);
    const rotated = new DocumentVault(KeyRing.fromSecrets([{ id: 'k2', secret: Buffer.alloc(32, 4) }, { id: 'k1', secret: Buffer.alloc(32, 3) }]));

    const rewrapped = rotated.rewrap(key, sealed);

    expect(rewrapped.keyId).toBe('k2');
    const newKeyOnly = new DocumentVault(KeyRing.fromSecrets([{ id: 'k2', secret: Buffer.alloc(32, 4) }]));
    expect(newKeyOnly.open(key, { content: sealed.content, ...rewrapped }).equals(bytes)).toBe(true);
    expect(() => newKeyOnly.open(key, sealed)).toThrow(/key k1, which is not in the key ring/);
  });
});

describe(`documents stored by an earlier release, and key rotation, on ${SHARED_DATABASE_KIND}`, () => {
  const { a, b, start, refusedToStart, rotate } = rotationFromAToB();

  const legacy = markedPng();
  const current = markedPng();
  let clientId: string;
  let legacyId: string;
  let currentId: string;

  it('1. a row in clear is served as it is, and encrypted by the next start', async () => {
    // given a document, and one whose row is in clear as an earlier release wrote it
    const first = await start([a]);
    await first.app.clearDocumentsEncrypted;
    clientId = (await createClient(first)).id;
    legacyId = (await addPendingDocument(first, clientId, { contentBase64: legacy.bytes.toString('base64') })).id;
    currentId = (await addPendingDocument(first, clientId, { contentBase64: current.bytes.toString('base64') })).id;
    await storeInClearAsAnEarlierRelease(first, legacyId, legacy.bytes);
    expect((await storedBlob(first, legacyId)).content.equals(legacy.bytes)).toBe(true);

    // then it is served as it is, exactly
    const before = await downloaded(first, clientId, legacyId);
    expect(before.status).toBe(200);
    expect(before.body.equals(legacy.bytes)).toBe(true);
    await first.stop();

    // when the server starts again
    const second = await start([a]);
    expect(await second.app.clearDocumentsEncrypted).toBe(1);

    // then the row is encrypted under the current key, and still downloads as the exact file
    const stored = await storedBlob(second, legacyId);
    expect(stored.wrapKeyId).toBe('a');
    expect(stored.content.includes(Buffer.from(legacy.marker))).toBe(false);
    const after = await downloaded(second, clientId, legacyId);
    expect(after.contentType).toBe('image/png');
    expect(after.body.equals(legacy.bytes)).toBe(true);
    // and the next start finds nothing left to encrypt
    await second.stop();
    const third = await start([a]);
    expect(await third.app.clearDocumentsEncrypted).toBe(0);
    await third.stop();
  }, ROTATION_STEP_TIMEOUT_MS);

  it('2. keys:rotate encrypts rows in clear and re-wraps document keys under the new key, leaving the bytes as they were', async () => {
    // given one row in clear again, and the bytes of the other as stored under a
    const before = await start([b, a]);
    await before.app.clearDocumentsEncrypted;
    await storeInClearAsAnEarlierRelease(before, legacyId, legacy.bytes);
    const sealedUnderA = await storedBlob(before, currentId);
    expect(sealedUnderA.wrapKeyId).toBe('a');
    await before.stop();
    // and a ring without a, while document keys are wrapped under a, is refused
    expect((await refusedToStart([b])).message).toMatch(/1 document\(s\) have their key still wrapped under key a, which is not configured/);

    // when keys:rotate runs with b in front of a
    const rotation = await rotate([b, a]);

    // then it encrypted the row in clear, re-wrapped the other's key, and a may be dropped
    expect(rotation.stderr).toBe('');
    expect(rotation.code).toBe(0);
    expect(rotation.stdout).toMatch(/^Encrypted 1 document\(s\) stored in clear by an earlier release, under key b\.$/m);
    expect(rotation.stdout).toMatch(/^Done: re-wrapped 1 document key\(s\) to key b\.$/m);
    expect(rotation.stdout).toMatch(/^0 identifier\(s\) and 0 document key\(s\) remain under key a: a may be dropped from DATA_ENCRYPTION_KEYS$/m);

    // and with b alone both documents download as the exact files
    const after = await start([b]);
    const rewrapped = await storedBlob(after, currentId);
    expect(rewrapped.wrapKeyId).toBe('b');
    // the re-wrap changed the wrapped key only: the sealed bytes are the very same
    expect(rewrapped.contentDigest).toBe(sealedUnderA.contentDigest);
    expect(rewrapped.wrappedKey!.equals(sealedUnderA.wrappedKey!)).toBe(false);
    expect((await storedBlob(after, legacyId)).wrapKeyId).toBe('b');
    expect((await downloaded(after, clientId, currentId)).body.equals(current.bytes)).toBe(true);
    expect((await downloaded(after, clientId, legacyId)).body.equals(legacy.bytes)).toBe(true);
    await after.stop();
  }, ROTATION_STEP_TIMEOUT_MS);
});
