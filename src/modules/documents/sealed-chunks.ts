/**
 * Document bytes at rest, format 2: sealed chunks. A file is cut into CHUNK_BYTES pieces (the last
 * one shorter, never empty), and each piece is sealed with AES-256-GCM under the file's own data
 * key (src/modules/documents/document-encryption.ts wraps that key under the ring):
 *
 *   stored chunk i = ciphertext || tag (16 bytes); nonce = [0 0 0][last ? 1 : 0][i, 64-bit big-endian]
 *   additional data = "onboarding-api/document-chunk/v2" + the storage key
 *
 * So a file is written and read as a stream (no whole-file buffer), any byte range is read by
 * opening only the chunks that hold it, each chunk is authenticated on its own, chunks cannot be
 * reordered (the index is in the nonce), and a file cannot be cut short unnoticed (only the real
 * last chunk opens with the "last" flag). Nonces never repeat under one key: every write of a file,
 * a retried upload included, gets a new data key.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { additionalData } from '../../shared/sealing';
import { AcceptedContentType, recogniseContentType } from './document-content';

export const CHUNK_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
export const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;

/** How many chunks a file of `sizeBytes` has (at least one). */
export const chunkCount = (sizeBytes: number, chunkBytes = CHUNK_BYTES) => Math.max(1, Math.ceil(sizeBytes / chunkBytes));

/** The stored (sealed) size of a file of `sizeBytes`. */
export const sealedSize = (sizeBytes: number, chunkBytes = CHUNK_BYTES) => sizeBytes + chunkCount(sizeBytes, chunkBytes) * TAG_BYTES;

function nonce(index: number, last: boolean): Buffer {
  const bytes = Buffer.alloc(12);
  bytes[3] = last ? 1 : 0;
  bytes.writeBigUInt64BE(BigInt(index), 4);
  return bytes;
}

export class ChunkCipher {
  private readonly aad: Buffer;

  constructor(
    private readonly dataKey: Buffer,
    storageKey: string,
  ) {
    this.aad = additionalData('onboarding-api/document-chunk/v2', storageKey);
  }

  seal(index: number, plaintext: Buffer, last: boolean): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, nonce(index, last));
    cipher.setAAD(this.aad);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  /** Throws when the chunk was altered, moved, cut, or sealed under another key or storage key. */
  open(index: number, sealed: Buffer, last: boolean): Buffer {
    if (sealed.length < TAG_BYTES) throw new Error(`document chunk ${index} is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', this.dataKey, nonce(index, last));
    decipher.setAAD(this.aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  }

  /** Zeroes the data key once the file is written or read. */
  dispose(): void {
    this.dataKey.fill(0);
  }
}

/** More bytes arrived than the limit allows; what was read so far is discarded by the caller. */
export class TooManyBytesError extends Error {
  override name = 'TooManyBytesError';
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

/** What a sealed write saw of the plaintext. */
export interface SealedSummary {
  sizeBytes: number;
  sha256: string;
  /** The accepted type the bytes have by structure, read off the first chunk; null: none. */
  detectedType: AcceptedContentType | null;
}

/**
 * Cuts `source` into chunks and seals them, yielding sealed chunks in order; `summary` holds the
 * size, SHA-256 and detected type once the iteration is done. More than `maxBytes` throws
 * TooManyBytesError as soon as the excess arrives. At most one chunk and one source piece are held.
 */
export class ChunkSealer {
  private done: SealedSummary | null = null;

  constructor(
    private readonly cipher: ChunkCipher,
    private readonly maxBytes: number,
  ) {}

  /** The summary once the source has ended, else null (the write stopped before). */
  get finished(): SealedSummary | null {
    return this.done;
  }

  get summary(): SealedSummary {
    if (!this.done) throw new Error('the sealed write has not finished');
    return this.done;
  }

  async *seal(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let size = 0;
    let index = 0;
    let detectedType: AcceptedContentType | null = null;
    // One full chunk waits until more bytes (or the end) say whether it is the last one.
    let pending: Buffer | null = null;
    let filling = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    const emit = (chunk: Buffer, last: boolean) => {
      if (index === 0) detectedType = recogniseContentType(chunk) ?? null;
      return this.cipher.seal(index++, chunk, last);
    };
    for await (const piece of source) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      size += bytes.length;
      if (size > this.maxBytes) throw new TooManyBytesError(this.maxBytes);
      hash.update(bytes);
      let offset = 0;
      while (offset < bytes.length) {
        const take = Math.min(CHUNK_BYTES - filled, bytes.length - offset);
        bytes.copy(filling, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled === CHUNK_BYTES) {
          if (pending) yield emit(pending, false);
          pending = filling;
          filling = Buffer.allocUnsafe(CHUNK_BYTES);
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      if (pending) yield emit(pending, false);
      yield emit(filling.subarray(0, filled), true);
    } else if (pending) {
      yield emit(pending, true);
    } else {
      yield emit(Buffer.alloc(0), true);
    }
    this.done = { sizeBytes: size, sha256: hash.digest('hex'), detectedType };
  }
}

/** The chunks holding plaintext bytes start..end (inclusive), and where the range sits in them. */
export function chunksFor(start: number, end: number, chunkBytes = CHUNK_BYTES) {
  const first = Math.floor(start / chunkBytes);
  const last = Math.floor(end / chunkBytes);
  return { first, last, skip: start - first * chunkBytes };
}

/**
 * Opens sealed chunks first..last of a file of `sizeBytes` and yields the plaintext of bytes
 * start..end (inclusive). Each chunk is checked before any of its bytes is yielded.
 */
export async function* openRange(
  cipher: ChunkCipher,
  sealedChunks: AsyncIterable<Buffer>,
  sizeBytes: number,
  start: number,
  end: number,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const { first, last, skip } = chunksFor(start, end, chunkBytes);
  const finalChunk = chunkCount(sizeBytes, chunkBytes) - 1;
  let index = first;
  let remaining = end - start + 1;
  for await (const sealed of sealedChunks) {
    if (index > last) break;
    let plain = cipher.open(index, sealed, index === finalChunk);
    if (index === first) plain = plain.subarray(skip);
    if (plain.length > remaining) plain = plain.subarray(0, remaining);
    remaining -= plain.length;
    index++;
    if (plain.length > 0) yield plain;
  }
  if (remaining > 0) throw new Error(`document chunks ${first}..${last} are missing (${remaining} bytes short)`);
}

/** Yields one Buffer source as pieces (a base64 upload already in memory goes down the same path). */
export async function* fromBuffer(buffer: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += CHUNK_BYTES) yield buffer.subarray(offset, offset + CHUNK_BYTES);
}
