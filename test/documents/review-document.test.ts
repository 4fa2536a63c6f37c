import { randomUUID } from 'node:crypto';
import { ClientDocument, ReviewDocumentShowingClientDocument, VerifyClientDocument } from '../generated/graphql';
import { addPrimaryAddress, addSsn, confirmContact, createClient, pdfBase64, verifiableClient } from '../support/fixtures';
import { appDate } from '../support/clients-helpers';
import { addPendingDocument, withoutDownloadLinks } from '../support/documents-helpers';
import { TestApp, startTestApp } from '../support/test-app';

const DAY = 86_400_000;

describe('reviewing a document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const review = async (documentId: string, decision: 'ACCEPT' | 'REJECT', reason?: string | null) =>
    (await t.run(ReviewDocumentShowingClientDocument, { input: { documentId, decision, reason } })).reviewDocument;
  const fetchClient = async (id: string) => (await t.run(ClientDocument, { id })).client!;
  const physicalIdRequirement = (requirements: Array<{ code: string }>) => requirements.find((r) => r.code === 'PHYSICAL_ID_DOCUMENT');

  it('accepts a document: ACCEPTED, valid, a DOCUMENT_ACCEPTED event, version + 1', async () => {
    // given a document awaiting review
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id);
    const before = await fetchClient(client.id);

    // when it is accepted
    const result = await review(document.id, 'ACCEPT');

    // then it is accepted and valid, and the client records it
    if (result.__typename !== 'ReviewDocumentSuccess') throw new Error(JSON.stringify(result));
    expect(result.document).toMatchObject({ id: document.id, status: 'ACCEPTED', isValid: true, rejectionReason: null });
    expect(result.client.version).toBe(before.version + 1);
    expect(result.client.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'DOCUMENT_ADDED', 'DOCUMENT_ACCEPTED']);
  });

  it('rejects a document with a reason: REJECTED, the reason kept, not valid, a DOCUMENT_REJECTED event', async () => {
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id);

    const result = await review(document.id, 'REJECT', '  The photo is blurred.  ');

    if (result.__typename !== 'ReviewDocumentSuccess') throw new Error(JSON.stringify(result));
    expect(result.document).toMatchObject({ status: 'REJECTED', isValid: false, rejectionReason: 'The photo is blurred.' });
    expect(result.client.version).toBe(client.version + 2);
    expect(result.client.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'DOCUMENT_ADDED', 'DOCUMENT_REJECTED']);
  });

  it.each([
    ['no reason', undefined],
    ['a null reason', null],
    ['an empty reason', ''],
    ['a blank reason', '   '],
  ])('refuses to reject with %s, leaving the document awaiting review', async (_what, reason) => {
    // given a document awaiting review
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id);
    const before = await fetchClient(client.id);

    // when it is rejected without a reason
    const result = await review(document.id, 'REJECT', reason);

    // then the reason is asked for, and nothing changed
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'reason'], code: 'REQUIRED' }]);
    expect(withoutDownloadLinks(await fetchClient(client.id))).toEqual(withoutDownloadLinks(before));
    expect(before.documents[0].status).toBe('PENDING_REVIEW');
  });

  it.each([
    { first: 'ACCEPT', then: 'REJECT', status: 'ACCEPTED' },
    { first: 'REJECT', then: 'ACCEPT', status: 'REJECTED' },
    { first: 'ACCEPT', then: 'ACCEPT', status: 'ACCEPTED' },
  ] as const)('refuses to $then a document already reviewed ($status), changing nothing', async ({ first, then, status }) => {
    // given a reviewed document
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id);
    await review(document.id, first, 'Not readable.');
    const before = await fetchClient(client.id);

    // when it is reviewed again
    const result = await review(document.id, then, 'Second thoughts.');

    // then that is a ValidationError on the document, and the first decision stands
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'documentId'], code: 'NOT_PENDING_REVIEW' }]);
    const after = await fetchClient(client.id);
    expect(after.documents[0].status).toBe(status);
    expect(withoutDownloadLinks(after)).toEqual(withoutDownloadLinks(before));
  });

  it('reports both problems of rejecting an already reviewed document without a reason', async () => {
    // given an accepted document
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id);
    await review(document.id, 'ACCEPT');
    const before = await fetchClient(client.id);

    // when it is rejected without a reason
    const result = await review(document.id, 'REJECT');

    // then one FieldError per problem, and nothing changed
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([
      { path: ['input', 'documentId'], code: 'NOT_PENDING_REVIEW' },
      { path: ['input', 'reason'], code: 'REQUIRED' },
    ]);
    expect(withoutDownloadLinks(await fetchClient(client.id))).toEqual(withoutDownloadLinks(before));
  });

  it.each([
    ['an id no document has', randomUUID()],
    ['an id that is not a UUID', 'document-1'],
  ])('answers NotFoundError for %s', async (_what, documentId) => {
    expect(await review(documentId, 'ACCEPT')).toMatchObject({ __typename: 'NotFoundError', id: documentId });
    expect(await review(documentId, 'REJECT', 'Fake.')).toMatchObject({ __typename: 'NotFoundError', id: documentId });
  });

  it('shows a physical ID document as awaiting review, then missing once rejected, then met once one is accepted', async () => {
    // given a client with a passport awaiting review (and a proof of address, which is no physical ID)
    const client = await createClient(t);
    await addPendingDocument(t, client.id, { type: 'PROOF_OF_ADDRESS', fileName: 'bill.pdf', contentType: 'application/pdf', contentBase64: pdfBase64 });
    const before = physicalIdRequirement((await fetchClient(client.id)).full);
    const passport = await addPendingDocument(t, client.id, { type: 'PASSPORT' });

    // then FULL verification lists the physical ID as awaiting review
    expect(before).toMatchObject({ pendingReview: false });
    expect(physicalIdRequirement((await fetchClient(client.id)).full)).toMatchObject({
      pendingReview: true,
      acceptedTypes: ['PASSPORT', 'DRIVERS_LICENSE', 'NATIONAL_ID_CARD'],
    });

    // when the passport is rejected, the requirement is plainly missing again
    const rejected = await review(passport.id, 'REJECT', 'Expired passport.');
    if (rejected.__typename !== 'ReviewDocumentSuccess') throw new Error(JSON.stringify(rejected));
    expect(physicalIdRequirement(rejected.client.fullRequirements)).toMatchObject({ pendingReview: false });

    // when a driver's licence is added and accepted, the requirement is met
    const licence = await addPendingDocument(t, client.id, { type: 'DRIVERS_LICENSE' });
    expect(physicalIdRequirement((await fetchClient(client.id)).full)).toMatchObject({ pendingReview: true });
    const accepted = await review(licence.id, 'ACCEPT');
    if (accepted.__typename !== 'ReviewDocumentSuccess') throw new Error(JSON.stringify(accepted));
    expect(physicalIdRequirement(accepted.client.fullRequirements)).toBeUndefined();
    expect(physicalIdRequirement((await fetchClient(client.id)).full)).toBeUndefined();
  });

  it('refuses to reject the accepted passport of a VERIFIED FULL client, which stays VERIFIED FULL', async () => {
    // given a client verified FULL on its one accepted passport
    const client = await verifiableClient(t, { full: true });
    const verified = await t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'FULL' } });
    expect(verified.verifyClient.__typename).toBe('VerifyClientSuccess');
    const before = await fetchClient(client.id);

    // when that passport is rejected after the fact
    const result = await review(before.documents[0].id, 'REJECT', 'Forged.');

    // then the review is refused (only documents awaiting review can be reviewed) and nothing changed
    expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'documentId'], code: 'NOT_PENDING_REVIEW' }] });
    const after = await fetchClient(client.id);
    expect(withoutDownloadLinks(after)).toEqual(withoutDownloadLinks(before));
    expect(after).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'FULL' });
  });

  // Moves the app's clock a day ahead, so it runs last.
  it('moves a VERIFIED FULL client back to PENDING when the rejected passport was its last chance of a physical ID', async () => {
    // given a client verified FULL on a passport that expires today, with a second passport awaiting review
    const client = await createClient(t);
    await addPrimaryAddress(t, client.id);
    await addSsn(t, client.id);
    await confirmContact(t, client.id, 'EMAIL');
    await confirmContact(t, client.id, 'MOBILE_PHONE');
    const expiring = await addPendingDocument(t, client.id, { type: 'PASSPORT', expiresOn: appDate(t, 0) });
    await review(expiring.id, 'ACCEPT');
    const renewal = await addPendingDocument(t, client.id, { type: 'PASSPORT', fileName: 'new-passport.png' });
    const verified = await t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'FULL' } });
    expect(verified.verifyClient).toMatchObject({ __typename: 'VerifyClientSuccess', client: { status: 'VERIFIED', kycVerificationType: 'FULL' } });

    // and the accepted passport has since expired, which by itself changes nothing
    t.clock.advance(DAY);
    expect(await fetchClient(client.id)).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'FULL' });

    // when the renewal passport is rejected
    const result = await review(renewal.id, 'REJECT', 'Photo does not match.');

    // then the client is back to PENDING in that same change, with the reason recorded
    if (result.__typename !== 'ReviewDocumentSuccess') throw new Error(JSON.stringify(result));
    expect(result.client).toMatchObject({ status: 'PENDING', kycVerificationType: null, verifiedAt: null });
    expect(result.client.history.slice(-2)).toEqual([
      expect.objectContaining({ type: 'DOCUMENT_REJECTED' }),
      expect.objectContaining({ type: 'VERIFICATION_REVOKED', fromStatus: 'VERIFIED', toStatus: 'PENDING' }),
    ]);
    expect(result.client.history.at(-1)!.detail).toMatchObject({ missingRequirements: ['PHYSICAL_ID_DOCUMENT'] });
    expect(physicalIdRequirement(result.client.fullRequirements)).toMatchObject({ pendingReview: false });
  });
});
