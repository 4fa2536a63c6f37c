import type { Request, Response } from 'express';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { withoutUnwantedCharacters } from '../shared/validation';

/**
 * GET /documents/:id/content?expires=...&signature=... serves a document's stored bytes with its
 * stored content type. An expired, altered or foreign link gets 403 and no detail.
 */
export function documentDownloadHandler(services: Services, logger: Logger) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id);
    const { expires, signature } = req.query;
    res.setHeader('Cache-Control', 'private, no-store');
    if (!services.downloadLinks.verify(id, typeof expires === 'string' ? expires : undefined, typeof signature === 'string' ? signature : undefined)) {
      res.status(403).type('text/plain').send('Forbidden');
      return;
    }
    try {
      const found = await services.documents.content(id);
      if (!found) {
        res.status(404).type('text/plain').send('Not Found');
        return;
      }
      res.status(200);
      res.setHeader('Content-Type', found.document.contentType);
      res.setHeader('Content-Length', String(found.content.length));
      res.setHeader('Content-Disposition', attachmentDisposition(found.document.fileName));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('ETag', `"${found.document.sha256}"`);
      res.end(found.content);
    } catch (error) {
      logger.error({ err: error, documentId: id }, 'document download failed');
      res.status(500).type('text/plain').send('Internal Server Error');
    }
  };
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
