import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LogContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { ConfirmContactVerificationDocument, CreateClientDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { DeliveryTestApp, startAppWithDelivery } from '../support/contacts-helpers';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { TestApp, graphqlClient } from '../support/test-app';
import { createEmptyPostgresDatabase, onPostgres } from '../support/test-database';

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

      // then, right after commit, exactly one complete JSON line was written for it
      await app.app.outbox.settled();
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
    let server: ServerProcess | undefined;
    let dataDir: string;
    let dropDatabase: () => Promise<void> = async () => undefined;
    let developer: Pick<TestApp, 'run'>;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-log-delivery-'));
      // In development, with no AUTH_* setting and no CONTACT_DELIVERY, as a developer first runs it.
      const env: Record<string, string | undefined> = { NODE_ENV: 'development', AUTH_JWT_SECRET: undefined, CONTACT_DELIVERY: undefined, DATA_DIR: dataDir };
      if (onPostgres) {
        const database = await createEmptyPostgresDatabase(process.env.TEST_DATABASE_URL!);
        env.DATABASE_URL = database.url;
        dropDatabase = database.drop;
      }
      server = await startServerProcess(env, { seedDatabase: true });
      // Then the server prints a ready staff token: use it as a developer would.
      const tokenLine = await server.waitForLine((line) => typeof line.token === 'string', 'development staff token');
      developer = graphqlClient(server.url, String(tokenLine.token));
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await dropDatabase();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('prints the code line on its standard output after a request over HTTP', async () => {
      // given a client created over HTTP
      const created = await developer.run(CreateClientDocument, { input: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' } });
      if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
      const clientId = created.createClient.client.id;

      // when a code is requested over HTTP
      const requested = await developer.run(RequestContactVerificationDocument, { input: { clientId, channel: 'EMAIL' } });
      expect(requested.requestContactVerification.__typename).toBe('ContactVerificationRequested');

      // then the server's standard output holds one line with it
      const code = await server!.waitForCode(clientId, 'EMAIL', 0);
      const lines = server!.lines.filter((line) => line.event === 'contact_verification_code' && line.clientId === clientId);
      expect(lines).toEqual([expect.objectContaining({ event: 'contact_verification_code', clientId, channel: 'EMAIL', code: expect.stringMatching(/^\d{6}$/) })]);
      // and that code verifies the email
      const confirmed = await developer.run(ConfirmContactVerificationDocument, { input: { clientId, channel: 'EMAIL', code } });
      expect(confirmed.confirmContactVerification).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
    });
  });
});
