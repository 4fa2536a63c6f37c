import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parse } from 'graphql';
import type { Logger } from '../logger';

/**
 * Trusted documents (persisted documents): the operations an app was built with, known to the
 * server by the SHA-256 of their text. Clients may send the hash instead of the text, and with
 * TRUSTED_DOCUMENTS_ONLY nothing else runs.
 */
export interface TrustedDocuments {
  /** The manifest file, as configured (for the start-up log line). */
  file: string;
  /** Lowercase hex SHA-256 of the document text (no "sha256:" prefix) → the text. */
  byHash: ReadonlyMap<string, string>;
  /** TRUSTED_DOCUMENTS_ONLY: refuse every operation whose text is not in the manifest. */
  only: boolean;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const SHOWN_PROBLEMS = 5;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads a manifest as GraphQL Code Generator's client preset writes it with
 * `presetConfig.persistedDocuments` (`{"sha256:<hex>": "<document text>", ...}`; keys without the
 * prefix are accepted too). Throws with every problem found; a hash that is not the SHA-256 of its
 * text is one, so a hand-edited document cannot hide behind a trusted hash.
 */
export function loadTrustedDocumentsManifest(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseTrustedDocumentsManifest(text, file);
}

export function parseTrustedDocumentsManifest(text: string, source = 'the manifest'): Map<string, string> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON (${(error as Error).message})`);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new Error(`${source} must be a JSON object of "sha256:<hash>": "<document>" entries, as the client preset's persistedDocuments writes it`);
  }
  const entries = Object.entries(manifest);
  if (entries.length === 0) throw new Error(`${source} holds no documents`);

  const byHash = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, document] of entries) {
    const shownKey = JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
    const hash = key.startsWith('sha256:') ? key.slice('sha256:'.length) : key;
    if (!HEX_SHA256.test(hash)) {
      problems.push(`entry ${shownKey}: not a SHA-256 hash (64 lowercase hex digits, optionally after "sha256:")`);
      continue;
    }
    if (typeof document !== 'string') {
      problems.push(`entry ${shownKey}: the document must be a string`);
      continue;
    }
    if (sha256Hex(document) !== hash) {
      problems.push(`entry ${shownKey}: the hash does not match its document text`);
      continue;
    }
    try {
      parse(document);
    } catch (error) {
      problems.push(`entry ${shownKey}: not a GraphQL document (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    byHash.set(hash, document);
  }
  if (problems.length > 0) {
    const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
    throw new Error(`${source}: ${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}`);
  }
  return byHash;
}

/** One GraphQL-over-HTTP request's parameters, from a POST body or a GET query string. */
type RequestParams = Record<string, unknown>;

type Refusal = { status: number; code: 'PERSISTED_QUERY_NOT_FOUND' | 'OPERATION_NOT_TRUSTED' | 'BAD_REQUEST'; message: string; hash?: string };
type Resolution = { ok: true; params: RequestParams } | ({ ok: false } & Refusal);

const notTrusted: { ok: false } & Refusal = {
  ok: false,
  status: 400,
  code: 'OPERATION_NOT_TRUSTED',
  message: 'This server only runs trusted documents: send the hash of a document from its trusted-documents manifest.',
};
const badRequest = (message: string): Resolution => ({ ok: false, status: 400, code: 'BAD_REQUEST', message });

/**
 * Replaces a document hash by the trusted text, before Apollo Server sees the request:
 * `extensions.persistedQuery.sha256Hash` (Apollo's APQ shape, version 1) or `documentId`
 * (GraphQL over HTTP, `<hash>` or `sha256:<hash>`). With `only`, refuses every other operation
 * unless its full text is itself in the manifest. Hashes are compared exactly: lowercase hex, as the
 * manifest holds them.
 */
export function trustedDocumentsMiddleware(trusted: TrustedDocuments, logger: Logger): RequestHandler {
  const longestDocument = Math.max(...[...trusted.byHash.values()].map((text) => text.length));

  const resolve = (params: RequestParams): Resolution => {
    const { documentId, extensions, ...rest } = params;
    const persistedQuery = isRecord(extensions) ? extensions.persistedQuery : undefined;

    const named: string[] = [];
    if (documentId !== undefined && documentId !== null) {
      if (typeof documentId !== 'string') return badRequest('documentId must be a string.');
      named.push(withoutPrefix(documentId));
    }
    if (persistedQuery !== undefined && persistedQuery !== null) {
      if (!isRecord(persistedQuery) || persistedQuery.version !== 1 || typeof persistedQuery.sha256Hash !== 'string') {
        return badRequest('extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hash>"}.');
      }
      named.push(withoutPrefix(persistedQuery.sha256Hash));
    }
    if (named.length === 2 && named[0] !== named[1]) return badRequest('documentId and extensions.persistedQuery name different documents.');

    const hash = named[0];
    if (hash !== undefined) {
      const text = trusted.byHash.get(hash);
      // Apollo Server answers an unknown APQ hash with HTTP 200 and this message and code; Apollo
      // Client and urql's persisted exchange recognise exactly that (and may then resend the full
      // text), so this answers the same way.
      if (text === undefined) return { ok: false, status: 200, code: 'PERSISTED_QUERY_NOT_FOUND', message: 'PersistedQueryNotFound', hash };
      // After a miss, APQ clients resend the hash with the text: the text must be that document.
      if (rest.query !== undefined && rest.query !== null && rest.query !== text) {
        return badRequest('The query text is not the document its hash names.');
      }
      const otherExtensions = isRecord(extensions) ? withoutKey(extensions, 'persistedQuery') : undefined;
      return { ok: true, params: { ...rest, query: text, ...(otherExtensions && Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}) } };
    }

    if (!trusted.only || rest.query === undefined || rest.query === null) {
      // Without a document nothing can run: Apollo Server refuses it (or serves its landing page).
      return { ok: true, params };
    }
    if (typeof rest.query === 'string' && rest.query.length <= longestDocument && trusted.byHash.has(sha256Hex(rest.query))) {
      return { ok: true, params };
    }
    return notTrusted;
  };

  const refuse = (res: Response, method: string, refusal: Refusal) => {
    // Never the query text or variables: an ad-hoc query may carry personal data inline.
    logger.info({ method, refusal: refusal.code, ...(refusal.hash && HEX_SHA256.test(refusal.hash) ? { documentHash: refusal.hash } : {}) }, 'GraphQL request refused (trusted documents)');
    if (refusal.code === 'PERSISTED_QUERY_NOT_FOUND') res.setHeader('Cache-Control', 'private, no-cache, must-revalidate');
    res.status(refusal.status).json({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
  };

  return (req: Request, res: Response, next: NextFunction) => {
    const method = req.method.toUpperCase();
    if (method === 'POST') {
      const body: unknown = req.body;
      // A batch is refused by Apollo Server unless batching is turned on; either way, every
      // operation in it must pass on its own.
      if (!Array.isArray(body) && !isRecord(body)) {
        // Not a JSON object (or no JSON body at all): Apollo Server refuses it; nothing can run.
        return trusted.only ? refuse(res, method, notTrusted) : next();
      }
      const resolved: unknown[] = [];
      for (const request of Array.isArray(body) ? body : [body]) {
        if (!isRecord(request)) {
          if (trusted.only) return refuse(res, method, notTrusted);
          resolved.push(request);
          continue;
        }
        const outcome = resolve(request);
        if (!outcome.ok) return refuse(res, method, outcome);
        resolved.push(outcome.params);
      }
      req.body = Array.isArray(body) ? resolved : resolved[0];
      return next();
    }
    if (method === 'GET') {
      const url = new URL(req.url, 'http://localhost');
      const params: RequestParams = {};
      for (const name of ['query', 'operationName', 'variables', 'extensions', 'documentId']) {
        const values = url.searchParams.getAll(name);
        // Apollo Server reads a parameter only when given once; so does this, so both agree.
        if (values.length > 1) return refuse(res, method, { status: 400, code: 'BAD_REQUEST', message: `${name} is given more than once.` });
        if (values.length === 1) params[name] = values[0];
      }
      if (params.extensions !== undefined) {
        try {
          params.extensions = JSON.parse(params.extensions as string);
        } catch {
          return refuse(res, method, { status: 400, code: 'BAD_REQUEST', message: 'extensions is not JSON.' });
        }
      }
      const outcome = resolve(params);
      if (!outcome.ok) return refuse(res, method, outcome);
      if (outcome.params === params) return next();
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(outcome.params)) {
        if (value === undefined) continue;
        search.set(name, name === 'extensions' ? JSON.stringify(value) : String(value));
      }
      req.url = `${url.pathname}?${search}`;
      return next();
    }
    next();
  };
}

function withoutPrefix(hash: string): string {
  return hash.startsWith('sha256:') ? hash.slice('sha256:'.length) : hash;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}
