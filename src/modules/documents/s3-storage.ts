import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DirectUploads, DocumentStorage } from './document.storage';
import { SEALED_CHUNK_BYTES } from './sealed-chunks';
import type { S3StorageConfig } from './storage-config';

/** The SDK's logger interface (debug, info, warn, error): pino's fits. */
export type S3Logger = NonNullable<S3ClientConfig['logger']>;

/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;

/** The longest a SigV4 presigned URL may live: 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * The SDK's default logger prints some warnings straight to the console (such as "An error was
 * encountered in a non-retryable streaming request" for every failed upload, which writeChunks
 * reports itself); give it the application's logger to keep them, or this to drop them.
 */
const QUIET: S3Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * An S3 client for `config`. Credentials come from the SDK's standard chain (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, the container or instance role...). Checksums
 * only where an operation requires one: by default newer SDKs send every upload as an aws-chunked
 * body with a CRC trailer (and put checksum parameters into presigned URLs), which many
 * S3-compatible services reject.
 */
export function createS3Client(config: S3StorageConfig, logger: S3Logger = QUIET): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint !== null ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    logger,
  });
}

export interface S3StorageOptions {
  /** An S3 client to use instead of one built from the config (tests). */
  client?: S3Client;
  /** Where the SDK's own warnings go (pino's logger fits); dropped when unset. */
  logger?: S3Logger;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** HeadObject and friends answer a missing key with 404 (NotFound; GetObject: NoSuchKey). */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** A sealed write whose source yielded more or fewer bytes than announced. */
export class SealedSizeMismatchError extends Error {
  override name = 'SealedSizeMismatchError';
}

/**
 * The object-storage adapter: one object per document, holding its sealed chunks back to back, so
 * chunk i sits at byte i * SEALED_CHUNK_BYTES. Not transactional: bytes are written before the
 * document row, and the caller deletes them if the change fails.
 *
 * The SDK never retries a request with a streaming body (writeChunks): a failed write fails, and
 * the caller's upload with it.
 */
export class S3DocumentStorage implements DocumentStorage {
  readonly kind = 's3';
  readonly transactional = false;
  readonly direct?: DirectUploads;

  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(config: S3StorageConfig, options: S3StorageOptions = {}) {
    this.bucket = config.bucket;
    this.client = options.client ?? createS3Client(config, options.logger);
    if (config.directUploads) this.direct = new S3DirectUploads(this.client, this.bucket);
  }

