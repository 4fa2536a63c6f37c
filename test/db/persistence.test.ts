import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AddAddressDocument,
  AddDocumentDocument,
  AddIdentifierDocument,
  ClientDocument,
  ClientQuery,
  CreateClientDocument,
} from '../generated/graphql';
import { PNG_BYTES, pngBase64, randomSsn } from '../support/fixtures';
import { pgliteImage } from '../support/pglite-images';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase, createTestDatabase, onPostgres } from '../support/test-database';

type Api = Pick<TestApp, 'run'>;

const MASTER_KEY = Buffer.alloc(32, 0x5a);

/** A client with an address, an SSN and a document, written through the API. */
async function writeClient(api: Api, ssn: string) {
  const created = await api.run(CreateClientDocument, {
    input: {
      externalId: `persist-${Math.random().toString(36).slice(2)}`,
      firstName: 'Katherine',
      lastName: 'Johnson',
      dateOfBirth: '1918-08-26',
      email: 'Katherine@Example.com',
      mobilePhone: '+14155550142',
    },
  });
  if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
  const clientId = created.createClient.client.id;
  const address = await api.run(AddAddressDocument, {
    input: { clientId, type: 'RESIDENTIAL', isPrimary: true, line1: '1 Orbit Way', line2: 'Apt 3', city: 'Hampton', region: 'VA', postalCode: '23666', countryCode: 'US' },
  });
  if (address.addAddress.__typename !== 'AddAddressSuccess') throw new Error(JSON.stringify(address.addAddress));
  const identifier = await api.run(AddIdentifierDocument, { input: { clientId, type: 'SSN', value: ssn } });
  if (identifier.addIdentifier.__typename !== 'AddIdentifierSuccess') throw new Error(JSON.stringify(identifier.addIdentifier));
  const document = await api.run(AddDocumentDocument, {
    input: { clientId, type: 'PASSPORT', fileName: 'passport.png', contentType: 'image/png', contentBase64: pngBase64 },
  });
  if (document.addDocument.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(document.addDocument));
  return readClient(api, clientId);
}

async function readClient(api: Api, id: string): Promise<NonNullable<ClientQuery['client']>> {
  const { client } = await api.run(ClientDocument, { id });
  if (!client) throw new Error(`client ${id} not found`);
  return client;
}

/** Download links are signed per request, for the server that answers: everything else must be identical. */
function withoutLinks(client: NonNullable<ClientQuery['client']>) {
  return { ...client, documents: client.documents.map(({ downloadUrl: _link, ...document }) => document) };
}

async function expectSameSsnRefused(api: Api, ssn: string) {
  const other = await api.run(CreateClientDocument, { input: { firstName: 'Second', lastName: 'Holder' } });
  if (other.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(other.createClient));
  const again = await api.run(AddIdentifierDocument, { input: { clientId: other.createClient.client.id, type: 'SSN', value: ssn } });
  expect(again.addIdentifier).toMatchObject({ __typename: 'DuplicateIdentifierError', identifierType: 'SSN' });
}

async function expectDownloadable(client: NonNullable<ClientQuery['client']>) {
  const response = await fetch(client.documents[0].downloadUrl, { signal: AbortSignal.timeout(30_000) });
  expect(response.status).toBe(200);
  expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG_BYTES);
}

describe('data survives a restart', () => {
  const apps: TestApp[] = [];
  const dirs: string[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await Promise.allSettled(databases.map((database) => database.drop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function start(database: TestDatabase) {
    const app = await startTestApp({ database, config: { masterKey: MASTER_KEY } });
    apps.push(app);
    return app;
  }

  async function restartKeepsEverything(database: TestDatabase) {
    // given a client with an address, an SSN and a document, written by one app
    const ssn = randomSsn();
    const first = await start(database);
    const written = await writeClient(first, ssn);
    await first.stop();

    // when a new app starts on the same database
    const second = await start(database);

    // then it reads the client back identical, serves its document, and still refuses the same SSN elsewhere
    const read = await readClient(second, written.id);
    expect(withoutLinks(read)).toEqual(withoutLinks(written));
    expect(read.addresses).toHaveLength(1);
    expect(read.identifiers.map((i) => i.last4)).toEqual([ssn.slice(-4)]);
    await expectDownloadable(read);
    await expectSameSsnRefused(second, ssn);
  }

  it('on PGlite on disk', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-pglite-'));
    dirs.push(dataDir);
    const config = { kind: 'pglite' as const, dataDir: path.join(dataDir, 'pglite'), image: pgliteImage('migrated') };
    await restartKeepsEverything({ config, drop: async () => undefined });
  });

  (onPostgres ? it : it.skip)(`on PostgreSQL${onPostgres ? '' : ' (skipped: set TEST_DATABASE_URL)'}`, async () => {
    const database = await createTestDatabase();
    databases.push(database);
    await restartKeepsEverything(database);
  });
});

describe('node dist/main.js without DATA_ENCRYPTION_KEY', () => {
  let dataDir: string;
  const servers: ServerProcess[] = [];
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-devkey-'));
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function start() {
    // No DATABASE_URL: the embedded database under DATA_DIR; no key: the server makes its own.
    const server = await startServerProcess({ DATA_DIR: dataDir }, { seedDatabase: true });
    servers.push(server);
    return server;
  }

  it('generates a key file in DATA_DIR, reuses it after a restart, and reads what it wrote before', async () => {
    // given a server started with a DATA_DIR and no key
    const keyFile = path.join(dataDir, 'development-master.key');
    const first = await start();

    // then it has written a private 32-byte key file and warned about it
    const key = readFileSync(keyFile, 'utf8');
    expect(Buffer.from(key.trim(), 'base64')).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(first.lines.some((line) => line.level === 40 && /DATA_ENCRYPTION_KEY is not set/.test(String(line.msg)))).toBe(true);

    // when it writes a client, stops, and starts again on the same DATA_DIR
    const ssn = randomSsn();
    const written = await writeClient(first, ssn);
    await first.stop();
    const second = await start();

    // then the key file is the same, the client reads back identical, and the SSN (hashed with that key) is still taken
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
    expect(second.lines.some((line) => /DATA_ENCRYPTION_KEY is not set/.test(String(line.msg)))).toBe(false);
    const read = await readClient(second, written.id);
    expect(withoutLinks(read)).toEqual(withoutLinks(written));
    await expectDownloadable(read);
    await expectSameSsnRefused(second, ssn);
  }, 120_000);
});
