import type { Request, Response } from 'express';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { signedLinkParameters } from './signed-link';

/**
 * PUT /uploads/:id?expires=...&signature=... takes the raw bytes of a file for an upload that
 * createDocumentUpload created (no token: the signed, single-use link is the permission, as a
 * presigned object-storage URL would be). The body streams into storage, sealed; it is never
 * buffered whole. Answers 200 with the size and SHA-256 received, or a JSON error with a code.
 */
export function documentUploadHandler(services: Services, logger: Logger) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id);
    res.setHeader('Cache-Control', 'no-store');
    const link = signedLinkParameters(req);
    if (!link || !services.documentUploads.verifyLink(id, link.expires, link.signature)) {
      answer(res, 403, { error: { code: 'FORBIDDEN', message: 'The upload link is invalid or has expired.' } });
      return;
    }
    const length = req.get('content-length');
    if (length !== undefined && !/^\d{1,15}$/.test(length)) {
      answer(res, 400, { error: { code: 'BAD_REQUEST', message: 'Content-Length is not a number.' } });
      return;
    }
    try {
      // Under `Expect: 100-continue` the client sends the body only once told to: after the checks.
      const readyToRead = () => {
        if (req.get('expect')?.toLowerCase() === '100-continue') res.writeContinue();
      };
      const outcome = await services.documentUploads.receive(id, req, length === undefined ? null : Number(length), readyToRead);
      answer(res, outcome.status, outcome.body);
    } catch (error) {
      if (req.socket.destroyed || res.destroyed) {
        // The client went away mid-upload: nothing was kept, nobody to answer.
        logger.info({ uploadId: id }, 'upload abandoned by the client');
        return;
      }
      logger.error({ err: error, uploadId: id }, 'document upload failed');
      answer(res, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'The upload failed; try again.' } });
    }
  };
}

/**
 * Answers, and closes the connection when the request body was not read to its end (a refusal
 * before or during the upload): the client stops sending instead of pushing the rest of the file.
 */
function answer(res: Response, status: number, body: object): void {
  if (!res.req.readableEnded) res.setHeader('Connection', 'close');
  res.status(status).json(body);
}
