import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { withoutUnwantedCharacters } from '../shared/validation';
import { signedLinkParameters } from './signed-link';

/**
 * GET (and HEAD) /documents/:id/content?expires=...&signature=... serves a document's stored bytes
 * with its stored content type, streamed from storage chunk by chunk (never the whole file in
 * memory), one byte range at a time when asked (`Range: bytes=...`, RFC 9110 section 14). An
 * expired, altered or foreign link gets 403 and no detail.
 */
export function documentDownloadHandler(services: Services, logger: Logger) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id);
    const link = signedLinkParameters(req);
    res.setHeader('Cache-Control', 'private, no-store');
    if (!link || !services.downloadLinks.verify(id, link.expires, link.signature)) {
      res.status(403).type('text/plain').send('Forbidden');
      return;
    }
    try {
      const found = await services.documents.file(id);
      if (!found) {
        res.status(404).type('text/plain').send('Not Found');
        return;
      }
      const { document, file } = found;
      const etag = `"${document.sha256}"`;
      res.setHeader('Content-Type', document.contentType);
      res.setHeader('Content-Disposition', attachmentDisposition(document.fileName));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('ETag', etag);
      res.setHeader('Accept-Ranges', 'bytes');
      const ifRange = req.get('if-range');
      const range = ifRange === undefined || ifRange === etag ? byteRange(req.get('range'), file.sizeBytes) : null;
      if (range === 'unsatisfiable') {
        res.status(416).setHeader('Content-Range', `bytes */${file.sizeBytes}`);
        res.removeHeader('Content-Type');
        res.end();
        return;
      }
      const [start, end] = range ?? [0, file.sizeBytes - 1];
      // The first piece is opened before the status is sent: a file that does not open (altered,
      // moved, its key missing) is a clean 500, not a 200 cut short.
      const pieces = file.read(start, end)[Symbol.asyncIterator]();
      const first = req.method === 'HEAD' ? null : await pieces.next();
      res.status(range ? 206 : 200);
      if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${file.sizeBytes}`);
      res.setHeader('Content-Length', String(end - start + 1));
      if (first === null || first.done) {
        await pieces.return?.(undefined);
        res.end();
        return;
      }
      const rest = (async function* () {
        try {
          yield first.value;
          for (let next = await pieces.next(); !next.done; next = await pieces.next()) yield next.value;
        } finally {
          // A client gone mid-way: the reader stops and drops its data key.
          await pieces.return?.(undefined);
        }
      })();
      await pipeline(Readable.from(rest), res).catch((error: unknown) => {
        // Headers are gone: the client sees a cut response (Content-Length promised more), never wrong bytes.
        if (!isClientGone(error)) logger.error({ err: error, documentId: id }, 'document download failed while streaming');
        res.destroy();
      });
    } catch (error) {
      logger.error({ err: error, documentId: id }, 'document download failed');
      if (res.headersSent) res.destroy();
      else res.status(500).type('text/plain').send('Internal Server Error');
    }
  };
}

const isClientGone = (error: unknown) => (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';

/**
 * The one byte range a Range header asks for, as [start, end] inclusive; null: serve the whole
 * file (no header, a unit other than bytes, several ranges, or a header that does not parse, which
 * RFC 9110 says to ignore); 'unsatisfiable': a valid range entirely past the end (416).
 */
export function byteRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=[ \t]*(\d{0,15})-(\d{0,15})[ \t]*$/.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    // A suffix: the last N bytes.
    const length = Number(match[2]);
    if (length === 0) return 'unsatisfiable';
    return [Math.max(0, size - length), size - 1];
  }
  const start = Number(match[1]);
  if (start >= size) return 'unsatisfiable';
  const end = match[2] === '' ? size - 1 : Number(match[2]);
  if (end < start) return null;
  return [start, Math.min(end, size - 1)];
}

/**
 * `attachment` with the file name twice (RFC 6266, section 4.3): `filename*` in UTF-8,
 * percent-encoded down to RFC 5987's attr-char (encodeURIComponent leaves ' ( ) * as they are,
 * which attr-char does not allow), and a plain `filename` fallback in printable ASCII with no
 * quote, backslash or percent sign, for clients that do not read `filename*`. Names stored
 * before the text rules existed lose their control, bidirectional and invisible characters here.
 */
export function attachmentDisposition(storedName: string): string {
  const name = withoutUnwantedCharacters(storedName).replace(/[/\\]/g, '_').trim() || 'document';
  const fallback = name.replace(/[^\x20-\x7e]|["%\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
