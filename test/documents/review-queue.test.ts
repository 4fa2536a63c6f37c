import { randomUUID } from 'node:crypto';
import { DocumentsAwaitingReviewDocument, ReviewDocumentDocument } from '../generated/graphql';
import { expectMember } from '../support/clients-helpers';
import { addPendingDocument } from '../support/documents-helpers';
import { createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/** documentsAwaitingReview: the back office's work queue across clients. */
describe('the document review queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());
  // Each test starts from an empty queue: whatever an earlier test left is reviewed first.
  beforeEach(async () => {
    for (const edge of (await queue(100)).edges) await review(edge.node.id, 'ACCEPT');
  });

  const queue = async (first?: number, after?: string | null) => (await t.run(DocumentsAwaitingReviewDocument, { first, after })).documentsAwaitingReview;
  const review = async (documentId: string, decision: 'ACCEPT' | 'REJECT') =>
    expectMember(
      (await t.run(ReviewDocumentDocument, { input: { documentId, decision, reason: decision === 'REJECT' ? 'Blurred.' : null } })).reviewDocument,
      'ReviewDocumentSuccess',
    );

  /** Adds documents one after another: each gets a later createdAt (see TestClock), so "oldest first" has one right answer. */
  async function addInTurn(entries: Array<{ clientId: string; fileName: string }>) {
    const documents = [];
    for (const { clientId, fileName } of entries) documents.push(await addPendingDocument(t, clientId, { fileName }));
    return documents;
  }

  it('lists only documents awaiting review, oldest first, each with its client', async () => {
    // given two clients whose documents arrive interleaved, one of them already reviewed
    const ada = await createClient(t, { firstName: 'Ada' });
    const grace = await createClient(t, { firstName: 'Grace', email: 'grace@example.com' });
    const [first, , third, fourth] = await addInTurn([
      { clientId: ada.id, fileName: 'a1.png' },
      { clientId: grace.id, fileName: 'g1.png' },
      { clientId: ada.id, fileName: 'a2.png' },
      { clientId: grace.id, fileName: 'g2.png' },
    ]);
    await review(third.id, 'ACCEPT');

    // when the queue is read
    const page = await queue();

    // then it holds the three pending documents in the order they arrived, with their owners
    expect(page.edges.map((edge) => [edge.node.fileName, edge.client.firstName])).toEqual([
      ['a1.png', 'Ada'],
      ['g1.png', 'Grace'],
      ['g2.png', 'Grace'],
    ]);
    expect(page.edges.map((edge) => edge.node.status)).toEqual(['PENDING_REVIEW', 'PENDING_REVIEW', 'PENDING_REVIEW']);
    expect(page.edges[0].node.id).toBe(first.id);
    expect(page.edges[2].node.id).toBe(fourth.id);
    expect(page).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false, endCursor: page.edges[2].cursor } });
    expect(page.edges[0].node.downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/documents\//);
  });

  it('skips nothing when the documents of earlier pages are reviewed while paging', async () => {
    // given five documents awaiting review
    const client = await createClient(t);
    const documents = await addInTurn(['d1', 'd2', 'd3', 'd4', 'd5'].map((name) => ({ clientId: client.id, fileName: `${name}.pdf.png` })));

    // when a reviewer reads two, reviews them, and asks for the next page with the cursor they had
    const firstPage = await queue(2);
    expect(firstPage.edges.map((edge) => edge.node.id)).toEqual([documents[0].id, documents[1].id]);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    await review(documents[0].id, 'ACCEPT');
    await review(documents[1].id, 'REJECT');
    const secondPage = await queue(2, firstPage.pageInfo.endCursor);

    // then the next page starts right after the reviewed ones: the third and fourth documents
    expect(secondPage.edges.map((edge) => edge.node.id)).toEqual([documents[2].id, documents[3].id]);
    expect(secondPage).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });

    // and a reviewer starting afresh sees the same three remaining documents
    expect((await queue()).edges.map((edge) => edge.node.id)).toEqual([documents[2].id, documents[3].id, documents[4].id]);
    const lastPage = await queue(2, secondPage.pageInfo.endCursor);
    expect(lastPage.edges.map((edge) => edge.node.id)).toEqual([documents[4].id]);
    expect(lastPage.pageInfo.hasNextPage).toBe(false);
  });

  it('orders documents added in the same millisecond by id, so pages never repeat or skip one', async () => {
    // given six documents added at once, at one instant
    const client = await createClient(t);
    t.clock.hold();
    const added = await Promise.all(Array.from({ length: 6 }, (_, i) => addPendingDocument(t, client.id, { fileName: `same-${i}.png` })));

    // when the queue is read two at a time
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof queue>> = await queue(2, after);
      seen.push(...page.edges.map((edge) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);

    // then every document came exactly once, in id order (they share a createdAt), as in one full read
    expect(seen).toEqual(added.map((document) => document.id).sort());
    expect(seen).toEqual((await queue(100)).edges.map((edge) => edge.node.id));
  });

  it('answers an empty queue and first: 0', async () => {
    expect(await queue()).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    const client = await createClient(t);
    await addPendingDocument(t, client.id);
    expect(await queue(0)).toEqual({ totalCount: 1, pageInfo: { hasNextPage: true, endCursor: null }, edges: [] });
  });

  it.each([
    ['first over 100', { first: 101 }],
    ['a negative first', { first: -1 }],
    ['a cursor of random text', { after: 'not a cursor at all!' }],
    ['a cursor that decodes to other JSON', { after: Buffer.from(JSON.stringify({ id: 1 })).toString('base64url') }],
    ['a cursor naming a non-UUID id', { after: Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', "x' OR 1=1"])).toString('base64url') }],
    ['a cursor dated before PostgreSQL\'s calendar', { after: Buffer.from(JSON.stringify(['-271821-04-20T00:00:00.000Z', randomUUID()])).toString('base64url') }],
    ['a huge cursor', { after: 'A'.repeat(100_000) }],
  ])('answers %s with a BAD_USER_INPUT GraphQL error, not a server error', async (_what, variables) => {
    const response = await t.post<{ documentsAwaitingReview: unknown }>({
      query: 'query Q($first: Int, $after: String) { documentsAwaitingReview(first: $first, after: $after) { totalCount } }',
      variables,
    });
    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });
});
