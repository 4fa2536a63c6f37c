import type { NextFunction, Request, Response } from 'express';
import { Caller, Scope, holdsAny } from '../auth/caller';
import { AuthenticationError, TokenVerifier } from '../auth/tokens';
import type { Logger } from '../logger';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `requireBearerToken` for every request that reaches GraphQL. */
    caller?: Caller;
  }
}

/**
 * Every GraphQL request needs `Authorization: Bearer <JWT>`. Without a valid one the answer is
 * HTTP 401 with one GraphQL error coded UNAUTHENTICATED, before any GraphQL work is done. The one
 * exception is a browser asking for the landing page (HTML, no operation): it holds no data.
 */
export function requireBearerToken(verify: TokenVerifier, logger: Logger, landingPage: boolean) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (landingPage && isLandingPageRequest(req)) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_\-.=]{1,8192})$/i.exec(header.trim());
    if (!match) return refuse(res, header === '' ? 'A bearer token is required (Authorization: Bearer <token>).' : 'The Authorization header must be "Bearer <token>".');
    try {
      req.caller = await verify(match[1]);
      next();
    } catch (error) {
      if (error instanceof AuthenticationError) return refuse(res, error.message);
      // The key set could not be fetched, for example: the server's fault, not the caller's.
      logger.error({ err: error }, 'bearer token verification failed');
      res.status(503).json({ errors: [{ message: 'Authentication is unavailable; try again later.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    }
  };
}

/** After `requireBearerToken`, on a route outside GraphQL: a token without `scope` gets 403 FORBIDDEN. */
export function requireScope(scope: Scope) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.caller && holdsAny(req.caller, [scope])) return next();
    res.status(403).json({ errors: [{ message: `This needs a token with the ${scope} scope.`, extensions: { code: 'FORBIDDEN' } }] });
  };
}

function refuse(res: Response, message: string): void {
  res
    .status(401)
    .set('WWW-Authenticate', 'Bearer')
    .json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
}

function isLandingPageRequest(req: Request): boolean {
  // documentId: a trusted-document hash (src/http/trusted-documents.ts) names an operation too.
  return req.method === 'GET' && req.query.query === undefined && req.query.extensions === undefined && req.query.documentId === undefined && (req.get('accept') ?? '').includes('text/html');
}
