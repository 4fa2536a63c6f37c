import { randomBytes, randomUUID } from 'node:crypto';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3DocumentStorage, SealedSizeMismatchError } from '../../src/modules/documents/s3-storage';
import {
  CHUNK_BYTES,
  ChunkCipher,
  ChunkSealer,
  SEALED_CHUNK_BYTES,
  chunkCount,
  chunksFor,
  fromBuffer,
  openRange,
  sealedSize,
} from '../../src/modules/documents/sealed-chunks';
import { parseDocumentStorageConfig } from '../../src/modules/documents/storage-config';
import { TestS3Server, startS3Server, withS3Credentials } from '../support/s3-server';

const SIZE = 10 * 1024 * 1024 + 123;

let server: TestS3Server;
let restoreCredentials: () => void;
let storage: S3DocumentStorage;
let raw: S3Client;

beforeAll(async () => {
  server = await startS3Server('onboarding-documents');
  // The adapter takes credentials from the SDK's standard chain: here, the environment.
  restoreCredentials = withS3Credentials(server);
  const config = { bucket: server.bucket, endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, directUploads: true };
  storage = new S3DocumentStorage(config);
  raw = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials });
});

afterAll(async () => {
  storage?.close();
  raw?.destroy();
  await server?.stop();
  restoreCredentials?.();
});