  /** The bucket is there and these credentials may use it (HeadBucket); for the health check. */
  async ready(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Closes the client's connections (at shutdown). */
  close(): void {
    this.client.destroy();
  }

  /**
   * One PutObject of exactly `sealedBytes`, streamed from `chunks` (at most one chunk held here).
   * The last piece is only sent once the source has ended, so a source that throws (a client that
   * went away, TooManyBytesError) or yields more or fewer bytes than `sealedBytes` never completes
   * the request: it is aborted, whatever a store may have kept of it is deleted, and the source's
   * error (or SealedSizeMismatchError) is thrown as it is. The store's own errors are thrown as the
   * SDK reports them.
   */
  async writeChunks(key: string, chunks: AsyncIterable<Buffer>, sealedBytes: number): Promise<void> {
    const abort = new AbortController();
    let failure: unknown = null;
    let sourceFailed = false;
    const body = Readable.from(exactly(chunks, sealedBytes), { objectMode: false, highWaterMark: SEALED_CHUNK_BYTES });
    // The SDK pipes the body into the request, and a pipe does not pass errors on: abort it here.
    body.once('error', (error) => {
      sourceFailed = true;
      failure ??= error;
      abort.abort(error);
    });
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: sealedBytes,
          ContentType: 'application/octet-stream',
        }),
        { abortSignal: abort.signal },
      );
    } catch (error) {
      failure ??= error;
    } finally {
      // A request that failed before the body was read leaves the source unread: end it.
      if (!body.destroyed) body.destroy();
    }
    if (failure === null) return;
    // Refused or failed by the store (or unreachable): nothing was stored, and the caller deletes
    // the key anyway when its change fails. Cut short here: some stores keep what arrived.
    if (sourceFailed) await this.discard(key);
    throw failure;
  }

  /**
   * Best effort: deletes what a failed write may have left under `key`. S3 and MinIO never keep an
   * upload cut short, but some stores do (s3rver keeps the bytes that arrived), and may still be
   * finishing it when the delete arrives on another connection: so delete, look again a moment
   * later, and delete again while it is there (at most ~1 s, only on failed writes).
   */
  private async discard(key: string): Promise<void> {
    for (const pause of [50, 150, 800]) {
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
        await sleep(pause);
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      } catch (error) {
        if (isNotFound(error)) return;
      }
    }
  }

  /**
   * One ranged GetObject over chunks first..last, re-cut into whole sealed chunks (the file's last
   * one shorter) as the bytes arrive: at most one chunk and one network piece are held.
   */
  async *readChunks(key: string, first: number, last: number, sealedBytes: number): AsyncGenerator<Buffer> {
    const start = first * SEALED_CHUNK_BYTES;
    const end = Math.min((last + 1) * SEALED_CHUNK_BYTES, sealedBytes) - 1;
    if (!Number.isSafeInteger(first) || first < 0 || last < first || start > end) {
      throw new RangeError(`chunks ${first}..${last} are outside ${key} (${sealedBytes} sealed bytes)`);
    }
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}` }));
    const body = response.Body as Readable | undefined;
    if (!body) throw new Error(`document object ${key} has no body`);
    // A store that ignored the range would send the whole object: refuse it rather than misread.
    if (response.ContentRange !== undefined && !response.ContentRange.startsWith(`bytes ${start}-${end}/`)) {
      body.destroy();
      throw new Error(`document object ${key}: asked for bytes ${start}-${end}, got ${response.ContentRange}`);
    }
    const expected = end - start + 1;
    let received = 0;
    let chunk: Buffer | null = null;
    let filled = 0;
    try {
      for await (const piece of body as AsyncIterable<Buffer>) {
        received += piece.length;
        if (received > expected) throw new Error(`document object ${key}: more than the ${expected} bytes asked for`);
        let offset = 0;
        while (offset < piece.length) {
          if (chunk === null) {
            // Chunk boundaries fall every SEALED_CHUNK_BYTES from the range's start; the range ends the last.
            const size = Math.min(SEALED_CHUNK_BYTES, expected - (received - piece.length + offset));
            // A piece that holds a whole chunk is passed on as it is, without a copy.
            if (piece.length - offset >= size) {
              yield piece.subarray(offset, offset + size);
              offset += size;
              continue;
            }
            chunk = Buffer.allocUnsafe(size);
          }
          const take = Math.min(chunk.length - filled, piece.length - offset);
          piece.copy(chunk, filled, offset, offset + take);
          filled += take;
          offset += take;
          if (filled === chunk.length) {
            const full: Buffer = chunk;
            chunk = null;
            filled = 0;
            yield full;
          }
        }
      }
    } finally {
      if (!body.destroyed) body.destroy();
    }
    if (received < expected) throw new Error(`document object ${key}: ${expected - received} of the ${expected} bytes asked for are missing`);
  }

  /** DeleteObjects, 1000 keys at a time; keys with nothing stored are fine. */
  async delete(keys: string[]): Promise<void> {
    for (let from = 0; from < keys.length; from += DELETE_BATCH) {
      const batch = keys.slice(from, from + DELETE_BATCH);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const errors = (result.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey');
      if (errors.length > 0) {
        const [first] = errors;
        throw new Error(`could not delete ${errors.length} document object(s), e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim());
      }
    }
  }
}

/**
 * Yields `chunks` as they are, provided they add up to exactly `total` bytes; otherwise throws
 * (SealedSizeMismatchError), or rethrows the source's error. The piece that completes `total` is
 * held back until the source has ended, so an excess byte or a late error is seen before the
 * request body is complete, and the store never receives a whole, wrong object.
 */
async function* exactly(chunks: AsyncIterable<Buffer>, total: number): AsyncGenerator<Buffer> {
  let sent = 0;
  let held: Buffer | null = null;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    if (held !== null || sent + chunk.length > total) {
      throw new SealedSizeMismatchError(`the sealed chunks are longer than the ${total} bytes announced`);
    }
    if (sent + chunk.length === total) {
      held = chunk;
    } else {
      sent += chunk.length;
      yield chunk;
    }
  }
  if (held === null) throw new SealedSizeMismatchError(`the sealed chunks are ${sent} bytes, not the ${total} announced`);
  yield held;
}

/** Presigned PUTs straight into the bucket, and what they put there. */
class S3DirectUploads implements DirectUploads {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * A PUT URL for `key`, valid `expiresInSeconds` from now. Content-Type and Content-Length are
   * signed, so (on AWS S3 and the services that check signatures) the upload must send exactly these.
   */
  async presignPut(key: string, contentType: string, sizeBytes: number, expiresInSeconds: number): Promise<string> {
    const expiresIn = Math.max(1, Math.ceil(expiresInSeconds));
    if (expiresIn > MAX_PRESIGN_SECONDS) throw new RangeError(`a presigned URL lives at most 7 days (asked for ${expiresIn} s)`);
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: sizeBytes });
    return getSignedUrl(this.client, command, { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) });
  }

  async sizeOf(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async read(key: string): Promise<AsyncIterable<Buffer>> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!response.Body) throw new Error(`uploaded object ${key} has no body`);
    return response.Body as Readable;
  }
}
