import { createHash, randomBytes } from 'node:crypto';
import { AddDocumentInput, AddDocumentShowingClientDocument, ClientDocumentsDocument, CreateDocumentUploadDocument, CreateDocumentUploadInput } from '../generated/graphql';
import { pngBase64 } from './fixtures';
import type { TestApp } from './test-app';

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Sends addDocument (a PNG passport unless told otherwise) and returns the union member as it came. */
export async function addDocument(t: TestApp, clientId: string, input: Partial<Omit<AddDocumentInput, 'clientId'>> = {}) {
  const result = await t.run(AddDocumentShowingClientDocument, {
    input: { clientId, type: 'PASSPORT', fileName: 'passport.png', contentType: 'image/png', contentBase64: pngBase64, ...input },
  });
  return result.addDocument;
}

/** A document that was added and awaits review. */
export async function addPendingDocument(t: TestApp, clientId: string, input: Partial<Omit<AddDocumentInput, 'clientId'>> = {}) {
  const result = await addDocument(t, clientId, input);
  if (result.__typename !== 'AddDocumentSuccess') throw new Error(`addDocument: ${JSON.stringify(result)}`);
  return result.document;
}

/**
 * What an upload can write: the client's documents and version as the API shows them, and the
 * number of document rows and stored files in the whole database (a refused upload adds none).
 */
export async function documentState(t: TestApp, clientId: string) {
  const { client } = await t.run(ClientDocumentsDocument, { id: clientId });
  if (!client) throw new Error(`no client ${clientId}`);
  const [counts] = await t.app.database.prisma.$queryRawUnsafe<Array<{ documents: number; blobs: number; chunks: number }>>(
    `SELECT (SELECT count(*) FROM documents)::int AS documents,
            (SELECT count(*) FROM document_blobs)::int + (SELECT count(*) FROM document_objects)::int AS blobs,
            (SELECT count(*) FROM document_chunks)::int AS chunks`,
  );
  return { version: client.version, documentIds: client.documents.map((document) => document.id), ...counts };
}

export interface Download {
  status: number;
  contentType: string | null;
  body: Buffer;
}

/** A plain HTTP GET, as a browser following a downloadUrl would send it. */
export async function download(url: string): Promise<Download> {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, contentType: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

/**
 * A client as read through the API, minus the download links: those are signed afresh on every
 * read (their expiry moves with the clock), so two reads of an unchanged client differ there only.
 */
export function withoutDownloadLinks<C extends { documents: Array<{ downloadUrl: string }> }>(client: C) {
  return { ...client, documents: client.documents.map(({ downloadUrl: _link, ...document }) => document) };
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A valid PNG (`png`, whose first chunk is IHDR) with a tEXt metadata chunk added after IHDR. */
export function pngWithText(png: Buffer, keyword: string, text: string): Buffer {
  const typeAndData = Buffer.concat([Buffer.from('tEXt'), Buffer.from(`${keyword}\0${text}`, 'latin1')]);
  const chunk = Buffer.alloc(typeAndData.length + 8);
  chunk.writeUInt32BE(typeAndData.length - 4, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), chunk.length - 4);
  const afterHeader = 8 + 25; // signature, then IHDR: length, type, 13 bytes of data, CRC
  return Buffer.concat([png.subarray(0, afterHeader), chunk, png.subarray(afterHeader)]);
}

/** createDocumentUpload for `bytes` (their size and type, no digest unless given); the union member as it came. */
export async function createUpload(t: Pick<TestApp, 'run'>, clientId: string, bytes: Buffer, input: Partial<Omit<CreateDocumentUploadInput, 'clientId'>> = {}) {
  const result = await t.run(CreateDocumentUploadDocument, { input: { clientId, contentType: 'application/pdf', sizeBytes: bytes.length, ...input } });
  return result.createDocumentUpload;
}

/** An upload that was created: its id and URL. */
export async function createdUpload(t: Pick<TestApp, 'run'>, clientId: string, bytes: Buffer, input: Partial<Omit<CreateDocumentUploadInput, 'clientId'>> = {}) {
  const result = await createUpload(t, clientId, bytes, input);
  if (result.__typename !== 'DocumentUploadCreated') throw new Error(`createDocumentUpload: ${JSON.stringify(result)}`);
  return result;
}

export interface PutAnswer {
  status: number;
  body: { uploadId?: string; sizeBytes?: number; sha256?: string; error?: { code: string; message: string } } | null;
}

/** PUTs raw bytes to an upload URL, as a browser or curl would; the status and JSON body as they came. */
export async function putBytes(url: string, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<PutAnswer> {
  const response = await fetch(url, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/octet-stream', ...headers },
    ...(body instanceof Buffer ? {} : { duplex: 'half' }),
  } as RequestInit);
  const text = await response.text();
  let parsed: PutAnswer['body'] = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}

/** A PDF of exactly `size` bytes (a real header, then random bytes). */
export function pdfOfSize(size: number): Buffer {
  const bytes = randomBytes(size);
  Buffer.from('%PDF-1.7\n').copy(bytes, 0);
  return bytes;
}