/** Whether an object exists under `key`, by a plain HeadObject. */
async function exists(key: string): Promise<boolean> {
  try {
    await raw.send(new HeadObjectCommand({ Bucket: server.bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** A file sealed as the service does: its data key, its chunks as a stream, its sealed size. */
function sealed(storageKey: string, plaintext: AsyncIterable<Buffer> | Buffer, sizeBytes: number) {
  const dataKey = randomBytes(32);
  const sealer = new ChunkSealer(new ChunkCipher(Buffer.from(dataKey), storageKey), Number.MAX_SAFE_INTEGER);
  const source = Buffer.isBuffer(plaintext) ? fromBuffer(plaintext) : plaintext;
  return { dataKey, chunks: sealer.seal(source), sealedBytes: sealedSize(sizeBytes), sealer };
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of source) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** Plaintext bytes start..end of a stored file, through readChunks and openRange. */
function readRange(storageKey: string, dataKey: Buffer, sizeBytes: number, start: number, end: number): Promise<Buffer> {
  const { first, last } = chunksFor(start, end);
  const cipher = new ChunkCipher(Buffer.from(dataKey), storageKey);
  return collect(openRange(cipher, storage.readChunks(storageKey, first, last, sealedSize(sizeBytes)), sizeBytes, start, end));
}

describe('S3DocumentStorage against s3rver', () => {
  const key = `documents/${randomUUID()}`;
  const plaintext = randomBytes(SIZE);
  let dataKey: Buffer;

  beforeAll(async () => {
    const file = sealed(key, plaintext, SIZE);
    dataKey = file.dataKey;
    await storage.writeChunks(key, file.chunks, file.sealedBytes);
    expect(file.sealer.summary.sizeBytes).toBe(SIZE);
  });

  it('is an s3, non-transactional storage', () => {
    expect(storage.kind).toBe('s3');
    expect(storage.transactional).toBe(false);
  });

  it('stores one object of exactly the sealed size', async () => {
    const head = await raw.send(new HeadObjectCommand({ Bucket: server.bucket, Key: key }));
    expect(head.ContentLength).toBe(sealedSize(SIZE));
  });

  it('reads the whole file back byte for byte', async () => {
    expect((await readRange(key, dataKey, SIZE, 0, SIZE - 1)).equals(plaintext)).toBe(true);
  });

  it.each([
    ['the first byte', 0, 0],
    ['across a chunk boundary', CHUNK_BYTES - 10, CHUNK_BYTES + 9],
    ['several chunks from the middle', 3 * CHUNK_BYTES + 7, 7 * CHUNK_BYTES + 1],
    ['the last byte', SIZE - 1, SIZE - 1],
    ['the last chunk only', (chunkCount(SIZE) - 1) * CHUNK_BYTES, SIZE - 1],
    ['the last two chunks', (chunkCount(SIZE) - 2) * CHUNK_BYTES + 5, SIZE - 1],
  ])('reads %s back byte for byte', async (_name, start, end) => {
    const bytes = await readRange(key, dataKey, SIZE, start, end);
    expect(bytes.length).toBe(end - start + 1);
    expect(bytes.equals(plaintext.subarray(start, end + 1))).toBe(true);
  });

  it('yields whole sealed chunks, the last one shorter', async () => {
    const last = chunkCount(SIZE) - 1;
    const sizes: number[] = [];
    for await (const chunk of storage.readChunks(key, last - 3, last, sealedSize(SIZE))) sizes.push(chunk.length);
    expect(sizes).toEqual([SEALED_CHUNK_BYTES, SEALED_CHUNK_BYTES, SEALED_CHUNK_BYTES, 123 + 16]);
  });

  it('refuses chunks outside the file', async () => {
    const past = chunkCount(SIZE);
    await expect(collect(storage.readChunks(key, past, past, sealedSize(SIZE)))).rejects.toThrow(RangeError);
  });

  it('stops reading when the reader stops early', async () => {
    for await (const chunk of storage.readChunks(key, 0, chunkCount(SIZE) - 1, sealedSize(SIZE))) {
      expect(chunk.length).toBe(SEALED_CHUNK_BYTES);
      break;
    }
    // The connection is released: further reads still work.
    expect((await readRange(key, dataKey, SIZE, 0, 99)).equals(plaintext.subarray(0, 100))).toBe(true);
  });
});

describe('failed writes leave no object', () => {
  const size = 300 * 1024 + 5;
  const plaintext = randomBytes(size);

  it('fewer bytes than announced', async () => {
    const key = `documents/${randomUUID()}`;
    const file = sealed(key, plaintext, size);
    await expect(storage.writeChunks(key, file.chunks, file.sealedBytes + 1)).rejects.toThrow(SealedSizeMismatchError);
    expect(await exists(key)).toBe(false);
    // Nor does one appear later (s3rver keeps a cut-off upload, finishing it a moment after the abort).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await exists(key)).toBe(false);
  });

  it('more bytes than announced', async () => {
    const key = `documents/${randomUUID()}`;
    const file = sealed(key, plaintext, size);
    await expect(storage.writeChunks(key, file.chunks, file.sealedBytes - 1)).rejects.toThrow(SealedSizeMismatchError);
    expect(await exists(key)).toBe(false);
  });

  it('more bytes after exactly the announced size', async () => {
    const key = `documents/${randomUUID()}`;
    const file = sealed(key, plaintext, size);
    async function* withExtra() {
      yield* file.chunks;
      yield Buffer.from('one more');
    }
    await expect(storage.writeChunks(key, withExtra(), file.sealedBytes)).rejects.toThrow(SealedSizeMismatchError);
    expect(await exists(key)).toBe(false);
  });

  it('a source that throws (the client went away), its error passed on', async () => {
    const key = `documents/${randomUUID()}`;
    const file = sealed(key, plaintext, size);
    const gone = new Error('the client went away');
    async function* failing() {
      let n = 0;
      for await (const chunk of file.chunks) {
        if (n++ === 3) throw gone;
        yield chunk;
      }
    }
    await expect(storage.writeChunks(key, failing(), file.sealedBytes)).rejects.toBe(gone);
    expect(await exists(key)).toBe(false);
  });

  it('a source that throws after its last byte', async () => {
    const key = `documents/${randomUUID()}`;
    const file = sealed(key, plaintext, size);
    const late = new Error('late failure');
    async function* failingLate() {
      yield* file.chunks;
      throw late;
    }
    await expect(storage.writeChunks(key, failingLate(), file.sealedBytes)).rejects.toBe(late);
    expect(await exists(key)).toBe(false);
  });

  it('a failed write replacing an object leaves no half object behind', async () => {
    const key = `documents/${randomUUID()}`;
    const first = sealed(key, plaintext, size);
    await storage.writeChunks(key, first.chunks, first.sealedBytes);
    const second = sealed(key, plaintext, size);
    await expect(storage.writeChunks(key, second.chunks, second.sealedBytes + 1)).rejects.toThrow(SealedSizeMismatchError);
    expect(await exists(key)).toBe(false);
  });

  it('the server still works afterwards', async () => {
    const key = `documents/${randomUUID()}`;
    const file = sealed(key, plaintext, size);
    await storage.writeChunks(key, file.chunks, file.sealedBytes);
    expect((await readRange(key, file.dataKey, size, 0, size - 1)).equals(plaintext)).toBe(true);
  });
});

describe('delete', () => {
  it('deletes, ignores missing keys, and can be repeated', async () => {
    const keys = [`documents/${randomUUID()}`, `documents/${randomUUID()}`];
    for (const key of keys) {
      const file = sealed(key, Buffer.from('hello'), 5);
      await storage.writeChunks(key, file.chunks, file.sealedBytes);
      expect(await exists(key)).toBe(true);
    }
    await storage.delete([...keys, `documents/${randomUUID()}`]);
    for (const key of keys) expect(await exists(key)).toBe(false);
    await expect(storage.delete(keys)).resolves.toBeUndefined();
  });

  it('sends nothing for no keys, and batches of at most 1000', async () => {
    const client = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials });
    const counted = new S3DocumentStorage({ bucket: server.bucket, endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, directUploads: false }, { client });
    const send = jest.spyOn(client, 'send');
    try {
      await counted.delete([]);
      expect(send).not.toHaveBeenCalled();
      await counted.delete(Array.from({ length: 2001 }, (_, i) => `missing/${i}`));
      const batches = send.mock.calls.map(([command]) => (command.input as { Delete: { Objects: unknown[] } }).Delete.Objects.length);
      expect(batches).toEqual([1000, 1000, 1]);
    } finally {
      counted.close();
    }
  });
});

describe('direct uploads', () => {
  it('are only there when enabled', () => {
    const off = new S3DocumentStorage({ bucket: server.bucket, endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, directUploads: false });
    expect(off.direct).toBeUndefined();
    expect(storage.direct).toBeDefined();
    off.close();
  });

  it('presign a PUT the client can send, then sizeOf and read what arrived', async () => {
    const key = `uploads/${randomUUID()}`;
    const body = randomBytes(200 * 1024 + 3);
    const url = await storage.direct!.presignPut(key, 'application/pdf', body.length, 60);
    const query = new URL(url).searchParams;
    expect(query.get('X-Amz-Expires')).toBe('60');
    expect(query.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
    // WHEN_REQUIRED: no checksum parameters a browser's PUT could not match.
    expect([...query.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);

    const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } });
    expect(response.status).toBe(200);
    expect(await storage.direct!.sizeOf(key)).toBe(body.length);
    expect((await collect(await storage.direct!.read(key))).equals(body)).toBe(true);
  });

  it('presigned URLs expire', async () => {
    const key = `uploads/${randomUUID()}`;
    const url = await storage.direct!.presignPut(key, 'application/pdf', 3, 0.5);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const response = await fetch(url, { method: 'PUT', body: Buffer.from('abc'), headers: { 'content-type': 'application/pdf' } });
    expect(response.status).toBe(403);
    expect(await storage.direct!.sizeOf(key)).toBeNull();
  });

  it('a past expiry still gives the shortest URL (1 s), and more than 7 days is refused', async () => {
    const url = await storage.direct!.presignPut('uploads/x', 'application/pdf', 3, -10);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('1');
    await expect(storage.direct!.presignPut('uploads/x', 'application/pdf', 3, 8 * 86_400)).rejects.toThrow(RangeError);
  });

  it('sizeOf is null when nothing was put', async () => {
    expect(await storage.direct!.sizeOf(`uploads/${randomUUID()}`)).toBeNull();
  });
});

describe('health', () => {
  it('ready() resolves for the bucket and rejects for a missing one', async () => {
    await expect(storage.ready()).resolves.toBeUndefined();
    const missing = new S3DocumentStorage({ bucket: 'no-such-bucket', endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, directUploads: false });
    await expect(missing.ready()).rejects.toThrow();
    missing.close();
  });
});

describe('memory', () => {
  it('writes and reads a 10 MiB file without holding it', async () => {
    const key = `documents/${randomUUID()}`;
    const piece = randomBytes(16 * 1024);
    async function* generated() {
      for (let sent = 0; sent < SIZE; sent += piece.length) yield piece.subarray(0, Math.min(piece.length, SIZE - sent));
    }
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      const file = sealed(key, generated(), SIZE);
      await storage.writeChunks(key, file.chunks, file.sealedBytes);
      const writeGrowth = peak - before;
      let read = 0;
      for await (const chunk of storage.readChunks(key, 0, chunkCount(SIZE) - 1, sealedSize(SIZE))) read += chunk.length;
      expect(read).toBe(sealedSize(SIZE));
      const growth = peak - before;
      console.info(`10 MiB sealed write: peak RSS growth ${(writeGrowth / 1048576).toFixed(1)} MB; write + read: ${(growth / 1048576).toFixed(1)} MB`);
      expect(writeGrowth).toBeLessThan(60 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
    }
  });
});

describe('parseDocumentStorageConfig', () => {
  const parse = (env: Record<string, string | undefined>) => {
    const problems: string[] = [];
    return { config: parseDocumentStorageConfig(env, problems), problems };
  };

  it('defaults to the database', () => {
    expect(parse({})).toEqual({ config: { kind: 'database' }, problems: [] });
    expect(parse({ DOCUMENT_STORAGE: 'database' })).toEqual({ config: { kind: 'database' }, problems: [] });
  });

  it('reads a full s3 configuration', () => {
    expect(
      parse({
        DOCUMENT_STORAGE: 's3',
        S3_BUCKET: 'onboarding-documents',
        S3_ENDPOINT: 'http://minio.internal:9000/',
        S3_REGION: 'eu-west-1',
        S3_FORCE_PATH_STYLE: 'true',
        S3_DIRECT_UPLOADS: 'yes',
      }),
    ).toEqual({
      config: { kind: 's3', bucket: 'onboarding-documents', endpoint: 'http://minio.internal:9000', region: 'eu-west-1', forcePathStyle: true, directUploads: true },
      problems: [],
    });
  });

  it('defaults: AWS, the region from AWS_REGION else us-east-1, no path style, no direct uploads', () => {
    expect(parse({ DOCUMENT_STORAGE: 's3', S3_BUCKET: 'docs', AWS_REGION: 'eu-central-1' })).toEqual({
      config: { kind: 's3', bucket: 'docs', endpoint: null, region: 'eu-central-1', forcePathStyle: false, directUploads: false },
      problems: [],
    });
    expect(parse({ DOCUMENT_STORAGE: 's3', S3_BUCKET: 'docs' }).config).toMatchObject({ region: 'us-east-1' });
  });

  it('requires a bucket', () => {
    expect(parse({ DOCUMENT_STORAGE: 's3' }).problems).toEqual([expect.stringMatching(/^S3_BUCKET: required/)]);
    expect(parse({ DOCUMENT_STORAGE: 's3', S3_BUCKET: 's3://docs/x' }).problems).toEqual([expect.stringMatching(/^S3_BUCKET: /)]);
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    for (const endpoint of ['minio:9000', 'ftp://minio', 'not a url', 'https://key:secret@minio']) {
      expect(parse({ DOCUMENT_STORAGE: 's3', S3_BUCKET: 'docs', S3_ENDPOINT: endpoint }).problems).toEqual([expect.stringMatching(/^S3_ENDPOINT: /)]);
    }
  });

  it('refuses S3_* without DOCUMENT_STORAGE=s3', () => {
    expect(parse({ S3_BUCKET: 'docs', S3_ENDPOINT: 'http://minio:9000' })).toEqual({
      config: { kind: 'database' },
      problems: ['S3_BUCKET: set DOCUMENT_STORAGE=s3 to use object storage', 'S3_ENDPOINT: set DOCUMENT_STORAGE=s3 to use object storage'],
    });
    expect(parse({ DOCUMENT_STORAGE: 'database', S3_DIRECT_UPLOADS: 'true' }).problems).toEqual(['S3_DIRECT_UPLOADS: set DOCUMENT_STORAGE=s3 to use object storage']);
  });

  it('refuses an unknown storage and bad booleans, reporting every problem', () => {
    expect(parse({ DOCUMENT_STORAGE: 'disk' }).problems).toEqual(['DOCUMENT_STORAGE: expected database or s3, got "disk"']);
    expect(parse({ DOCUMENT_STORAGE: 's3', S3_FORCE_PATH_STYLE: 'sometimes', S3_DIRECT_UPLOADS: 'on', S3_REGION: 'eu west' }).problems).toEqual([
      expect.stringMatching(/^S3_BUCKET: required/),
      expect.stringMatching(/^S3_REGION: /),
      'S3_FORCE_PATH_STYLE: expected true or false, got "sometimes"',
      'S3_DIRECT_UPLOADS: expected true or false, got "on"',
    ]);
  });
});
