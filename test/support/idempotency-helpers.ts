import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { testToken } from './test-app';

/** An answer as it came over the wire: the body's exact text, for comparing replays byte for byte. */
export interface RawAnswer {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  replayed: boolean;
}

let staffToken: Promise<string> | undefined;

/**
 * POSTs `body` to `${url}/graphql` with an `Idempotency-Key` header (undefined: none), as staff
 * unless `token` says otherwise. `key` is sent as given, so a test can send bytes fetch would refuse
 * to encode (give a latin1 string: each character one byte).
 */
export async function postWithKey(url: string, body: unknown, key: string | undefined, token?: string): Promise<RawAnswer> {
  const bearer = token ?? (await (staffToken ??= testToken()));
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text), replayed: response.headers.get('idempotent-replayed') === 'true' };
}

/** A typed operation as a request body. */
export function operation<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables) {
  return { query: print(document), variables };
}

/** The GraphQL error code of an answer (the first error's). */
export const codeOf = (answer: RawAnswer) => answer.body.errors?.[0]?.extensions?.code;
