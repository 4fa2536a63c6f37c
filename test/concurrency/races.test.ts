import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { Client as PgClient } from 'pg';
import { readMigrations } from '../../src/db/migrations';
import {
  ActivateClientDocument,
  AddAddressDocument,
  AddDocumentDocument,
  AddIdentifierDocument,
  ClientDocument,
  ConfirmContactVerificationDocument,
  CreateClientDocument,
  RemoveAddressDocument,
  RequestContactVerificationDocument,
  UpdateClientDocument,
  VerifyClientDocument,
} from '../generated/graphql';
import { addPrimaryAddress, addSsn, createClient, pngBase64, randomSsn, verifiableClient } from '../support/fixtures';
import { ownContact } from '../support/limits-helpers';
import { ServerProcess, serversOnOneDatabase } from '../support/server-process';
import { onPostgres } from '../support/test-database';
import { TestApp, startTestApp } from '../support/test-app';

type Poster = Pick<TestApp, 'post'>;

/**
 * Sends every request at once and returns the data of each, in order. A concurrent request must
 * never end in a GraphQL error or a non-200 answer: domain outcomes are union members.
 */
async function allAtOnce<TResult, TVariables>(
  requests: Array<{ to: Poster; document: TypedDocumentNode<TResult, TVariables>; variables: TVariables }>,
): Promise<TResult[]> {
  const responses = await Promise.all(requests.map(({ to, document, variables }) => to.post<TResult>({ query: print(document), variables })));
  for (const response of responses) {
    expect(response.errors).toBeUndefined();
    expect(response.status).toBe(200);
  }
  return responses.map((response) => response.data!);
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

async function readClient(t: Pick<TestApp, 'run'>, id: string) {
  const { client } = await t.run(ClientDocument, { id });
  if (!client) throw new Error(`client ${id} not found`);
  return client;
}

describe('concurrent changes within one server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  it('activates a VERIFIED client exactly once when 10 activations race', async () => {
    // given a VERIFIED client
    const { id } = await verifiableClient(t);
    const verified = await t.run(VerifyClientDocument, { input: { clientId: id, kycVerificationType: 'PARTIAL' } });
    expect(verified.verifyClient.__typename).toBe('VerifyClientSuccess');
    const before = await readClient(t, id);

    // when 10 activateClient calls arrive at once
    const results = await allAtOnce(times(10, () => ({ to: t, document: ActivateClientDocument, variables: { input: { clientId: id } } })));

    // then exactly one wins and every other one sees the client already ACTIVE
    const outcomes = results.map((r) => r.activateClient);
    expect(outcomes.filter((o) => o.__typename === 'ActivateClientSuccess')).toHaveLength(1);
    const refused = outcomes.filter((o) => o.__typename !== 'ActivateClientSuccess');
    expect(refused).toHaveLength(9);
    for (const outcome of refused) {
      expect(outcome).toMatchObject({ __typename: 'InvalidClientStatusError', clientId: id, currentStatus: 'ACTIVE', allowedStatuses: ['VERIFIED'] });
    }
    const after = await readClient(t, id);
    expect(after.status).toBe('ACTIVE');
    expect(after.version).toBe(before.version + 1);
    expect(after.history.filter((event) => event.type === 'CLIENT_ACTIVATED')).toHaveLength(1);
    expect(after.history).toHaveLength(before.history.length + 1);
  });

  it('gives one SSN to exactly one of 10 clients adding it at once', async () => {
    // given 10 clients and one SSN none of them holds
    const clients = await Promise.all(times(10, () => createClient(t)));
    const ssn = randomSsn();

    // when all 10 add it at the same moment
    const results = await allAtOnce(
      clients.map((client) => ({ to: t, document: AddIdentifierDocument, variables: { input: { clientId: client.id, type: 'SSN' as const, value: ssn } } })),
    );

    // then one succeeds, the nine others get DuplicateIdentifierError (never a GraphQL error)
    const outcomes = results.map((r) => r.addIdentifier);
    const winners = outcomes.flatMap((o, i) => (o.__typename === 'AddIdentifierSuccess' ? [clients[i].id] : []));
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.__typename !== 'AddIdentifierSuccess')) {
      expect(outcome).toMatchObject({ __typename: 'DuplicateIdentifierError', identifierType: 'SSN' });
    }
    // and the database holds exactly one ACTIVE row for it, on the winner; the losers are untouched
    const rows = await t.app.database.prisma.identifier.findMany({
      where: { clientId: { in: clients.map((c) => c.id) }, status: 'ACTIVE' },
    });
    expect(rows.map((row) => [row.clientId, row.last4])).toEqual([[winners[0], ssn.slice(-4)]]);
    for (const client of clients.filter((c) => c.id !== winners[0])) {
      const loser = await readClient(t, client.id);
      expect(loser.identifiers).toEqual([]);
      expect(loser.version).toBe(client.version);
      expect(loser.history.map((event) => event.type)).toEqual(['CLIENT_CREATED']);
    }
  });

  it('creates one client when 10 createClient calls share an externalId', async () => {
    // given an externalId nobody uses
    const externalId = `race-${Date.now()}-${Math.random().toString(36).slice(2)}`;

    // when 10 clients are created with it at once
    const results = await allAtOnce(
      times(10, (i) => ({ to: t, document: CreateClientDocument, variables: { input: { externalId, firstName: `Racer${i}`, lastName: 'Same' } } })),
    );

    // then one ClientPayload, nine DuplicateExternalIdError, and one row
    const outcomes = results.map((r) => r.createClient);
    expect(outcomes.filter((o) => o.__typename === 'ClientPayload')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.__typename !== 'ClientPayload')) {
      expect(outcome).toMatchObject({ __typename: 'DuplicateExternalIdError', externalId });
    }
    expect(await t.app.database.prisma.client.count({ where: { externalId } })).toBe(1);
  });

  it('keeps exactly one primary address when 10 primary addresses are added at once', async () => {
    // given a client with a primary address
    const client = await createClient(t);
    await addPrimaryAddress(t, client.id);
    const before = await readClient(t, client.id);

    // when 10 new primary addresses arrive at once
    const results = await allAtOnce(
      times(10, (i) => ({
        to: t,
        document: AddAddressDocument,
        variables: {
          input: { clientId: client.id, type: 'RESIDENTIAL' as const, isPrimary: true, line1: `${i + 2} Race Road`, city: 'Springfield', postalCode: '12345', countryCode: 'US' },
        },
      })),
    );

    // then all succeed, each in its own turn (distinct consecutive versions), and one primary remains
    const outcomes = results.map((r) => r.addAddress);
    const versions = outcomes.map((o) => {
      if (o.__typename !== 'AddAddressSuccess') throw new Error(JSON.stringify(o));
      return o.client.version;
    });
    expect([...versions].sort((a, b) => a - b)).toEqual(times(10, (i) => before.version + 1 + i));
    const after = await readClient(t, client.id);
    expect(after.version).toBe(before.version + 10);
    expect(after.addresses).toHaveLength(11);
    expect(after.addresses.filter((address) => address.isPrimary)).toHaveLength(1);
    expect(after.history.filter((event) => event.type === 'ADDRESS_ADDED')).toHaveLength(11);
  });

  it('keeps version equal to 1 + successful changes when mixed mutations race on one client', async () => {
    // given a client with one address to remove and an SSN held by somebody else
    const client = await createClient(t);
    const removable = await addPrimaryAddress(t, client.id);
    const other = await createClient(t);
    const takenSsn = randomSsn();
    await addSsn(t, other.id, takenSsn);
    const before = await readClient(t, client.id);
    const clientId = client.id;

    // when 26 mutations of every kind hit it at once, some bound to fail
    const requests = [
      ...times(4, (i) => ({ to: t, document: UpdateClientDocument, variables: { input: { clientId, firstName: `Mixed${i}` } } })),
      ...times(4, (i) => ({
        to: t,
        document: AddAddressDocument,
        variables: { input: { clientId, type: 'MAILING' as const, isPrimary: false, line1: `${i} Side Street`, city: 'Shelbyville', postalCode: '54321', countryCode: 'US' } },
      })),
      ...times(4, () => ({ to: t, document: AddIdentifierDocument, variables: { input: { clientId, type: 'SSN' as const, value: randomSsn() } } })),
      ...times(2, (i) => ({
        to: t,
        document: AddDocumentDocument,
        variables: { input: { clientId, type: 'OTHER' as const, fileName: `scan-${i}.png`, contentType: 'image/png', contentBase64: pngBase64 } },
      })),
      ...times(2, () => ({ to: t, document: RequestContactVerificationDocument, variables: { input: { clientId, channel: 'EMAIL' as const } } })),
      ...times(2, () => ({ to: t, document: RemoveAddressDocument, variables: { id: removable.id } })),
      ...times(2, () => ({ to: t, document: VerifyClientDocument, variables: { input: { clientId, kycVerificationType: 'FULL' as const } } })),
      ...times(2, () => ({ to: t, document: AddIdentifierDocument, variables: { input: { clientId, type: 'SSN' as const, value: takenSsn } } })),
      ...times(4, () => ({
        to: t,
        document: AddAddressDocument,
        variables: { input: { clientId, type: 'RESIDENTIAL' as const, isPrimary: true, line1: 'P.O. Box 12', city: 'Springfield', postalCode: '12345', countryCode: 'US' } },
      })),
    ] as Array<{ to: Poster; document: TypedDocumentNode<Record<string, { __typename: string; client?: { version: number } }>, unknown>; variables: unknown }>;
    const outcomes = (await allAtOnce(requests)).map((data) => Object.values(data)[0]);

    // then the outcomes are the expected ones...
    const successTypes = ['ClientPayload', 'AddAddressSuccess', 'AddIdentifierSuccess', 'AddDocumentSuccess', 'ContactVerificationRequested'];
    const succeeded = outcomes.filter((o) => successTypes.includes(o.__typename));
    const counts = (names: string[]) => names.reduce<Record<string, number>>((acc, name) => ({ ...acc, [name]: (acc[name] ?? 0) + 1 }), {});
    expect(counts(outcomes.map((o) => o.__typename))).toEqual({
      ClientPayload: 5, // 4 updates + the one removal that found the address
      NotFoundError: 1, // the removal that came second
      AddAddressSuccess: 4,
      AddIdentifierSuccess: 4,
      AddDocumentSuccess: 2,
      ContactVerificationRequested: 2,
      VerificationRequirementsNotMetError: 2,
      DuplicateIdentifierError: 2,
      ValidationError: 4,
    });
    // ...each success took its own turn: the versions they saw are consecutive and distinct
    expect(succeeded.map((o) => o.client!.version).sort((a, b) => a - b)).toEqual(times(succeeded.length, (i) => before.version + 1 + i));
    // and version and history grew by exactly the number of successful changes
    const after = await readClient(t, clientId);
    expect(after.version).toBe(before.version + succeeded.length);
    expect(after.version).toBe(1 + (after.history.length - 1));
    expect(after.history).toHaveLength(before.history.length + succeeded.length);
    expect(counts(after.history.slice(before.history.length).map((event) => event.type))).toEqual({
      CLIENT_UPDATED: 4,
      ADDRESS_ADDED: 4,
      ADDRESS_REMOVED: 1,
      IDENTIFIER_ADDED: 4,
      DOCUMENT_ADDED: 2,
      CONTACT_VERIFICATION_REQUESTED: 2,
    });
    expect(after.addresses).toHaveLength(4);
    expect(after.identifiers).toHaveLength(4);
    expect(after.documents).toHaveLength(2);
  });
});

