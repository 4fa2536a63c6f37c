import { appDate } from '../support/clients-helpers';
import { withoutDownloadLinks } from '../support/documents-helpers';
import {
  ActivateClientDocument,
  AddDocumentForVerificationDocument,
  AddIdentifierDocument,
  ClientDocument,
  MissingRequirementsDocument,
  ReviewDocumentDocument,
  VerifyClientDocument,
} from '../generated/graphql';
import { addAcceptedPassportDocument, createClient, pngBase64, verifiableClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

const DAY = 86_400_000;

describe('the client lifecycle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const verify = async (clientId: string, kycVerificationType: 'PARTIAL' | 'FULL') =>
    (await t.run(VerifyClientDocument, { input: { clientId, kycVerificationType } })).verifyClient;
  const activate = async (clientId: string) => (await t.run(ActivateClientDocument, { input: { clientId } })).activateClient;
  // Download links are signed with their expiry second, so two reads may differ in them alone.
  const fetchClient = async (id: string) => withoutDownloadLinks((await t.run(ClientDocument, { id })).client!);

  /** A client verified FULL on its only physical ID document, an accepted passport that expires tomorrow. */
  async function fullClientWithPassportExpiringTomorrow(): Promise<string> {
    const { id } = await verifiableClient(t);
    const added = await t.run(AddDocumentForVerificationDocument, {
      input: { clientId: id, type: 'PASSPORT', fileName: 'p.png', contentType: 'image/png', contentBase64: pngBase64, expiresOn: appDate(t, 1) },
    });
    if (added.addDocument.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(added.addDocument));
    await t.run(ReviewDocumentDocument, { input: { documentId: added.addDocument.document.id, decision: 'ACCEPT' } });
    expect((await verify(id, 'FULL')).__typename).toBe('VerifyClientSuccess');
    return id;
  }

  it('verifies a PENDING client PARTIAL: VERIFIED, level set, verifiedAt set, one event, version + 1', async () => {
    const { id } = await verifiableClient(t);
    const before = await fetchClient(id);

    const result = await verify(id, 'PARTIAL');

    if (result.__typename !== 'VerifyClientSuccess') throw new Error(JSON.stringify(result));
    expect(result.client).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'PARTIAL', version: before.version + 1 });
    expect(result.client.verifiedAt).not.toBeNull();
    expect(result.client.history.at(-1)).toEqual({ type: 'CLIENT_VERIFIED', fromStatus: 'PENDING', toStatus: 'VERIFIED' });
  });

  it('re-verifies and upgrades a VERIFIED client, which stays VERIFIED', async () => {
    const { id } = await verifiableClient(t, { full: true });
    await verify(id, 'PARTIAL');

    const again = await verify(id, 'PARTIAL');
    const upgraded = await verify(id, 'FULL');

    expect(again).toMatchObject({ __typename: 'VerifyClientSuccess', client: { status: 'VERIFIED', kycVerificationType: 'PARTIAL' } });
    expect(upgraded).toMatchObject({ __typename: 'VerifyClientSuccess', client: { status: 'VERIFIED', kycVerificationType: 'FULL' } });
  });

  it('keeps FULL when a FULL client is asked to verify PARTIAL', async () => {
    const { id } = await verifiableClient(t, { full: true });
    await verify(id, 'FULL');

    const result = await verify(id, 'PARTIAL');

    expect(result).toMatchObject({ __typename: 'VerifyClientSuccess', client: { status: 'VERIFIED', kycVerificationType: 'FULL' } });
  });

  it('checks FULL when a FULL client is asked to verify PARTIAL: an expired passport document refuses it, nothing changes', async () => {
    // given a FULL-verified client whose only physical ID document expires tomorrow
    const id = await fullClientWithPassportExpiringTomorrow();
    const before = await fetchClient(id);

    // when two days pass and it is asked to verify PARTIAL (it would keep FULL)
    t.clock.advance(2 * DAY);
    const result = await verify(id, 'PARTIAL');
    t.clock.advance(-2 * DAY);

    // then FULL's missing requirement is the answer, and verifiedAt is not refreshed
    if (result.__typename !== 'VerificationRequirementsNotMetError') throw new Error(JSON.stringify(result));
    expect(result.kycVerificationType).toBe('FULL');
    expect(result.missingRequirements.map((requirement) => requirement.code)).toEqual(['PHYSICAL_ID_DOCUMENT']);
    expect(await fetchClient(id)).toEqual(before);
  });

  it('upgrades an ACTIVE PARTIAL client to FULL and keeps it ACTIVE', async () => {
    const { id } = await verifiableClient(t);
    await verify(id, 'PARTIAL');
    await activate(id);
    await addAcceptedPassportDocument(t, id);

    const result = await verify(id, 'FULL');

    expect(result).toMatchObject({ __typename: 'VerifyClientSuccess', client: { status: 'ACTIVE', kycVerificationType: 'FULL' } });
  });

  it('refuses an upgrade of an ACTIVE client that lacks the FULL requirements, changing nothing', async () => {
    const { id } = await verifiableClient(t);
    await verify(id, 'PARTIAL');
    await activate(id);
    const before = await fetchClient(id);

    const result = await verify(id, 'FULL');

    if (result.__typename !== 'VerificationRequirementsNotMetError') throw new Error(JSON.stringify(result));
    expect(result.missingRequirements.map((requirement) => requirement.code)).toEqual(['PHYSICAL_ID_DOCUMENT']);
    expect(await fetchClient(id)).toEqual(before);
  });

  it('answers a non-upgrade verification of an ACTIVE client with InvalidClientStatusError', async () => {
    const { id } = await verifiableClient(t, { full: true });
    await verify(id, 'FULL');
    await activate(id);

    const result = await verify(id, 'PARTIAL');

    expect(result).toMatchObject({
      __typename: 'InvalidClientStatusError',
      clientId: id,
      currentStatus: 'ACTIVE',
      allowedStatuses: ['PENDING', 'VERIFIED'],
    });
  });

  it('activates only a VERIFIED client', async () => {
    const pending = await createClient(t);
    const { id: activeId } = await verifiableClient(t);
    await verify(activeId, 'PARTIAL');
    await activate(activeId);

    const fromPending = await activate(pending.id);
    const fromActive = await activate(activeId);

    expect(fromPending).toMatchObject({ __typename: 'InvalidClientStatusError', currentStatus: 'PENDING', allowedStatuses: ['VERIFIED'] });
    expect(fromActive).toMatchObject({ __typename: 'InvalidClientStatusError', currentStatus: 'ACTIVE', allowedStatuses: ['VERIFIED'] });
  });

  it('re-checks requirements on activation: a document that expired since verification blocks it and nothing changes', async () => {
    // given a FULL-verified client whose only physical ID document expires tomorrow
    const id = await fullClientWithPassportExpiringTomorrow();
    const before = await fetchClient(id);

    // when two days pass and activation is attempted
    t.clock.advance(2 * DAY);
    const result = await activate(id);
    t.clock.advance(-2 * DAY);

    // then activation is refused with the expired requirement, and the client is as it was
    if (result.__typename !== 'VerificationRequirementsNotMetError') throw new Error(JSON.stringify(result));
    expect(result.kycVerificationType).toBe('FULL');
    expect(result.missingRequirements.map((requirement) => requirement.code)).toEqual(['PHYSICAL_ID_DOCUMENT']);
    expect(await fetchClient(id)).toEqual(before);
  });

  it('treats an identifier expiring today as valid and one that expired yesterday as missing', async () => {
    const client = await createClient(t);
    const added = await t.run(AddIdentifierDocument, {
      input: { clientId: client.id, type: 'PASSPORT', value: 'X1234567', issuingCountry: 'GB', expiresOn: appDate(t, 0) },
    });
    if (added.addIdentifier.__typename !== 'AddIdentifierSuccess') throw new Error(JSON.stringify(added.addIdentifier));
    expect(added.addIdentifier.identifier.isValid).toBe(true);
    const today = await t.run(MissingRequirementsDocument, { id: client.id, level: 'PARTIAL' });
    expect(today.client!.missingRequirements.map((r) => r.code)).not.toContain('IDENTITY_DOCUMENT');

    t.clock.advance(DAY);
    const tomorrow = await t.run(MissingRequirementsDocument, { id: client.id, level: 'PARTIAL' });
    const identifiers = (await fetchClient(client.id)).identifiers;
    t.clock.advance(-DAY);

    expect(tomorrow.client!.missingRequirements.map((r) => r.code)).toContain('IDENTITY_DOCUMENT');
    expect(identifiers[0].isValid).toBe(false);
  });

  it('answers ClientNotFoundError for unknown and malformed ids', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await verify(unknown, 'PARTIAL')).toMatchObject({ __typename: 'ClientNotFoundError', clientId: unknown });
    expect(await verify('not-a-uuid', 'FULL')).toMatchObject({ __typename: 'ClientNotFoundError', clientId: 'not-a-uuid' });
    expect(await activate(unknown)).toMatchObject({ __typename: 'ClientNotFoundError', clientId: unknown });
    expect(await activate("'; DROP TABLE clients; --")).toMatchObject({ __typename: 'ClientNotFoundError' });
  });

  it('lists exactly what verifyClient would find missing, with codes, messages, accepted types and review state', async () => {
    // given a client with a passport document awaiting review and nothing else
    const client = await createClient(t, { email: 'grace@example.com', mobilePhone: null });
    await t.run(AddDocumentForVerificationDocument, {
      input: { clientId: client.id, type: 'PASSPORT', fileName: 'p.png', contentType: 'image/png', contentBase64: pngBase64 },
    });

    const shown = await t.run(MissingRequirementsDocument, { id: client.id, level: 'FULL' });
    const refused = await verify(client.id, 'FULL');

    if (refused.__typename !== 'VerificationRequirementsNotMetError') throw new Error(JSON.stringify(refused));
    expect(refused.missingRequirements).toEqual(shown.client!.missingRequirements);
    expect(refused.developerMessage).toContain('PRIMARY_ADDRESS');
    expect(refused.userMessageGlobalisationCode).toMatch(/^error\.msg\.client\./);
    expect(shown.client!.missingRequirements).toEqual([
      expect.objectContaining({ code: 'PRIMARY_ADDRESS', acceptedTypes: [], pendingReview: false, userMessageGlobalisationCode: 'error.msg.client.verification.primary.address.missing' }),
      expect.objectContaining({ code: 'IDENTITY_DOCUMENT', acceptedTypes: ['SSN', 'ITIN', 'PASSPORT', 'NATIONAL_ID', 'DRIVERS_LICENSE'], pendingReview: false }),
      expect.objectContaining({ code: 'TAX_IDENTIFIER', acceptedTypes: ['SSN', 'ITIN'], pendingReview: false }),
      expect.objectContaining({ code: 'PHYSICAL_ID_DOCUMENT', acceptedTypes: ['PASSPORT', 'DRIVERS_LICENSE', 'NATIONAL_ID_CARD'], pendingReview: true }),
      expect.objectContaining({ code: 'EMAIL_VERIFICATION', acceptedTypes: [], pendingReview: false }),
      expect.objectContaining({ code: 'MOBILE_PHONE', acceptedTypes: [], pendingReview: false }),
    ]);
    for (const requirement of shown.client!.missingRequirements) {
      expect(requirement.message.length).toBeGreaterThan(10);
    }
    // MOBILE_PHONE_VERIFICATION is not listed while there is no phone to verify.
    const globalisationCodes = shown.client!.missingRequirements.map((r) => r.userMessageGlobalisationCode);
    expect(new Set(globalisationCodes).size).toBe(globalisationCodes.length);
  });
});
