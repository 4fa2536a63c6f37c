import type { NextFunction, Request, Response } from 'express';
import { OVERSIZED_STRING_MARK } from '../shared/oversized';
import { isSingleAddDocument } from './body-limits';

/** A string longer than this, in a body over the limit, is not kept: it becomes its mark and length. */
const LONG_STRING_BYTES = 1024 * 1024;

/**
 * A JSON body that declares more than `limit` bytes (BODY_LIMIT_BYTES: an addDocument with a file
 * far over 10 MiB) and at most `hardLimit` is read as a stream, keeping everything but its strings
 * longer than 1 MiB: each of those is replaced by OVERSIZED_STRING_MARK and its length in bytes
 * (src/shared/oversized.ts). So a 20 MiB file is answered as a 10 MiB + 1 byte one is, a
 * ValidationError TOO_LARGE on its field, instead of an HTTP 413, and the server holds no more
 * than `limit` bytes of it. Anything else goes on to the ordinary JSON parser, which refuses a body
 * over `limit` with 413 as before: a body declaring more than `hardLimit`, one without a
 * Content-Length (chunked), a compressed one, or one whose kept part is still over `limit`. Once read,
 * a body that is not a single addDocument is 413 as it would have been (a body naming a trusted
 * document by hash goes on: src/http/trusted-documents.ts puts its text in place and the operation
 * limit then decides).
 */
export function oversizedJsonBody(limit: number, hardLimit: number, maxTokens: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const declared = Number(req.headers['content-length']);
    if (!(declared > limit && declared <= hardLimit)) return next();
    if (!req.is('application/json')) return next();
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return next();

    const scanner = new LongStringScanner(LONG_STRING_BYTES);
    let received = 0;
    let failed = false;
    const fail = (status: number) => {
      if (failed) return;
      failed = true;
      req.resume(); // drain what is still coming, so the answer can be read
      next(Object.assign(new Error(status === 413 ? 'request entity too large' : 'bad request'), { status, expose: true }));
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      received += chunk.length;
      if (received > declared) return fail(400);
      scanner.push(chunk);
      if (scanner.keptBytes > limit) fail(413);
    });
    req.on('error', () => fail(400));
    req.on('aborted', () => fail(400));
    req.on('end', () => {
      if (failed) return;
      if (received !== declared) return fail(400);
      let body: unknown;
      try {
        body = JSON.parse(scanner.text());
      } catch {
        return fail(400);
      }
      const query = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
      if (query !== undefined && !isSingleAddDocument(body, maxTokens)) return fail(413);
      req.body = body;
      req.bodyBytes = received;
      next();
    });
  };
}

/**
 * JSON text in chunks, out as the same text with every string longer than `maxStringBytes` replaced
 * by a short JSON string: the mark and the long one's length in (UTF-8, escaped) bytes.
 */
export class LongStringScanner {
  private readonly kept: Buffer[] = [];
  keptBytes = 0;
  private inString = false;
  private escaped = false;
  private piece: Buffer[] = [];
  private pieceBytes = 0;
  private long = false;

  constructor(private readonly maxStringBytes: number) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (!this.inString) {
        const quote = chunk.indexOf(0x22 /* " */, at);
        this.keep(chunk.subarray(at, quote < 0 ? chunk.length : quote + 1));
        if (quote < 0) return;
        this.inString = true;
        this.piece = [];
        this.pieceBytes = 0;
        this.long = false;
        at = quote + 1;
        continue;
      }
      let close = -1;
      for (let i = at; i < chunk.length; i++) {
        if (this.escaped) this.escaped = false;
        else if (chunk[i] === 0x5c /* \ */) this.escaped = true;
        else if (chunk[i] === 0x22) {
          close = i;
          break;
        }
      }
      this.take(chunk.subarray(at, close < 0 ? chunk.length : close));
      if (close < 0) return;
      this.inString = false;
      if (this.long) this.keep(Buffer.from(`${JSON.stringify(`${OVERSIZED_STRING_MARK}${this.pieceBytes}`).slice(1)}`));
      else {
        for (const part of this.piece) this.keep(part);
        this.keep(Buffer.from('"'));
      }
      at = close + 1;
    }
  }

  text(): string {
    return Buffer.concat(this.kept).toString('utf8');
  }

  /** Part of a string's text: kept until the string is longer than the most kept, then only counted. */
  private take(part: Buffer): void {
    this.pieceBytes += part.length;
    if (this.long) return;
    if (this.pieceBytes > this.maxStringBytes) {
      this.long = true;
      this.piece = [];
      return;
    }
    this.piece.push(Buffer.from(part)); // a copy: the chunk it came from is not held
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.kept.push(Buffer.from(part));
    this.keptBytes += part.length;
  }
}
