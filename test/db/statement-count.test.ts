import { AddDocumentDocument, ClientsWithEverythingDocument, DocumentsAwaitingReviewDocument } from '../generated/graphql';
import { addPrimaryAddress, addSsn, createClient, pngBase64 } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/** The most statements one page of clients with every nested list may cost, whatever its size. */
const STATEMENT_BUDGET = 7;
const CLIENTS = 55;

describe('reading a page of clients with everything nested', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    // given 55 clients, each with an address, an identifier, a document and the history of those
    for (let batch = 0; batch < CLIENTS; batch += 11) {
      await Promise.all(
        Array.from({ length: Math.min(11, CLIENTS - batch) }, async (_, i) => {
          const client = await createClient(t, { firstName: `Reader${batch + i}` });
          await addPrimaryAddress(t, client.id);
          await addSsn(t, client.id);
          const added = await t.run(AddDocumentDocument, {
            input: { clientId: client.id, type: 'PASSPORT', fileName: 'passport.png', contentType: 'image/png', contentBase64: pngBase64 },
          });
          if (added.addDocument.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(added.addDocument));
        }),
      );
    }
  }, 240_000);
  afterAll(() => t?.stop());

  /** Runs `read` and returns its result and every SQL statement Prisma sent while it ran. */
  async function statementsOf<T>(read: () => Promise<T>) {
    const statements: string[] = [];
    const stopListening = t.app.database.onStatement((sql) => statements.push(sql));
    try {
      return { data: await read(), statements };
    } finally {
      stopListening();
    }
  }
  const countStatements = (first: number) => statementsOf(() => t.run(ClientsWithEverythingDocument, { first }));

  it(`costs at most ${STATEMENT_BUDGET} statements, the same for 5 clients as for 50`, async () => {
    // when the first 5 and then the first 50 clients are read with all nested lists and missingRequirements
    const small = await countStatements(5);
    const large = await countStatements(50);

    // then both pages are complete...
    expect(small.data.clients.edges).toHaveLength(5);
    expect(large.data.clients.edges).toHaveLength(50);
    expect(large.data.clients.totalCount).toBe(CLIENTS);
    expect(large.data.clients.pageInfo.hasNextPage).toBe(true);
    for (const { node } of large.data.clients.edges) {
      expect(node.addresses).toHaveLength(1);
      expect(node.identifiers).toHaveLength(1);
      expect(node.documents).toHaveLength(1);
      expect(node.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'ADDRESS_ADDED', 'IDENTIFIER_ADDED', 'DOCUMENT_ADDED']);
      // unverified contacts and a passport awaiting review: what FULL verification would still miss
      expect(node.missingRequirements.map((r) => [r.code, r.pendingReview])).toEqual([
        ['PHYSICAL_ID_DOCUMENT', true],
        ['EMAIL_VERIFICATION', false],
        ['MOBILE_PHONE_VERIFICATION', false],
      ]);
    }
    // ...and cost the same small number of statements: no query per client
    expect(large.statements.length).toBe(small.statements.length);
    expect(large.statements.length).toBeLessThanOrEqual(STATEMENT_BUDGET);
    expect(large.statements.length).toBeGreaterThan(0);
  });

  it('reads a page of the review queue, with each document\'s client, in the same few statements for 5 as for 50', async () => {
    // when the first 5 and then the first 50 documents awaiting review are read with their clients
    const small = await statementsOf(() => t.run(DocumentsAwaitingReviewDocument, { first: 5 }));
    const large = await statementsOf(() => t.run(DocumentsAwaitingReviewDocument, { first: 50 }));

    // then both pages are complete, every edge has its own client...
    expect(small.data.documentsAwaitingReview.edges).toHaveLength(5);
    expect(large.data.documentsAwaitingReview.edges).toHaveLength(50);
    expect(large.data.documentsAwaitingReview.totalCount).toBe(CLIENTS);
    for (const { node, client } of large.data.documentsAwaitingReview.edges) {
      expect(client.documents.map((document) => document.id)).toEqual([node.id]);
    }
    // ...and the cost does not grow with the page: page, count, clients, their documents
    expect(large.statements.length).toBe(small.statements.length);
    expect(large.statements.length).toBeLessThanOrEqual(4);
  });
});
