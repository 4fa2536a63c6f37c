import { rmSync } from 'node:fs';
import net from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pino from 'pino';
import { App, createApp } from '../../src/app';
import type { ContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { ContactChannel, RequestContactVerificationDocument } from '../generated/graphql';
import type { GraphQLResponse, TestApp } from './test-app';
import { testConfig } from './test-app';
import { createTestDatabase } from './test-database';

/** Asks for a code and returns the answer together with the code that was delivered. */
export async function requestCode(t: TestApp, clientId: string, channel: ContactChannel) {
  const { requestContactVerification: result } = await t.run(RequestContactVerificationDocument, { input: { clientId, channel } });
  if (result.__typename !== 'ContactVerificationRequested') throw new Error(`requestContactVerification: ${JSON.stringify(result)}`);
  return { result, code: t.delivery.lastCode(clientId, channel) };
}

/** A well-formed 6-digit code that is not `code`. */
export function otherCode(code: string, step = 1): string {
  return String((Number(code) + step) % 1_000_000).padStart(6, '0');
}

/** An app like startTestApp's, but delivering codes through `contactDelivery` (the real adapters). */
export interface DeliveryTestApp {
  app: App;
  url: string;
  run<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): Promise<TResult>;
  post<T = Record<string, unknown>>(body: unknown): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export async function startAppWithDelivery(contactDelivery: ContactDelivery): Promise<DeliveryTestApp> {
  const database = await createTestDatabase();
  const config = testConfig({ database: database.config });
  const app = await createApp(config, { contactDelivery, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  const url = await app.listen(0, '127.0.0.1');
  const post = async <T>(body: unknown): Promise<GraphQLResponse<T>> => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse<T>, 'status'>) };
  };
  return {
    app,
    url,
    post,
    async run(document, variables) {
      const response = await post<never>({ query: print(document), variables });
      if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
      return response.data as never;
    },
    async stop() {
      await app.stop();
      await database.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port nothing listens on right now (for a child server, or a webhook that is down). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