// Two `node dist/main.js` processes on one PostgreSQL database: the row lock must hold across
// processes, not just within one process's connection pool.
(onPostgres ? describe : describe.skip)('concurrent activations across two server processes (PostgreSQL only)', () => {
  // Both start at once on an empty database: the migration advisory lock makes them take turns.
  const cluster = serversOnOneDatabase(2);

  async function verifiedClientVia(server: ServerProcess): Promise<{ id: string; version: number }> {
    // Contacts of its own: the processes run with the default limits (10 codes an hour per address),
    // and this file makes 9 such clients; shared contacts would leave one client of headroom.
    const created = await server.run(CreateClientDocument, { input: { firstName: 'Grace', lastName: 'Hopper', ...ownContact() } });
    if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
    const clientId = created.createClient.client.id;
    const address = await server.run(AddAddressDocument, {
      input: { clientId, type: 'RESIDENTIAL', isPrimary: true, line1: '1 Main Street', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
    });
    expect(address.addAddress.__typename).toBe('AddAddressSuccess');
    const ssn = await server.run(AddIdentifierDocument, { input: { clientId, type: 'SSN', value: randomSsn() } });
    expect(ssn.addIdentifier.__typename).toBe('AddIdentifierSuccess');
    for (const channel of ['EMAIL', 'MOBILE_PHONE'] as const) {
      const sent = server.codeCount(clientId, channel);
      const requested = await server.run(RequestContactVerificationDocument, { input: { clientId, channel } });
      expect(requested.requestContactVerification.__typename).toBe('ContactVerificationRequested');
      const code = await server.waitForCode(clientId, channel, sent);
      const confirmed = await server.run(ConfirmContactVerificationDocument, { input: { clientId, channel, code } });
      expect(confirmed.confirmContactVerification.__typename).toBe('ClientPayload');
    }
    const verified = await server.run(VerifyClientDocument, { input: { clientId, kycVerificationType: 'PARTIAL' } });
    if (verified.verifyClient.__typename !== 'VerifyClientSuccess') throw new Error(JSON.stringify(verified.verifyClient));
    return { id: clientId, version: verified.verifyClient.client.version };
  }

  it('migrated the empty database once although both processes started on it at the same time', async () => {
    const session = new PgClient({ connectionString: cluster.databaseUrl });
    await session.connect();
    try {
      const { rows } = await session.query('SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
      expect(rows.map((row) => row.migration_name)).toEqual(readMigrations().map((migration) => migration.name));
      expect(rows.every((row) => row.finished_at !== null)).toBe(true);
    } finally {
      await session.end();
    }
  });

  it('activates each client exactly once when both processes are asked at the same time', async () => {
    const [a, b] = cluster.servers;
    // given 3 rounds of 3 VERIFIED clients, prepared through process A
    for (let round = 0; round < 3; round++) {
      const clients = await Promise.all(times(3, () => verifiedClientVia(a)));

      // when each client gets 4 activations on A and 4 on B, all 24 at once, interleaved
      const requests = clients.flatMap((client) =>
        times(8, (i) => ({ to: i % 2 === 0 ? a : b, document: ActivateClientDocument, variables: { input: { clientId: client.id } } })),
      );
      const outcomes = (await allAtOnce(requests)).map((r) => r.activateClient);

      // then each client has exactly one success; everyone else saw it ACTIVE
      for (const [index, client] of clients.entries()) {
        const mine = outcomes.slice(index * 8, index * 8 + 8);
        expect(mine.filter((o) => o.__typename === 'ActivateClientSuccess')).toHaveLength(1);
        for (const outcome of mine.filter((o) => o.__typename !== 'ActivateClientSuccess')) {
          expect(outcome).toMatchObject({ __typename: 'InvalidClientStatusError', clientId: client.id, currentStatus: 'ACTIVE' });
        }
        // and, read through the other process, one CLIENT_ACTIVATED and one version step
        const after = await readClient(b, client.id);
        expect(after.status).toBe('ACTIVE');
        expect(after.version).toBe(client.version + 1);
        expect(after.history.filter((event) => event.type === 'CLIENT_ACTIVATED')).toHaveLength(1);
      }
    }
  }, 180_000);
});
