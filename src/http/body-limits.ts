import express, { NextFunction, Request, Response } from 'express';
import { Kind, OperationDefinitionNode, parse } from 'graphql';

declare module 'express-serve-static-core' {
  interface Request {
    /** Size of the JSON body as received, set by `jsonBody`. */
    bodyBytes?: number;
  }
}

/** Reads JSON bodies up to `documentLimit`, noting their size for `operationBodyLimit`. */
export function jsonBody(documentLimit: number) {
  return express.json({
    limit: documentLimit,
    verify: (req: Request, _res, buffer) => {
      req.bodyBytes = buffer.length;
    },
  });
}

/**
 * Only an `addDocument` mutation (whose variables carry a file) may be larger than `operationLimit`:
 * any other operation that big is refused with 413 before any GraphQL work. Runs after trusted
 * documents have put the text of a hash-only request in place.
 */
export function operationBodyLimit(operationLimit: number, maxTokens: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.bodyBytes ?? 0) <= operationLimit || isSingleAddDocument(req.body, maxTokens)) return next();
    res.status(413).json({
      errors: [{ message: `Request body too large: at most ${operationLimit} bytes, except for addDocument.`, extensions: { code: 'BAD_REQUEST' } }],
    });
  };
}

/** Whether the body's query is one mutation whose only field is addDocument. */
export function isSingleAddDocument(body: unknown, maxTokens: number): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const query = (body as { query?: unknown }).query;
  if (typeof query !== 'string' || query.length > 100_000) return false;
  try {
    const document = parse(query, { maxTokens, noLocation: true });
    const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    // One mutation (fragments beside it are fine) whose only field is addDocument.
    if (operations.length !== 1 || operations[0].operation !== 'mutation') return false;
    const fields = operations[0].selectionSet.selections;
    return fields.length === 1 && fields[0].kind === Kind.FIELD && fields[0].name.value === 'addDocument';
  } catch {
    return false;
  }
}
