import { Client as PgClient } from 'pg';
import { ClientDocument, VerifyClientDocument } from '../generated/graphql';
import { addSsn, confirmContact, createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase, createTestDatabase, onPostgres } from '../support/test-database';

/**
 * verifyClient and activateClient read the client's children in the statement that locks the client.
 * That statement's snapshot is older than the lock when the lock had to wait: the change must then
 * decide on what the change it waited for committed, not on what was there before. Only PostgreSQL
 * runs two transactions at once (PGlite has one connection), so this runs there.
 */
(onPostgres ? describe : describe.skip)('a change that waited for the client\'s lock', () => {
  let database: TestDatabase;
  let t: TestApp;
  let other: PgClient;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await startTestApp({ database });
    if (database.config.kind !== 'postgres') throw new Error('PostgreSQL only');
    other = new PgClient({ connectionString: database.config.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await t?.stop();
    await database?.drop();
  });

  it('verifies on the children the change it waited for committed', async () => {
    // given a client that misses only a primary address
    const client = await createClient(t);
    await addSsn(t, client.id);
    await confirmContact(t, client.id, 'EMAIL');
    await confirmContact(t, client.id, 'MOBILE_PHONE');

    // and another transaction that holds the client's lock and adds a primary address (bumping the version, as every change does)
    await other.query('BEGIN');
    await other.query('SELECT id FROM clients WHERE id = $1 FOR UPDATE', [client.id]);
    await other.query(
      `INSERT INTO addresses (id, client_id, type, is_primary, line1, city, postal_code, country_code, created_at)
       VALUES (gen_random_uuid(), $1, 'RESIDENTIAL', true, '1 Main Street', 'Springfield', '12345', 'US', now())`,
      [client.id],
    );
    await other.query('UPDATE clients SET version = version + 1 WHERE id = $1', [client.id]);

    // when verifyClient starts while the lock is held, and the other transaction then commits
    const verifying = t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'PARTIAL' } });
    await waitUntilWaitingForLock(client.id);
    await other.query('COMMIT');

    // then the verification saw the address: the client is VERIFIED
    const verified = await verifying;
    expect(verified.verifyClient).toMatchObject({ __typename: 'VerifyClientSuccess', client: { status: 'VERIFIED' } });
    const { client: after } = await t.run(ClientDocument, { id: client.id });
    expect(after).toMatchObject({ status: 'VERIFIED', addresses: [{ isPrimary: true }] });
  });

  /** Resolves once a session of the app waits for a lock (the client's row). */
  async function waitUntilWaitingForLock(clientId: string): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      // (Activity statistics are a snapshot per transaction: clear it, the other session is in one.)
      await other.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await other.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND state = 'active' AND datname = current_database() AND pid <> pg_backend_pid()`,
      );
      if (rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`verifyClient of ${clientId} never waited for the client's lock`);
  }
});
