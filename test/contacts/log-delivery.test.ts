import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { LogContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { ConfirmContactVerificationDocument, CreateClientDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { DeliveryTestApp, freePort, startAppWithDelivery } from '../support/contacts-helpers';
import { createEmptyPostgresDatabase, onPostgres } from '../support/test-database';

const BUILT_SERVER = path.resolve(__dirname, '../../dist/main.js');

/** The JSON lines holding a code for `clientId` among everything written. */
function codeLines(output: string, clientId: string) {
  return output
    .split('\n')
    .filter((line) => line.includes('"contact_verification_code"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((message) => message.clientId === clientId);
}

describe('the default delivery: one JSON line per code on standard output', () => {
  describe('in process', () => {
    const written: string[] = [];
    let app: DeliveryTestApp;
    beforeAll(async () => {
      app = await startAppWithDelivery(new LogContactDelivery({ write: (chunk: string) => written.push(chunk) }));
    });
    afterAll(() => app.stop());

    it('writes one line with the event, client, channel and code, and that code verifies the contact', async () => {
      // given a client
      const created = await app.run(CreateClientDocument, { input: { firstName: 'Ada', lastName: 'Lovelace', mobilePhone: '+14155550100' } });
      if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
      const clientId = created.createClient.client.id;

      // when a code is requested
      const requested = await app.run(RequestContactVerificationDocument, { input: { clientId, channel: 'MOBILE_PHONE' } });
      expect(requested.requestContactVerification.__typename).toBe('ContactVerificationRequested');

      // then exactly one complete JSON line was written for it
      expect(written).toHaveLength(1);
      expect(written[0].endsWith('\n')).toBe(true);
      expect(written[0].trimEnd()).not.toContain('\n');
      const message = JSON.parse(written[0]);
      expect(message).toMatchObject({ event: 'contact_verification_code', clientId, channel: 'MOBILE_PHONE', code: expect.stringMatching(/^\d{6}$/) });
      // and the code in it is the one the server accepts
      const confirmed = await app.run(ConfirmContactVerificationDocument, { input: { clientId, channel: 'MOBILE_PHONE', code: message.code } });
      expect(confirmed.confirmContactVerification).toMatchObject({ __typename: 'ClientPayload', client: { mobilePhoneVerified: true } });
    });
  });

  describe('from the built server, started as an operator would', () => {
    let server: ChildProcess;
    let output = '';
    let baseUrl: string;
    let dataDir: string;
    let dropDatabase: () => Promise<void> = async () => undefined;

    const waitForOutput = async (predicate: () => boolean, what: string, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}) before ${what}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    let token: string;
    const graphql = async <R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> => {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as { data?: R; errors?: unknown[] };
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data!;
    };

    beforeAll(async () => {
      if (!existsSync(BUILT_SERVER)) throw new Error(`${BUILT_SERVER} is missing: build it first (npm run build)`);
      dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-log-delivery-'));
      const port = await freePort();
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
      if (onPostgres) {
        const database = await createEmptyPostgresDatabase(process.env.TEST_DATABASE_URL!);
        env.DATABASE_URL = database.url;
        dropDatabase = database.drop;
      }
      server = spawn(process.execPath, [BUILT_SERVER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      server.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      await waitForOutput(() => output.includes('development staff token'), 'ready line and development token');
      baseUrl = `http://127.0.0.1:${port}`;
      // With no AUTH_* setting in development the server prints a ready staff token: use it as a developer would.
      const tokenLine = output.split('\n').find((line) => line.includes('development staff token'))!;
      token = (JSON.parse(tokenLine) as { token: string }).token;
    });
    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      await dropDatabase();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('prints the code line on its standard output after a request over HTTP', async () => {
      // given a client created over HTTP
      const created = await graphql(CreateClientDocument, { input: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' } });
      if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
      const clientId = created.createClient.client.id;

      // when a code is requested over HTTP
      const requested = await graphql(RequestContactVerificationDocument, { input: { clientId, channel: 'EMAIL' } });
      expect(requested.requestContactVerification.__typename).toBe('ContactVerificationRequested');

      // then the server's standard output holds one line with it
      await waitForOutput(() => codeLines(output, clientId).length > 0, 'code line');
      const lines = codeLines(output, clientId);
      expect(lines).toEqual([expect.objectContaining({ event: 'contact_verification_code', clientId, channel: 'EMAIL', code: expect.stringMatching(/^\d{6}$/) })]);
      // and that code verifies the email
      const confirmed = await graphql(ConfirmContactVerificationDocument, { input: { clientId, channel: 'EMAIL', code: String(lines[0].code) } });
      expect(confirmed.confirmContactVerification).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
    });
  });
});
