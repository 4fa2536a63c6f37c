import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import {
  ActivateClientDocument,
  ClientByExternalIdDocument,
  ClientDocument,
  ClientStatus,
  ClientsDocument,
  ClientsQuery,
  VerifyClientDocument,
} from '../generated/graphql';
import { countClients, expectMember } from '../support/clients-helpers';
import { createClient, verifiableClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('reading clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  /** Every client the list shows, page by page, `pageSize` at a time. */
  async function readAllPages(pageSize: number, status?: ClientStatus) {
    const edges: ClientsQuery['clients']['edges'] = [];
    const totals = new Set<number>();
    let after: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const page: ClientsQuery = await t.run(ClientsDocument, { first: pageSize, after, status });
      expect(page.clients.edges.length).toBeLessThanOrEqual(pageSize);
      edges.push(...page.clients.edges);
      totals.add(page.clients.totalCount);
      if (page.clients.edges.length > 0) expect(page.clients.pageInfo.endCursor).toBe(page.clients.edges.at(-1)!.cursor);
      if (!page.clients.pageInfo.hasNextPage) return { edges, totals, pages: pages + 1 };
      expect(page.clients.edges).toHaveLength(pageSize);
      after = page.clients.pageInfo.endCursor;
    }
    throw new Error('paging never ended');
  }

  /** The ids of `clients` in the order the list promises: oldest first, ties by id. */
  const inListOrder = (clients: Array<{ id: string; createdAt: string }>) =>
    [...clients].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1)).map((client) => client.id);

  async function verifiedClient() {
    const client = await verifiableClient(t);
    const verified = await t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'PARTIAL' } });
    return expectMember(verified.verifyClient, 'VerifyClientSuccess').client;
  }

  async function expectBadUserInput(variables: Record<string, unknown>) {
    const response = await t.post<ClientsQuery>({ query: print(ClientsDocument), variables });
    expect(response.status).toBe(200);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0].path).toEqual(['clients']);
    expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    return response.errors![0];
  }

  describe('one client', () => {
    it('finds a client by id, with its lists', async () => {
      const client = await createClient(t, { firstName: 'Katherine', lastName: 'Johnson' });

      const found = await t.run(ClientDocument, { id: client.id });

      expect(found.client).toMatchObject({ id: client.id, firstName: 'Katherine', lastName: 'Johnson', version: 1 });
      expect(found.client!.history.map((event) => event.type)).toEqual(['CLIENT_CREATED']);
    });

    it.each([
      ['an unknown id', () => randomUUID()],
      ['an id that is not a UUID', () => 'abc'],
      ['an id that looks like SQL', () => "' OR 1=1 --"],
    ])('answers null, not an error, for %s', async (_what, id) => {
      const response = await t.post<{ client: unknown }>({ query: print(ClientDocument), variables: { id: id() } });

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ client: null });
    });

    it('finds a client by its externalId', async () => {
      const externalId = `crm-${randomUUID()}`;
      const client = await createClient(t, { externalId });

      const found = await t.run(ClientByExternalIdDocument, { externalId });

      expect(found.clientByExternalId).toMatchObject({ id: client.id, externalId });
    });

    it.each([
      ['one holding a NUL character', 'crm\u0000x'],
      ['one of 1 MB', 'x'.repeat(1_000_000)],
      ['a blank one', '   '],
    ])('answers null, not an error, for an externalId no client can have: %s', async (_what, externalId) => {
      const response = await t.post<{ clientByExternalId: unknown }>({ query: print(ClientByExternalIdDocument), variables: { externalId } });

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ clientByExternalId: null });
    });

    it('finds a client by its externalId typed with surrounding spaces', async () => {
      const externalId = `crm-${randomUUID()}`;
      const client = await createClient(t, { externalId });

      const found = await t.run(ClientByExternalIdDocument, { externalId: ` ${externalId}  ` });

      expect(found.clientByExternalId?.id).toBe(client.id);
    });

    it('answers null for an externalId no client has', async () => {
      await createClient(t, { externalId: `crm-${randomUUID()}` });

      const found = await t.run(ClientByExternalIdDocument, { externalId: `crm-${randomUUID()}` });

      expect(found.clientByExternalId).toBeNull();
    });
  });

  describe('the client list', () => {
    it('pages forward through every client exactly once, oldest first, with a totalCount', async () => {
      // given seven more clients, created one after another
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push((await createClient(t, { firstName: `Paged${i}` })).id);
      const total = await countClients(t);
      expect(total).toBeGreaterThanOrEqual(7);

      // when the list is read three at a time
      const { edges, totals, pages } = await readAllPages(3);

      // then every client appears once: no duplicates, no gaps, new ones in creation order
      const ids = edges.map((edge) => edge.node.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(total);
      expect(pages).toBe(Math.ceil(total / 3));
      expect([...totals]).toEqual([total]);
      expect(ids.filter((id) => created.includes(id))).toEqual(created);
      expect(new Set(edges.map((edge) => edge.cursor)).size).toBe(edges.length);
      expect(ids).toEqual(inListOrder(edges.map((edge) => edge.node)));
    });

    it('orders clients created in the same millisecond by id, so pages never repeat or skip one', async () => {
      // given five clients created at one instant
      t.clock.hold();
      const created = await Promise.all(Array.from({ length: 5 }, (_, i) => createClient(t, { firstName: `Same${i}` })));

      // when the list is read two at a time
      const { edges } = await readAllPages(2);

      // then they come once each, in id order among themselves, as the list order says
      const ids = edges.map((edge) => edge.node.id);
      expect(ids.filter((id) => created.some((client) => client.id === id))).toEqual(created.map((client) => client.id).sort());
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(inListOrder(edges.map((edge) => edge.node)));
    });

    it('continues after a cursor with the next clients, including ones created after that page was read', async () => {
      // given a client whose position is known
      const first = await createClient(t, { firstName: 'Anchor' });
      const pageWithAnchor = await readAllPages(100);
      const anchor = pageWithAnchor.edges.find((edge) => edge.node.id === first.id)!;

      // when two more are created and the list is read after the anchor's cursor
      const second = await createClient(t, { firstName: 'After1' });
      const third = await createClient(t, { firstName: 'After2' });
      const next = await t.run(ClientsDocument, { first: 2, after: anchor.cursor });

      // then exactly those two come next
      expect(next.clients.edges.map((edge) => edge.node.id)).toEqual([second.id, third.id]);
      expect(next.clients.pageInfo.hasNextPage).toBe(false);
    });

    it('says there is no next page, and gives no end cursor, past the last client', async () => {
      await createClient(t);
      const all = await readAllPages(100);

      const beyond = await t.run(ClientsDocument, { first: 5, after: all.edges.at(-1)!.cursor });

      expect(beyond.clients.edges).toEqual([]);
      expect(beyond.clients.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
      expect(beyond.clients.totalCount).toBe(all.edges.length);
    });

    it('returns 20 clients when first is not given', async () => {
      while ((await countClients(t)) < 21) await createClient(t);

      const page = await t.run(ClientsDocument, {});

      expect(page.clients.edges).toHaveLength(20);
      expect(page.clients.pageInfo.hasNextPage).toBe(true);
    });

    it('with first: 0 gives no clients but the totalCount, and says more exist', async () => {
      await createClient(t);

      const page = await t.run(ClientsDocument, { first: 0 });

      expect(page.clients.edges).toEqual([]);
      expect(page.clients.totalCount).toBeGreaterThan(0);
      expect(page.clients.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
    });

    it('filters by status, counting only clients in that status', async () => {
      // given a VERIFIED client, an ACTIVE client and a PENDING client
      const verified = await verifiedClient();
      const active = await verifiedClient();
      expectMember((await t.run(ActivateClientDocument, { input: { clientId: active.id } })).activateClient, 'ActivateClientSuccess');
      const pending = await createClient(t);

      // when the list is read per status
      const byStatus = {
        PENDING: await readAllPages(2, 'PENDING'),
        VERIFIED: await readAllPages(2, 'VERIFIED'),
        ACTIVE: await readAllPages(2, 'ACTIVE'),
      };

      // then each list holds only its status, counts it, and together they are every client
      for (const [status, { edges, totals }] of Object.entries(byStatus)) {
        expect(edges.every((edge) => edge.node.status === status)).toBe(true);
        expect([...totals]).toEqual([edges.length]);
      }
      const ids = (status: keyof typeof byStatus) => byStatus[status].edges.map((edge) => edge.node.id);
      expect(ids('VERIFIED')).toContain(verified.id);
      expect(ids('ACTIVE')).toEqual(expect.arrayContaining([active.id]));
      expect(ids('PENDING')).toContain(pending.id);
      expect(ids('PENDING')).not.toContain(verified.id);
      expect(ids('VERIFIED')).not.toContain(active.id);
      const everyone = byStatus.PENDING.edges.length + byStatus.VERIFIED.edges.length + byStatus.ACTIVE.edges.length;
      expect(everyone).toBe(await countClients(t));
    });

    it.each([
      ['first over 100', { first: 101 }],
      ['a negative first', { first: -1 }],
      ['a cursor that is not base64 of anything', { after: 'abc' }],
      ['a cursor of random text', { after: 'not a cursor at all!' }],
      ['a cursor that decodes to other JSON', { after: Buffer.from(JSON.stringify({ id: 1 })).toString('base64url') }],
      ['a cursor naming a non-UUID id', { after: Buffer.from(JSON.stringify(['2024-01-01T00:00:00.000Z', 'abc'])).toString('base64url') }],
      ['a cursor with a bad date', { after: Buffer.from(JSON.stringify(['someday', randomUUID()])).toString('base64url') }],
    ])('answers %s with a BAD_USER_INPUT GraphQL error, not a server error', async (_what, variables) => {
      await createClient(t);
      const error = await expectBadUserInput(variables);
      expect(error.message).not.toBe('Internal server error');
    });

    it('accepts exactly 100 as first', async () => {
      const page = await t.run(ClientsDocument, { first: 100 });
      expect(page.clients.edges.length).toBe(Math.min(100, page.clients.totalCount));
    });
  });
});
